"""The layer rules of docs/architecture.md ("Layers and import rules"), checked on every test run."""

from __future__ import annotations

import ast
import importlib
import inspect
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
    assert 'Contracts: 6 kept, 0 broken.' in result.stdout  # + deploy/'s two, + redis only in its adapter


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


def _is_protocol(value: object) -> bool:
    return isinstance(value, type) and bool(getattr(value, '_is_protocol', False))


def _port_protocols() -> dict[str, type]:
    import backend.flows.host
    import backend.ports

    ports = {}
    for module in (backend.ports, backend.flows.host):
        ports.update({name: value for name, value in vars(module).items()
                      if _is_protocol(value) and value.__module__ == module.__name__})
    assert len(ports) > 10
    return ports


def _adapter_classes() -> list[type]:
    classes = []
    for path in sorted((ROOT / 'backend' / 'adapters').rglob('*.py')):
        dotted = '.'.join(path.relative_to(ROOT).with_suffix('').parts).removesuffix('.__init__')
        module = importlib.import_module(dotted)
        classes += [c for _, c in inspect.getmembers(module, inspect.isclass)
                    if c.__module__ == module.__name__ and not _is_protocol(c)]
    return classes


def _members(port: type) -> set[str]:
    return {name for klass in port.__mro__ if _is_protocol(klass) and klass.__module__ != 'typing'
            for name in vars(klass) if not name.startswith('_')}


def test_every_adapter_names_the_ports_it_implements():
    """A class of backend/adapters with every member of a port must subclass that port, so a reader (and mypy) can go
    from the port to its implementations."""
    unnamed = [f'{adapter.__module__}.{adapter.__name__} implements {name} without naming it'
               for adapter in _adapter_classes() for name, port in _port_protocols().items()
               if _members(port) <= set(dir(adapter)) and port not in adapter.__mro__]
    assert unnamed == []


def test_ports_have_one_shape_in_every_adapter():
    """A port method is a coroutine in every implementation or in none (the service never has to guess)."""
    mixed = []
    for adapter in _adapter_classes():
        for name, port in _port_protocols().items():
            if port not in adapter.__mro__:
                continue
            for member in _members(port):
                declared = getattr(port, member, None)
                if callable(declared) and (inspect.iscoroutinefunction(declared)
                                           != inspect.iscoroutinefunction(getattr(adapter, member))):
                    mixed.append(f'{adapter.__name__}.{member} ({name})')
    assert mixed == []
