"""Connect instance URLs: both domains give the CCP, login and federation sign-in addresses; bad input is refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.domain.connect_instance import connect_instance_urls
from backend.domain.errors import InvalidInput
from backend.settings import Settings


@pytest.mark.parametrize('url', [
    'https://example.my.connect.aws',
    'https://example.my.connect.aws/',
    '  https://Example.My.Connect.AWS/ccp-v2/  ',
    'https://example.my.connect.aws/login',
])
def test_current_domain(url: str) -> None:
    urls = connect_instance_urls(url)
    assert urls.alias == 'example'
    assert not urls.legacy
    assert urls.base == 'https://example.my.connect.aws'
    assert urls.ccp_url == 'https://example.my.connect.aws/ccp-v2/'
    assert urls.login_url == 'https://example.my.connect.aws/login'
    assert urls.logout_url == 'https://example.my.connect.aws/logout'
    assert urls.federation_sign_in_url == 'https://example.my.connect.aws/auth/sign-in'
    assert urls.origin == 'https://example.my.connect.aws'


@pytest.mark.parametrize('url', [
    'https://my-call-centre.awsapps.com/connect',
    'https://my-call-centre.awsapps.com/connect/',
    'https://MY-CALL-CENTRE.awsapps.com/connect/ccp-v2',
    'https://my-call-centre.awsapps.com/connect/home',
])
def test_legacy_awsapps_domain_keeps_the_connect_path(url: str) -> None:
    urls = connect_instance_urls(url)
    assert urls.alias == 'my-call-centre'
    assert urls.legacy
    assert urls.base == 'https://my-call-centre.awsapps.com/connect'
    assert urls.ccp_url == 'https://my-call-centre.awsapps.com/connect/ccp-v2/'
    assert urls.login_url == 'https://my-call-centre.awsapps.com/connect/login'
    assert urls.federation_sign_in_url == 'https://my-call-centre.awsapps.com/connect/auth/sign-in'
    assert urls.origin == 'https://my-call-centre.awsapps.com'


@pytest.mark.parametrize(('url', 'message'), [
    ('', 'is empty'),
    ('example.my.connect.aws', 'must start with https://'),
    ('http://example.my.connect.aws', 'must start with https://'),
    ('https://example.my.connect.aws:8443', 'without a port'),
    ('https://user@example.my.connect.aws', 'without a port, user'),
    ('https://example.my.connect.aws/?next=/ccp-v2', 'query'),
    ('https://example.com', "'example.com' is not an Amazon Connect instance domain"),
    ('https://example.my.connect.aws.evil.test', 'is not an Amazon Connect instance domain'),
    ('https://a.b.my.connect.aws', "'a.b' is not a valid Amazon Connect instance alias"),
    ('https://-bad.my.connect.aws', 'is not a valid Amazon Connect instance alias'),
    ('https://.my.connect.aws', 'is not a valid Amazon Connect instance alias'),
    ('https://example.awsapps.com', 'use https://example.awsapps.com/connect'),
    ('https://example.awsapps.com/other', 'use https://example.awsapps.com/connect'),
    ('https://example.my.connect.aws/connect', 'use https://example.my.connect.aws'),
])
def test_bad_urls_are_refused_with_what_to_use(url: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        connect_instance_urls(url)
    assert message in str(raised.value)


def test_settings_normalise_the_instance_url_and_default_the_region() -> None:
    settings = Settings(demo=True, connect_instance_url='https://Example.awsapps.com/connect/ccp-v2/',
                        aws_region='eu-west-2')
    assert settings.connect_instance_url == 'https://example.awsapps.com/connect'
    assert settings.connect_instance is not None and settings.connect_instance.legacy
    assert settings.ccp_region == 'eu-west-2'
    assert Settings(demo=True, connect_region='ap-southeast-2').ccp_region == 'ap-southeast-2'
    assert Settings(demo=True).connect_instance is None
    assert Settings(demo=True).connect_login_mode == 'popup'


@pytest.mark.parametrize(('values', 'message'), [
    ({'connect_instance_url': 'https://example.com'}, 'VCE_CONNECT_INSTANCE_URL: '),
    ({'connect_instance_id': 'my-instance'}, "VCE_CONNECT_INSTANCE_ID: 'my-instance' is not an Amazon Connect id; "
                                             'ids are UUIDs'),
    ({'connect_region': 'Europe'}, "VCE_CONNECT_REGION: 'Europe' is not an AWS region code"),
    ({'connect_federation_role_arn': 'ConnectRole'},
     "VCE_CONNECT_FEDERATION_ROLE_ARN: 'ConnectRole' is not an IAM role ARN"),
    ({'connect_login_mode': 'saml'}, "VCE_CONNECT_LOGIN_MODE: 'saml' is not one of: popup, federated"),
    ({'mode': 'aws'}, 'VCE_CONNECT_INSTANCE_URL is required in aws mode'),
    ({'mode': 'aws', 'connect_instance_url': 'https://example.my.connect.aws', 'connect_login_mode': 'federated'},
     'needs VCE_CONNECT_INSTANCE_ID and VCE_CONNECT_FEDERATION_ROLE_ARN'),
    ({'mode': 'aws', 'connect_instance_url': 'https://example.my.connect.aws', 'connect_login_mode': 'federated',
      'connect_instance_id': '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f'}, 'needs VCE_CONNECT_FEDERATION_ROLE_ARN:'),
])
def test_bad_connect_settings_say_what_is_wrong(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(demo=True, **values)  # type: ignore[arg-type]
    assert message in str(raised.value)


def test_complete_federated_settings_are_accepted() -> None:
    settings = Settings(demo=True, mode='aws', connect_instance_url='https://example.my.connect.aws',
                        connect_login_mode='federated', connect_instance_id=' 1A2B3C4D-1a2b-1a2b-1a2b-1a2b3c4d5e6f ',
                        connect_federation_role_arn='arn:aws:iam::123456789012:role/vce/ConnectFederation')
    assert settings.connect_instance_id == '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f'
    assert settings.connect_federation_role_arn == 'arn:aws:iam::123456789012:role/vce/ConnectFederation'
