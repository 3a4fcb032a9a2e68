"""Composition root: the only module that knows which adapters exist and picks them from the settings."""

from __future__ import annotations

import logging

from backend.config import BootstrapSettings, Settings
from backend.events import EventBus
from backend.flows import load_flow_library
from backend.ports import MeetingProvider
from backend.services.accounts import AccountService
from backend.services.agent_desk import AgentDeskService
from backend.services.bundle import Services
from backend.services.customer_chat import CustomerChatService, NoReferences
from backend.services.meetings import MeetingService

log = logging.getLogger('vce')


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; in aws mode also from SSM Parameter Store (``vce configure``), env winning."""
    boot = BootstrapSettings(**{k: v for k, v in overrides.items() if k in BootstrapSettings.model_fields})  # type: ignore[arg-type]
    if boot.mode != 'aws':
        return Settings(**overrides)  # type: ignore[arg-type]
    from backend.adapters.aws.ssm_settings import load_aws_settings

    return load_aws_settings(boot, **overrides)


def build_accounts(settings: Settings) -> AccountService:
    """Accounts alone, for the CLI: no engine, no flows."""
    from backend.adapters.local.passwords import Argon2PasswordHasher
    from backend.adapters.local.sqlite_store import SqliteStore

    return AccountService(SqliteStore(settings.database_path), Argon2PasswordHasher(), settings.standard_queue)


def build_services(settings: Settings) -> Services:
    if settings.mode != 'local':
        raise NotImplementedError('aws mode (Amazon Connect) is not available yet: set VCE_MODE=local; '
                                  'VCE_MEETING_BACKEND=chime already uses Amazon Chime SDK meetings.')
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
    customer_chat = CustomerChatService(engine, store, NoReferences(), bus)
    agent_desk = AgentDeskService(engine, bus)
    meetings = MeetingService(_meeting_provider(settings), store, engine, agent_desk, customer_chat, bus)

    async def start() -> None:
        await engine.start()
        meetings.start()

    async def stop() -> None:
        await meetings.stop()
        await engine.stop()
        store.close()

    return Services(settings=settings, accounts=AccountService(store, Argon2PasswordHasher(), settings.standard_queue),
                    customer_chat=customer_chat, agent_desk=agent_desk, meetings=meetings, start=start, stop=stop)


def _meeting_provider(settings: Settings) -> MeetingProvider:
    if settings.meeting_backend == 'chime':
        from backend.adapters.aws.chime_meetings import ChimeMeetingProvider

        return ChimeMeetingProvider(region=settings.aws_region, media_region=settings.chime_media_region)
    from backend.adapters.local.meetings import LocalMeetingProvider

    return LocalMeetingProvider()
