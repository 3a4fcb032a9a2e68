"""The structured "video call started / ended" signal an agent sends through the Amazon Connect chat (aws mode).

In aws mode the agent's desktop and the customer's chat may live in different server processes; the chat is the one
channel both share. When the agent starts (or ends) the video session, the agent desktop sends ONE chat message
through the CCP whose whole text is the marker::

    vce-video:v1:started:<meeting id>
    vce-video:v1:ended:<meeting id>

(``text/plain``, the meeting id is our server-generated UUID, lower case). The customer's server recognises it in
the incoming stream, believes it only if it comes from the AGENT role and the meeting store agrees (a live meeting
of this contact for ``started``, an ended one for ``ended``), and shows the customer a readable line instead of the
marker. Anything else — a customer typing the marker, a made-up or stale meeting id — changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

SIGNAL_PREFIX = 'vce-video:v1:'
STARTED_TEXT = 'The agent started a video call. Select "Join video call" to join.'
ENDED_TEXT = 'The agent ended the video session.'

_SIGNAL = re.compile(r'^vce-video:v1:(started|ended):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$')


class VideoAction(StrEnum):
    STARTED = 'started'
    ENDED = 'ended'


@dataclass(frozen=True, slots=True)
class VideoSignal:
    action: VideoAction
    meeting_id: str

    @property
    def text(self) -> str:
        """What the customer reads instead of the marker."""
        return STARTED_TEXT if self.action is VideoAction.STARTED else ENDED_TEXT


def format_video_signal(action: VideoAction, meeting_id: str) -> str:
    """The chat text the agent desktop sends; refuses ids the customer side would not recognise."""
    text = f'{SIGNAL_PREFIX}{action.value}:{meeting_id}'
    if not _SIGNAL.match(text):
        raise ValueError(f'not a meeting id for the video signal: {meeting_id!r}')
    return text


def parse_video_signal(text: str) -> VideoSignal | None:
    """The signal a chat text carries, or None for any ordinary message."""
    match = _SIGNAL.match(text.strip())
    return VideoSignal(VideoAction(match.group(1)), match.group(2)) if match else None
