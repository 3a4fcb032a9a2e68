"""Audio line

One phone call's audio, shared by the agent's softphone and the customer's phone page (they differ only in layout and
words): an audio-only meeting element, the call's audio session it is in, its WebRTC signals relayed through the
MeetingService, and the state both pages show (the other side present, mute, hold, a microphone problem).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from backend.domain.model import JoinInfo
from backend.services.meetings import MeetingService
from ui_common.meeting import AttendeeEvent, MeetingElement, MeetingErrorEvent
from ui_common.meeting.signal_relay import SignalRelay


class AudioLine:
    def __init__(self, meetings: MeetingService, *, ice_servers: list[dict[str, object]],
                 microphone_errors: Mapping[str, str], on_change: Callable[[], None]) -> None:
        """Build the audio-only meeting element in the current UI context.

        :param microphone_errors: the page's own words for the element's error codes (others read "Audio problem: …")
        :param on_change: called when the other side comes or goes or a problem appears, to show the new status
        """
        self._microphone_errors, self._on_change = microphone_errors, on_change
        self.join_info: JoinInfo | None = None
        self.muted = False
        self.on_hold = False
        self.peer_present = False
        self.problem = ''
        self.element = MeetingElement(backend='local', ice_servers=ice_servers, audio_only=True)
        self._signals = SignalRelay(meetings, self.element)
        self.element.on_error(self._on_error) \
            .on_attendee_joined(self._on_attendee_joined).on_attendee_left(self._on_attendee_left)

    def join(self, join: JoinInfo, *, muted: bool) -> None:
        """Join this audio session (leaving any other one): hold and problems start afresh, the microphone as given."""
        self.leave()
        self.join_info, self.muted, self.problem = join, muted, ''
        self._signals.start(join)
        self.element.set_muted(muted)  # nothing left over from an earlier call's hold
        self.element.set_remote_audio_muted(False)
        self.element.join(dict(join.data), audio_input=None, video_input=None, audio_output=None, camera_on=False)

    def leave(self) -> None:
        """Leave the audio session, if in one; the next session starts unmuted unless its join says otherwise."""
        if self.join_info is not None:
            self.element.leave()
            self.join_info = None
        self._signals.stop_receiving()
        self.on_hold = self.muted = self.peer_present = False

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self.element.set_muted(muted or self.on_hold)

    def set_on_hold(self, on_hold: bool) -> None:
        """Hold silences both directions; the microphone's own mute is kept for after it."""
        if on_hold != self.on_hold:
            self.on_hold = on_hold
            self.element.set_muted(self.muted or on_hold)
            self.element.set_remote_audio_muted(on_hold)

    def _on_attendee_joined(self, _: AttendeeEvent) -> None:
        self.peer_present = True
        self._on_change()

    def _on_attendee_left(self, _: AttendeeEvent) -> None:
        self.peer_present = False
        self._on_change()

    def _on_error(self, event: MeetingErrorEvent) -> None:
        self.problem = self._microphone_errors.get(event.code, f'Audio problem: {event.message}')
        self._on_change()
