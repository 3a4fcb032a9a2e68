"""The agent desktop's frame, the same in local and aws mode: the header (name, Create ad-hoc, demo website, dark
mode, logout) and the body (the contact sub-pages beside a call column that sub-page navigation never rebuilds)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from nicegui import ui

from agent_ui.adhoc_dialog import AdhocDialog
from backend.services.meetings import MeetingService
from ui_common.accessible_colors import use_accessible_colors
from ui_common.call_panel import CallPanel

DESKTOP_ROOT = '/agent'


def desktop_header(display_name: str, session: MutableMapping[str, Any], *, adhoc_dialog: Callable[[], AdhocDialog],
                   on_logout: Callable[[], Any]) -> AdhocDialog:
    """Build the header (call inside the page); returns the ad-hoc dialog it opens."""
    use_accessible_colors()
    dark = ui.dark_mode().bind_value(session, 'dark_mode')
    with ui.header().classes('items-center gap-3 bg-primary'):
        ui.label('Agent desktop').classes('text-lg font-bold')
        ui.space()
        ui.label(display_name).classes('text-sm').props('data-testid=agent-name')
        adhoc = adhoc_dialog()
        ui.button('Create ad-hoc', icon='add_link', on_click=adhoc.start) \
            .props('flat color=white data-testid=create-adhoc').tooltip('Invite a customer to a video chat')
        ui.link('Demo website', '/', new_tab=True).classes('text-white text-sm').props('data-testid=demo-link')
        if session.get('role') == 'supervisor':
            ui.link('Recordings', '/supervisor/recordings').classes('text-white text-sm') \
                .props('data-testid=recordings-link')
        ui.button(icon='dark_mode', on_click=dark.toggle) \
            .props('flat round color=white aria-label="Dark mode on / off" data-testid=dark-mode') \
            .tooltip('Dark mode')
        ui.button('Log out', icon='logout', on_click=on_logout).props('flat color=white data-testid=logout')
    return adhoc


def desktop_body(*, home: Callable[[], None], contact_page: Callable[[str], None], meetings: MeetingService,
                 ice_servers: list[dict[str, object]], on_end_for_all: Callable[[], Awaitable[None]]) -> CallPanel:
    """Build the body (call inside the page); returns the agent's call panel."""
    with ui.row().classes('w-full no-wrap items-start gap-0'):
        ui.sub_pages({'/': home, '/contact/{contact_id}': contact_page}, root_path=DESKTOP_ROOT) \
            .classes('grow min-w-0')
        with ui.column().classes('w-[30rem] shrink-0 p-4') as call_column:
            call = CallPanel(meetings, ice_servers=ice_servers, on_end_for_all=on_end_for_all,
                             ended_text='The video session has ended.')
        call_column.bind_visibility_from(call, 'visible')
    return call
