"""Link Fragment

Reads the page's URL fragment in the browser (a server never sees it) and can remove it from the address bar, so
an invitation link's reference and email do not linger in the tab's URL or get copied along with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments


class LinkFragment(ui.element, component='link_fragment.js'):
    def __init__(self, on_read: Callable[[str], Any]) -> None:
        """Link Fragment

        :param on_read: called with the fragment (without '#') when the page opens with one or it changes
        """
        super().__init__()
        self._on_read = on_read
        self.on('read', self._handle_read)

    def forget(self) -> None:
        """Remove the fragment from the address bar (without reloading or adding a history entry)."""
        self.run_method('forget')

    def _handle_read(self, event: GenericEventArguments) -> Any:
        fragment = event.args.get('fragment') if isinstance(event.args, dict) else None
        return self._on_read(fragment if isinstance(fragment, str) else '')
