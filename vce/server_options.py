"""What the web server is told about the network in front of it: whose forwarded headers to believe, and whether the
session cookie may travel over plain http.

uvicorn believes ``X-Forwarded-For`` / ``X-Forwarded-Proto`` from 127.0.0.1 by default, so any local process, or a
client behind a same-host proxy that passes the header through, could pick its own address and get a fresh budget
from every per-client limit. Here only the proxies in ``VCE_TRUSTED_PROXIES`` are believed (none by default); from one
of them, uvicorn takes the right-most hop that is not a trusted proxy (docs/security/proxies.md).
"""

from __future__ import annotations

from typing import Any

from backend.settings import Settings


def server_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``ui.run`` (uvicorn's proxy handling, NiceGUI's session cookie)."""
    trusted = settings.trusted_proxy_list
    return {
        'proxy_headers': bool(trusted),
        'forwarded_allow_ips': trusted,
        'session_middleware_kwargs': {'https_only': settings.https_only},
    }
