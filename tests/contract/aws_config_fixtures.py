"""Shared setup for the `vce configure` / doctor / flows export tests: fake credentials, no profile, no .env."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

REGION = 'eu-west-2'
ACCOUNT = '123456789012'  # moto's account
INSTANCE_ID = '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
INSTANCE_ARN = f'arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}'
QUEUE_ID = '11111111-2222-4333-8444-555555555555'
QUEUE_ARN = f'{INSTANCE_ARN}/queue/{QUEUE_ID}'
CHAT_FLOW_ID = '22222222-3333-4444-8555-666666666666'
QUEUE_FLOW_ID = '33333333-4444-4555-8666-777777777777'
VOICE_QUEUE_FLOW_ID = '44444444-5555-4666-8777-888888888888'
WEBSITE = 'https://video.example.com'
SECRET = 'a-long-storage-secret-0123456789'
CLIENT_SECRET = 'oidc-client-secret-value'

FULL = {
    'connectInstanceURL': 'https://example-bank.my.connect.aws',
    'connectInstanceARN': INSTANCE_ARN,
    'connectDefaultContactFlowId': CHAT_FLOW_ID,
    'connectQueueFlowId': QUEUE_FLOW_ID,
    'connectVoiceQueueFlowId': VOICE_QUEUE_FLOW_ID,
    'connectBasicQueueARN': QUEUE_ARN,
    'chimeMediaRegion': 'eu-west-2',
    'websiteURL': WEBSITE,
    'storageSecret': SECRET,
    'oidcDiscoveryURL': 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Abc123/.well-known/'
                        'openid-configuration',
    'oidcClientId': 'client-id-1',
    'oidcClientSecret': CLIENT_SECRET,
}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Fake credentials only; no shared config or profile, no VCE_* leftovers, a working folder without .env."""
    for name in ('AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_REGION'):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith('VCE_')]:
        monkeypatch.delenv(name)
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'testing')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'testing')
    monkeypatch.setenv('AWS_DEFAULT_REGION', REGION)
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')  # never ask 169.254.169.254 for credentials
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'no-aws-config'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'no-aws-credentials'))
    monkeypatch.setenv('VCE_AWS_REGION', REGION)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def moto(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield
