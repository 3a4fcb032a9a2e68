"""A contact's media session: a video call (MeetingService) or a phone call's audio line (VoiceService).

Both are the same thing underneath, so it is written once here: the server generates the meeting and attendee ids,
creates the meeting with both attendees at once (the agent's and the customer's), stores it, gives each side only
its own join data while the meeting lives, tells the contact's and the agent's pages when it goes live or ends, and
ends it once.

``create``, ``discard`` and ``release`` block while the provider works (the Chime provider calls AWS): from the event
loop, run them in a worker thread unless the provider answers at once (the local one does). The store calls stay on
the caller's thread, so two agents racing for one contact meet at the store's conditional write.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.model import Attendee, JoinInfo, Meeting, MeetingState, ParticipantRole
from backend.events import MEETINGS_TOPIC, EventBus, MeetingChanged, VoiceChanged, agent_topic, contact_topic
from backend.ports import MeetingProvider, MeetingStore

log = logging.getLogger('vce.media')


@dataclass(frozen=True, slots=True)
class NewMeeting:
    """A meeting the provider created, with its two attendees, before the store has accepted it."""

    meeting: Meeting
    agent: Attendee
    customer: Attendee


class MediaSessions:
    def __init__(self, provider: MeetingProvider, store: MeetingStore, bus: EventBus,
                 clock: Callable[[], float] = time.time) -> None:
        self._provider, self._store, self._bus, self._clock = provider, store, bus, clock

    @property
    def backend(self) -> str:
        return self._provider.backend

    def create(self, contact_id: str, owner_username: str, agent_name: str, customer_name: str) -> NewMeeting:
        """The provider's meeting with the agent and the customer as attendees, not stored yet (blocks)."""
        meeting_id, agent_id, customer_id = (str(uuid.uuid4()) for _ in range(3))
        provider_meeting, provider_attendees = self._provider.create_meeting_with_attendees(
            meeting_id, [(agent_id, agent_name), (customer_id, customer_name)])
        meeting = Meeting(meeting_id=meeting_id, contact_id=contact_id, owner_username=owner_username,
                          created_at=self._clock(), provider_meeting=provider_meeting)
        return NewMeeting(meeting, agent=Attendee(meeting_id, agent_id, ParticipantRole.AGENT, agent_name,
                                                  provider_attendees[agent_id]),
                          customer=Attendee(meeting_id, customer_id, ParticipantRole.CUSTOMER, customer_name,
                                            provider_attendees[customer_id]))

    def save(self, new: NewMeeting) -> Meeting:
        """Store it; the store refuses a second live meeting of one contact (e.g. another server process won)."""
        self._store.save_meeting(new.meeting, [new.agent, new.customer])
        return new.meeting

    def discard(self, new: NewMeeting) -> None:
        """Delete a created meeting the store refused, so it is not orphaned (blocks)."""
        if self._delete(new.meeting.provider_meeting, new.meeting.meeting_id):
            log.info('meeting.orphan_deleted meeting=%s', new.meeting.meeting_id)

    def open(self, contact_id: str, owner_username: str, agent_name: str, customer_name: str) -> Meeting:
        """Create and save at once, for a provider that answers at once (the local one); a refused meeting is
        discarded and the refusal raised."""
        new = self.create(contact_id, owner_username, agent_name, customer_name)
        try:
            return self.save(new)
        except Exception:
            self.discard(new)
            raise

    def live(self, contact_id: str) -> Meeting | None:
        """The contact's live meeting as the store has it."""
        return self._store.live_meeting_for_contact(contact_id)

    def known_live(self, contact_id: str) -> Meeting | None:
        """The contact's live meeting as this process last knew it (``MeetingStore.known_live_meeting``)."""
        return self._store.known_live_meeting(contact_id)

    def forget(self, contact_id: str, meeting_id: str) -> None:
        """The meeting ended (maybe on another process): ``known_live`` must not answer it any more."""
        self._store.forget_live_meeting(contact_id, meeting_id)

    def meeting(self, meeting_id: str) -> Meeting | None:
        return self._store.get_meeting(meeting_id)

    def attendee(self, meeting: Meeting, role: ParticipantRole) -> Attendee:
        return next(a for a in self._store.attendees(meeting.meeting_id) if a.role is role)

    def names(self, meeting_id: str) -> dict[str, str]:
        """Display names by attendee id, for roster and name plates (no join data)."""
        return {a.attendee_id: a.name for a in self._store.attendees(meeting_id)}

    def join_info(self, meeting: Meeting, role: ParticipantRole) -> JoinInfo:
        """One side's own join data (never the other attendee's)."""
        attendee = self.attendee(meeting, role)
        return JoinInfo(meeting_id=meeting.meeting_id, attendee_id=attendee.attendee_id, name=attendee.name,
                        backend=self.backend, data=self._provider.join_payload(
                            meeting.provider_meeting, attendee.provider_attendee, attendee.name))

    def live_join_info(self, contact_id: str, role: ParticipantRole) -> JoinInfo | None:
        meeting = self.live(contact_id)
        return self.join_info(meeting, role) if meeting is not None else None

    def close(self, meeting: Meeting) -> Meeting | None:
        """Mark the meeting ended in the store; the ended meeting, or None if it had ended already (ends once)."""
        current = self._store.get_meeting(meeting.meeting_id)
        if current is None or current.state is MeetingState.ENDED:
            return None
        current.state, current.ended_at = MeetingState.ENDED, self._clock()
        self._store.update_meeting(current)
        return current

    def release(self, meeting: Meeting) -> None:
        """Free the provider's media session of a closed meeting; a failure is logged, never raised (the meeting has
        ended for us either way, and the provider ends idle meetings itself)."""
        self._delete(meeting.provider_meeting, meeting.meeting_id)

    def announce(self, event: MeetingChanged | VoiceChanged, username: str) -> None:
        """Tell the contact's pages (the customer) and the agent's pages, on whichever process they are; a video
        meeting also goes to every process's meeting service (``MEETINGS_TOPIC``)."""
        self._bus.publish(contact_topic(event.contact_id), event)
        self._bus.publish(agent_topic(username), event)
        if isinstance(event, MeetingChanged):
            self._bus.publish(MEETINGS_TOPIC, event)

    def _delete(self, provider_meeting: dict[str, object], meeting_id: str) -> bool:
        try:
            self._provider.delete_meeting(provider_meeting)
        except Exception:
            log.exception('meeting.delete_failed meeting=%s', meeting_id)
            return False
        return True
