"""The parts of one contact's page that the local and the Connect desktop both show: the heading (name, state
badge, and a row of actions with Start video), the attributes and the developer's extension panels."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from nicegui import ui

from agent_ui.extensions import ContactPanelContext, DesktopExtensions
from backend.domain.model import Contact, ContactState

log = logging.getLogger('vce.agent_ui')

STATE_TEXT = {
    ContactState.CONNECTED: 'Connected',
    ContactState.AFTER_CONTACT_WORK: 'After contact work',
    ContactState.ENDED: 'Ended',
}


def contact_heading(contact: Contact, on_start_video: Callable[[str], Awaitable[None]]
                    ) -> tuple[ui.row, ui.badge, ui.button]:
    """The customer's name and the state badge, and under them Start video in a row of actions the caller may add
    its own buttons to.

    The actions have their own row from the start, aligned left: when the call column opens beside the contact
    and the page gets narrower, they stay where the agent saw them (a shared row wrapped them below the name).
    """
    with ui.column().classes('w-full gap-2'):
        with ui.row().classes('w-full items-center gap-3'):
            ui.label(contact.customer_name).classes('text-2xl font-bold').props('data-testid=customer-name')
            badge = ui.badge().props('data-testid=contact-state')
        with ui.row().classes('w-full items-center gap-2').props('data-testid=contact-actions') as actions:
            video = ui.button('Start video', icon='videocam', on_click=lambda: on_start_video(contact.contact_id)) \
                .props('color=positive data-testid=start-video')
    return actions, badge, video


def attributes_table(attributes: dict[str, str]) -> None:
    """The contact's attributes, folded away (shared with the desktop on the Connect CCP)."""
    with ui.expansion('Contact attributes', icon='label').classes('w-full').props('dense'):
        ui.table(columns=[{'name': 'key', 'label': 'Attribute', 'field': 'key', 'align': 'left'},
                          {'name': 'value', 'label': 'Value', 'field': 'value', 'align': 'left'}],
                 rows=[{'key': k, 'value': v} for k, v in sorted(attributes.items())],
                 row_key='key').props('dense flat data-testid=attributes').classes('w-full')


def extension_panels(extensions: DesktopExtensions, context: ContactPanelContext) -> None:
    """The developer's panels; a failing one shows an error in its own box and never breaks the desktop."""
    for panel in extensions.contact_panels:
        with ui.expansion(panel.title, value=True).classes('w-full').props('data-testid=extension-panel'):
            try:
                panel.build(context)
            except Exception:
                log.exception('extension panel failed panel=%s', panel.title)
                ui.label(f'The panel "{panel.title}" failed to load.').classes('text-negative')
