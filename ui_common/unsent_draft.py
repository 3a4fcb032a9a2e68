"""Unsent Draft

A message typed while the server is unreachable is neither sent nor lost: the browser keeps the reply box's text in
the tab's sessionStorage until the server confirms the message (``forget``). When the page reloads (after the server
came back, or the user reloaded) the text returns to the box, clearly marked as not sent, and the user decides
whether to send it. Sending it by itself on reconnect could post a message into a chat that has ended meanwhile, or
twice, if the first try did arrive after all; a marked draft can do neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments

UNSENT_TEXT = 'Your message was not sent: the connection to the server was lost. Select Send to send it now.'


class UnsentDraft(ui.element, component='unsent_draft.js'):
    def __init__(self, reply: ui.input, storage_key: str, on_restored: Callable[[str], Any]) -> None:
        """Unsent Draft

        :param reply: the reply box whose text is kept
        :param storage_key: where in the tab's sessionStorage (one per conversation)
        :param on_restored: called with a draft that the page found unsent when it opened
        """
        super().__init__()
        self._props['target'] = reply.html_id
        self._props['storageKey'] = f'vce-draft:{storage_key}'
        self._on_restored = on_restored
        self.on('restored', self._handle_restored)

    def forget(self) -> None:
        """The message was sent (or given up): the kept text goes."""
        self.run_method('forget')

    def _handle_restored(self, event: GenericEventArguments) -> Any:
        text = event.args.get('text') if isinstance(event.args, dict) else None
        return self._on_restored(text) if isinstance(text, str) and text else None
