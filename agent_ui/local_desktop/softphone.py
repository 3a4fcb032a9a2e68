"""Softphone

The agent's connected phone call in the CCP panel: who is on the line, how long, Mute, Hold / Resume and End call,
with an audio-only meeting element that joins the call's audio session by itself (also after a reload). It lives in
the left drawer, which sub-page navigation never rebuilds, so the call's audio survives opening other contacts. The
meeting element is built with the first call, so a desktop that never takes a call carries none.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from backend.domain.errors import DomainError
from backend.domain.model import Channel, Contact, ContactState, JoinInfo
from backend.services.agent_desk import AgentDeskService
from backend.services.meetings import MeetingService
from backend.services.voice import VoiceService
from ui_common.audio_line import AudioLine
from ui_common.call_timer import CallTimer

MICROPHONE_ERRORS = {
    'permission-denied': 'The browser refused the microphone: allow it for this site, then reload the page.',
    'no-microphone': 'No microphone was found: connect one, then reload the page.',
}


class Softphone(ui.card):
    def __init__(self, desk: AgentDeskService, voice: VoiceService, meetings: MeetingService, username: str, *,
                 ice_servers: list[dict[str, object]], guard: Callable[[], bool],
                 is_active: Callable[[], bool]) -> None:
        """Softphone

        :param guard: returns False (and says why) when this tab may not act, e.g. another tab took over
        :param is_active: whether this tab is the agent's active desktop (asked quietly); only that tab's
                          softphone is in the call's audio, so a taken-over tab hangs up its side
        """
        super().__init__()
        self.classes('w-full bg-green-1 gap-2').props('data-testid=softphone')
        self._desk, self._voice, self._meetings, self._username, self._guard = desk, voice, meetings, username, guard
        self._is_active = is_active
        self.contact: Contact | None = None
        self._ice_servers = ice_servers
        self._line: AudioLine | None = None
        with self:
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                ui.icon('phone_in_talk', color='positive')
                self.title = ui.label().classes('text-base font-medium grow').props('data-testid=softphone-name')
                self.clock = CallTimer().classes('text-sm').props('data-testid=call-timer')
            self.status = ui.label().classes('text-sm').props('data-testid=softphone-status role=status')
            with ui.row().classes('w-full items-center gap-1'):
                self.mute_button = ui.button(icon='mic', on_click=self._toggle_mute) \
                    .props('round dense data-testid=softphone-mute').tooltip('Mute / unmute')
                self.hold_button = ui.button('Hold', icon='pause', on_click=self._toggle_hold) \
                    .props('dense outline data-testid=hold')
                ui.space()
                ui.button('End call', icon='call_end', on_click=self._end_call) \
                    .props('color=negative dense data-testid=end-call')
            self._media = ui.column().classes('w-full gap-0')
        self.set_visibility(False)

    @property
    def join_info(self) -> JoinInfo | None:
        """The call audio session this tab is in, if any."""
        return self._line.join_info if self._line is not None else None

    @property
    def on_hold(self) -> bool:
        return self._line is not None and self._line.on_hold

    def refresh(self) -> None:
        """Follow the agent's connected call: show it, (re)join its audio session, apply hold; hang up after it."""
        call = next((c for c in self._desk.contacts(self._username)
                     if c.channel is Channel.VOICE and c.state is ContactState.CONNECTED), None)
        if call is None:
            self._hang_up()
            return
        self.contact = call
        self.title.set_text(f'On call with {call.customer_name}')
        self.clock.start(call.connected_at or call.initiated_at)
        self.set_visibility(True)
        if not self._is_active():
            self._leave_audio()
            self.status.set_text('This call continues in your other tab.')
            return
        join = self._voice.agent_join_info(self._username, call.contact_id)
        if join is None:
            self.status.set_text('Connecting the call…')
            return
        if self.join_info is None or self.join_info.meeting_id != join.meeting_id:
            self._join(join)
        self._show_hold(self._voice.is_on_hold(self._username, call.contact_id))

    # actions

    def _toggle_mute(self) -> None:
        if self._line is not None:
            self._line.set_muted(not self._line.muted)
        self._render_buttons()

    def _toggle_hold(self) -> None:
        if self.contact is None or not self._guard():
            return
        try:
            self._voice.hold(self._username, self.contact.contact_id, not self.on_hold)
        except DomainError as error:
            ui.notify(str(error), type='negative')

    def _end_call(self) -> None:
        if self.contact is None or not self._guard():
            return
        try:
            self._desk.end_contact(self._username, self.contact.contact_id)
        except DomainError as error:
            ui.notify(str(error), type='negative')

    # the audio session

    def _join(self, join: JoinInfo) -> None:
        if self._line is None:
            with self._media:
                self._line = AudioLine(self._meetings, ice_servers=self._ice_servers,
                                       microphone_errors=MICROPHONE_ERRORS, on_change=self._render_status)
        self._line.join(join, muted=False)  # a fresh start: no mute or hold left over from an earlier call
        self._render_buttons()
        self._render_status()

    def _show_hold(self, on: bool) -> None:
        if self._line is not None and on != self._line.on_hold:
            self._line.set_on_hold(on)
            self._render_buttons()
        self._render_status()

    def _hang_up(self) -> None:
        if self.contact is None and self.join_info is None:
            return  # nothing to hang up (most refreshes of a desktop without calls)
        self._leave_audio()
        self.contact = None
        self.clock.stop()
        self.set_visibility(False)

    def _leave_audio(self) -> None:
        if self._line is not None:
            self._line.leave()
        self._render_buttons()

    # rendering

    def _render_status(self) -> None:
        line = self._line
        if line is not None and line.problem:
            self.status.set_text(line.problem)
        elif self.on_hold:
            self.status.set_text('On hold: you and the caller cannot hear each other.')
        elif line is not None and line.peer_present:
            self.status.set_text('Connected')
        else:
            self.status.set_text('Connecting audio…')

    def _render_buttons(self) -> None:
        muted = self._line is not None and self._line.muted
        self.mute_button.props(f'icon={"mic_off" if muted else "mic"} color={"negative" if muted else "primary"} '
                               f'aria-label="{"Unmute" if muted else "Mute"}"')
        self.hold_button.set_text('Resume' if self.on_hold else 'Hold')
        self.hold_button.props(f'icon={"play_arrow" if self.on_hold else "pause"}')
