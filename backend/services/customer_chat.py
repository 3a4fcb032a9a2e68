"""Customer chat use cases: start, resume, message, type, end.

The customer is identified only by a server-side session key (the browser tab's id, which never appears in a
URL). The contact is always looked up from that session, never from ids the browser sends. Client-supplied
attributes are whitelisted; routing to a specific agent happens only through a redeemed reference.
"""

from __future__ import annotations

import logging

from backend.domain.errors import InvalidInput
from backend.domain.model import Contact, ContactState, Message
from backend.domain.reference import optional_reference
from backend.domain.validation import clean_email, clean_message, clean_name
from backend.events import Callback, EventBus, Subscription, contact_topic
from backend.ports import ContactStore, CustomerChannel, ReferenceRedeemer
from backend.services.session_bindings import SessionBindings, session_hash

log = logging.getLogger('vce.customer')


class CustomerChatService:
    def __init__(self, channel: CustomerChannel, sessions: ContactStore, references: ReferenceRedeemer,
                 bus: EventBus) -> None:
        self._channel, self._references, self._bus = channel, references, bus
        self._sessions = SessionBindings(sessions)  # saves a store read on every action of a running chat

    async def start_chat(self, session_key: str, *, name: str, email: str, reference: str = '',
                         client_address: str = '') -> Contact:
        name, email = clean_name(name), clean_email(email)
        reference = optional_reference(reference)
        current = self.current_contact(session_key)
        if current is not None and current.state not in (ContactState.ENDED, ContactState.AFTER_CONTACT_WORK):
            return current  # a double submit resumes the running chat instead of opening a second one
        attributes = {'customerName': name, 'customerEmailAddress': email}
        if reference:  # RateLimited propagates: no chat starts; a refused reference gets the flow's apology
            agent = self._references.redeem(reference, email, client_address)
            attributes['videoReferenceId'] = reference if agent else 'error'
            if agent:  # set here only: the browser can never choose an agent; flows route by id (AgentId)
                attributes['videoRouteToAgent'] = agent.agent_id
        contact = await self._channel.start_chat(name=name, email=email, attributes=attributes)
        self._sessions.bind(session_hash(session_key), contact.contact_id)
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

    def _require(self, session_key: str) -> Contact:
        contact = self.current_contact(session_key)
        if contact is None:
            raise InvalidInput('Start a chat first.')
        return contact

