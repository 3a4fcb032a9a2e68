"""The "Call us" phone page: a browser phone that calls the contact centre (local mode's stand-in for dialling in).

The caller gives a name and presses Call; the flow's prompts appear as captions (local mode has no speech), a keypad
answers the flow's menus while the call waits, and once an agent answers, an audio-only meeting element joins the
call's audio session by itself. The call is bound to the tab on the server (customer_ui/tab_session.py), so a reload
resumes it and rejoins the audio. The camera is never used.
"""

from __future__ import annotations

from collections.abc import Sequence

from nicegui import ui

from backend.domain.errors import DomainError
from backend.domain.model import Contact, ContactState, MessageKind, ParticipantRole
from backend.domain.validation import MAX_NAME_LENGTH
from backend.events import ContactChanged, Event, MessageAdded, Subscription, VoiceChanged
from backend.services.meetings import MeetingService
from backend.services.voice import VoiceService
from backend.settings import Settings
from customer_ui.branding import branded_header
from customer_ui.field_checks import is_filled_in
from customer_ui.page_presence import PresenceListener, report_presence
from customer_ui.phone_keypad import PhoneKeypad
from customer_ui.tab_session import TabSession
from ui_common.audio_line import AudioLine
from ui_common.call_timer import CallTimer
from ui_common.client_address import client_address

MICROPHONE_HINT = 'Your browser will ask to use your microphone: choose Allow. We use it only during the call.'
MICROPHONE_ERRORS = {
    'permission-denied': 'We cannot use your microphone because permission was denied. Allow it in the browser '
                         'and reload this page; the call goes on.',
    'no-microphone': 'No microphone was found. Connect one and reload this page; the call goes on.',
}
WAITING_STATES = (ContactState.INITIATED, ContactState.IN_FLOW, ContactState.QUEUED, ContactState.CONNECTING)
FINISHED_STATES = (ContactState.AFTER_CONTACT_WORK, ContactState.ENDED)


class PhonePage:
    def __init__(self, settings: Settings, voice: VoiceService, meetings: MeetingService, *,
                 presence: Sequence[PresenceListener]) -> None:
        self._settings, self._voice, self._meetings, self._presence = settings, voice, meetings, presence
        self._client_address = ''
        self._calls: Subscription | None = None
        self._state: ContactState | None = None

    async def build(self) -> None:
        settings = self._settings
        self._tab = TabSession(settings.page_connect_timeout_seconds)  # before the HTML goes out: it may set a cookie
        with branded_header(settings):
            ui.link('Website', '/').classes('text-white text-sm').props('data-testid=website-link')
        with ui.column().classes('w-full max-w-md mx-auto p-4 gap-4'):
            with ui.card().classes('w-full gap-3'):
                ui.label('Call us').classes('text-2xl font-bold')
                with ui.column().classes('w-full gap-2') as self.dial_area:
                    ui.label('Talk to one of our agents from your browser.').classes('text-grey-8')
                    self.name = ui.input('Your name', validation={'Please enter your name': is_filled_in}) \
                        .props(f'maxlength={MAX_NAME_LENGTH} counter autocomplete=name data-testid=caller-name') \
                        .classes('w-full')
                    self.call_button = ui.button('Call', icon='call', on_click=self._call) \
                        .props('color=positive size=lg data-testid=call').classes('w-full')
                    ui.label(MICROPHONE_HINT).classes('text-xs text-grey-8').props('data-testid=microphone-hint')
                    self.error = ui.label().classes('text-negative text-sm').props('role=alert data-testid=call-error')
                    self.name.on('keydown.enter', self._call)
                with ui.column().classes('w-full items-center gap-2') as self.call_area:
                    ui.icon('phone_in_talk', size='3rem', color='primary')
                    self.status = ui.label().classes('text-xl font-medium text-center') \
                        .props('role=status data-testid=call-status')
                    self.caption = ui.label().classes('text-sm text-grey-8 italic text-center') \
                        .props('aria-live=polite data-testid=call-caption')
                    self.timer = CallTimer().classes('text-lg').props('data-testid=call-timer')
                    self.keypad = PhoneKeypad(self._press_key)
                    with ui.row().classes('w-full justify-center gap-4') as self.controls:
                        self.mute_button = ui.button('Mute', icon='mic', on_click=self._toggle_mute) \
                            .props('outline data-testid=mute-call')
                        ui.button('Hang up', icon='call_end', on_click=self._hang_up) \
                            .props('color=negative data-testid=hang-up')
                    self.call_again = ui.button('Call again', icon='call', on_click=self._call_again) \
                        .props('color=positive data-testid=call-again')
                    self._line = AudioLine(self._meetings, ice_servers=settings.ice_servers,
                                           microphone_errors=MICROPHONE_ERRORS, on_change=self._render_status)
        self.call_area.set_visibility(False)
        self._client_address = client_address()
        client = ui.context.client
        client.on_delete(self._unsubscribe)
        if not await self._tab.connected():
            return  # no socket came (a crawler, a probe): nothing to resume
        contact = self._voice.current_call(self._session_key)
        if contact is not None:  # a reload: resume the same call and rejoin its audio
            self.name.set_value(contact.customer_name)
            self._follow(contact)
        if self._session_key:  # after the lookup above: the service then knows whether the tab has a call
            report_presence(client, self._session_key, self._presence)

    @property
    def _session_key(self) -> str:
        return self._tab.key

    # dialling

    async def _call(self) -> None:
        self.call_button.disable()
        try:
            contact = await self._voice.start_call(self._session_key, self.name.value or '',
                                                   client_address=self._client_address)
        except DomainError as error:
            self.error.set_text(str(error))
            return
        finally:
            self.call_button.enable()
        self.error.set_text('')
        self._follow(contact)

    def _call_again(self) -> None:
        self._leave_audio()
        self.call_area.set_visibility(False)
        self.dial_area.set_visibility(True)

    async def _press_key(self, key: str) -> None:
        try:
            await self._voice.press_keys(self._session_key, key)
        except DomainError as error:
            ui.notify(str(error), type='warning')

    async def _hang_up(self) -> None:
        await self._voice.hang_up(self._session_key)

    def _follow(self, contact: Contact) -> None:
        """Show this call and follow its events (a new call gets a new subscription)."""
        if self._calls is not None:
            self._calls.close()
        self._calls = self._voice.subscribe(self._session_key, self._on_event)
        self._state = None
        self._render_mute_button()  # a new call starts unmuted: its line left the last one
        self.dial_area.set_visibility(False)
        self.call_area.set_visibility(True)
        live = contact.state not in FINISHED_STATES
        self.timer.set_visibility(live)  # a finished call seen after a reload has no running time to show
        if live:
            self.timer.start(contact.initiated_at)
        prompts = self._voice.prompts(self._session_key)
        self.caption.set_text(prompts[-1].text if prompts else '')
        self._show(contact)

    # events

    def _on_event(self, event: Event) -> None:
        if isinstance(event, MessageAdded):
            message = event.message
            if message.role is ParticipantRole.SYSTEM and message.kind is MessageKind.MESSAGE:
                self.caption.set_text(message.text)  # "play prompt": the flow's words, shown as a caption
        elif isinstance(event, ContactChanged):
            self._show(event.contact)
        elif isinstance(event, VoiceChanged):
            contact = self._voice.current_call(self._session_key)
            if contact is not None and contact.contact_id == event.contact_id:
                self._show(contact)

    def _show(self, contact: Contact) -> None:
        self._state = contact.state
        if contact.state is ContactState.CONNECTED:
            self.caption.set_visibility(False)  # the queue's last words are old news once someone answers
            self._sync_audio()
        elif contact.state in FINISHED_STATES:
            self._leave_audio()
            self.timer.stop()
            self.caption.set_visibility(contact.connected_at is None)  # e.g. why a waiting call was dropped
        else:
            self.caption.set_visibility(True)
        self.controls.set_visibility(contact.state not in FINISHED_STATES)
        self.keypad.set_visibility(contact.state in WAITING_STATES)  # the flow's menus; an agent has no keypad here
        self.call_again.set_visibility(contact.state in FINISHED_STATES)
        self._render_status()

    # the audio session

    def _sync_audio(self) -> None:
        join = self._voice.customer_join_info(self._session_key)
        if join is None:
            return
        line = self._line
        if line.join_info is None or line.join_info.meeting_id != join.meeting_id:
            line.join(join, muted=line.muted)  # a mute set while waiting holds
        line.set_on_hold(self._voice.customer_on_hold(self._session_key))

    def _leave_audio(self) -> None:
        self._line.leave()

    def _toggle_mute(self) -> None:
        self._line.set_muted(not self._line.muted)
        self._render_mute_button()

    def _unsubscribe(self) -> None:
        if self._calls is not None:
            self._calls.close()

    # rendering

    def _render_status(self) -> None:
        state = self._state
        if state in FINISHED_STATES:
            text = 'Call ended'
        elif state is ContactState.CONNECTED:
            line = self._line
            text = 'You are on hold' if line.on_hold else 'Connected' if line.peer_present else 'Connecting audio…'
        else:
            text = f'Calling {self._settings.company_name}…'
        if self._line.problem and state is ContactState.CONNECTED:
            text = f'{text}. {self._line.problem}'
        self.status.set_text(text)

    def _render_mute_button(self) -> None:
        self.mute_button.set_text('Unmute' if self._line.muted else 'Mute')
        self.mute_button.props(f'icon={"mic_off" if self._line.muted else "mic"}')
