"""Local meetings: in-browser WebRTC between the attendees, signalled through our server; no media server."""

from __future__ import annotations

from backend.ports import MeetingProvider


class LocalMeetingProvider(MeetingProvider):
    backend = 'local'

    def create_meeting_with_attendees(self, meeting_id: str, attendees: list[tuple[str, str]]
                                      ) -> tuple[dict[str, object], dict[str, dict[str, object]]]:
        return {'MeetingId': meeting_id}, {external_id: {'AttendeeId': external_id, 'ExternalUserId': external_id}
                                           for external_id, _ in attendees}

    def delete_meeting(self, meeting: dict[str, object]) -> None:
        """Nothing to free: the peers hang up when they learn the meeting ended."""

    def join_payload(self, meeting: dict[str, object], attendee: dict[str, object], name: str) -> dict[str, object]:
        return {'meeting_id': meeting['MeetingId'], 'attendee_id': attendee['AttendeeId'], 'name': name}
