"""One page's half of the local WebRTC back end's signalling, between its meeting element and the meeting service.

The element's outgoing messages go to the other attendees of the meeting through the service (which adds the sender
server-side); theirs come back into the element. The chime back end never emits signals, so this is idle there.
"""

from __future__ import annotations

from nicegui import ui

from backend.domain.model import JoinInfo
from backend.events import Event, SignalReceived, Subscription
from backend.services.meetings import MeetingService
from ui_common.meeting.meeting import MeetingElement, SignalEvent


class SignalRelay:
    def __init__(self, meetings: MeetingService, element: MeetingElement) -> None:
        self._meetings, self._element = meetings, element
        self._join: JoinInfo | None = None
        self._subscription: Subscription | None = None
        element.on_signal(self._send)
        ui.context.client.on_delete(self.stop_receiving)

    def start(self, join: JoinInfo) -> None:
        """Relay for this attendee from now on (replacing any earlier meeting)."""
        self.stop_receiving()
        self._join = join
        self._subscription = self._meetings.subscribe_signals(join, self._deliver)

    def stop_receiving(self) -> None:
        """Stop delivering; the element's last messages (its "bye" on leaving) still go out to the others."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def _send(self, event: SignalEvent) -> None:
        if self._join is not None:
            self._meetings.relay_signal(self._join, event.to, event.data)

    def _deliver(self, event: Event) -> None:
        if isinstance(event, SignalReceived):
            self._element.receive_signal(event.from_attendee, event.data)
