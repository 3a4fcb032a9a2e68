"""Agent desktop use cases (local mode): status, offers, chats, after-contact work, one active tab, logout."""

from __future__ import annotations

import logging
import uuid

from backend.domain.errors import NotAllowed
from backend.domain.model import Agent, AgentStatus, Contact, ContactState, Message
from backend.domain.validation import clean_message
from backend.events import Callback, DesktopTakenOver, EventBus, Subscription, agent_topic
from backend.ports import AgentDesk

log = logging.getLogger('vce.desk')


class AgentDeskService:
    def __init__(self, desk: AgentDesk, bus: EventBus) -> None:
        self._desk, self._bus = desk, bus
        self._active_desk: dict[str, str] = {}

    def load_agent(self, username: str) -> Agent:
        """The signed-in agent, (re)read from the store so accounts added by the CLI work at once."""
        return self._desk.load_agent(username)

    def open_desktop(self, username: str) -> str:
        """Register a newly opened desktop tab; an older tab of the same agent is told it was taken over."""
        desk_id = uuid.uuid4().hex
        previous = self._active_desk.get(username)
        self._active_desk[username] = desk_id
        if previous is not None:
            log.info('agent.desktop_taken_over agent=%s', username)
            self._bus.publish(agent_topic(username), DesktopTakenOver(username, previous))
        return desk_id

    def subscribe(self, username: str, callback: Callback) -> Subscription:
        """Everything the agent's desktop shows: status, offers, its contacts' messages and typing."""
        return self._bus.subscribe(agent_topic(username), callback)

    def is_active(self, username: str, desk_id: str) -> bool:
        return self._active_desk.get(username) == desk_id

    def close_desktop(self, username: str, desk_id: str) -> None:
        if self._active_desk.get(username) == desk_id:
            del self._active_desk[username]

    def agent(self, username: str) -> Agent:
        return self._desk.agent(username)

    def set_status(self, username: str, status: AgentStatus) -> Agent:
        return self._desk.set_agent_status(username, status)

    def contacts(self, username: str) -> list[Contact]:
        return self._desk.agent_contacts(username)

    def offer(self, username: str) -> tuple[Contact, float] | None:
        return self._desk.offer_for(username)

    def accept(self, username: str, contact_id: str) -> Contact:
        return self._desk.accept(username, contact_id)

    def reject(self, username: str, contact_id: str) -> None:
        self._desk.reject(username, contact_id)

    async def send(self, username: str, contact_id: str, text: str) -> Message:
        return self._desk.agent_message(username, contact_id, clean_message(text))

    def typing(self, username: str, contact_id: str) -> None:
        self._desk.agent_typing(username, contact_id)

    def end_contact(self, username: str, contact_id: str) -> Contact:
        return self._desk.end_contact(username, contact_id)

    def clear_contact(self, username: str, contact_id: str) -> None:
        self._desk.clear_contact(username, contact_id)

    def contact(self, username: str, contact_id: str) -> Contact:
        """A contact on this agent's desktop; other agents' contacts do not exist for this agent (NotFound)."""
        return self._desk.agent_contact(username, contact_id)

    def transcript(self, username: str, contact_id: str) -> list[Message]:
        return self._desk.transcript(self.contact(username, contact_id).contact_id)

    def logout(self, username: str, desk_id: str | None = None) -> None:
        """Go Offline and release the desktop; refused while contacts are open so no customer is left hanging."""
        open_contacts = [c for c in self._desk.agent_contacts(username) if c.state is not ContactState.CONNECTING]
        if open_contacts:
            count = len(open_contacts)
            raise NotAllowed(f'You have {count} open contact{"s" if count > 1 else ""}. '
                             'End and clear them before logging out.')
        self._desk.set_agent_status(username, AgentStatus.OFFLINE)
        if desk_id is not None:
            self.close_desktop(username, desk_id)
        log.info('agent.logged_out agent=%s', username)
