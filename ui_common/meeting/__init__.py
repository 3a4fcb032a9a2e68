"""Meeting element: the media area of a video call, with a local WebRTC back end and an Amazon Chime back end."""

from .meeting import (
    ERROR_CODES,
    AttendeeEvent,
    Backend,
    ContentShareEvent,
    Device,
    DevicesEvent,
    JoinedEvent,
    LeftEvent,
    MeetingElement,
    MeetingErrorEvent,
    MeetingEvent,
    PreviewEvent,
    Quality,
    SignalEvent,
    VideoTileEvent,
)

__all__ = [
    'ERROR_CODES',
    'AttendeeEvent',
    'Backend',
    'ContentShareEvent',
    'Device',
    'DevicesEvent',
    'JoinedEvent',
    'LeftEvent',
    'MeetingElement',
    'MeetingErrorEvent',
    'MeetingEvent',
    'PreviewEvent',
    'Quality',
    'SignalEvent',
    'VideoTileEvent',
]
