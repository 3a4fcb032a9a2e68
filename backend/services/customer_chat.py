"""Customer chat use cases: start, resume, message, type, end, and ending a chat whose page has gone.

The customer is identified only by a server-side session key (the browser tab's id, which never appears in a
URL). The contact is always looked up from that session, never from ids the browser sends. Client-supplied
attributes are whitelisted; routing to a specific agent happens only through a redeemed reference.

Starting is limited per client network (``StartLimits``: a rate limit and a cap on open chats) and a chat whose
pages have all gone ends after a grace period (``PagePresence``), so one client cannot fill the queue
(docs/security/flood.md). Both are optional here so tests of other behaviour can leave them out; the composition
root always sets them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from backend.domain.errors import InvalidInput
from backend.domain.model import Channel, Contact, Message
from backend.domain.reference import optional_reference
from backend.domain.validation import clean_email, clean_message, clean_name
from backend.events import (
    ALL_CONTACTS_TOPIC,
    PRESENCE_TOPIC,
    Callback,
    ContactChanged,
    Event,
    EventBus,
    PagePresent,
    Subscription,
    contact_topic,
)
from backend.ports import ContactStore, CustomerChannel, ReferenceRedeemer
from backend.services.abandoned_contacts import FINISHED_STATES, AbandonedContacts
from backend.services.session_bindings import SessionBindings, session_hash
from backend.services.start_limits import StartLimits

log = logging.getLogger('vce.customer')



class CustomerChatService:
    def __init__(self, channel: CustomerChannel, sessions: ContactStore, references: ReferenceRedeemer,
                 bus: EventBus, *, limits: StartLimits | None = None, disconnect_grace_seconds: float | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._channel, self._references, self._bus, self._limits = channel, references, bus, limits
        self._sessions = SessionBindings(sessions)  # saves a store read on every action of a running chat
        self._presence = (AbandonedContacts(disconnect_grace_seconds, line='chat', bindings=self._sessions,
                                            current=self.current_contact, end=self._channel.customer_end,
                                            announce=lambda hashed: bus.publish(PRESENCE_TOPIC, PagePresent(hashed)),
                                            sleep=sleep)
                          if disconnect_grace_seconds is not None else None)
        self._contacts_subscription: Subscription | None = None
        self._presence_subscription: Subscription | None = None

    def start(self) -> None:
        """Follow contact lifecycles (an ended chat gives its network's open-chat lease back) and customers' pages
        coming back on other server processes (their chats are not abandoned)."""
        if self._limits is not None:
            self._contacts_subscription = self._bus.subscribe(ALL_CONTACTS_TOPIC, self._on_contact_event)
        if self._presence is not None:
            self._presence_subscription = self._bus.subscribe(PRESENCE_TOPIC, self._on_page_present)

    async def stop(self) -> None:
        if self._contacts_subscription is not None:
            self._contacts_subscription.close()
            self._contacts_subscription = None
        if self._presence_subscription is not None:
            self._presence_subscription.close()
            self._presence_subscription = None
        if self._presence is not None:
            await self._presence.stop()

    async def start_chat(self, session_key: str, *, name: str, email: str, reference: str = '',
                         client_address: str = '') -> Contact:
        name, email = clean_name(name), clean_email(email)
        reference = optional_reference(reference)
        current = self.current_contact(session_key)
        if current is not None and current.state not in FINISHED_STATES:
            self._watch(session_key)
            return current  # a double submit resumes the running chat instead of opening a second one (uncounted)
        # RateLimited propagates from here on: no chat starts (a refused reference gets the flow's apology instead)
        lease_key = self._limits.admit(client_address) if self._limits is not None else None
        attributes = {'customerName': name, 'customerEmailAddress': email}
        if reference:
            agent = self._references.redeem(reference, email, client_address)
            attributes['videoReferenceId'] = reference if agent else 'error'
            if agent:  # set here only: the browser can never choose an agent; flows route by id (AgentId)
                attributes['videoRouteToAgent'] = agent.agent_id
        contact = await self._channel.start_chat(name=name, email=email, attributes=attributes)
        self._sessions.bind(session_hash(session_key), contact.contact_id)
        if self._limits is not None and lease_key is not None:
            self._limits.started(lease_key, contact.contact_id)
        self._watch(session_key)
        return contact

    def current_contact(self, session_key: str) -> Contact | None:
        return self._sessions.contact(session_hash(session_key), self._channel.contact)

    def subscribe(self, session_key: str, callback: Callback) -> Subscription:
        """Messages, typing and state changes of this session's current contact."""
        return self._bus.subscribe(contact_topic(self._require(session_key).contact_id), callback)

    def transcript(self, session_key: str) -> list[Message]:
        contact = self.current_contact(session_key)
        return self._channel.transcript(contact.contact_id) if contact else []

    async def send(self, session_key: str, text: str) -> Message:
        text = clean_message(text)
        return await self._channel.customer_message(self._require(session_key).contact_id, text)

    def typing(self, session_key: str) -> None:
        contact = self.current_contact(session_key)
        if contact is not None:
            self._channel.customer_typing(contact.contact_id)

    async def end_chat(self, session_key: str) -> None:
        contact = self.current_contact(session_key)
        if contact is not None:
            await self._channel.customer_end(contact.contact_id)

    # the customer's pages (docs/security/flood.md, "Abandoned chats")

    def page_connected(self, session_key: str, page_id: str) -> None:
        """A page of this session has its socket (again): its chat is not abandoned."""
        if self._presence is not None:
            self._presence.page_connected(session_key, page_id)

    def page_disconnected(self, session_key: str, page_id: str) -> None:
        """A page lost its socket or was closed; when no page of the session is back within the grace, the chat
        ends as if the customer had left it."""
        if self._presence is not None:
            self._presence.page_disconnected(session_key, page_id)

    def _watch(self, session_key: str) -> None:
        if self._presence is not None:
            self._presence.watch(session_key)

    def _on_page_present(self, event: Event) -> None:
        if self._presence is not None and isinstance(event, PagePresent) and self._presence.moved_away(
                event.session_hash):
            log.info('customer.page_moved_away')

    def _on_contact_event(self, event: Event) -> None:
        if (self._limits is not None and isinstance(event, ContactChanged)
                and event.contact.channel is Channel.CHAT and event.contact.state in FINISHED_STATES):
            self._limits.ended(event.contact.contact_id)

    def _require(self, session_key: str) -> Contact:
        contact = self.current_contact(session_key)
        if contact is None:
            raise InvalidInput('Start a chat first.')
        return contact

