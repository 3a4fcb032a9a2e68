"""Composition root: the only module that knows which adapters exist and picks them from the settings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from backend.config import Settings
from backend.events import EventBus
from backend.flows import load_flow_library
from backend.services.accounts import AccountService
from backend.services.agent_desk import AgentDeskService
from backend.services.bundle import Services
from backend.services.customer_chat import CustomerChatService, NoReferences

if TYPE_CHECKING:
    from backend.adapters.local.engine.contact_centre import LocalContactCentre
    from backend.adapters.local.sqlite_store import SqliteStore

log = logging.getLogger('vce')


def build_accounts(settings: Settings) -> AccountService:
    """Accounts alone, for the CLI: no engine, no flows."""
    from backend.adapters.local.passwords import Argon2PasswordHasher
    from backend.adapters.local.sqlite_store import SqliteStore

    return AccountService(SqliteStore(settings.database_path), Argon2PasswordHasher(), settings.standard_queue)


def build_services(settings: Settings) -> Services:
    if settings.mode != 'local':
        raise NotImplementedError('aws mode is not available yet: set VCE_MODE=local (see docs/aws.md).')
    from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
    from backend.adapters.local.passwords import Argon2PasswordHasher
    from backend.adapters.local.sqlite_store import SqliteStore

    store = SqliteStore(settings.database_path)
    bus = EventBus()
    flows = load_flow_library(settings.flows_dir)
    engine = LocalContactCentre(store, bus, flows, EngineConfig(
        inbound_flow=settings.inbound_chat_flow, standard_queue=settings.standard_queue,
        queue_max_contacts=settings.queue_max_contacts, chat_concurrency=settings.chat_concurrency,
        offer_timeout=settings.offer_timeout_seconds))
    return Services(
        settings=settings,
        accounts=AccountService(store, Argon2PasswordHasher(), settings.standard_queue),
        customer_chat=CustomerChatService(engine, store, NoReferences(), bus),
        agent_desk=AgentDeskService(engine, bus),
        start=engine.start,
        stop=lambda: _stop(engine, store),
    )


async def _stop(engine: LocalContactCentre, store: SqliteStore) -> None:
    await engine.stop()
    store.close()
