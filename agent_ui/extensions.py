"""The agent desktop's extension point: extra panels beside a contact's chat, written in Python.

    extensions = DesktopExtensions()

    @extensions.contact_panel('Customer 360')
    def customer_360(context: ContactPanelContext) -> None:
        ui.label(f'Orders of {context.contact.customer_email}: ...')

    vce.web.run(settings, extensions=extensions)

A builder runs inside the panel's NiceGUI container each time the agent opens the contact; it gets a read-only
snapshot of the contact and the signed-in agent. A failing panel shows an error in its own box and never
breaks the desktop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from backend.domain.model import Agent, Contact


@dataclass(frozen=True, slots=True)
class ContactPanelContext:
    contact: Contact
    agent: Agent


PanelBuilder = Callable[[ContactPanelContext], None]


@dataclass(frozen=True, slots=True)
class ContactPanel:
    title: str
    build: PanelBuilder


@dataclass(slots=True)
class DesktopExtensions:
    contact_panels: list[ContactPanel] = field(default_factory=list)

    def contact_panel(self, title: str) -> Callable[[PanelBuilder], PanelBuilder]:
        """Register a panel shown for every contact, in registration order."""

        def register(build: PanelBuilder) -> PanelBuilder:
            self.contact_panels.append(ContactPanel(title, build))
            return build

        return register
