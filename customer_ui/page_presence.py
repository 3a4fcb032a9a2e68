"""Tells a service when this page's socket comes and goes, so a customer who has gone is let go (the service ends
the chat or call after a grace period; docs/security/flood.md)."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import Client

PresenceReport = Callable[[str, str], None]  # (session key, page id)


def report_presence(client: Client, session_key: str, *, connected: PresenceReport,
                    disconnected: PresenceReport) -> None:
    """Report the page now (call once its socket is connected), on every reconnect and on every disconnect; a page
    that is deleted (closed and not back within NiceGUI's reconnect timeout) reports itself gone too."""
    page_id = client.id
    connected(session_key, page_id)
    client.on_connect(lambda: connected(session_key, page_id))
    client.on_disconnect(lambda: disconnected(session_key, page_id))
    client.on_delete(lambda: disconnected(session_key, page_id))
