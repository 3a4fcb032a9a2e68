"""ChimeMeetingProvider against the real ``chime-sdk-meetings`` service model (botocore Stubber, no network).

The Stubber makes botocore validate every request we send and every canned response against the service's model,
so a wrong parameter name, type or length, or an unrealistic response, fails here rather than in AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber

from backend.adapters.aws import chime_meetings
from backend.adapters.aws.chime_meetings import ChimeMeetingProvider, MeetingProviderError

REGION = 'us-east-1'
MEDIA_REGION = 'eu-west-2'
MEETING_ID = '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'  # ours: ClientRequestToken and ExternalMeetingId
CHIME_MEETING_ID = '4f8a9c1e-2b3d-4e5f-8a6b-7c9d0e1f2a3b'  # Chime's
AGENT = '5d0c4a8e-1f2b-4c3d-9e8f-7a6b5c4d3e2f'
CUSTOMER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
AGENT_ATTENDEE = '6e2f1a0b-9c8d-4e7f-a6b5-c4d3e2f1a0b9'
CUSTOMER_ATTENDEE = '7f3a2b1c-0d9e-4f8a-b7c6-d5e4f3a2b1c0'
TOKEN_PREFIX = 'SECRET-JOIN-TOKEN'  # must never appear in an error message or a log line


def meeting(external_id: str = MEETING_ID) -> dict[str, Any]:
    """A Meeting as CreateMeetingWithAttendees returns it (URLs shaped like real ones, hosts made up)."""
    host = f'{CHIME_MEETING_ID[:8]}.k.m3.ew2.app.chime.aws'
    return {
        'MeetingId': CHIME_MEETING_ID,
        'ExternalMeetingId': external_id,
        'MediaRegion': MEDIA_REGION,
        'MediaPlacement': {
            'AudioHostUrl': f'{host}:3478',
            'AudioFallbackUrl': f'wss://haxrp.m3.ew2.app.chime.aws:443/calls/{CHIME_MEETING_ID}',
            'SignalingUrl': f'wss://signal.m3.ew2.app.chime.aws/control/{CHIME_MEETING_ID}',
            'TurnControlUrl': 'https://2713.cell.eu-west-2.meetings.chime.aws/v2/turn_sessions',
            'ScreenDataUrl': f'wss://bitpw.m3.ew2.app.chime.aws:443/v2/screen/{CHIME_MEETING_ID}',
            'ScreenViewingUrl': f'wss://bitpw.m3.ew2.app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null'
                                f'&X-BitHub-Call-Id={CHIME_MEETING_ID}',
            'ScreenSharingUrl': f'wss://bitpw.m3.ew2.app.chime.aws:443/v2/screen/{CHIME_MEETING_ID}',
            'EventIngestionUrl': f'https://data.svc.ew2.ingest.chime.aws/v1/client-events/{CHIME_MEETING_ID}',
        },
        'MeetingArn': f'arn:aws:chime:{REGION}:123456789012:meeting/{CHIME_MEETING_ID}',
    }


def attendee(external_id: str, attendee_id: str) -> dict[str, Any]:
    return {
        'ExternalUserId': external_id,
        'AttendeeId': attendee_id,
        'JoinToken': f'{TOKEN_PREFIX}-{attendee_id}',
        'Capabilities': {'Audio': 'SendReceive', 'Video': 'SendReceive', 'Content': 'SendReceive'},
    }


CREATE_PARAMS = {
    'ClientRequestToken': MEETING_ID,
    'ExternalMeetingId': MEETING_ID,
    'MediaRegion': MEDIA_REGION,
    'Attendees': [{'ExternalUserId': AGENT}, {'ExternalUserId': CUSTOMER}],
}
ATTENDEES = [(AGENT, 'Ann Agent'), (CUSTOMER, 'Carla Customer')]


@pytest.fixture
def client() -> Any:
    return boto3.client('chime-sdk-meetings', region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x')


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def provider(client: Any, stub: Stubber) -> ChimeMeetingProvider:
    return ChimeMeetingProvider(client, region=REGION, media_region=MEDIA_REGION)


def test_create_meeting_with_attendees_sends_ids_but_no_names(provider: ChimeMeetingProvider, stub: Stubber,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level('DEBUG')
    agent, customer = attendee(AGENT, AGENT_ATTENDEE), attendee(CUSTOMER, CUSTOMER_ATTENDEE)
    stub.add_response('create_meeting_with_attendees',
                      {'Meeting': meeting(), 'Attendees': [customer, agent], 'Errors': []}, CREATE_PARAMS)

    got_meeting, got_attendees = provider.create_meeting_with_attendees(MEETING_ID, ATTENDEES)

    assert got_meeting == meeting()
    assert list(got_attendees) == [AGENT, CUSTOMER]  # in the order asked for, whatever order Chime answers in
    assert got_attendees[AGENT] == agent
    assert {k: got_attendees[CUSTOMER][k] for k in ('AttendeeId', 'ExternalUserId', 'JoinToken')} == {
        'AttendeeId': CUSTOMER_ATTENDEE, 'ExternalUserId': CUSTOMER, 'JoinToken': f'{TOKEN_PREFIX}-{CUSTOMER_ATTENDEE}'}
    assert TOKEN_PREFIX not in caplog.text
    assert CHIME_MEETING_ID in caplog.text


def test_join_payload_is_what_meeting_session_configuration_takes(provider: ChimeMeetingProvider) -> None:
    payload = provider.join_payload(meeting(), attendee(AGENT, AGENT_ATTENDEE), 'Ann Agent')
    assert payload == {'Meeting': meeting(), 'Attendee': attendee(AGENT, AGENT_ATTENDEE), 'name': 'Ann Agent'}
    assert provider.backend == 'chime'


def test_attendee_errors_delete_the_meeting_and_raise(provider: ChimeMeetingProvider, stub: Stubber,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level('DEBUG')
    stub.add_response('create_meeting_with_attendees', {
        'Meeting': meeting(),
        'Attendees': [attendee(AGENT, AGENT_ATTENDEE)],
        'Errors': [{'ExternalUserId': CUSTOMER, 'ErrorCode': 'LimitExceeded', 'ErrorMessage': 'Too many attendees'}],
    }, CREATE_PARAMS)
    stub.add_response('delete_meeting', {}, {'MeetingId': CHIME_MEETING_ID})

    with pytest.raises(MeetingProviderError) as raised:
        provider.create_meeting_with_attendees(MEETING_ID, ATTENDEES)

    message = str(raised.value)
    assert 'CreateMeetingWithAttendees' in message and CUSTOMER in message and 'LimitExceeded' in message
    assert 'deleted' in message
    assert raised.value.operation == 'CreateMeetingWithAttendees'
    assert TOKEN_PREFIX not in message and TOKEN_PREFIX not in caplog.text


def test_attendee_errors_still_raise_when_the_cleanup_fails(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_response('create_meeting_with_attendees', {
        'Meeting': meeting(), 'Attendees': [],
        'Errors': [{'ExternalUserId': AGENT, 'ErrorCode': 'BadRequest', 'ErrorMessage': 'x'},
                   {'ExternalUserId': CUSTOMER, 'ErrorCode': 'BadRequest', 'ErrorMessage': 'x'}],
    }, CREATE_PARAMS)
    stub.add_client_error('delete_meeting', service_error_code='ServiceUnavailableException',
                          service_message='Try later', http_status_code=503,
                          expected_params={'MeetingId': CHIME_MEETING_ID})

    with pytest.raises(MeetingProviderError, match='CreateMeetingWithAttendees') as raised:
        provider.create_meeting_with_attendees(MEETING_ID, ATTENDEES)
    assert raised.value.code == 'AttendeeErrors'


def test_create_client_error_names_the_operation(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_client_error('create_meeting_with_attendees', service_error_code='ThrottlingException',
                          service_message='Rate exceeded', http_status_code=429, expected_params=CREATE_PARAMS)

    with pytest.raises(MeetingProviderError, match=r'Chime CreateMeetingWithAttendees failed: ThrottlingException: '
                                                   r'Rate exceeded') as raised:
        provider.create_meeting_with_attendees(MEETING_ID, ATTENDEES)
    assert raised.value.operation == 'CreateMeetingWithAttendees'
    assert raised.value.code == 'ThrottlingException'


def test_delete_meeting(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_response('delete_meeting', {}, {'MeetingId': CHIME_MEETING_ID})
    provider.delete_meeting(meeting())


def test_delete_meeting_already_gone_is_fine(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_client_error('delete_meeting', service_error_code='NotFoundException',
                          service_message='The meeting does not exist', http_status_code=404,
                          expected_params={'MeetingId': CHIME_MEETING_ID})
    provider.delete_meeting(meeting())


def test_delete_meeting_other_errors_are_mapped(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_client_error('delete_meeting', service_error_code='ForbiddenException',
                          service_message='Not authorized', http_status_code=403,
                          expected_params={'MeetingId': CHIME_MEETING_ID})
    with pytest.raises(MeetingProviderError, match='Chime DeleteMeeting failed: ForbiddenException') as raised:
        provider.delete_meeting(meeting())
    assert raised.value.operation == 'DeleteMeeting'


def test_delete_attendee(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_response('delete_attendee', {}, {'MeetingId': CHIME_MEETING_ID, 'AttendeeId': CUSTOMER_ATTENDEE})
    provider.delete_attendee(meeting(), CUSTOMER_ATTENDEE)


def test_delete_attendee_already_gone_is_fine(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_client_error('delete_attendee', service_error_code='NotFoundException', http_status_code=404,
                          expected_params={'MeetingId': CHIME_MEETING_ID, 'AttendeeId': CUSTOMER_ATTENDEE})
    provider.delete_attendee(meeting(), CUSTOMER_ATTENDEE)


def test_delete_attendee_other_errors_are_mapped(provider: ChimeMeetingProvider, stub: Stubber) -> None:
    stub.add_client_error('delete_attendee', service_error_code='ServiceFailureException', http_status_code=500,
                          expected_params={'MeetingId': CHIME_MEETING_ID, 'AttendeeId': CUSTOMER_ATTENDEE})
    with pytest.raises(MeetingProviderError, match='Chime DeleteAttendee failed: ServiceFailureException'):
        provider.delete_attendee(meeting(), CUSTOMER_ATTENDEE)


@pytest.mark.parametrize('attendees', [[], [('x', 'Too short')], [(AGENT, 'A'), (AGENT, 'Same id')],
                                       [('y' * 65, 'Too long')]])
def test_ids_chime_would_refuse_are_refused_before_any_call(provider: ChimeMeetingProvider, stub: Stubber,
                                                            attendees: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError):
        provider.create_meeting_with_attendees(MEETING_ID, attendees)


def test_the_canned_response_itself_is_checked_against_the_model(stub: Stubber) -> None:
    """Guards the guard: a typo in a canned response (as in our adapter's reading of it) is caught by the Stubber."""
    with pytest.raises(ParamValidationError, match='MeetingID'):
        stub.add_response('create_meeting_with_attendees', {'Meeting': {'MeetingID': CHIME_MEETING_ID}})


def test_only_the_chime_sdk_meetings_client_is_used() -> None:
    source = Path(chime_meetings.__file__).read_text()
    assert "SERVICE = 'chime-sdk-meetings'" in source
    assert not re.search(r"""client\(\s*['"]chime['"]""", source), 'the legacy chime client must not be used'
    assert not re.search(r"""['"]chime['"]\s*[,)]""", source.replace("backend = 'chime'", ''))


def test_default_client_is_chime_sdk_meetings_in_the_given_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'x')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'x')
    provider = ChimeMeetingProvider(region='eu-central-1', media_region=MEDIA_REGION)
    service_model = provider._client.meta.service_model
    assert service_model.service_name == 'chime-sdk-meetings'
    assert provider._client.meta.region_name == 'eu-central-1'
