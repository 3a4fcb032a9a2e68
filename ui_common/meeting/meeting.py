"""Meeting Element

Renders the media of a video call (remote camera, local camera, content share, device-setup preview with a
level meter) and reports what happens through a small vocabulary of typed events. Buttons and selects live
elsewhere; they call this element's methods. The same events come from both back ends:

- ``local``: a browser WebRTC mesh; the signalling messages surface as ``signal`` events and must be relayed by
  Python to the other attendees' elements with :meth:`MeetingElement.receive_signal`.
- ``chime``: Amazon Chime SDK JS 3.x, loaded from ``chime_bundle_url`` the first time it is needed.

Methods are fire-and-forget: the outcome of a long operation (permission prompt, join, share picker) arrives as
an event later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Self, TypeAlias, TypeVar

from nicegui import ui
from nicegui.events import GenericEventArguments, handle_event
from nicegui.helpers import expects_arguments

from ui_common.script_loader import SCRIPT_LOADER

Backend = Literal['local', 'chime']
Quality = Literal['360p', '540p', '720p']
LeftReason = Literal['left', 'ended', 'error']
ERROR_CODES = ('permission-denied', 'no-camera', 'no-microphone', 'share-cancelled', 'share-failed', 'join-failed',
               'bundle-failed')
DEFAULT_CHIME_BUNDLE_URL = '/assets/vendor/amazon-chime-sdk/chime-sdk.min.js'

EventT = TypeVar('EventT')
# like nicegui.events.Handler, for frozen event dataclasses (NiceGUI's EventArguments base is a mutable dataclass)
Handler: TypeAlias = Callable[[EventT], Any] | Callable[[], Any]


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    label: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MeetingEvent:
    """What every meeting event carries, like NiceGUI's ``UiEventArguments``: the element that sent it."""

    sender: MeetingElement | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class DevicesEvent(MeetingEvent):
    audio_inputs: list[Device]
    video_inputs: list[Device]
    audio_outputs: list[Device]


@dataclass(frozen=True, kw_only=True, slots=True)
class PreviewEvent(MeetingEvent):
    audio: bool
    video: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class JoinedEvent(MeetingEvent):
    attendee_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AttendeeEvent(MeetingEvent):
    attendee_id: str
    name: str


@dataclass(frozen=True, kw_only=True, slots=True)
class VideoTileEvent(MeetingEvent):
    attendee_id: str
    on: bool
    local: bool
    content: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class ContentShareEvent(MeetingEvent):
    attendee_id: str
    on: bool
    local: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class LeftEvent(MeetingEvent):
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class MeetingErrorEvent(MeetingEvent):
    code: str
    message: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SignalEvent(MeetingEvent):
    to: str
    data: dict[str, Any]


def _devices(items: Any) -> list[Device]:
    return [Device(id=str(d.get('id') or ''), label=str(d.get('label') or '')) for d in items or []]


# The view (meeting.js) imports its engines and helpers by these file names; as dependencies NiceGUI puts them in the
# page's import map under URLs that change with each file, so a browser never runs a stale engine.
class MeetingElement(ui.element, component='meeting.js', dependencies=[
        'meeting_media.js', 'meeting_local_engine.js', 'meeting_chime_engine.js', SCRIPT_LOADER]):

    def __init__(self, *,
                 backend: Backend,
                 chime_bundle_url: str = DEFAULT_CHIME_BUNDLE_URL,
                 ice_servers: list[dict] | None = None,
                 self_name: str = '',
                 audio_only: bool = False,
                 ) -> None:
        """Meeting Element

        :param backend: ``'local'`` (browser WebRTC mesh, signalling through Python) or ``'chime'`` (Chime SDK JS)
        :param chime_bundle_url: URL of the vendored Chime SDK IIFE bundle (sets ``window.ChimeSDK``); loaded on first
                                 ``join``/``list_devices`` with the chime back end only
        :param ice_servers: ``RTCIceServer`` dicts for the local back end (default: none, for loopback/LAN)
        :param self_name: this participant's display name, sent to peers by the local back end
        :param audio_only: draw no video stage and no preview (a phone call); join with ``video_input=None`` so no
                           camera is opened
        """
        super().__init__()
        if backend not in ('local', 'chime'):
            raise ValueError(f'unknown meeting backend {backend!r}')
        self._backend: Backend = backend
        self._props['backend'] = backend
        self._props['chimeBundleUrl'] = chime_bundle_url
        self._props['iceServers'] = list(ice_servers or [])
        self._props['selfName'] = self_name
        self._props['names'] = {}
        self._props['audioOnly'] = audio_only

    @property
    def backend(self) -> Backend:
        return self._backend

    # ------------------------------------------------------------------------------------------ events

    def _register(self, event: str, callback: Callable[..., Any], build: Callable[[Any], Any]) -> Self:
        wants_event = expects_arguments(callback)

        def handle(e: GenericEventArguments) -> None:
            payload = build(e.args if isinstance(e.args, dict) else {})
            # handle_event with the generic arguments runs the callback in this element's slot (also when async)
            handle_event(lambda: callback(payload) if wants_event else callback(), e, expect_args=False)
        self.on(event, handle)
        return self

    def on_devices(self, callback: Handler[DevicesEvent]) -> Self:
        """Called with the available devices after :meth:`list_devices`."""
        return self._register('devices', callback, lambda a: DevicesEvent(
            audio_inputs=_devices(a.get('audio_inputs')), video_inputs=_devices(a.get('video_inputs')),
            audio_outputs=_devices(a.get('audio_outputs')), sender=self))

    def on_preview(self, callback: Handler[PreviewEvent]) -> Self:
        """Called after :meth:`start_preview` with what it managed to open."""
        return self._register('preview', callback, lambda a: PreviewEvent(
            audio=bool(a.get('audio')), video=bool(a.get('video')), sender=self))

    def on_joined(self, callback: Handler[JoinedEvent]) -> Self:
        """Called when this participant is in the meeting."""
        return self._register('joined', callback, lambda a: JoinedEvent(
            attendee_id=str(a.get('attendee_id') or ''), sender=self))

    def on_attendee_joined(self, callback: Handler[AttendeeEvent]) -> Self:
        """Called when another attendee appears."""
        return self._register('attendeeJoined', callback, lambda a: AttendeeEvent(
            attendee_id=str(a.get('attendee_id') or ''), name=str(a.get('name') or ''), sender=self))

    def on_attendee_left(self, callback: Handler[AttendeeEvent]) -> Self:
        """Called when another attendee leaves or vanishes (connection failed, ``bye``)."""
        return self._register('attendeeLeft', callback, lambda a: AttendeeEvent(
            attendee_id=str(a.get('attendee_id') or ''), name=str(a.get('name') or ''), sender=self))

    def on_video_tile(self, callback: Handler[VideoTileEvent]) -> Self:
        """Called when a video tile (camera or content, local or remote) turns on or off."""
        return self._register('videoTile', callback, lambda a: VideoTileEvent(
            attendee_id=str(a.get('attendee_id') or ''), on=bool(a.get('on')), local=bool(a.get('local')),
            content=bool(a.get('content')), sender=self))

    def on_content_share(self, callback: Handler[ContentShareEvent]) -> Self:
        """Called when a screen share starts or stops (``local``: this participant's own share)."""
        return self._register('contentShare', callback, lambda a: ContentShareEvent(
            attendee_id=str(a.get('attendee_id') or ''), on=bool(a.get('on')), local=bool(a.get('local')),
            sender=self))

    def on_left(self, callback: Handler[LeftEvent]) -> Self:
        """Called once when this participant is out of the meeting: ``'left'``, ``'ended'`` or ``'error'``."""
        return self._register('left', callback, lambda a: LeftEvent(reason=str(a.get('reason') or 'left'), sender=self))

    def on_error(self, callback: Handler[MeetingErrorEvent]) -> Self:
        """Called with one of ``ERROR_CODES`` and a browser message; the meeting goes on where it can."""
        return self._register('error', callback, lambda a: MeetingErrorEvent(
            code=str(a.get('code') or ''), message=str(a.get('message') or ''), sender=self))

    def on_signal(self, callback: Handler[SignalEvent]) -> Self:
        """Local back end: an outgoing signalling message for attendee ``to`` (``'*'``: every other attendee).

        Deliver it with ``receive_signal(from_attendee=<this element's attendee id>, data=event.data)``.
        """
        return self._register('signal', callback, lambda a: SignalEvent(
            to=str(a.get('to') or '*'), data=dict(a.get('data') or {}), sender=self))

    # ------------------------------------------------------------------------------------------ methods

    def list_devices(self) -> None:
        """Emit ``devices`` (asking for permission first when labels are hidden); failures emit ``error``."""
        self.run_method('listDevices')

    def start_preview(self, audio_input: str | None, video_input: str | None) -> None:
        """Show a local preview and a live microphone level meter; emits ``preview`` (and ``error`` per failure)."""
        self.run_method('startPreview', audio_input, video_input)

    def stop_preview(self) -> None:
        self.run_method('stopPreview')

    def play_test_tone(self, audio_output: str | None) -> None:
        """Play a 1 s 440 Hz tone on ``audio_output`` (where the browser supports ``setSinkId``)."""
        self.run_method('playTestTone', audio_output)

    def join(self, join_info: dict, *, audio_input: str | None, video_input: str | None, audio_output: str | None,
             quality: Quality = '720p', camera_on: bool = False) -> None:
        """Join the meeting with the microphone on and, unless ``camera_on``, the camera off.

        Missing or refused devices are reported with ``error``; the join goes on with whatever media is available.
        ``join_info``: local ``{'meeting_id', 'attendee_id', 'name'}``; chime ``{'Meeting': ..., 'Attendee': ...}``.
        """
        self.run_method('join', join_info, {
            'audio_input': audio_input, 'video_input': video_input, 'audio_output': audio_output,
            'quality': quality, 'camera_on': camera_on,
        })

    def leave(self) -> None:
        self.run_method('leave')

    def set_muted(self, muted: bool) -> None:
        self.run_method('setMuted', muted)

    def set_remote_audio_muted(self, muted: bool) -> None:
        """Silence (or restore) what the other attendees say, e.g. while a call is on hold; applies to later
        attendees too."""
        self.run_method('setRemoteAudioMuted', muted)

    def set_camera(self, on: bool) -> None:
        self.run_method('setCamera', on)

    def start_share(self) -> None:
        """Open the browser's screen picker; cancelling it emits ``error`` ``share-cancelled``."""
        self.run_method('startShare')

    def stop_share(self) -> None:
        self.run_method('stopShare')

    def choose_devices(self, *, audio_input: str | None = None, video_input: str | None = None,
                       audio_output: str | None = None, quality: Quality | None = None) -> None:
        """Switch devices (``None`` keeps the current choice); applies at once during a call."""
        self.run_method('chooseDevices', {
            'audio_input': audio_input, 'video_input': video_input, 'audio_output': audio_output, 'quality': quality,
        })

    def receive_signal(self, from_attendee: str, data: dict) -> None:
        """Local back end: deliver a signalling message that attendee ``from_attendee`` sent."""
        self.run_method('receiveSignal', from_attendee, data)

    def set_names(self, names: dict[str, str]) -> None:
        """Display names by attendee id or external user id; they override the names the back end reports."""
        self._props['names'] = dict(names)
        self.update()
