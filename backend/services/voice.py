"""Phone calls in local mode: the caller's side, the agent's softphone, and the call's audio session.

- The caller is identified only by a server-side session key, like a chat customer, but bound separately (the hash
  of ``'voice:' + key``), so one browser tab can have a chat and a call at the same time.
- The audio session is a media session with both attendees (``MediaSessions``, as a video call), created when the
  call is answered (CONNECTED) and ended when it goes to after-contact work or ends. The local engine's phone line
  is always browser WebRTC, so the composition root hands this service media sessions on the local meeting provider
  whatever ``VCE_MEETING_BACKEND`` says; that provider answers at once, so nothing here runs in a worker thread.
- Each side gets only its own join data, only while the audio session lives; only the assigned agent may hold.
- Both sides learn about the audio session through ``VoiceChanged`` on the contact's and the agent's topics.
- Calls are limited per client network like chats (``StartLimits``), and a call whose page has gone is hung up
  after a grace period (``PagePresence``; docs/security/flood.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from backend.domain.errors import InvalidInput, NotAllowed
from backend.domain.model import Channel, Contact, ContactState, JoinInfo, Message, MessageKind, ParticipantRole
from backend.domain.validation import clean_name
from backend.events import (
    ALL_CONTACTS_TOPIC,
    Callback,
    ContactChanged,
    Event,
    EventBus,
    Subscription,
    VoiceChanged,
    contact_topic,
)
from backend.ports import ContactNotes, ContactStore, CustomerVoiceChannel
from backend.services.abandoned_contacts import FINISHED_STATES, AbandonedContacts
from backend.services.agent_desk import AgentDeskService
from backend.services.media_sessions import MediaSessions
from backend.services.session_bindings import SessionBindings, session_hash
from backend.services.start_limits import StartLimits

log = logging.getLogger('vce.voice')

HOLD_TEXT = 'The agent put the call on hold.'
RESUME_TEXT = 'The agent resumed the call.'


class VoiceService:
    def __init__(self, channel: CustomerVoiceChannel, sessions: ContactStore, media: MediaSessions,
                 notes: ContactNotes, desk: AgentDeskService, bus: EventBus, *, limits: StartLimits | None = None,
                 disconnect_grace_seconds: float | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._channel, self._media, self._notes, self._desk, self._bus = channel, media, notes, desk, bus
        self._limits = limits
        self._sessions = SessionBindings(sessions)
        self._presence = (AbandonedContacts(disconnect_grace_seconds, line='voice', bindings=self._sessions,
                                            current=self.current_call, end=channel.customer_end, sleep=sleep)
                          if disconnect_grace_seconds is not None else None)
        self._on_hold: set[str] = set()  # contact ids; in memory: a restart resumes a held call off hold
        self._contacts_subscription: Subscription | None = None

    def start(self) -> None:
        """Follow contact lifecycles: answering a call opens its audio session, wrapping up or ending closes it."""
        self._contacts_subscription = self._bus.subscribe(ALL_CONTACTS_TOPIC, self._on_contact_event)

    async def stop(self) -> None:
        if self._contacts_subscription is not None:
            self._contacts_subscription.close()
            self._contacts_subscription = None
        if self._presence is not None:
            await self._presence.stop()

    # caller

    async def start_call(self, session_key: str, name: str, *, client_address: str = '') -> Contact:
        name = clean_name(name)
        session = session_hash(session_key, 'voice')
        current = self.current_call(session_key)
        if current is not None and current.state not in FINISHED_STATES:
            self._watch(session_key)
            return current  # a double click (or a reload) continues the running call (uncounted)
        lease_key = self._limits.admit(client_address) if self._limits is not None else None  # RateLimited: no call
        contact = await self._channel.start_call(name=name, attributes={'customerName': name})
        self._sessions.bind(session, contact.contact_id)
        if self._limits is not None and lease_key is not None:
            self._limits.started(lease_key, contact.contact_id)
        self._watch(session_key)
        return contact

    def current_call(self, session_key: str) -> Contact | None:
        return self._sessions.contact(session_hash(session_key, 'voice'), self._channel.contact)

    def prompts(self, session_key: str) -> list[Message]:
        """What the flow said to the caller (the phone page shows the latest as a caption)."""
        contact = self.current_call(session_key)
        if contact is None:
            return []
        return [m for m in self._channel.transcript(contact.contact_id)
                if m.role is ParticipantRole.SYSTEM and m.kind is MessageKind.MESSAGE]

    async def press_keys(self, session_key: str, keys: str) -> None:
        """Keypad keys from the caller's phone page, for the flow's menu or stored input."""
        contact = self.current_call(session_key)
        if contact is None or contact.state in FINISHED_STATES:
            raise InvalidInput('There is no call to send keys to.')
        await self._channel.customer_keypress(contact.contact_id, keys)

    async def hang_up(self, session_key: str) -> None:
        contact = self.current_call(session_key)
        if contact is not None:
            await self._channel.customer_end(contact.contact_id)

    def page_connected(self, session_key: str, page_id: str) -> None:
        """A phone page of this session has its socket (again): its call is not abandoned."""
        if self._presence is not None:
            self._presence.page_connected(session_key, page_id)

    def page_disconnected(self, session_key: str, page_id: str) -> None:
        """A phone page lost its socket or was closed; without a page back within the grace, the call hangs up."""
        if self._presence is not None:
            self._presence.page_disconnected(session_key, page_id)

    def _watch(self, session_key: str) -> None:
        if self._presence is not None:
            self._presence.watch(session_key)

    def subscribe(self, session_key: str, callback: Callback) -> Subscription:
        """State changes, prompts and audio-session changes of this session's current call."""
        contact = self.current_call(session_key)
        if contact is None:
            raise InvalidInput('Start a call first.')
        return self._bus.subscribe(contact_topic(contact.contact_id), callback)

    def customer_join_info(self, session_key: str) -> JoinInfo | None:
        """The caller's own join data, found through its session; None unless its call's audio session lives."""
        contact = self.current_call(session_key)
        if contact is None or contact.state is not ContactState.CONNECTED:
            return None
        return self._media.live_join_info(contact.contact_id, ParticipantRole.CUSTOMER)

    def customer_on_hold(self, session_key: str) -> bool:
        contact = self.current_call(session_key)
        return contact is not None and contact.contact_id in self._on_hold

    # agent

    def agent_join_info(self, username: str, contact_id: str) -> JoinInfo | None:
        """The agent's join data for its connected call (e.g. after a reload); NotFound for anyone else's."""
        contact = self._desk.contact(username, contact_id)
        if contact.channel is not Channel.VOICE or contact.state is not ContactState.CONNECTED:
            return None
        return self._media.live_join_info(contact_id, ParticipantRole.AGENT)

    def is_on_hold(self, username: str, contact_id: str) -> bool:
        self._desk.contact(username, contact_id)
        return contact_id in self._on_hold

    def hold(self, username: str, contact_id: str, on: bool) -> None:
        """Put the call on hold (both sides mute and hear nothing) or resume it; only its agent may."""
        contact = self._desk.contact(username, contact_id)  # NotFound unless the call is this agent's
        meeting = self._media.live(contact_id)
        if contact.channel is not Channel.VOICE or contact.state is not ContactState.CONNECTED or meeting is None:
            raise NotAllowed('Only a connected call can be put on hold.')
        if (contact_id in self._on_hold) == on:
            return
        if on:
            self._on_hold.add(contact_id)
        else:
            self._on_hold.discard(contact_id)
        log.info('voice.%s contact=%s agent=%s', 'held' if on else 'resumed', contact_id, username)
        self._notes.add_event(contact_id, HOLD_TEXT if on else RESUME_TEXT)
        self._announce(contact_id, meeting.meeting_id, username, live=True)

    # the audio session

    def _on_contact_event(self, event: Event) -> None:
        if not isinstance(event, ContactChanged) or event.contact.channel is not Channel.VOICE:
            return
        if event.contact.state is ContactState.CONNECTED:
            self._open_session(event.contact)
        elif event.contact.state in FINISHED_STATES:
            self._close_session(event.contact.contact_id)
            if self._limits is not None:
                self._limits.ended(event.contact.contact_id)  # the network's open-call lease goes back

    def _open_session(self, contact: Contact) -> None:
        if contact.agent_username is None or self._media.live(contact.contact_id) is not None:
            return
        agent = self._desk.agent(contact.agent_username)
        meeting = self._media.open(contact.contact_id, agent.username, agent.display_name, contact.customer_name)
        log.info('voice.audio_started meeting=%s contact=%s agent=%s', meeting.meeting_id, contact.contact_id,
                 agent.username)
        self._announce(contact.contact_id, meeting.meeting_id, agent.username, live=True)

    def _close_session(self, contact_id: str) -> None:
        self._on_hold.discard(contact_id)
        meeting = self._media.live(contact_id)
        ended = self._media.close(meeting) if meeting is not None else None
        if ended is None:
            return
        self._media.release(ended)
        log.info('voice.audio_ended meeting=%s contact=%s', ended.meeting_id, contact_id)
        self._announce(contact_id, ended.meeting_id, ended.owner_username, live=False)

    def _announce(self, contact_id: str, meeting_id: str, username: str, *, live: bool) -> None:
        self._media.announce(VoiceChanged(contact_id, meeting_id, live, on_hold=live and contact_id in self._on_hold),
                             username)
