"""Composition root: the only module that knows which adapters exist and picks them from the settings."""

from __future__ import annotations

import logging

from backend.config import BootstrapSettings, Settings
from backend.events import EventBus
from backend.flows import load_flow_library
from backend.ports import AgentStore, MeetingProvider, ReferenceStore
from backend.services.accounts import AccountService
from backend.services.agent_desk import AgentDeskService
from backend.services.bundle import Services
from backend.services.customer_chat import CustomerChatService
from backend.services.meetings import MeetingService
from backend.services.references import ReferencePolicy, ReferenceService
from backend.services.single_sign_on import SingleSignOnService
from backend.services.voice import VoiceService

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
    from backend.adapters.local.meetings import LocalMeetingProvider
    from backend.adapters.local.passwords import Argon2PasswordHasher
    from backend.adapters.local.sqlite_store import SqliteStore

    store = SqliteStore(settings.database_path)
    bus = EventBus()
    flows = load_flow_library(settings.flows_dir)
    engine = LocalContactCentre(store, bus, flows, EngineConfig(
        inbound_flow=settings.inbound_chat_flow, standard_queue=settings.standard_queue,
        queue_max_contacts=settings.queue_max_contacts, chat_concurrency=settings.chat_concurrency,
        offer_timeout=settings.offer_timeout_seconds, inbound_voice_flow=settings.inbound_voice_flow))
    references = build_references(settings, store, store)
    customer_chat = CustomerChatService(engine, store, references, bus)
    agent_desk = AgentDeskService(engine, bus)
    meetings = MeetingService(_meeting_provider(settings), store, engine, agent_desk, customer_chat, bus)
    # the local engine's phone line is browser WebRTC whatever VCE_MEETING_BACKEND says
    voice = VoiceService(engine, store, LocalMeetingProvider(), store, engine, agent_desk, bus)

    async def start() -> None:
        await engine.start()
        meetings.start()
        voice.start()

    async def stop() -> None:
        await voice.stop()
        await meetings.stop()
        await engine.stop()
        store.close()

    return Services(settings=settings, accounts=AccountService(store, Argon2PasswordHasher(), settings.standard_queue),
                    customer_chat=customer_chat, agent_desk=agent_desk, meetings=meetings, references=references,
                    voice=voice, start=start, stop=stop, single_sign_on=build_single_sign_on(settings, store))


def build_references(settings: Settings, store: ReferenceStore, agents: AgentStore) -> ReferenceService:
    """Ad-hoc references with the configured secret and limits (also used by ``benchmarks/references.py``)."""
    return ReferenceService(store, agents, settings.reference_key, ReferencePolicy(
        ttl_seconds=settings.reference_ttl_minutes * 60, max_wrong_emails=settings.reference_max_wrong_emails,
        redeem_limit=settings.reference_redeem_limit,
        redeem_window_seconds=settings.reference_redeem_window_seconds))


def build_single_sign_on(settings: Settings, agents: AgentStore) -> SingleSignOnService | None:
    """OIDC login when configured (VCE_LOGIN_MODE=oidc); None keeps local accounts."""
    if settings.login_mode != 'oidc':
        return None
    try:
        from backend.adapters.oidc.authlib_provider import AuthlibIdentityProvider
    except ImportError as missing:
        raise RuntimeError('VCE_LOGIN_MODE=oidc needs authlib: pip install "video-call-escalation[aws]"') from missing
    from backend.adapters.local.agent_directory import MappedAgentDirectory

    provider = AuthlibIdentityProvider(settings.oidc_discovery_url, settings.oidc_client_id,
                                       settings.oidc_client_secret.get_secret_value(), settings.oidc_scopes,
                                       logout_url=settings.oidc_logout_url)
    return SingleSignOnService(provider, MappedAgentDirectory(agents, settings.oidc_agent_emails),
                               public_base_url=settings.agent_public_url)


def _meeting_provider(settings: Settings) -> MeetingProvider:
    if settings.meeting_backend == 'chime':
        from backend.adapters.aws.chime_meetings import ChimeMeetingProvider

        return ChimeMeetingProvider(region=settings.aws_region, media_region=settings.chime_media_region)
    from backend.adapters.local.meetings import LocalMeetingProvider

    return LocalMeetingProvider()
