"""Doctor check for recording Chime meetings (docs/recording.md): the bucket exists and this identity reaches it, it
is KMS-encrypted, its lifecycle expires recordings, its policy lets the media pipelines write, and the media
pipelines API allows us to call it."""

from __future__ import annotations

from typing import Any

from backend.adapters.aws.doctor.result import CheckResult, DoctorContext
from backend.adapters.aws.error_messages import AWS_ERRORS, describe

PIPELINES_PRINCIPAL = 'mediapipelines.chime.amazonaws.com'
PROBE_PIPELINE_ID = '00000000-0000-4000-8000-000000000000'  # cannot exist: NotFound if allowed, Forbidden if not
NAME = 'recording bucket'


def check_recording(ctx: DoctorContext) -> CheckResult:
    bucket = ctx.value('recordingBucket')
    if not bucket:
        return CheckResult.skip(NAME, 'recordingBucket is not set: Chime meetings are not recorded')
    s3 = ctx.client('s3')
    try:
        s3.head_bucket(Bucket=bucket)
    except AWS_ERRORS as error:
        failure = describe('s3:HeadBucket', error)
        if failure.not_found or failure.code in ('404', 'NoSuchBucket'):
            return CheckResult.fail(NAME, f'no bucket {bucket}', '`vce deploy` makes it (recording = true), or '
                                    'vce configure --recording-bucket NAME')
        if failure.access_denied or failure.code == '403':
            return CheckResult.fail(NAME, f'{bucket}: access denied', 'Allow s3:ListBucket on the bucket and '
                                    's3:GetObject, s3:DeleteObject on its objects for the server\'s role')
        raise failure from error
    problems = [p for p in (_encryption(s3, bucket), _lifecycle(s3, bucket), _policy(s3, bucket),
                            _pipelines(ctx)) if p]
    if problems:
        return CheckResult.fail(NAME, f'{bucket}: ' + '; '.join(problems), 'See docs/recording.md, "aws mode": '
                                '`vce deploy` builds the bucket, key and policies as needed')
    return CheckResult.ok(NAME, f'{bucket}: KMS-encrypted, expires recordings, the media pipelines may write')


def _encryption(s3: Any, bucket: str) -> str:
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)['ServerSideEncryptionConfiguration']['Rules']
    except AWS_ERRORS as error:
        code = describe('s3:GetEncryptionConfiguration', error).code
        return 'not encrypted with a KMS key' if code == 'ServerSideEncryptionConfigurationNotFoundError' else \
            f'encryption unreadable ({code})'
    algorithms = {r.get('ApplyServerSideEncryptionByDefault', {}).get('SSEAlgorithm') for r in rules}
    return '' if algorithms & {'aws:kms', 'aws:kms:dsse'} else 'not encrypted with a KMS key'


def _lifecycle(s3: Any, bucket: str) -> str:
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)['Rules']
    except AWS_ERRORS as error:
        code = describe('s3:GetLifecycleConfiguration', error).code
        return 'no lifecycle: recordings are never deleted' if code == 'NoSuchLifecycleConfiguration' else \
            f'lifecycle unreadable ({code})'
    expiring = [r for r in rules if r.get('Status') == 'Enabled' and r.get('Expiration')]
    return '' if expiring else 'no lifecycle rule expires objects: recordings are never deleted'


def _policy(s3: Any, bucket: str) -> str:
    try:
        policy = s3.get_bucket_policy(Bucket=bucket)['Policy']
    except AWS_ERRORS as error:
        return f'no bucket policy for the media pipelines ({describe("s3:GetBucketPolicy", error).code})'
    return '' if PIPELINES_PRINCIPAL in policy else f'the bucket policy does not let {PIPELINES_PRINCIPAL} write'


def _pipelines(ctx: DoctorContext) -> str:
    try:
        ctx.client('chime-sdk-media-pipelines').get_media_pipeline(MediaPipelineId=PROBE_PIPELINE_ID)
    except AWS_ERRORS as error:
        failure = describe('chime:GetMediaPipeline', error)
        if failure.not_found:
            return ''
        if failure.access_denied:
            return 'chime:GetMediaPipeline is denied (allow the media pipeline actions of deploy/task_permissions.py)'
        return f'the media pipelines API failed: {failure}'
    return ''  # pragma: no cover - the probe id never exists
