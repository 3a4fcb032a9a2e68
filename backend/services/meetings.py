"""Video escalation use cases: start, join, signal, end (DESIGN.md §4, the escalation contract).

- Meeting and attendee ids are generated here, when the agent starts video; both attendees are created at once.
- Only the agent the contact is assigned to may start (or end) its meeting.
- A customer gets only its own join data, looked up from its server-side session, only while the meeting lives.
- The customer is told through a structured event (MeetingChanged) plus a readable transcript line.
- Clearing the contact (or the contact ending any other way) ends the meeting for all.
- Phone calls are not video contacts: their audio session belongs to the voice service (video starts from a chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable

from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import (
    Attendee,
    Channel,
    Contact,
    ContactState,
    JoinInfo,
    Meeting,
    MeetingState,
    ParticipantRole,
)
from backend.events import (
    ALL_CONTACTS_TOPIC,
    Callback,
    ContactChanged,
    Event,
    EventBus,
    MeetingChanged,
    SignalReceived,
    Subscription,
    agent_topic,
    contact_topic,
    signal_topic,
)
from backend.ports import ContactAssignments, ContactNotes, MeetingProvider, MeetingStore
from backend.services.agent_desk import AgentDeskService
from backend.services.customer_chat import CustomerChatService

log = logging.getLogger('vce.meetings')

STARTED_TEXT = 'The agent started a video call. Select "Join video call" to join.'
ENDED_TEXT = 'The agent ended the video session.'
NO_VIDEO_ON_CALLS_TEXT = ('Video starts from a chat, not from a phone call. To move this caller to video, use '
                          'Create ad-hoc and give them the reference.')


class MeetingService:
    def __init__(self, provider: MeetingProvider, store: MeetingStore, notes: ContactNotes,
                 desk: AgentDeskService | None, customers: CustomerChatService, bus: EventBus,
                 clock: Callable[[], float] = time.time, *, assignments: ContactAssignments | None = None) -> None:
        """Local mode passes the engine's ``desk``; aws mode (no desk: the agent works in the Connect CCP) passes
        ``assignments``, which asks the contact centre who the contact is assigned to."""
        if (desk is None) == (assignments is None):
            raise ValueError('MeetingService needs exactly one of desk (local mode) and assignments (aws mode)')
        self._provider, self._store, self._notes = provider, store, notes
        self._desk, self._assignments = desk, assignments
        self._customers, self._bus, self._clock = customers, bus, clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._contacts_subscription: Subscription | None = None

    @property
    def backend(self) -> str:
        return self._provider.backend

    def start(self) -> None:
        """Follow contact lifecycles so a cleared contact's meeting ends for everyone."""
        self._contacts_subscription = self._bus.subscribe(ALL_CONTACTS_TOPIC, self._on_contact_event)

    async def stop(self) -> None:
        if self._contacts_subscription is not None:
            self._contacts_subscription.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # agent

    async def start_video(self, username: str, contact_id: str) -> JoinInfo:
        """Create the contact's meeting (or reuse the live one) and return the agent's own join data."""
        contact, agent_name = await self._assigned_contact(username, contact_id)
        if contact.channel is Channel.VOICE:
            raise NotAllowed(NO_VIDEO_ON_CALLS_TEXT)
        async with self._lock(contact_id):
            live = self._store.live_meeting_for_contact(contact_id)
            if live is not None:
                return self._join_info(live, ParticipantRole.AGENT)
            if contact.state is not ContactState.CONNECTED:
                raise NotAllowed('Video can start only while the chat is connected.')
            meeting_id, agent_id, customer_id = (str(uuid.uuid4()) for _ in range(3))
            provider_meeting, provider_attendees = await asyncio.to_thread(
                self._provider.create_meeting_with_attendees, meeting_id,
                [(agent_id, agent_name), (customer_id, contact.customer_name)])
            meeting = Meeting(meeting_id=meeting_id, contact_id=contact_id, owner_username=username,
                              created_at=self._clock(), provider_meeting=provider_meeting)
            try:
                self._store.save_meeting(meeting, [
                    Attendee(meeting_id, agent_id, ParticipantRole.AGENT, agent_name, provider_attendees[agent_id]),
                    Attendee(meeting_id, customer_id, ParticipantRole.CUSTOMER, contact.customer_name,
                             provider_attendees[customer_id]),
                ])
            except Exception as refused:
                # e.g. another server process saved a live meeting for this contact first (the store refuses a
                # second one): the media session just created would be orphaned, so delete it now
                await self._discard(provider_meeting, meeting_id)
                live = None
                with contextlib.suppress(Exception):  # the store's refusal is what the agent must see otherwise
                    live = self._store.live_meeting_for_contact(contact_id)
                if live is None or live.owner_username != username:
                    raise refused from None
                log.info('meeting.lost_race meeting=%s contact=%s live=%s', meeting_id, contact_id, live.meeting_id)
                return self._join_info(live, ParticipantRole.AGENT)
        log.info('meeting.started meeting=%s contact=%s agent=%s backend=%s', meeting_id, contact_id, username,
                 self.backend)
        self._notes.set_contact_attributes(contact_id, {'videoExternalMeetingId': meeting_id,
                                                        'videoAttendeeExternalUserId': customer_id})
        self._notes.add_event(contact_id, STARTED_TEXT)
        self._announce(contact_id, meeting_id, live=True, username=username)
        return self._join_info(meeting, ParticipantRole.AGENT)

    def agent_join_info(self, username: str, contact_id: str) -> JoinInfo | None:
        """The agent's join data for a live video meeting of one of its contacts (e.g. after a reload).

        aws mode asks nobody: only the agent who created the meeting (after the contact centre's assignment check)
        gets its join data.
        """
        if self._desk is not None and self._desk.contact(username, contact_id).channel is Channel.VOICE:
            return None  # a call's audio session is the softphone's, not a video call
        meeting = self._store.live_meeting_for_contact(contact_id)
        if meeting is None or (self._desk is None and meeting.owner_username != username):
            return None
        return self._join_info(meeting, ParticipantRole.AGENT)

    async def end_for_all(self, username: str, contact_id: str) -> None:
        meeting = self._store.live_meeting_for_contact(contact_id)
        if meeting is None:
            raise NotFound('This video session has already ended.')
        if meeting.owner_username != username:
            raise NotAllowed('Only the agent who started the video session can end it for everyone.')
        await self._end(meeting)

    def subscribe_agent(self, username: str, callback: Callback) -> Subscription:
        """The agent's meeting events (``MeetingChanged``), for a desktop that has no agent desk to subscribe to
        (aws mode: the agent works in the Connect CCP)."""
        return self._bus.subscribe(agent_topic(username), callback)

    # customer

    def customer_join_info(self, session_key: str) -> JoinInfo | None:
        """The customer's own join data, found through its session; None unless its contact's meeting is live."""
        contact = self._customers.current_contact(session_key)
        if contact is None or contact.state is ContactState.ENDED:
            return None
        if contact.state is ContactState.AFTER_CONTACT_WORK:  # the chat is over: only the store's answer counts
            meeting = self._store.live_meeting_for_contact(contact.contact_id)
        else:  # usually the marker's check just read it here; any end this process heard of has dropped it
            meeting = self._store.known_live_meeting(contact.contact_id)
        return self._join_info(meeting, ParticipantRole.CUSTOMER) if meeting else None

    # both

    def names(self, meeting_id: str) -> dict[str, str]:
        """Display names by attendee id, for roster and name plates (no join data)."""
        return {a.attendee_id: a.name for a in self._store.attendees(meeting_id)}

    def relay_signal(self, join: JoinInfo, to: str, data: dict[str, object]) -> None:
        """Pass a WebRTC signalling message from one attendee (known server-side) to the others of a live meeting."""
        meeting = self._store.get_meeting(join.meeting_id)
        if meeting is None or meeting.state is not MeetingState.LIVE:
            return
        others = [a.attendee_id for a in self._store.attendees(meeting.meeting_id) if a.attendee_id != join.attendee_id]
        for attendee_id in others if to == '*' else [to] if to in others else []:
            self._bus.publish(signal_topic(meeting.meeting_id, attendee_id),
                              SignalReceived(meeting.meeting_id, join.attendee_id, data))

    def subscribe_signals(self, join: JoinInfo, callback: Callback) -> Subscription:
        return self._bus.subscribe(signal_topic(join.meeting_id, join.attendee_id), callback)

    # internals

    async def _assigned_contact(self, username: str, contact_id: str) -> tuple[Contact, str]:
        """The contact if it is this agent's (NotFound / NotAllowed otherwise) and the agent's display name."""
        if self._assignments is not None:
            assigned = await asyncio.to_thread(self._assignments.assigned_contact, username, contact_id)
            return assigned.contact, assigned.agent_name
        assert self._desk is not None
        contact = self._desk.contact(username, contact_id)  # NotFound unless the contact is this agent's
        return contact, self._desk.agent(username).display_name

    async def _discard(self, provider_meeting: dict[str, object], meeting_id: str) -> None:
        try:
            await asyncio.to_thread(self._provider.delete_meeting, provider_meeting)
            log.info('meeting.orphan_deleted meeting=%s', meeting_id)
        except Exception:
            log.exception('meeting.orphan_delete_failed meeting=%s', meeting_id)

    async def _end(self, meeting: Meeting) -> None:
        async with self._lock(meeting.contact_id):
            current = self._store.get_meeting(meeting.meeting_id)
            if current is None or current.state is MeetingState.ENDED:
                return
            current.state, current.ended_at = MeetingState.ENDED, self._clock()
            self._store.update_meeting(current)
        try:
            await asyncio.to_thread(self._provider.delete_meeting, current.provider_meeting)
        except Exception:
            log.exception('meeting.delete_failed meeting=%s', current.meeting_id)
        log.info('meeting.ended meeting=%s contact=%s', current.meeting_id, current.contact_id)
        with contextlib.suppress(NotFound):  # an ended contact's transcript is closed
            self._notes.add_event(current.contact_id, ENDED_TEXT)
        self._announce(current.contact_id, current.meeting_id, live=False, username=current.owner_username)

    def _on_contact_event(self, event: Event) -> None:
        if (isinstance(event, ContactChanged) and event.contact.state is ContactState.ENDED
                and event.contact.channel is not Channel.VOICE):
            meeting = self._store.live_meeting_for_contact(event.contact.contact_id)
            if meeting is not None:
                task = asyncio.get_running_loop().create_task(self._end(meeting))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def _announce(self, contact_id: str, meeting_id: str, *, live: bool, username: str) -> None:
        event = MeetingChanged(contact_id, meeting_id, live)
        self._bus.publish(contact_topic(contact_id), event)
        self._bus.publish(agent_topic(username), event)

    def _join_info(self, meeting: Meeting, role: ParticipantRole) -> JoinInfo:
        attendee = next(a for a in self._store.attendees(meeting.meeting_id) if a.role is role)
        return JoinInfo(meeting_id=meeting.meeting_id, attendee_id=attendee.attendee_id, name=attendee.name,
                        backend=self.backend, data=self._provider.join_payload(
                            meeting.provider_meeting, attendee.provider_attendee, attendee.name))

    def _lock(self, contact_id: str) -> asyncio.Lock:
        return self._locks.setdefault(contact_id, asyncio.Lock())
