"""The agent desktop's header, the same in local and aws mode: name, Create ad-hoc, demo website, dark mode, logout."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from nicegui import ui

from agent_ui.adhoc_dialog import AdhocDialog


def desktop_header(display_name: str, session: MutableMapping[str, Any], *, adhoc_dialog: Callable[[], AdhocDialog],
                   on_logout: Callable[[], Any]) -> AdhocDialog:
    """Build the header (call inside the page); returns the ad-hoc dialog it opens."""
    dark = ui.dark_mode().bind_value(session, 'dark_mode')
    with ui.header().classes('items-center gap-3 bg-primary'):
        ui.label('Agent desktop').classes('text-lg font-bold')
        ui.space()
        ui.label(display_name).classes('text-sm').props('data-testid=agent-name')
        adhoc = adhoc_dialog()
        ui.button('Create ad-hoc', icon='add_link', on_click=adhoc.start) \
            .props('flat color=white data-testid=create-adhoc').tooltip('Invite a customer to a video chat')
        ui.link('Demo website', '/', new_tab=True).classes('text-white text-sm').props('data-testid=demo-link')
        ui.button(icon='dark_mode', on_click=dark.toggle).props('flat round color=white data-testid=dark-mode') \
            .tooltip('Dark mode')
        ui.button('Log out', icon='logout', on_click=on_logout).props('flat color=white data-testid=logout')
    return adhoc
