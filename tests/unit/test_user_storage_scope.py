"""Only the agent desktop's paths get server-side user storage (vce/user_storage_scope.py), also behind a root path."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from vce.user_storage_scope import STORAGE_PATH_PREFIX, uses_user_storage


def request(path: str, root_path: str = '') -> Request:
    return Request({'type': 'http', 'method': 'GET', 'path': root_path + path, 'root_path': root_path,
                    'headers': [], 'query_string': b''})


@pytest.mark.parametrize(('path', 'uses'), [
    ('/agent', True), ('/agent/', True), ('/agent/login', True), ('/agent/oidc/callback', True),
    ('/', False), ('/call', False), ('/healthz', False), ('/readyz', False), ('/agents', False),
    ('/assets/x.js', False),
    ('/_nicegui_ws/socket.io/', False), ('/_nicegui/3.18.0/static/nicegui.js', False), ('/x/agent', False),
])
@pytest.mark.parametrize('root_path', ['', '/vce'])
def test_only_agent_paths_use_user_storage(path: str, uses: bool, root_path: str) -> None:
    assert STORAGE_PATH_PREFIX == '/agent'
    assert uses_user_storage(request(path, root_path), STORAGE_PATH_PREFIX) is uses
