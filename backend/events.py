"""In-process publish/subscribe: how the engine pushes changes to open pages (no polling).

Callbacks run synchronously on the publisher's event loop, so they must only schedule work (update an element,
put into a queue). A failing subscriber is logged and never breaks the publisher or other subscribers.
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


Event = (MessageAdded | TypingStarted | ContactChanged | AgentChanged | DesktopTakenOver | MeetingChanged
         | VoiceChanged | SignalReceived | RecordingChanged)
Callback = Callable[[Event], None]


def contact_topic(contact_id: str) -> str:
    return f'contact/{contact_id}'


def agent_topic(username: str) -> str:
    return f'agent/{username}'


ALL_CONTACTS_TOPIC = 'contacts'  # every ContactChanged, for services that react to contact lifecycles


def signal_topic(meeting_id: str, attendee_id: str) -> str:
    return f'meeting/{meeting_id}/{attendee_id}'


class Subscription:
    def __init__(self, bus: EventBus, topic: str, callback: Callback) -> None:
        self._bus, self.topic, self.callback = bus, topic, callback

    def close(self) -> None:
        self._bus._remove(self)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscription]] = defaultdict(list)

    def subscribe(self, topic: str, callback: Callback) -> Subscription:
        subscription = Subscription(self, topic, callback)
        self._subscribers[topic].append(subscription)
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
