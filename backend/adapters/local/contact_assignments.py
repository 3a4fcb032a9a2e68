"""Local mode's ``ContactAssignments``: the embedded engine routed the contact, so its desk knows the agent."""

from __future__ import annotations

from backend.domain.model import AssignedContact, Channel
from backend.ports import AgentDesk, ContactAssignments


class DeskContactAssignments(ContactAssignments):
    def __init__(self, desk: AgentDesk) -> None:
        self._desk = desk

    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        contact = self._desk.agent_contact(username, contact_id)  # NotFound unless the contact is this agent's
        return AssignedContact(contact, self._desk.agent(username).display_name)

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        return self._desk.agent_contact(username, contact_id).channel is not Channel.VOICE
