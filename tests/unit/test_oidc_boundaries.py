"""authlib (and its HTTP client) stay inside the OIDC adapter, like boto3 stays inside the aws adapters."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / 'backend' / 'adapters' / 'oidc'
OIDC_LIBRARIES = {'authlib', 'joserfc', 'httpx2'}


def test_oidc_libraries_only_in_the_oidc_adapter():
    offenders = []
    for package in ('backend', 'agent_ui', 'customer_ui', 'ui_common', 'vce'):
        for path in (ROOT / package).rglob('*.py'):
            if path.is_relative_to(ADAPTER):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ''] if isinstance(node, ast.ImportFrom) else []
                offenders += [f'{path.relative_to(ROOT)}: {n}' for n in names if n.split('.')[0] in OIDC_LIBRARIES]
    assert offenders == []
