"""Recording storage in the stack (docs/recording.md): a private KMS-encrypted bucket the Chime media pipelines of
this account may write, lifecycle = the retention, the server told where it is; no bucket when recording is off."""

from __future__ import annotations

from tests.contract.deploy.stacks import Synthesized


def web_environment(stack: Synthesized) -> dict[str, str]:
    (definition,) = stack.resources('AWS::ECS::TaskDefinition').values()
    (container,) = definition['Properties']['ContainerDefinitions']
    return {e['Name']: e['Value'] for e in container.get('Environment', [])}


def test_the_bucket_is_private_kms_encrypted_and_expires_with_the_retention(new_instance: Synthesized):
    (bucket,) = [b for name, b in new_instance.resources('AWS::S3::Bucket').items() if name.startswith('Recordings')]
    properties = bucket['Properties']
    (rule,) = properties['BucketEncryption']['ServerSideEncryptionConfiguration']
    assert rule['ServerSideEncryptionByDefault']['SSEAlgorithm'] == 'aws:kms' and rule['BucketKeyEnabled']
    assert properties['PublicAccessBlockConfiguration'] == {
        'BlockPublicAcls': True, 'BlockPublicPolicy': True, 'IgnorePublicAcls': True, 'RestrictPublicBuckets': True}
    rules = {r['Id']: r for r in properties['LifecycleConfiguration']['Rules']}
    assert rules['Retention']['ExpirationInDays'] == 30 and rules['Retention']['Prefix'] == 'recordings/'
    assert rules['CaptureChunks']['ExpirationInDays'] == 1 and rules['CaptureChunks']['Prefix'] == 'captures/'
    (key,) = new_instance.resources('AWS::KMS::Key').values()
    assert key['Properties']['EnableKeyRotation'] is True


def test_only_this_accounts_media_pipelines_may_write(new_instance: Synthesized):
    policies = [p['Properties']['PolicyDocument']['Statement'] for p in
                new_instance.resources('AWS::S3::BucketPolicy').values()]
    (statement,) = [s for statements in policies for s in statements if s.get('Sid') == 'MediaPipelinesWrite']
    assert statement['Principal'] == {'Service': 'mediapipelines.chime.amazonaws.com'}
    assert set(statement['Condition']) == {'StringEquals', 'ArnLike'}
    assert 'aws:SourceAccount' in statement['Condition']['StringEquals']


def test_the_server_knows_the_bucket_policy_and_retention(new_instance: Synthesized):
    environment = web_environment(new_instance)
    assert environment['VCE_RECORDING_CONSENT_POLICY'] == 'notify'
    assert environment['VCE_RECORDING_RETENTION_DAYS'] == '30'
    (parameter,) = [p['Properties'] for p in new_instance.resources('AWS::SSM::Parameter').values()
                    if p['Properties']['Name'].endswith('/recordingBucket')]
    assert parameter['Value'] == {'Ref': next(name for name in new_instance.resources('AWS::S3::Bucket')
                                              if name.startswith('Recordings'))}


def test_supervisors_are_a_cognito_group(each_stack: Synthesized):
    (group,) = each_stack.resources('AWS::Cognito::UserPoolGroup').values()
    assert group['Properties']['GroupName'] == 'supervisors'


def test_no_recording_no_bucket_and_no_grants(existing_instance: Synthesized):
    assert not [name for name in existing_instance.resources('AWS::S3::Bucket') if name.startswith('Recordings')]
    assert 'VCE_RECORDING_CONSENT_POLICY' not in web_environment(existing_instance)
    assert not [p for p in existing_instance.resources('AWS::SSM::Parameter').values()
                if p['Properties']['Name'].endswith('/recordingBucket')]
