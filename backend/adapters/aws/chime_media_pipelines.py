"""Recording Chime SDK meetings (aws mode): a media capture pipeline writes the composited call (both cameras, the
screen share, both voices) to S3 in 5-second chunks, and a media concatenation pipeline, created right after it,
waits for the capture to end and writes one playable MP4 (docs/recording.md).

Only the ``chime-sdk-media-pipelines`` API is used. Keys below the bucket: ``captures/<recording id>/`` (the chunks,
kept a day by the bucket's lifecycle) and ``recordings/<recording id>/`` (the MP4, kept for the retention). The
bucket's default encryption is the deployment's KMS key, whose policy lets the media pipelines service use it.
Calls block; the recording service runs them in a worker thread.
"""

from __future__ import annotations

import logging
from typing import Any

from backend.adapters.aws.error_messages import AWS_ERRORS, describe
from backend.domain.recording import Recording
from backend.ports import RecordingCapture

try:
    from botocore.config import Config
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('recording Chime meetings needs boto3: pip install "video-call-escalation[aws]"') from error

log = logging.getLogger('vce.aws.recording')

SERVICE = 'chime-sdk-media-pipelines'
CAPTURE_PREFIX = 'captures'
OUTPUT_PREFIX = 'recordings'
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={'mode': 'standard', 'max_attempts': 3})
_OFF = {'State': 'Disabled'}
_ON = {'State': 'Enabled'}


def capture_request(meeting_arn: str, bucket: str, recording_id: str) -> dict[str, Any]:
    """CreateMediaCapturePipeline: the composited video with both voices muxed in, and nothing else."""
    return {
        'SourceType': 'ChimeSdkMeeting',
        'SourceArn': meeting_arn,
        'SinkType': 'S3Bucket',
        'SinkArn': f'arn:aws:s3:::{bucket}/{CAPTURE_PREFIX}/{recording_id}',
        'ChimeSdkMeetingConfiguration': {'ArtifactsConfiguration': {
            'Audio': {'MuxType': 'AudioWithCompositedVideo'},
            'Video': _OFF,
            'Content': _OFF,
            'CompositedVideo': {'Layout': 'GridView', 'Resolution': 'HD',
                                'GridViewConfiguration': {'ContentShareLayout': 'PresenterOnly'}},
        }},
        'ClientRequestToken': f'{recording_id}-capture',  # a retried start makes no second capture
    }


def concatenation_request(capture_arn: str, bucket: str, recording_id: str) -> dict[str, Any]:
    """CreateMediaConcatenationPipeline: one MP4 of the composited video (with its audio) from the capture."""
    return {
        'Sources': [{'Type': 'MediaCapturePipeline', 'MediaCapturePipelineSourceConfiguration': {
            'MediaPipelineArn': capture_arn,
            'ChimeSdkMeetingConfiguration': {'ArtifactsConfiguration': {
                'Audio': _ON, 'Video': _OFF, 'Content': _OFF, 'DataChannel': _OFF, 'TranscriptionMessages': _OFF,
                'MeetingEvents': _OFF, 'CompositedVideo': _ON}}}}],
        'Sinks': [{'Type': 'S3Bucket', 'S3BucketSinkConfiguration': {
            'Destination': f'arn:aws:s3:::{bucket}/{OUTPUT_PREFIX}/{recording_id}'}}],
        'ClientRequestToken': f'{recording_id}-concatenation',
    }


class ChimeMediaCapture(RecordingCapture):
    def __init__(self, client: Any, *, bucket: str) -> None:
        self._client, self.bucket = client, bucket

    def start_capture(self, recording: Recording, provider_meeting: dict[str, object]) -> dict[str, object]:
        meeting_arn = str(provider_meeting.get('MeetingArn') or '')
        if not meeting_arn:
            raise ValueError('the Chime meeting has no MeetingArn to capture')
        try:
            capture = self._client.create_media_capture_pipeline(
                **capture_request(meeting_arn, self.bucket, recording.recording_id))['MediaCapturePipeline']
        except AWS_ERRORS as error:
            raise describe('chime:CreateMediaCapturePipeline', error) from error
        try:
            concatenation = self._client.create_media_concatenation_pipeline(**concatenation_request(
                capture['MediaPipelineArn'], self.bucket, recording.recording_id))['MediaConcatenationPipeline']
        except AWS_ERRORS as error:  # without it nothing playable comes out: stop the capture again
            self._quietly_delete(capture['MediaPipelineId'])
            raise describe('chime:CreateMediaConcatenationPipeline', error) from error
        log.info('recording.capture_started recording=%s capture=%s concatenation=%s', recording.recording_id,
                 capture['MediaPipelineId'], concatenation['MediaPipelineId'])
        return {'capture_id': capture['MediaPipelineId'], 'capture_arn': capture['MediaPipelineArn'],
                'concatenation_id': concatenation['MediaPipelineId'],
                'output_prefix': f'{OUTPUT_PREFIX}/{recording.recording_id}/'}

    def stop_capture(self, capture: dict[str, object]) -> None:
        try:
            self._client.delete_media_capture_pipeline(MediaPipelineId=str(capture['capture_id']))
        except AWS_ERRORS as error:
            failure = describe('chime:DeleteMediaCapturePipeline', error)
            if not failure.not_found:  # gone already: the meeting ended and took the capture with it
                raise failure from error

    def capture_status(self, capture: dict[str, object]) -> str:
        try:
            pipeline = self._client.get_media_pipeline(MediaPipelineId=str(capture['concatenation_id']))
        except AWS_ERRORS as error:
            failure = describe('chime:GetMediaPipeline', error)
            if failure.not_found:
                return 'failed'
            raise failure from error
        status = (pipeline['MediaPipeline'].get('MediaConcatenationPipeline') or {}).get('Status', '')
        return {'Stopped': 'done', 'Failed': 'failed', 'InProgress': 'finishing'}.get(status, 'running')

    def output_prefix(self, capture: dict[str, object]) -> str:
        return str(capture.get('output_prefix') or '')

    def _quietly_delete(self, pipeline_id: str) -> None:
        try:
            self._client.delete_media_capture_pipeline(MediaPipelineId=pipeline_id)
        except AWS_ERRORS as error:
            log.warning('recording.capture_not_deleted capture=%s error=%s', pipeline_id, error)
