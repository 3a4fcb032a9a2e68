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
    assert 'Contracts: 2 kept, 0 broken.' in result.stdout


def test_boto3_only_in_the_aws_adapters():
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob('*.py'):
            if path.is_relative_to(ROOT / 'backend' / 'adapters' / 'aws'):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ''] if isinstance(node, ast.ImportFrom) else []
                offenders += [f'{path.relative_to(ROOT)}: {n}' for n in names
                              if n.split('.')[0] in {'boto3', 'botocore'}]
    assert offenders == []
