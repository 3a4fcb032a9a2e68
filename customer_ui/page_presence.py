"""Tells the services when a customer page's socket comes and goes, so a customer who has gone is let go (each
service ends its chat or call after a grace period; docs/security/flood.md).

A tab counts as present while any customer page of it is connected: a customer who goes from the chat on the
website to the "Call us" page in the same tab (or back) keeps both the chat and the call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nicegui import Client


class PresenceListener(Protocol):
    """A service that ends a tab's contact when the tab's pages have gone (the chat and the voice services)."""

    def page_connected(self, session_key: str, page_id: str) -> None: ...
    def page_disconnected(self, session_key: str, page_id: str) -> None: ...


def report_presence(client: Client, session_key: str, listeners: Sequence[PresenceListener]) -> None:
    """Report the page now (call once its socket is connected and the page has looked up the tab's contact), on
    every reconnect and on every disconnect; a page that is deleted (closed and not back within NiceGUI's reconnect
    timeout) reports itself gone too."""
    page_id = client.id

    def connected() -> None:
        for listener in listeners:
            listener.page_connected(session_key, page_id)

    def disconnected() -> None:
        for listener in listeners:
            listener.page_disconnected(session_key, page_id)

    connected()
    client.on_connect(connected)
    client.on_disconnect(disconnected)
    client.on_delete(disconnected)
