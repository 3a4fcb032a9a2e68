"""Amazon Chime SDK meetings (``meeting_backend = 'chime'``): the server creates and deletes meetings and attendees.

Only the ``chime-sdk-meetings`` API is used; the legacy ``chime`` API's meeting operations are deprecated.
The browser joins with the vendored JS SDK (``assets/vendor/amazon-chime-sdk``) using ``join_payload``.
Calls are blocking; ``MeetingService`` runs them in a worker thread.

JoinTokens are credentials for one attendee: they are returned to the caller but never logged nor put in an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from backend.ports import MeetingProvider

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('meeting_backend=chime needs boto3: pip install "video-call-escalation[aws]"') from error

log = logging.getLogger('vce.aws.chime')

SERVICE = 'chime-sdk-meetings'
NOT_FOUND = 'NotFoundException'
MAX_ATTENDEES = 20  # CreateMeetingWithAttendees' limit per call
# The agent waits for start_video: fail within seconds rather than hang on the SDK's 60 s default read timeout.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={'mode': 'standard', 'max_attempts': 3})


class MeetingProviderError(RuntimeError):
    """A Chime SDK call failed; the message names the operation and AWS's error, never a JoinToken."""

    def __init__(self, message: str, *, operation: str, code: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.code = code


class ChimeMeetingProvider(MeetingProvider):
    """``MeetingProvider`` backed by Amazon Chime SDK meetings (one meeting per escalation, all attendees at once)."""

    backend = 'chime'

    def __init__(self, client: Any = None, *, region: str, media_region: str | Callable[[], str]) -> None:
        """``media_region``: a region code, or a callable giving it per meeting (``chime_media_region.MediaRegion``:
        the region nearest the server, looked up once)."""
        self._client = client if client is not None else boto3.client(SERVICE, region_name=region,
                                                                      config=CLIENT_CONFIG)
        self.region = region
        self._media_region = media_region

    @property
    def media_region(self) -> str:
        return self._media_region if isinstance(self._media_region, str) else self._media_region()

    def create_meeting_with_attendees(self, meeting_id: str, attendees: list[tuple[str, str]]
                                      ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Create the meeting and every attendee in one call, so there is never a meeting without its attendees.

        ``meeting_id`` (our UUID) is both the idempotency token and the ExternalMeetingId, so a retried start
        returns the same meeting. Display names stay on our side: Chime only sees opaque ExternalUserIds.
        """
        external_ids = [external_id for external_id, _name in attendees]
        _check_ids(meeting_id, external_ids)
        operation = 'CreateMeetingWithAttendees'
        response = self._call(operation, self._client.create_meeting_with_attendees,
                              ClientRequestToken=meeting_id, ExternalMeetingId=meeting_id,
                              MediaRegion=self.media_region,
                              Attendees=[{'ExternalUserId': external_id} for external_id in external_ids])
        meeting: dict[str, Any] = response['Meeting']
        created = {attendee['ExternalUserId']: attendee for attendee in response.get('Attendees', [])}
        failed = [f'{e.get("ExternalUserId")}: {e.get("ErrorCode")} {e.get("ErrorMessage", "")}'.strip()
                  for e in response.get('Errors', [])]
        missing = [external_id for external_id in external_ids if external_id not in created]
        if failed or missing:
            self._discard(meeting)
            detail = '; '.join(failed) if failed else f'no attendee returned for {", ".join(missing)}'
            raise MeetingProviderError(f'Chime {operation} could not create every attendee of meeting {meeting_id} '
                                       f'({detail}); the meeting was deleted', operation=operation,
                                       code='AttendeeErrors')
        log.info('chime.meeting_created meeting=%s chime_meeting=%s media_region=%s attendees=%d', meeting_id,
                 meeting.get('MeetingId'), meeting.get('MediaRegion'), len(external_ids))
        return meeting, {external_id: created[external_id] for external_id in external_ids}

    def delete_meeting(self, meeting: Mapping[str, Any]) -> None:
        """End the meeting for everyone; a meeting that is already gone (ended, expired) is not an error."""
        self._call('DeleteMeeting', self._client.delete_meeting, missing_ok=True, MeetingId=meeting['MeetingId'])
        log.info('chime.meeting_deleted chime_meeting=%s', meeting['MeetingId'])

    def delete_attendee(self, meeting: Mapping[str, Any], attendee_id: str) -> None:
        """Revoke one attendee's JoinToken and drop it from the meeting; an attendee already gone is not an error."""
        self._call('DeleteAttendee', self._client.delete_attendee, missing_ok=True, MeetingId=meeting['MeetingId'],
                   AttendeeId=attendee_id)

    def join_payload(self, meeting: Mapping[str, Any], attendee: Mapping[str, Any], name: str) -> dict[str, Any]:
        """``new ChimeSDK.MeetingSessionConfiguration({Meeting}, {Attendee})`` takes these two dicts as they are."""
        return {'Meeting': dict(meeting), 'Attendee': dict(attendee), 'name': name}

    # internals

    def _call(self, operation: str, method: Any, *, missing_ok: bool = False, **params: Any) -> dict[str, Any]:
        try:
            return method(**params)
        except ClientError as error:
            code = error.response.get('Error', {}).get('Code')
            if missing_ok and code == NOT_FOUND:
                log.info('chime.already_gone operation=%s', operation)
                return {}
            message = error.response.get('Error', {}).get('Message') or 'no message'
            request_id = error.response.get('ResponseMetadata', {}).get('RequestId')
            suffix = f' (request id {request_id})' if request_id else ''
            raise MeetingProviderError(f'Chime {operation} failed: {code}: {message}{suffix}', operation=operation,
                                       code=code) from error
        except BotoCoreError as error:  # no credentials, endpoint unreachable, timeouts, invalid parameters
            raise MeetingProviderError(f'Chime {operation} failed: {type(error).__name__}: {error}',
                                       operation=operation, code=type(error).__name__) from error

    def _discard(self, meeting: Mapping[str, Any]) -> None:
        """Best-effort cleanup after a half-failed create: the original error is what the caller must see."""
        try:
            self.delete_meeting(meeting)
        except MeetingProviderError:
            log.exception('chime.cleanup_failed chime_meeting=%s', meeting.get('MeetingId'))


def _check_ids(meeting_id: str, external_ids: list[str]) -> None:
    """Refuse ids Chime would reject, before any call (its limits: 2-64 characters, up to 20 attendees)."""
    if not 2 <= len(meeting_id) <= 64:
        raise ValueError(f'meeting_id must be 2-64 characters, got {len(meeting_id)}')
    if not 1 <= len(external_ids) <= MAX_ATTENDEES:
        raise ValueError(f'a meeting needs 1-{MAX_ATTENDEES} attendees, got {len(external_ids)}')
    if len(set(external_ids)) != len(external_ids):
        raise ValueError('attendee ExternalUserIds must be unique')
    for external_id in external_ids:
        if not 2 <= len(external_id) <= 64:
            raise ValueError(f'ExternalUserId must be 2-64 characters: {external_id!r}')
