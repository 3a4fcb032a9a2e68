"""Build a real local engine (SQLite, real flow files) for unit tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
from backend.adapters.local.sqlite_store import SqliteStore
from backend.config import PROJECT_ROOT
from backend.domain.model import Agent, AgentStatus
from backend.events import EventBus
from backend.flows import load_flow_library
from backend.services.customer_chat import CustomerChatService

FLOWS = load_flow_library(PROJECT_ROOT / 'contact_flows')


class Refs:
    """A reference redeemer for tests: reference -> agent username, single use."""

    def __init__(self, routes: dict[str, str] | None = None) -> None:
        self.routes = dict(routes or {})

    def redeem(self, reference: str, email: str, client_address: str) -> str | None:
        return self.routes.pop(reference, None)


def make_engine(path: Path | str = ':memory:', **config: object) -> tuple[LocalContactCentre, SqliteStore, EventBus]:
    store = SqliteStore(path)
    bus = EventBus()
    settings = {'inbound_flow': 'VideoCallEscalationChat', 'standard_queue': 'BasicQueue', **config}
    return LocalContactCentre(store, bus, FLOWS, EngineConfig(**settings)), store, bus  # type: ignore[arg-type]


def add_agent(store: SqliteStore, username: str, name: str | None = None) -> Agent:
    agent = Agent(username=username, display_name=name or username.title(), agent_id=f'id-{username}',
                  password_hash='x', routing_queues=('BasicQueue',), status=AgentStatus.OFFLINE, status_since=0.0)
    store.add_agent(agent)
    return agent


def chat_service(engine: LocalContactCentre, store: SqliteStore, bus: EventBus,
                 refs: Refs | None = None) -> CustomerChatService:
    return CustomerChatService(engine, store, refs or Refs(), bus)


async def settle(rounds: int = 20) -> None:
    """Let flow tasks run their immediate steps (they only ever wait on the queue flow's 20 s Wait)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
