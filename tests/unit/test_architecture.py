"""The layer rules of DESIGN.md §3, checked on every test run."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ('backend', 'agent_ui', 'customer_ui', 'ui_common', 'vce')


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name('lint-imports')
    result = subprocess.run([str(lint), '--config', str(ROOT / 'pyproject.toml')], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Contracts: 3 kept, 0 broken.' in result.stdout


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports (``from backend import adapters`` counts as ``backend.adapters``), at any depth,
    including imports inside functions and ``if TYPE_CHECKING:`` blocks."""
    modules = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ''
            modules += [module] + [f'{module}.{alias.name}' for alias in node.names]
    return modules


def offenders(allowed: tuple[Path, ...], forbidden: str) -> list[str]:
    """``path: module`` for each import of ``forbidden`` (or a module inside it) outside the ``allowed`` paths."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob('*.py'):
            if any(path.is_relative_to(place) for place in allowed):
                continue
            found += [f'{path.relative_to(ROOT)}: {m}' for m in dict.fromkeys(imported_modules(path))
                      if m == forbidden or m.startswith(f'{forbidden}.')]
    return found


def test_boto3_only_in_the_aws_adapters():
    aws_adapters = (ROOT / 'backend' / 'adapters' / 'aws',)
    assert offenders(aws_adapters, 'boto3') + offenders(aws_adapters, 'botocore') == []


def test_only_the_composition_root_imports_adapters():
    """Kept even if someone loosens the import-linter contract: adapters are picked in backend/bootstrap.py only."""
    allowed = (ROOT / 'backend' / 'bootstrap.py', ROOT / 'backend' / 'adapters')
    assert offenders(allowed, 'backend.adapters') == []
