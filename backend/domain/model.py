"""Contact-centre domain types, modelled on Amazon Connect's vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ContactState(StrEnum):
    INITIATED = 'initiated'
    IN_FLOW = 'in_flow'
    QUEUED = 'queued'
    CONNECTING = 'connecting'
    CONNECTED = 'connected'
    AFTER_CONTACT_WORK = 'after_contact_work'
    ENDED = 'ended'

    @property
    def is_open(self) -> bool:
        return self is not ContactState.ENDED


AGENT_HELD_STATES = frozenset({ContactState.CONNECTING, ContactState.CONNECTED, ContactState.AFTER_CONTACT_WORK})


class AgentStatus(StrEnum):
    """Statuses an agent picks, plus the two the system sets after an unanswered or rejected offer."""

    OFFLINE = 'Offline'
    AVAILABLE = 'Available'
    BREAK = 'Break'
    MISSED = 'Missed'
    REJECTED = 'Rejected'


SELECTABLE_STATUSES = (AgentStatus.AVAILABLE, AgentStatus.BREAK, AgentStatus.OFFLINE)


class ParticipantRole(StrEnum):
    CUSTOMER = 'CUSTOMER'
    AGENT = 'AGENT'
    SYSTEM = 'SYSTEM'


class MessageKind(StrEnum):
    MESSAGE = 'message'
    EVENT = 'event'


@dataclass(slots=True)
class Agent:
    username: str
    display_name: str
    agent_id: str
    password_hash: str
    routing_queues: tuple[str, ...]
    status: AgentStatus = AgentStatus.OFFLINE
    status_since: float = 0.0

    @property
    def personal_queue(self) -> str:
        return f'agent/{self.agent_id}'

    @property
    def queues(self) -> tuple[str, ...]:
        return (*self.routing_queues, self.personal_queue)


@dataclass(slots=True)
class Contact:
    contact_id: str
    customer_name: str
    customer_email: str
    initiated_at: float
    state: ContactState = ContactState.INITIATED
    attributes: dict[str, str] = field(default_factory=dict)
    priority: int = 5
    queue_id: str | None = None
    enqueued_at: float | None = None
    agent_username: str | None = None
    customer_queue_flow: str | None = None
    connected_at: float | None = None
    ended_at: float | None = None
    end_reason: str | None = None
    channel: str = 'CHAT'


@dataclass(frozen=True, slots=True)
class Message:
    contact_id: str
    seq: int
    role: ParticipantRole
    display_name: str
    text: str
    created_at: float
    kind: MessageKind = MessageKind.MESSAGE
