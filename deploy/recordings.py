"""Recording storage (docs/recording.md): a private S3 bucket, encrypted with the stack's own KMS key, that the
Amazon Chime SDK media pipelines write into (the capture's 5-second chunks below ``captures/``, the concatenated MP4
below ``recordings/``), with a lifecycle that deletes chunks after a day and recordings after the retention.

The key policy and the bucket policy let the media pipelines service principal write, only for this account's
pipelines (``aws:SourceAccount``, ``aws:SourceArn``); the server's task role reads (presigned playback URLs: also
``kms:Decrypt``), lists and deletes (task_permissions.py). Who played, downloaded or deleted what is in the product's
audit log; S3 server access logging is off (cdk-nag S1 accepted in nag.py: every read is a presigned URL of the
task role, which CloudTrail data events can record if wanted).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

PIPELINES = 'mediapipelines.chime.amazonaws.com'
CAPTURE_PREFIX = 'captures/'  # backend/adapters/aws/chime_media_pipelines.py
OUTPUT_PREFIX = 'recordings/'


@dataclass(frozen=True)
class RecordingStorage:
    bucket: s3.Bucket
    key: kms.Key


def build_recording_storage(scope: Construct, *, retention_days: int, retain_data: bool) -> RecordingStorage:
    removal = RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
    key = kms.Key(scope, 'RecordingKey', enable_key_rotation=True, removal_policy=removal,
                  description='Encrypts the video call recordings (Chime SDK media pipelines write with it)')
    conditions = {'StringEquals': {'aws:SourceAccount': Aws.ACCOUNT_ID},
                  'ArnLike': {'aws:SourceArn': f'arn:{Aws.PARTITION}:chime:*:{Aws.ACCOUNT_ID}:*'}}
    key.add_to_resource_policy(iam.PolicyStatement(
        sid='MediaPipelinesEncrypt', principals=[iam.ServicePrincipal(PIPELINES)],
        actions=['kms:GenerateDataKey', 'kms:Decrypt'], resources=['*'], conditions=conditions))
    bucket = s3.Bucket(
        scope, 'Recordings', encryption=s3.BucketEncryption.KMS, encryption_key=key, bucket_key_enabled=True,
        enforce_ssl=True, block_public_access=s3.BlockPublicAccess.BLOCK_ALL, removal_policy=removal,
        auto_delete_objects=not retain_data, object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[
            s3.LifecycleRule(id='CaptureChunks', prefix=CAPTURE_PREFIX, expiration=Duration.days(1)),
            s3.LifecycleRule(id='Retention', prefix=OUTPUT_PREFIX, expiration=Duration.days(retention_days)),
            s3.LifecycleRule(id='Uploads', abort_incomplete_multipart_upload_after=Duration.days(1)),
        ])
    bucket.add_to_resource_policy(iam.PolicyStatement(
        sid='MediaPipelinesWrite', principals=[iam.ServicePrincipal(PIPELINES)],
        actions=['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject', 's3:ListBucket'],
        resources=[bucket.bucket_arn, bucket.arn_for_objects('*')], conditions=conditions))
    return RecordingStorage(bucket=bucket, key=key)
