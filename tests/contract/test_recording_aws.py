"""aws mode's recording pieces against botocore's models and moto: every Chime media pipelines request and response
is validated by Stubber against the service model (moto has no Chime); S3 and DynamoDB run in moto."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from backend.adapters.aws.chime_media_pipelines import (
    SERVICE,
    ChimeMediaCapture,
    capture_request,
    concatenation_request,
)
from backend.adapters.aws.doctor import DoctorContext, Status
from backend.adapters.aws.doctor.recording_checks import check_recording
from backend.adapters.aws.dynamo_recordings import DynamoRecordingStore
from backend.adapters.aws.error_messages import AwsCallFailed
from backend.adapters.aws.s3_recordings import CLIENT_CONFIG, S3RecordingFiles
from backend.adapters.local.sqlite_recordings import SqliteRecordingStore
from backend.domain.recording import (
    AuditAction,
    AuditEntry,
    ConsentAnswer,
    ConsentPolicy,
    ConsentRecord,
    Recording,
    RecordingQuery,
    RecordingState,
    Segment,
    SegmentState,
)
from backend.settings import Settings
from tests.contract.aws_config_fixtures import FULL
from tests.contract.dynamo_fixtures import moto_dynamodb, new_table
from vce.content_security_policy import ContentSecurityPolicy

REGION = 'eu-west-2'
BUCKET = 'vce-recordings-test'
ACCOUNT = '123456789012'
MEETING_ARN = f'arn:aws:chime:{REGION}:{ACCOUNT}:meeting/11111111-2222-4333-8444-555555555555'
RID = '0f1e2d3c-4b5a-4697-8877-665544332211'
NOW = 1_800_000_000.0


def pipeline_arn(pipeline_id: str) -> str:
    return f'arn:aws:chime:{REGION}:{ACCOUNT}:media-pipeline/{pipeline_id}'


def recording(**changes: Any) -> Recording:
    values: dict[str, Any] = dict(recording_id=RID, contact_id='c-1', meeting_id='m-1', agent_username='ann',
                                  agent_name='Ann Agent', customer_name='Cara', backend='chime', started_at=NOW,
                                  state=RecordingState.RECORDING)
    values.update(changes)
    return Recording(**values)


@pytest.fixture
def pipelines() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(SERVICE, region_name=REGION, aws_access_key_id='testing', aws_secret_access_key='testing')
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


CAPTURE_ID, CONCAT_ID = 'aaaaaaaa-1111-4222-8333-444444444444', 'bbbbbbbb-1111-4222-8333-444444444444'


def expect_start(stub: Stubber) -> None:
    stub.add_response('create_media_capture_pipeline', {'MediaCapturePipeline': {
        'MediaPipelineId': CAPTURE_ID, 'MediaPipelineArn': pipeline_arn(CAPTURE_ID), 'SourceType': 'ChimeSdkMeeting',
        'SourceArn': MEETING_ARN, 'Status': 'Initializing', 'SinkType': 'S3Bucket',
        'SinkArn': f'arn:aws:s3:::{BUCKET}/captures/{RID}'}},
        capture_request(MEETING_ARN, BUCKET, RID))
    stub.add_response('create_media_concatenation_pipeline', {'MediaConcatenationPipeline': {
        'MediaPipelineId': CONCAT_ID, 'MediaPipelineArn': pipeline_arn(CONCAT_ID), 'Status': 'Initializing'}},
        concatenation_request(pipeline_arn(CAPTURE_ID), BUCKET, RID))


def test_a_capture_then_its_concatenation_into_the_bucket(pipelines):
    client, stub = pipelines
    expect_start(stub)
    capture = ChimeMediaCapture(client, bucket=BUCKET).start_capture(recording(), {'MeetingArn': MEETING_ARN})
    assert capture == {'capture_id': CAPTURE_ID, 'capture_arn': pipeline_arn(CAPTURE_ID),
                       'concatenation_id': CONCAT_ID, 'output_prefix': f'recordings/{RID}/'}
    request = capture_request(MEETING_ARN, BUCKET, RID)
    artifacts = request['ChimeSdkMeetingConfiguration']['ArtifactsConfiguration']
    assert artifacts['Audio'] == {'MuxType': 'AudioWithCompositedVideo'}  # both voices, in the composited video
    assert artifacts['CompositedVideo']['GridViewConfiguration'] == {'ContentShareLayout': 'PresenterOnly'}


def test_stop_and_the_concatenations_state(pipelines):
    client, stub = pipelines
    capture = {'capture_id': CAPTURE_ID, 'concatenation_id': CONCAT_ID, 'output_prefix': f'recordings/{RID}/'}
    stub.add_response('delete_media_capture_pipeline', {}, {'MediaPipelineId': CAPTURE_ID})
    for status in ('Initializing', 'InProgress', 'Stopped', 'Failed'):
        stub.add_response('get_media_pipeline', {'MediaPipeline': {'MediaConcatenationPipeline': {
            'MediaPipelineId': CONCAT_ID, 'Status': status}}}, {'MediaPipelineId': CONCAT_ID})
    stub.add_client_error('delete_media_capture_pipeline', service_error_code='NotFoundException',
                          http_status_code=404, expected_params={'MediaPipelineId': CAPTURE_ID})
    captures = ChimeMediaCapture(client, bucket=BUCKET)
    captures.stop_capture(capture)
    assert [captures.capture_status(capture) for _ in range(4)] == ['running', 'finishing', 'done', 'failed']
    captures.stop_capture(capture)  # the meeting ended and took the capture with it: nothing to stop


def test_a_refused_concatenation_stops_the_capture_again(pipelines):
    client, stub = pipelines
    stub.add_response('create_media_capture_pipeline', {'MediaCapturePipeline': {
        'MediaPipelineId': CAPTURE_ID, 'MediaPipelineArn': pipeline_arn(CAPTURE_ID)}},
        capture_request(MEETING_ARN, BUCKET, RID))
    stub.add_client_error('create_media_concatenation_pipeline', service_error_code='ForbiddenException',
                          http_status_code=403)
    stub.add_response('delete_media_capture_pipeline', {}, {'MediaPipelineId': CAPTURE_ID})
    with pytest.raises(AwsCallFailed) as failed:
        ChimeMediaCapture(client, bucket=BUCKET).start_capture(recording(), {'MeetingArn': MEETING_ARN})
    assert failed.value.operation == 'chime:CreateMediaConcatenationPipeline' and failed.value.access_denied


def test_the_requests_are_valid_for_the_model():
    """Stubber validates parameters against the model; a missing required member would fail here."""
    client = boto3.client(SERVICE, region_name=REGION, aws_access_key_id='testing', aws_secret_access_key='testing')
    model = client.meta.service_model
    for operation, request in (('CreateMediaCapturePipeline', capture_request(MEETING_ARN, BUCKET, RID)),
                               ('CreateMediaConcatenationPipeline',
                                concatenation_request(pipeline_arn(CAPTURE_ID), BUCKET, RID))):
        shape = model.operation_model(operation).input_shape
        assert set(shape.required_members) <= set(request)
        assert set(request) <= set(shape.members)


@pytest.fixture
def s3(moto) -> Iterator[Any]:
    client = boto3.client('s3', region_name=REGION, config=CLIENT_CONFIG)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={'LocationConstraint': REGION})
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get('Contents', []):  # moto may outlive the test
        client.delete_object(Bucket=BUCKET, Key=item['Key'])
    client.delete_bucket(Bucket=BUCKET)


def test_the_concatenated_mp4_is_found_described_and_signed_for_the_csp_origin(s3):
    files = S3RecordingFiles(s3, bucket=BUCKET)
    assert files.find_output(f'recordings/{RID}/') is None
    key = f'recordings/{RID}/composited-video/2026-12-07T10-00-00.mp4'
    s3.put_object(Bucket=BUCKET, Key=f'recordings/{RID}/audio/x.txt', Body=b'-')
    s3.put_object(Bucket=BUCKET, Key=key, Body=b'm' * 1234)
    assert files.find_output(f'recordings/{RID}/') == key
    assert files.describe_object(key) == (1234, 0.0)
    assert files.describe_object(f'recordings/{RID}/nothing.mp4') is None
    url = files.presigned_url(key, download_name='recording-c-1-1.mp4', expires_seconds=300)
    assert url is not None and 'X-Amz-Expires=300' in url and 'attachment' in url
    settings = Settings(mode='aws', demo=True, aws_region=REGION, recording_bucket=BUCKET,
                        connect_instance_url='https://example.my.connect.aws')
    media = ContentSecurityPolicy.for_settings(settings).media_src
    assert any(url.startswith(origin + '/') for origin in media)  # the browser may load it


def test_deleting_removes_the_mp4_and_the_chunks(s3):
    for key in (f'recordings/{RID}/composited-video/a.mp4', f'captures/{RID}/composited-video/1.mp4',
                'recordings/another/composited-video/b.mp4'):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b'-')
    S3RecordingFiles(s3, bucket=BUCKET).delete_objects(recording())
    left = [o['Key'] for o in s3.list_objects_v2(Bucket=BUCKET).get('Contents', [])]
    assert left == ['recordings/another/composited-video/b.mp4']


@pytest.fixture(scope='module')
def dynamodb() -> Iterator[Any]:
    with moto_dynamodb() as client:
        yield client


@pytest.fixture(params=['sqlite', 'dynamodb'])
def store(request) -> Any:
    if request.param == 'sqlite':
        return SqliteRecordingStore(':memory:')
    client = request.getfixturevalue('dynamodb')
    return DynamoRecordingStore(client, new_table(client))


def test_both_stores_keep_recordings_alike(store):
    consent = (ConsentRecord(ConsentPolicy.REQUIRE, ConsentAnswer.ACCEPTED, NOW),)
    first = recording(recording_id='11111111-0000-4000-8000-000000000001', state=RecordingState.AWAITING_CONSENT)
    second = recording(recording_id='11111111-0000-4000-8000-000000000002', started_at=NOW + 60, contact_id='c-2',
                       customer_name='Dora', consent=consent, capture={'capture_id': CAPTURE_ID},
                       segments=(Segment(0, NOW + 60, SegmentState.READY, NOW + 90, 1234, 30.0, 'k.mp4',
                                         'video/mp4'),), state=RecordingState.READY, stopped_at=NOW + 90)
    store.save_recording(first)
    store.save_recording(second)
    assert store.get_recording(second.recording_id) == second
    assert store.recordings_for_contact('c-1') == [first]
    assert [r.recording_id for r in store.list_recordings(RecordingQuery())] == [second.recording_id,
                                                                                 first.recording_id]
    assert store.list_recordings(RecordingQuery(text='dora')) == [second]
    assert store.list_recordings(RecordingQuery(consent=ConsentAnswer.ACCEPTED)) == [second]
    assert [r.recording_id for r in store.unfinished_recordings()] == [first.recording_id]
    store.save_recording(recording(recording_id=first.recording_id, state=RecordingState.FAILED))
    assert store.unfinished_recordings() == []
    assert [r.recording_id for r in store.recordings_started_before(NOW + 1)] == [first.recording_id]
    store.delete_recording(first.recording_id)
    assert store.get_recording(first.recording_id) is None and store.recordings_for_contact('c-1') == []
    for i, action in enumerate((AuditAction.PLAYED, AuditAction.DELETED)):
        store.add_audit_entry(AuditEntry(NOW + i, 'sue', action, second.recording_id, 'c-2', f'part {i}'))
    assert [e.action for e in store.audit_entries(10)] == [AuditAction.DELETED, AuditAction.PLAYED]
    assert len(store.audit_entries(1)) == 1


def doctor(s3_client: Any, pipelines_client: Any, **values: str) -> DoctorContext:
    made = {'s3': s3_client, SERVICE: pipelines_client}
    return DoctorContext({**FULL, **values}, REGION, [], lambda service, region: made[service])


def test_doctor_checks_the_bucket_and_the_pipelines_permission(s3, pipelines):
    client, stub = pipelines
    assert check_recording(doctor(s3, client)).status is Status.SKIP
    missing = check_recording(doctor(s3, client, recordingBucket='no-such-bucket-here'))
    assert missing.status is Status.FAIL and 'no bucket' in missing.detail
    stub.add_client_error('get_media_pipeline', service_error_code='ForbiddenException', http_status_code=403)
    bare = check_recording(doctor(s3, client, recordingBucket=BUCKET))
    assert bare.status is Status.FAIL
    for problem in ('not encrypted with a KMS key', 'no lifecycle', 'no bucket policy', 'GetMediaPipeline is denied'):
        assert problem in bare.detail
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={'Rules': [{
        'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'aws:kms', 'KMSMasterKeyID': 'alias/recordings'}}]})
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={'Rules': [{
        'ID': 'Retention', 'Filter': {'Prefix': 'recordings/'}, 'Status': 'Enabled', 'Expiration': {'Days': 90}}]})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({'Version': '2012-10-17', 'Statement': [{
        'Effect': 'Allow', 'Principal': {'Service': 'mediapipelines.chime.amazonaws.com'},
        'Action': 's3:PutObject', 'Resource': f'arn:aws:s3:::{BUCKET}/*'}]}))
    stub.add_client_error('get_media_pipeline', service_error_code='NotFoundException', http_status_code=404)
    ready = check_recording(doctor(s3, client, recordingBucket=BUCKET))
    assert ready.status is Status.OK, ready.detail


def test_a_chime_recording_from_start_to_playable(s3, pipelines):
    """The service on the aws pieces: capture, stop, the sweep finds the MP4 once the concatenation is done."""
    import asyncio

    from tests.contract.recording_on_chime import chime_recording_run

    client, stub = pipelines
    expect_start(stub)
    stub.add_response('delete_media_capture_pipeline', {}, {'MediaPipelineId': CAPTURE_ID})
    stub.add_response('get_media_pipeline', {'MediaPipeline': {'MediaConcatenationPipeline': {
        'MediaPipelineId': CONCAT_ID, 'Status': 'InProgress'}}}, {'MediaPipelineId': CONCAT_ID})
    stub.add_response('get_media_pipeline', {'MediaPipeline': {'MediaConcatenationPipeline': {
        'MediaPipelineId': CONCAT_ID, 'Status': 'Stopped'}}}, {'MediaPipelineId': CONCAT_ID})
    started = time.monotonic()
    done = asyncio.run(chime_recording_run(client, s3, BUCKET, MEETING_ARN, RID))
    assert done.state is RecordingState.READY and done.segments[0].key.endswith('.mp4')
    assert done.size_bytes == 2048 and time.monotonic() - started >= 0
