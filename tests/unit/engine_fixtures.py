"""Build a real local engine (SQLite, real flow files) and its neighbours for unit tests."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
from backend.adapters.local.meetings import LocalMeetingProvider
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import Agent, AgentStatus
from backend.events import EventBus
from backend.flows import load_flow_library
from backend.ports import ReferenceRedeemer
from backend.services.customer_chat import CustomerChatService
from backend.settings import PROJECT_ROOT

FLOWS = load_flow_library(PROJECT_ROOT / 'contact_flows')


class Refs:
    """A reference redeemer for tests: reference -> agent username, single use; the agent has ``add_agent``'s id."""

    def __init__(self, routes: dict[str, str] | None = None) -> None:
        self.routes = dict(routes or {})

    def redeem(self, reference: str, email: str, client_address: str) -> Agent | None:
        username = self.routes.pop(reference, None)
        return None if username is None else agent_named(username)


def agent_named(username: str, name: str | None = None) -> Agent:
    """The agent ``add_agent`` stores for ``username`` (its id is ``id-<username>``)."""
    return Agent(username=username, display_name=name or username.title(), agent_id=f'id-{username}',
                 password_hash='x', routing_queues=('BasicQueue',), status=AgentStatus.OFFLINE, status_since=0.0)


class RecordingProvider(LocalMeetingProvider):
    """The local meeting provider, recording which meetings were created and deleted."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.deleted: list[str] = []

    def create_meeting_with_attendees(self, meeting_id, attendees):  # type: ignore[no-untyped-def]
        self.created.append(meeting_id)
        return super().create_meeting_with_attendees(meeting_id, attendees)

    def delete_meeting(self, meeting):  # type: ignore[no-untyped-def]
        self.deleted.append(meeting['MeetingId'])


def tab() -> str:
    """A fresh browser-tab key, as the UIs use to bind a chat or call to its tab."""
    return f'tab-{uuid.uuid4().hex}'


def make_engine(path: Path | str = ':memory:', **config: object) -> tuple[LocalContactCentre, SqliteStore, EventBus]:
    store = SqliteStore(path)
    bus = EventBus()
    settings = {'inbound_flow': 'VideoCallEscalationChat', 'standard_queue': 'BasicQueue', **config}
    return LocalContactCentre(store, bus, FLOWS, EngineConfig(**settings)), store, bus  # type: ignore[arg-type]


def add_agent(store: SqliteStore, username: str, name: str | None = None) -> Agent:
    agent = agent_named(username, name)
    store.add_agent(agent)
    return agent


def chat_service(engine: LocalContactCentre, store: SqliteStore, bus: EventBus,
                 refs: ReferenceRedeemer | None = None) -> CustomerChatService:
    return CustomerChatService(engine, store, refs or Refs(), bus)


async def settle(rounds: int = 20) -> None:
    """Let flow tasks run their immediate steps (they only ever wait on the queue flow's 20 s Wait)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
