"""Call Recorder

Records a local (browser-to-browser) video call in the agent's browser: the meeting element's videos composited on
one canvas, both voices mixed, MediaRecorder's WebM uploaded in numbered chunks to the recording service's upload
route (``call_recorder.js``). Python gives it a segment's ticket (upload URL and token) and tells it to stop; it
reports when the last chunk of the segment is on the server, or that the server refused it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments

from backend.services.recordings import SegmentTicket
from ui_common.meeting import MeetingElement

CHUNK_MILLISECONDS = 2000  # a reload or a blip loses at most this much; each chunk is one small upload


class CallRecorder(ui.element, component='call_recorder.js'):
    def __init__(self, meeting: MeetingElement, *, self_name: str = '', chunk_ms: int = CHUNK_MILLISECONDS) -> None:
        super().__init__()
        self._props['meetingDomId'] = meeting.html_id
        self._props['selfName'] = self_name
        self._props['chunkMs'] = chunk_ms
        self.recording = False

    def start(self, ticket: SegmentTicket) -> None:
        self.recording = True
        self.run_method('start', {'recording_id': ticket.recording_id, 'segment': ticket.segment,
                                  'token': ticket.token, 'upload_url': ticket.upload_url})

    def stop(self) -> None:
        if self.recording:
            self.recording = False
            self.run_method('stop')

    def on_finished(self, callback: Callable[[int], Any]) -> CallRecorder:
        self.on('finished', lambda e: callback(_segment(e)))
        return self

    def on_failed(self, callback: Callable[[int], Any]) -> CallRecorder:
        def failed(e: GenericEventArguments) -> None:
            self.recording = False
            callback(_segment(e))
        self.on('failed', failed)
        return self


def _segment(e: GenericEventArguments) -> int:
    args = e.args if isinstance(e.args, dict) else {}
    value = args.get('segment')
    return value if isinstance(value, int) else -1
