"""Amazon Connect contacts for aws mode's meetings: who the contact is assigned to, and notes on the contact.

``ConnectContactAssignments`` is the ``ContactAssignments`` port: ``DescribeContact`` says which Connect user the
contact is assigned to (``AgentInfo.Id``), and the logged-in agent's Connect user comes from the directory (cached).
Only that agent may start the contact's video (docs/architecture.md, "The escalation contract"). The contact's state
comes from the same answer: ``DisconnectTimestamp`` → ended, ``AgentInfo.ConnectedToAgentTimestamp`` → connected,
otherwise still queued. The calls block, so they run in a worker thread. A page reload asks Connect nothing: the
meeting service gives join data again only to the agent who created the meeting.

``ConnectContactNotes`` is the ``ContactNotes`` port: the meeting's attributes (``videoExternalMeetingId``,
``videoAttendeeExternalUserId``) are written to the contact with ``UpdateContactAttributes`` (Connect reporting and
flows see them, as in the sample) in a worker thread, off the agent's and the customer's path. Transcript lines need
no call: in aws mode the agent's CCP sends the video signal as a chat message and the customer's server shows it.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from backend.adapters.aws.connect_users import ConnectUserDirectory
from backend.adapters.aws.error_messages import AWS_ERRORS, AwsCallFailed, describe
from backend.domain.connect_arns import instance_id_of
from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import AssignedContact, Channel, Contact, ContactState
from backend.ports import ContactAssignments, ContactNotes, ParticipantSessionStore

log = logging.getLogger('vce.aws.connect_contacts')

UNKNOWN_CUSTOMER = 'Customer'


class ConnectContactAssignments(ContactAssignments):
    def __init__(self, client: Any, directory: ConnectUserDirectory, *, instance_id: str,
                 sessions: ParticipantSessionStore | None = None) -> None:
        """``sessions`` gives the customer's name when Connect's answer has no ``customerName`` attribute."""
        self._client, self._directory, self._sessions = client, directory, sessions
        self.instance_id = instance_id_of(instance_id)

    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        return await asyncio.to_thread(self._assigned_contact, username, contact_id)

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        """Only chats reach video in Connect (start_video refuses calls), and the meeting's owner check decides."""
        return True

    def _assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        agent = self._directory.user(username)
        if agent is None:
            raise NotAllowed(f'You are signed in as {username!r}, which is not a user of the Amazon Connect instance, '
                             'so you cannot start video for its contacts. Ask an administrator to check your user.')
        try:
            contact = self._client.describe_contact(InstanceId=self.instance_id, ContactId=contact_id)['Contact']
        except AWS_ERRORS as error:
            failure = describe('connect:DescribeContact', error)
            if failure.not_found:
                raise NotFound('This contact no longer exists in Amazon Connect (or belongs to another instance).'
                               ) from error
            raise failure from error
        if contact.get('Channel') not in (Channel.CHAT, Channel.VOICE):
            raise NotAllowed(f'Video starts from a chat, not from a {str(contact.get("Channel")).lower()} contact.')
        assigned_to = (contact.get('AgentInfo') or {}).get('Id')
        if assigned_to != agent.user_id:
            log.warning('connect.video_refused contact=%s agent=%s assigned=%s', contact_id, username,
                        'another agent' if assigned_to else 'nobody')
            raise NotAllowed('Only the agent this contact is assigned to can start its video call'
                             + (', and it is assigned to another agent.' if assigned_to else
                                ', and no agent has accepted it yet.'))
        return AssignedContact(self._contact(contact, username), agent.display_name)

    def _contact(self, described: dict[str, Any], username: str) -> Contact:
        contact_id = described['Id']
        agent_info = described.get('AgentInfo') or {}
        if described.get('DisconnectTimestamp'):
            state = ContactState.ENDED
        elif agent_info.get('ConnectedToAgentTimestamp'):
            state = ContactState.CONNECTED
        else:
            state = ContactState.QUEUED
        attributes = {str(k): str(v) for k, v in (described.get('Attributes') or {}).items()}
        return Contact(contact_id=contact_id, customer_name=self._customer_name(contact_id, attributes),
                       customer_email=attributes.get('customerEmailAddress', ''),
                       initiated_at=_epoch(described.get('InitiationTimestamp')), state=state, attributes=attributes,
                       agent_username=username,
                       connected_at=_epoch(agent_info.get('ConnectedToAgentTimestamp')) or None,
                       ended_at=_epoch(described.get('DisconnectTimestamp')) or None,
                       channel=Channel(described['Channel']))

    def _customer_name(self, contact_id: str, attributes: dict[str, str]) -> str:
        if attributes.get('customerName'):
            return attributes['customerName']
        session = self._sessions.participant_session(contact_id) if self._sessions is not None else None
        return session.contact.customer_name if session is not None else UNKNOWN_CUSTOMER


class ConnectContactNotes(ContactNotes):
    """``ContactNotes`` on Amazon Connect (see the module docstring); close it on shutdown."""

    def __init__(self, client: Any, *, instance_id: str) -> None:
        self._client = client
        self.instance_id = instance_id_of(instance_id)
        self._worker = ThreadPoolExecutor(max_workers=2, thread_name_prefix='connect-notes')

    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None:
        self._worker.submit(self._update, contact_id, dict(values))

    def add_event(self, contact_id: str, text: str) -> None:
        """Nothing to do: the agent's CCP sends the readable line as a chat message (the video signal)."""

    def close(self) -> None:
        self._worker.shutdown(wait=True)

    def _update(self, contact_id: str, values: dict[str, str]) -> None:
        try:
            self._client.update_contact_attributes(InstanceId=self.instance_id, InitialContactId=contact_id,
                                                   Attributes=values)
        except AWS_ERRORS as error:
            failure: AwsCallFailed = describe('connect:UpdateContactAttributes', error)
            log.warning('connect.attributes_not_written contact=%s %s', contact_id, failure)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value or 0)
