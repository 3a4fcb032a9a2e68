"""aws mode's recording files in S3: the concatenated MP4 of each recording, played and downloaded through
short-lived presigned URLs (the browser fetches the object straight from S3; the page's CSP allows the bucket's
origin for media), deleted with the recording. The bucket is KMS-encrypted and private (the deployment's stack).
"""

from __future__ import annotations

import logging
from typing import Any

from backend.adapters.aws.error_messages import AWS_ERRORS, describe
from backend.domain.recording import Recording
from backend.ports import RecordingArchive

try:
    from botocore.config import Config
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('recordings in S3 need boto3: pip install "video-call-escalation[aws]"') from error

log = logging.getLogger('vce.aws.recording')

CAPTURE_PREFIX = 'captures'
OUTPUT_PREFIX = 'recordings'
# presigned URLs on the bucket's regional virtual-hosted name (the CSP allows exactly that origin), SigV4 (KMS)
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={'mode': 'standard', 'max_attempts': 3},
                       signature_version='s3v4', s3={'addressing_style': 'virtual',
                                                     'us_east_1_regional_endpoint': 'regional'})


def bucket_origin(bucket: str, region: str) -> str:
    """The origin presigned URLs of ``bucket`` point at (virtual-hosted style), for the CSP's media-src."""
    return f'https://{bucket}.s3.{region}.amazonaws.com'


class S3RecordingFiles(RecordingArchive):
    kind = 's3'

    def __init__(self, client: Any, *, bucket: str) -> None:
        self._client, self.bucket = client, bucket

    def append_chunk(self, recording_id: str, segment: int, data: bytes) -> int:
        raise NotImplementedError('Chime meetings are captured server-side; nothing is uploaded from browsers')

    def finish_segment(self, recording_id: str, segment: int) -> tuple[str, int, float]:
        return '', 0, 0.0

    def segment_written_at(self, recording_id: str, segment: int) -> float | None:
        return None

    def find_output(self, prefix: str) -> str | None:
        """The concatenation's MP4 below ``prefix`` (``…/composited-video/<time>.mp4``)."""
        try:
            response = self._client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=100)
        except AWS_ERRORS as error:
            raise describe('s3:ListObjectsV2', error) from error
        keys = [o['Key'] for o in response.get('Contents', []) if o['Key'].endswith('.mp4')]
        return next((k for k in keys if '/composited-video/' in k), keys[0] if keys else None)

    def describe_object(self, key: str) -> tuple[int, float] | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except AWS_ERRORS as error:
            failure = describe('s3:HeadObject', error)
            if failure.not_found or failure.code in ('404', 'NoSuchKey'):
                return None
            raise failure from error
        return int(head.get('ContentLength') or 0), 0.0  # S3 knows no duration: the service uses stop - start

    def local_path(self, key: str) -> str | None:
        return None

    def presigned_url(self, key: str, *, download_name: str | None, expires_seconds: int) -> str | None:
        params: dict[str, Any] = {'Bucket': self.bucket, 'Key': key, 'ResponseContentType': 'video/mp4'}
        if download_name:
            params['ResponseContentDisposition'] = f'attachment; filename="{download_name}"'
        return str(self._client.generate_presigned_url('get_object', Params=params, ExpiresIn=expires_seconds))

    def delete_objects(self, recording: Recording) -> None:
        for prefix in (f'{OUTPUT_PREFIX}/{recording.recording_id}/', f'{CAPTURE_PREFIX}/{recording.recording_id}/'):
            while True:
                try:
                    listed = self._client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1000)
                    keys = [{'Key': o['Key']} for o in listed.get('Contents', [])]
                    if keys:
                        self._client.delete_objects(Bucket=self.bucket, Delete={'Objects': keys, 'Quiet': True})
                except AWS_ERRORS as error:
                    raise describe('s3:DeleteObjects', error) from error
                if not listed.get('IsTruncated'):
                    break
