"""Customer routes: the company website with its chat launcher, and the "Call us" phone page."""

from __future__ import annotations

from nicegui import ui

from backend.services.bundle import Services
from customer_ui.page_presence import PresenceListener
from customer_ui.phone_page import PhonePage
from customer_ui.website import CustomerWebsite

CUSTOMER_RECONNECT_SECONDS = 30


def register(services: Services) -> None:
    voice = services.voice
    # either page of a tab keeps the tab's chat and call (docs/security/flood.md, abandoned chats)
    presence: list[PresenceListener] = [services.customer_chat, *([voice] if voice is not None else [])]

    @ui.page('/', title=services.settings.company_name, reconnect_timeout=CUSTOMER_RECONNECT_SECONDS)
    async def website() -> None:
        await CustomerWebsite(services.settings, services.customer_chat, services.meetings,
                              presence=presence, recordings=services.recordings).build()

    if voice is None:  # aws mode: customers phone the Amazon Connect instance's number instead
        return

    @ui.page('/call', title=f'Call {services.settings.company_name}', reconnect_timeout=CUSTOMER_RECONNECT_SECONDS)
    async def phone() -> None:
        await PhonePage(services.settings, voice, services.meetings, presence=presence).build()
