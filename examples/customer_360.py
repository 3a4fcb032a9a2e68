"""Example: add a "Customer 360" panel to the agent desktop, in Python, then run the product.

    python -m examples.customer_360      # same as `vce demo` (URLs, demo login), plus this panel beside every chat
"""

from __future__ import annotations

from nicegui import ui

from agent_ui.extensions import ContactPanelContext, DesktopExtensions

extensions = DesktopExtensions()


@extensions.contact_panel('Customer 360')
def customer_360(context: ContactPanelContext) -> None:
    contact = context.contact
    ui.label(f'Email: {contact.customer_email}').props('data-testid=c360-email')
    ui.label(f'Handled by {context.agent.display_name}').classes('text-sm text-grey-8')
    ui.link('Open in CRM', f'https://crm.example.com/search?q={contact.contact_id}', new_tab=True)


if __name__ in {'__main__', '__mp_main__'}:
    from vce.cli import start_demo

    start_demo(extensions=extensions)
