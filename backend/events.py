"""Publish/subscribe by topic: how the engine, the channels and the services push changes to open pages (no polling).

``EventBus`` is the port every service uses, and its in-process adapter (local mode, and the default): callbacks run
synchronously on the publisher's event loop, so they must only schedule work (update an element, put into a queue).
A failing subscriber is logged and never breaks the publisher or other subscribers. aws mode with ``VCE_REDIS_URL``
uses the Redis adapter (``backend/adapters/redis/event_bus.py``), a subclass that delivers locally exactly like this
one and also carries the events other processes need over Redis pub/sub (docs/architecture.md, "The event bus").
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.model import Agent, Contact, Message, ParticipantRole

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MessageAdded:
    contact_id: str
    message: Message


@dataclass(frozen=True, slots=True)
class TypingStarted:
    contact_id: str
    role: ParticipantRole


@dataclass(frozen=True, slots=True)
class ContactChanged:
    """State, queue, agent or attributes of a contact changed; carries a snapshot."""

    contact: Contact
    offer_expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class AgentChanged:
    agent: Agent


@dataclass(frozen=True, slots=True)
class DesktopTakenOver:
    """Another tab opened this agent's desktop; the older tab stops acting."""

    username: str
    desk_id: str


@dataclass(frozen=True, slots=True)
class MeetingChanged:
    """A contact's video session started or ended (the structured join signal for the customer)."""

    contact_id: str
    meeting_id: str
    live: bool


@dataclass(frozen=True, slots=True)
class VoiceChanged:
    """A phone call's audio session went live or ended, or the call was put on hold or resumed."""

    contact_id: str
    meeting_id: str
    live: bool
    on_hold: bool = False


@dataclass(frozen=True, slots=True)
class SignalReceived:
    """A WebRTC signalling message for one attendee of a local-mode meeting."""

    meeting_id: str
    from_attendee: str
    data: dict[str, object]


@dataclass(frozen=True, slots=True)
class RecordingChanged:
    """A contact's recording changed state (``RecordingState`` value): the customer's page shows the notice or the
    consent question and the indicator, the agent's page starts or stops its recorder and shows the answer."""

    contact_id: str
    recording_id: str
    meeting_id: str
    state: str
    policy: str


@dataclass(frozen=True, slots=True)
class PagePresent:
    """A customer page of this session (the store's hash of its key, never the key) connected to a server process:
    another process waiting for that session's pages to come back stops waiting."""

    session_hash: str


@dataclass(frozen=True, slots=True)
class Resync:
    """Events of this topic may have been missed (the bus lost its connection to the other processes and has it
    again): a page reloads what it shows from the store rather than waiting for the lost events."""

    topic: str


Event = (MessageAdded | TypingStarted | ContactChanged | AgentChanged | DesktopTakenOver | MeetingChanged
         | VoiceChanged | SignalReceived | PagePresent | Resync | RecordingChanged)
Callback = Callable[[Event], None]


def contact_topic(contact_id: str) -> str:
    return f'contact/{contact_id}'


def agent_topic(username: str) -> str:
    return f'agent/{username}'


ALL_CONTACTS_TOPIC = 'contacts'  # every ContactChanged, for services that react to contact lifecycles (process-local)
MEETINGS_TOPIC = 'meetings'  # every MeetingChanged, so each process forgets what it knew of a meeting that ended
PRESENCE_TOPIC = 'presence'  # PagePresent: a customer's page is back, maybe on another process


def signal_topic(meeting_id: str, attendee_id: str) -> str:
    return f'meeting/{meeting_id}/{attendee_id}'


class Subscription:
    def __init__(self, bus: EventBus, topic: str, callback: Callback) -> None:
        self._bus, self.topic, self.callback = bus, topic, callback

    def close(self) -> None:
        self._bus._remove(self)


class EventBus:
    """The bus port, in process. Adapters that reach other processes override the ``_topic_opened`` /
    ``_topic_closed`` hooks (a topic gained its first or lost its last local subscriber), ``publish``, ``start`` and
    ``stop``; local delivery stays this class's."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscription]] = defaultdict(list)

    async def start(self) -> None:
        """Open what the adapter needs (nothing in process)."""

    async def stop(self) -> None:
        """Close what ``start`` opened."""

    def subscribe(self, topic: str, callback: Callback) -> Subscription:
        subscription = Subscription(self, topic, callback)
        subscribers = self._subscribers[topic]
        subscribers.append(subscription)
        if len(subscribers) == 1:
            self._topic_opened(topic)
        return subscription

    def publish(self, topic: str, event: Event) -> None:
        for subscription in tuple(self._subscribers.get(topic, ())):
            try:
                subscription.callback(event)
            except Exception:
                log.exception('event subscriber failed topic=%s event=%s', topic, type(event).__name__)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.topic)
        if subscribers and subscription in subscribers:
            subscribers.remove(subscription)
            if not subscribers:
                del self._subscribers[subscription.topic]
                self._topic_closed(subscription.topic)

    def topics(self) -> list[str]:
        """The topics that have local subscribers now."""
        return list(self._subscribers)

    def _topic_opened(self, topic: str) -> None:
        """``topic`` has its first local subscriber (in process: nothing to do)."""

    def _topic_closed(self, topic: str) -> None:
        """``topic`` lost its last local subscriber (in process: nothing to do)."""
