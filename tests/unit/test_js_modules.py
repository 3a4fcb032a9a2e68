"""The elements' browser code stays in small ES modules that the page can import and the wheel carries."""

from __future__ import annotations

import importlib
import re
import runpy
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from nicegui import dependencies

ROOT = Path(__file__).resolve().parents[2]
UI_PACKAGES = ('agent_ui', 'customer_ui', 'ui_common')
MAX_LINES = 500
JS_FILES = sorted(path for package in UI_PACKAGES for path in (ROOT / package).rglob('*.js'))
IMPORT = re.compile(r'^import\s[^;]*?\bfrom\s+"([^"]+)";', re.MULTILINE | re.DOTALL)
NICEGUI_IMPORT_NAMES = {'vue', 'sass', 'immutable', 'dompurify'}  # always in NiceGUI's import map
SCRIPT_LOADER = ROOT / 'ui_common' / 'script_loader.js'


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_there_are_js_files_to_check() -> None:
    assert ROOT / 'ui_common' / 'meeting' / 'meeting.js' in JS_FILES
    assert SCRIPT_LOADER in JS_FILES


@pytest.mark.parametrize('path', JS_FILES, ids=_rel)
def test_no_js_file_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f'{_rel(path)} has {lines} lines: split it into ES modules'


def test_every_js_file_ships_in_the_wheel() -> None:
    """``find_packages`` (setup.py) only finds folders with an ``__init__.py``; package-data then picks the ``*.js``
    there."""
    setuptools = tomllib.loads((ROOT / 'pyproject.toml').read_text())['tool']['setuptools']
    packages = set(runpy.run_path(str(ROOT / 'setup.py'), run_name='setup_lists')['CODE'])
    patterns = setuptools['package-data']['*']
    missing = [_rel(path) for path in JS_FILES
               if '.'.join(path.parent.relative_to(ROOT).parts) not in packages
               or not any(fnmatch(path.name, pattern) for pattern in patterns)]
    assert missing == []


def test_every_import_is_a_registered_module_name() -> None:
    """Imports go by name through NiceGUI's import map (cache-busting URLs), so each must be an element dependency."""
    imported = {path: IMPORT.findall(path.read_text()) for path in JS_FILES}
    for path, names in imported.items():
        if names:  # the elements in the same folder register what their JavaScript imports
            package = '.'.join(path.parent.relative_to(ROOT).parts)
            for module in sorted(path.parent.glob('*.py')):
                importlib.import_module(package if module.stem == '__init__' else f'{package}.{module.stem}')
    registered = {library.name for library in dependencies.libraries.values()} | NICEGUI_IMPORT_NAMES
    unknown = [f'{_rel(path)}: {name}' for path, names in imported.items() for name in names if name not in registered]
    assert unknown == []
    assert imported[ROOT / 'ui_common' / 'meeting' / 'meeting.js']  # the pattern does find imports


def test_only_the_shared_loader_inserts_script_elements() -> None:
    """One loader for the vendored bundles: loaded once per page, removed again when loading fails."""
    inserting = [_rel(path) for path in JS_FILES if re.search(r'createElement\(\s*["\']script["\']', path.read_text())]
    assert inserting == [_rel(SCRIPT_LOADER)]
