"""Customer routes: the company website with its chat launcher, and the "Call us" phone page."""

from __future__ import annotations

from nicegui import ui

from backend.services.bundle import Services
from customer_ui.phone_page import PhonePage
from customer_ui.website import CustomerWebsite

CUSTOMER_RECONNECT_SECONDS = 30


def register(services: Services) -> None:
    @ui.page('/', title=services.settings.company_name, reconnect_timeout=CUSTOMER_RECONNECT_SECONDS)
    async def website() -> None:
        await CustomerWebsite(services.settings, services.customer_chat, services.meetings).build()

    voice = services.voice
    if voice is None:  # aws mode: customers phone the Amazon Connect instance's number instead
        return

    @ui.page('/call', title=f'Call {services.settings.company_name}', reconnect_timeout=CUSTOMER_RECONNECT_SECONDS)
    async def phone() -> None:
        await PhonePage(services.settings, voice, services.meetings).build()
