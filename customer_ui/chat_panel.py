"""The customer's chat: status line, transcript, reply box with typing notifications, End chat."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from backend.domain.model import Contact, ContactState, ParticipantRole
from backend.events import ContactChanged, Event, MeetingChanged, MessageAdded, Resync, TypingStarted
from backend.services.customer_chat import CustomerChatService
from backend.services.meetings import MeetingService
from backend.services.recordings import RecordingService
from customer_ui.recording_notice import RecordingNotice
from ui_common.call_panel import CallPanel, CallState
from ui_common.chat_transcript import ChatTranscript
from ui_common.reply_input import ReplyInput
from ui_common.reply_sender import ReplySender
from ui_common.typing_throttle import TypingThrottle

WAITING_STATES = {ContactState.INITIATED, ContactState.IN_FLOW, ContactState.QUEUED, ContactState.CONNECTING}


class CustomerChatPanel(ui.column):
    def __init__(self, chat: CustomerChatService, meetings: MeetingService, session_key: str, contact: Contact, *,
                 on_new_chat: Callable[[], None], ice_servers: list[dict[str, object]],
                 recordings: RecordingService | None = None) -> None:
        """Customer Chat Panel

        Subscribes to its contact's events for as long as the page lives; rebuilds its history from the backend,
        so a reload shows the same conversation.
        """
        super().__init__()
        self.classes('w-full gap-2')
        self._chat, self._meetings, self._session_key = chat, meetings, session_key
        self._ice_servers = ice_servers
        self._call: CallPanel | None = None
        live = meetings.customer_join_info(session_key) is not None
        with self:
            if recordings is not None:  # the recording notice, question and indicator (docs/recording.md)
                RecordingNotice(recordings, session_key, contact.contact_id, meeting_live=live)
            self._call_slot = ui.column().classes('w-full gap-0')  # the call panel is built when first needed
            with ui.row().classes('w-full items-center no-wrap bg-green-1 rounded p-2') as self.video_prompt:
                ui.icon('videocam', color='positive')
                self.video_prompt_text = ui.label('Your agent invites you to a video call.').classes('grow text-sm')
                self.join_video = ui.button('Join video call', on_click=self._open_call) \
                    .props('color=positive dense data-testid=join-video')
            with ui.row().classes('w-full items-center no-wrap'):
                self.status = ui.label().classes('text-sm font-medium grow').props('data-testid=chat-status')
                self.end_button = ui.button('End chat', on_click=self._end).props('flat dense color=negative') \
                    .props('data-testid=end-chat')
            self.transcript = ChatTranscript(own_role=ParticipantRole.CUSTOMER, typing_label='Agent is typing…')
            with ui.row().classes('w-full items-center no-wrap gap-1') as self.reply_row:
                self.reply = ReplyInput(placeholder='Type a message') \
                    .props('dense outlined aria-label="Your message" data-testid=reply').classes('grow')
                self.send_button = ui.button(icon='send', on_click=self._send) \
                    .props('round dense aria-label="Send message" data-testid=send')
            with ui.row().classes('w-full items-start no-wrap gap-2'):
                self.error = ui.label().classes('text-negative text-xs grow').props('role=alert data-testid=chat-error')
                counter = ui.label().props('data-testid=reply-counter')
            self._sender = ReplySender(self.reply, self.error, counter, f'chat:{contact.contact_id}',
                                       lambda text: chat.send(session_key, text))
            self.new_chat = ui.button('Start a new chat', on_click=on_new_chat).props('outline data-testid=new-chat')
        typing = TypingThrottle(lambda: chat.typing(session_key))
        self.reply.on('keydown.enter', self._send)
        self.reply.on_value_change(lambda e: typing() if e.value else None)
        self._subscription = chat.subscribe(session_key, self._on_event)
        ui.context.client.on_delete(self._subscription.close)
        self.transcript.show(chat.transcript(session_key))
        self._show_state(contact.state)
        self._show_invitation(live, rejoin=True)

    def close(self) -> None:
        self._subscription.close()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, MessageAdded):
            self.transcript.show([event.message])
        elif isinstance(event, TypingStarted) and event.role is ParticipantRole.AGENT:
            self.transcript.show_typing()
        elif isinstance(event, ContactChanged):
            self._show_state(event.contact.state)
        elif isinstance(event, MeetingChanged):
            self._show_invitation(event.live, rejoin=False)
            if not event.live:
                if self._call is not None:
                    self._call.meeting_ended(event.meeting_id)
        elif isinstance(event, Resync):
            self._catch_up()

    def _catch_up(self) -> None:
        """Events may have been lost between server processes (Redis was away): show the state the store has."""
        contact = self._chat.current_contact(self._session_key)
        if contact is not None:
            self._show_state(contact.state)
        join = self._meetings.customer_join_info(self._session_key)
        if join is None and self._call is not None and self._call.join_info is not None:
            self._call.meeting_ended(self._call.join_info.meeting_id)
        self._show_invitation(join is not None, rejoin=True)

    def _make_room_for_video(self, state: CallState) -> None:
        """A shorter transcript while video is on screen keeps both in the small chat window."""
        self.transcript.set_height('9rem' if state in (CallState.SETUP, CallState.IN_CALL) else '18rem')

    def _show_invitation(self, live: bool, *, rejoin: bool) -> None:
        """The structured join signal: a prompt in the chat, shown while the meeting lives and we are not in it."""
        self.join_video.set_text('Rejoin video call' if rejoin else 'Join video call')
        self.video_prompt.set_visibility(live and (self._call is None or self._call.free))

    def _open_call(self) -> None:
        join = self._meetings.customer_join_info(self._session_key)
        if join is None:
            self.video_prompt.set_visibility(False)
            self.error.set_text('This video session has ended.')
            return
        self.video_prompt.set_visibility(False)
        if self._call is None:
            with self._call_slot:
                self._call = CallPanel(self._meetings, ice_servers=self._ice_servers,
                                       ended_text='The agent ended the video session',
                                       on_state_change=self._make_room_for_video)
        self._call.open_setup(join)

    def _show_state(self, state: ContactState) -> None:
        ended = state in (ContactState.AFTER_CONTACT_WORK, ContactState.ENDED)
        if ended:  # ending the chat leaves the call
            if self._call is not None:
                self._call.hang_up()
            self.video_prompt.set_visibility(False)
        if state in WAITING_STATES:
            self.status.set_text('Connecting you to an agent…')
        elif state is ContactState.CONNECTED:
            self.status.set_text('You are chatting with an agent')
        else:
            self.status.set_text('This chat has ended')
        self.reply_row.set_visibility(not ended)
        self.end_button.set_visibility(not ended)
        self.new_chat.set_visibility(ended)

    async def _send(self) -> None:
        await self._sender.send()

    async def _end(self) -> None:
        await self._chat.end_chat(self._session_key)
