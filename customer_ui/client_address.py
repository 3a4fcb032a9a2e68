"""The customer's address, as the per-client-network limits see it: the one place both customer pages get it from."""

from __future__ import annotations

from nicegui import ui


def client_address() -> str:
    """The address of the current page's request (empty if unknown); call it while building the page."""
    request = ui.context.client.request
    return request.client.host if request is not None and request.client is not None else ''
