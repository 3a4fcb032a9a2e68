"""Call Panel

Device setup and in-call controls around one meeting element, shared by the agent desktop and the customer
page. It lives in a part of the page that is never rebuilt, so the call survives sub-page navigation, and it
only talks to the meeting service: it never knows whether WebRTC or Amazon Chime SDK carries the media.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum

from nicegui import ui

from backend.domain.model import JoinInfo
from backend.services.meetings import MeetingService
from ui_common.meeting import (
    AttendeeEvent,
    ContentShareEvent,
    DevicesEvent,
    JoinedEvent,
    LeftEvent,
    MeetingElement,
    MeetingErrorEvent,
    VideoTileEvent,
)
from ui_common.meeting.meeting import Backend
from ui_common.meeting.signal_relay import SignalRelay

QUALITIES = ['360p', '540p', '720p']
PERMISSION_TEXT = ('Your browser may ask to use your microphone and camera: choose Allow. '
                   'The camera stays off until you turn it on.')
ERROR_TEXT = {
    'permission-denied': 'We could not use your microphone or camera because permission was denied. You can still '
                         'join to listen and chat, or allow access in the browser and select "Check devices" again.',
    'no-camera': 'No camera was found. You can join with audio only.',
    'no-microphone': 'No microphone was found. You can join to listen and chat.',
    'share-cancelled': 'Screen sharing was cancelled.',
    'share-failed': 'Screen sharing could not start.',
    'join-failed': 'Joining the video call failed. Please try again.',
    'bundle-failed': 'The video component could not be loaded. Please reload the page.',
}


class CallState(Enum):
    IDLE = 'idle'
    SETUP = 'setup'
    IN_CALL = 'in_call'
    LEFT = 'left'
    ENDED = 'ended'


class CallPanel(ui.column):
    def __init__(self, meetings: MeetingService, *, ice_servers: list[dict[str, object]],
                 on_end_for_all: Callable[[], Awaitable[None]] | None = None,
                 ended_text: str = 'The video session has ended.',
                 on_state_change: Callable[[CallState], None] | None = None) -> None:
        """Call Panel

        :param meetings: the meeting service (signalling, names)
        :param ice_servers: STUN/TURN servers for the local WebRTC back end (empty on loopback/LAN)
        :param on_end_for_all: shows an "End for all" button (agent only) that calls this
        :param ended_text: what to say when the meeting was ended by someone else
        :param on_state_change: called with the new state (e.g. to make room for the video)
        """
        super().__init__()
        self.classes('w-full gap-2').props('data-testid=call-panel')
        self._meetings, self._on_end_for_all, self._ended_text = meetings, on_end_for_all, ended_text
        self._on_state_change = on_state_change
        self.join_info: JoinInfo | None = None
        self.state = CallState.IDLE
        self._muted = False
        self._camera_on = False
        self._sharing = False
        self._joining = False  # Join clicked, not yet in: a device list that comes back now starts no preview
        self._roster: dict[str, str] = {}
        self._state_listeners: list[Callable[[CallState], None]] = []
        self._leave_listeners: list[Callable[[], None]] = []
        with self:
            self.title = ui.label('Video call').classes('text-base font-medium')
            self.message = ui.label().classes('text-sm').props('data-testid=call-message role=status')
            self.element = MeetingElement(backend=_backend(meetings.backend), ice_servers=ice_servers).classes('w-full')
            with ui.column().classes('w-full gap-1') as self.setup_area:
                ui.label(PERMISSION_TEXT).classes('text-xs text-grey-8').props('data-testid=permission-text')
                self.microphone = ui.select({}, label='Microphone').classes('w-full') \
                    .props('dense outlined data-testid=microphone-select')
                self.camera = ui.select({}, label='Camera').classes('w-full') \
                    .props('dense outlined data-testid=camera-select')
                with ui.row().classes('w-full items-center no-wrap'):
                    self.speaker = ui.select({}, label='Speaker').classes('grow') \
                        .props('dense outlined data-testid=speaker-select')
                    ui.button('Test', icon='volume_up', on_click=self._test_tone) \
                        .props('flat dense data-testid=test-tone')
                self.quality = ui.select(QUALITIES, value='720p', label='Video quality').classes('w-full') \
                    .props('dense outlined data-testid=quality-select')
                with ui.row().classes('w-full'):
                    ui.button('Check devices', icon='refresh', on_click=self._check_devices) \
                        .props('flat dense data-testid=check-devices')
                    # the name as typed (no-caps), on one line: a long name ends in an ellipsis and is read out
                    # whole (aria-label) and shown whole on hover (tooltip)
                    with ui.button(icon='video_call', on_click=self._join) \
                            .props('color=positive no-caps no-wrap data-testid=join-meeting') \
                            .classes('max-w-full') as self.join_button:
                        self.join_label = ui.label('Join').classes('ellipsis min-w-0') \
                            .props('data-testid=join-meeting-label')
                        self.join_tooltip = ui.tooltip('Join')
                    if on_end_for_all is not None:  # the agent can call it off before joining, too
                        ui.button('Cancel video', icon='call_end', on_click=on_end_for_all) \
                            .props('flat dense color=negative data-testid=cancel-video')
            with ui.column().classes('w-full gap-1') as self.call_area:
                # what a page adds to the call's controls (the agent's Record toggle and indicator)
                self.extra_controls = ui.row().classes('w-full gap-2 items-center empty:hidden')
                with ui.row().classes('w-full gap-1 items-center'):
                    self.mute_button = ui.button(icon='mic', on_click=self._toggle_mute) \
                        .props('round dense data-testid=mute').tooltip('Mute / unmute')
                    self.camera_button = ui.button(icon='videocam_off', on_click=self._toggle_camera) \
                        .props('round dense data-testid=camera').tooltip('Camera on / off')
                    with ui.button(icon='screen_share', on_click=self._toggle_share) \
                            .props('round dense data-testid=share') as self.share_button:
                        self.share_tooltip = ui.tooltip('Share screen')
                    ui.space()
                    ui.button('Leave', icon='logout', on_click=self.leave).props('outline dense data-testid=leave')
                    if on_end_for_all is not None:
                        ui.button('End for all', icon='call_end', on_click=on_end_for_all) \
                            .props('color=negative dense data-testid=end-for-all')
                self.call_speaker = ui.select({}, label='Speaker', on_change=self._speaker_changed) \
                    .classes('w-full').props('dense outlined data-testid=call-speaker-select')
                ui.label('In the call').classes('text-xs text-grey-7')
                self.roster = ui.column().classes('gap-0 text-sm').props('data-testid=roster')
            self.rejoin_button = ui.button('Rejoin video call', icon='video_call', on_click=self.rejoin) \
                .props('outline data-testid=rejoin')
        self.microphone.on_value_change(self._preview)
        self.camera.on_value_change(self._preview)
        self.element.on_devices(self._on_devices).on_error(self._on_error).on_joined(self._on_joined) \
            .on_attendee_joined(self._on_attendee_joined).on_attendee_left(self._on_attendee_left) \
            .on_video_tile(self._on_video_tile).on_content_share(self._on_content_share) \
            .on_left(self._on_left)
        self._signals = SignalRelay(meetings, self.element)
        self._render_controls()
        self._show(CallState.IDLE)

    # what the page calls

    def open_setup(self, join: JoinInfo) -> None:
        """Show device setup for this meeting (a first join or a rejoin)."""
        self.join_info = join
        self.element.set_names(self._meetings.names(join.meeting_id))
        join_text = f'Join meeting as {join.name}'
        self.join_label.set_text(join_text)
        self.join_tooltip.set_text(join_text)
        self.join_button.props['aria-label'] = join_text  # set as is: a quote in a name cannot end the prop
        self.join_button.update()
        self.message.set_text('')
        self._joining = False
        self._show(CallState.SETUP)
        self.element.list_devices()

    def offer_rejoin(self, join: JoinInfo) -> None:
        """The meeting lives but this page is not in it (e.g. after a reload)."""
        self.join_info = join
        self.message.set_text('A video call is in progress.')
        self._show(CallState.LEFT)

    def rejoin(self) -> None:
        if self.join_info is not None:
            self.open_setup(self.join_info)

    def add_listeners(self, *, on_state: Callable[[CallState], None] | None = None,
                      on_leave: Callable[[], None] | None = None) -> None:
        """Be told of every state change, and when this side leaves by its own Leave (not a reload)."""
        if on_state is not None:
            self._state_listeners.append(on_state)
        if on_leave is not None:
            self._leave_listeners.append(on_leave)

    def leave(self) -> None:
        for listener in self._leave_listeners:
            listener()
        self.element.leave()
        self._signals.stop_receiving()
        self.message.set_text('You left the video call.')
        self._show(CallState.LEFT)

    def meeting_ended(self, meeting_id: str) -> None:
        """The meeting was ended for everyone (by the agent, or because the contact ended)."""
        if self.join_info is None or self.join_info.meeting_id != meeting_id:
            return
        if self.state in (CallState.IN_CALL, CallState.SETUP):
            self.element.leave()
        self._signals.stop_receiving()
        self.join_info = None
        self.message.set_text(self._ended_text)
        self._show(CallState.ENDED)

    def hang_up(self) -> None:
        """The chat ended: leave the call (or its device setup, preview included) quietly and hide the panel."""
        if self.state in (CallState.IN_CALL, CallState.SETUP):
            self.element.leave()
        self._signals.stop_receiving()
        self.join_info = None
        self._show(CallState.IDLE)

    def forget_ended(self) -> None:
        """The ended call's note belongs to its contact: the page of another contact starts with a clean column."""
        if self.state is CallState.ENDED:
            self.message.set_text('')
            self._show(CallState.IDLE)

    @property
    def in_call(self) -> bool:
        return self.state is CallState.IN_CALL

    @property
    def free(self) -> bool:
        """Not in, joining or offering a meeting: a new invitation may be shown."""
        return self.state in (CallState.IDLE, CallState.ENDED)

    # setup

    def _check_devices(self) -> None:
        self.message.set_text('')
        self.element.list_devices()

    def _on_devices(self, event: DevicesEvent) -> None:
        for select, devices in ((self.microphone, event.audio_inputs), (self.camera, event.video_inputs),
                                (self.speaker, event.audio_outputs), (self.call_speaker, event.audio_outputs)):
            options = {d.id: d.label or 'Unnamed device' for d in devices}
            keep = select.value if select.value in options else next(iter(options), None)
            select.set_options(options, value=keep)
        self._preview()

    def _preview(self) -> None:
        if self.state is CallState.SETUP and not self._joining:
            self.element.start_preview(self.microphone.value, self.camera.value)

    def _test_tone(self) -> None:
        self.element.play_test_tone(self.speaker.value)

    def _join(self) -> None:
        if self.join_info is None:
            return
        self.join_button.disable()
        self._joining = True
        self.element.stop_preview()
        self._signals.start(self.join_info)
        self.element.join(dict(self.join_info.data), audio_input=self.microphone.value, video_input=self.camera.value,
                          audio_output=self.speaker.value, quality=self.quality.value, camera_on=False)

    # in the call

    def _on_joined(self, _: JoinedEvent) -> None:
        self.join_button.enable()
        self._joining = False
        self._muted, self._camera_on, self._sharing = False, False, False
        self._roster = {}
        self._render_controls()
        self.call_speaker.set_value(self.speaker.value)
        self.message.set_text('')
        self._show(CallState.IN_CALL)
        if self.join_info is not None:
            self._roster[self.join_info.attendee_id] = f'{self.join_info.name} (you)'
        self._render_roster()

    def _toggle_mute(self) -> None:
        self._muted = not self._muted
        self.element.set_muted(self._muted)
        self._render_controls()

    def _toggle_camera(self) -> None:
        self._camera_on = not self._camera_on
        self.element.set_camera(self._camera_on)
        self._render_controls()

    def _toggle_share(self) -> None:
        if self._sharing:
            self.element.stop_share()
        else:
            self.element.start_share()

    def _speaker_changed(self) -> None:
        if self.state is CallState.IN_CALL:
            self.element.choose_devices(audio_output=self.call_speaker.value)

    def _on_video_tile(self, event: VideoTileEvent) -> None:
        if event.local and not event.content:
            self._camera_on = event.on
            self._render_controls()

    def _on_content_share(self, event: ContentShareEvent) -> None:
        if event.local:
            self._sharing = event.on
            self._render_controls()

    def _on_attendee_joined(self, event: AttendeeEvent) -> None:
        self._roster[event.attendee_id] = self._name(event)
        self._render_roster()

    def _on_attendee_left(self, event: AttendeeEvent) -> None:
        if self._roster.pop(event.attendee_id, None) is not None:
            self._render_roster()
            self.message.set_text(f'{self._name(event)} left the video call.')

    def _on_left(self, event: LeftEvent) -> None:
        self.join_button.enable()
        self._joining = False
        if event.reason == 'ended' and self.join_info is not None:
            self.meeting_ended(self.join_info.meeting_id)

    def _on_error(self, event: MeetingErrorEvent) -> None:
        self.join_button.enable()
        if event.code == 'join-failed':
            self._joining = False
        self.message.set_text(ERROR_TEXT.get(event.code, event.message))
        if event.code.startswith('share'):
            self._sharing = False
            self._render_controls()

    # rendering

    def _name(self, event: AttendeeEvent) -> str:
        if self.join_info is None:
            return event.name or 'Guest'
        return self._meetings.names(self.join_info.meeting_id).get(event.attendee_id) or event.name or 'Guest'

    def _render_controls(self) -> None:
        self.mute_button.props(f'icon={"mic_off" if self._muted else "mic"} '
                               f'color={"negative" if self._muted else "primary"} '
                               f'aria-label="{"Unmute microphone" if self._muted else "Mute microphone"}"')
        self.camera_button.props(f'icon={"videocam" if self._camera_on else "videocam_off"} '
                                 f'color={"primary" if self._camera_on else "grey-7"} '
                                 f'aria-label="{"Turn camera off" if self._camera_on else "Turn camera on"}"')
        self.share_button.props(f'icon={"stop_screen_share" if self._sharing else "screen_share"} '
                                f'color={"negative" if self._sharing else "primary"} '
                                f'aria-label="{"Stop sharing" if self._sharing else "Share screen"}"')
        self.share_tooltip.set_text('Stop sharing' if self._sharing else 'Share screen')

    def _render_roster(self) -> None:
        self.roster.clear()
        with self.roster:
            for name in self._roster.values():
                ui.label(name).props('data-testid=roster-name')

    def _show(self, state: CallState) -> None:
        self.state = state
        self.set_visibility(state is not CallState.IDLE)
        self.element.set_visibility(state in (CallState.SETUP, CallState.IN_CALL))
        self.setup_area.set_visibility(state is CallState.SETUP)
        self.call_area.set_visibility(state is CallState.IN_CALL)
        self.rejoin_button.set_visibility(state is CallState.LEFT)
        if self._on_state_change is not None:
            self._on_state_change(state)
        for listener in self._state_listeners:
            listener(state)


def _backend(name: str) -> Backend:
    if name == 'chime':
        return 'chime'
    if name == 'local':
        return 'local'
    raise ValueError(f'unknown meeting backend {name!r}')
