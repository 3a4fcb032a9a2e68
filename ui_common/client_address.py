"""The client's address as this page's HTTP request saw it: what per-client limits count by (the customer pages and
the agent login use it).

The request's peer is already the right one: uvicorn replaces a trusted proxy's address by the right-most
``X-Forwarded-For`` hop that is not a trusted proxy, and ignores the header from anyone else (``VCE_TRUSTED_PROXIES``,
wired in vce/web.py; docs/security/proxies.md). So no page reads forwarded headers itself.
"""

from __future__ import annotations

from nicegui import ui


def client_address() -> str:
    """The address of the client that loaded the current page ('' when the transport has none)."""
    request = ui.context.client.request
    return request.client.host if request is not None and request.client is not None else ''
