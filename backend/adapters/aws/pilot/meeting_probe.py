"""The pilot creates one Chime SDK meeting the way "Start video" does, then deletes it twice."""

from __future__ import annotations

import asyncio
import uuid

from backend.adapters.aws.error_messages import AWS_ERRORS, describe
from backend.adapters.aws.pilot.findings import Findings
from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.steps import step

ROWS = ('CHIME-1', 'CHIME-2')


async def meeting_probe(kit: PilotKit, findings: Findings) -> None:
    meeting_id, agent, customer = (str(uuid.uuid4()) for _ in range(3))
    with step(findings, 'CHIME-1'):
        meeting, attendees = await asyncio.to_thread(kit.meetings.create_meeting_with_attendees, meeting_id,
                                                     [(agent, 'Pilot agent'), (customer, 'Pilot customer')])
    try:
        tokens = all(attendees[a].get('JoinToken') and attendees[a].get('AttendeeId') for a in (agent, customer))
        region = meeting.get('MediaRegion')
        findings.check('CHIME-1', tokens and region == kit.meetings.media_region and bool(meeting.get(
            'MediaPlacement')), f'meeting {meeting.get("MeetingId")} in {region}, 2 attendees with join tokens')
    finally:
        with step(findings, 'CHIME-2'):
            await asyncio.to_thread(kit.meetings.delete_meeting, meeting)
    try:
        await asyncio.to_thread(kit.chime.get_meeting, MeetingId=meeting['MeetingId'])
    except AWS_ERRORS as error:
        failure = describe('chime:GetMeeting', error)
        findings.check('CHIME-2', failure.not_found, f'GetMeeting after DeleteMeeting: {failure.code}')
    else:
        findings.broken('CHIME-2', 'the meeting is still there after DeleteMeeting')
    with step(findings, 'CHIME-2'):
        await asyncio.to_thread(kit.meetings.delete_meeting, meeting)  # NotFound is "already gone"
