"""The Content-Security-Policy per mode (vce/content_security_policy.py): local mode loads from its own origin only;
aws mode adds the Connect instance (CCP frame, federated sign-in form) and the Chime SDK and regional Connect
endpoints. The pages' own test that nothing is blocked is the e2e suite (tests/e2e/conftest.py)."""

from __future__ import annotations

from backend.settings import Settings
from vce.content_security_policy import ContentSecurityPolicy


def directives(settings: Settings, nonce: str | None = 'n0nce') -> dict[str, list[str]]:
    header = ContentSecurityPolicy.for_settings(settings).header(nonce)
    return {name: sources for name, *sources in (part.split(' ') for part in header.split('; '))}


def test_local_mode_loads_only_from_its_own_origin() -> None:
    policy = directives(Settings(demo=True))
    assert policy['default-src'] == ["'self'"]
    assert policy['script-src'] == ["'self'", "'unsafe-eval'", "'nonce-n0nce'"]
    assert policy['connect-src'] == ["'self'"]
    assert policy['frame-src'] == ["'none'"] and policy['form-action'] == ["'self'"]
    assert policy['media-src'] == ["'self'", 'blob:', 'mediastream:']
    assert policy['frame-ancestors'] == ["'none'"] and policy['object-src'] == ["'none'"]
    assert 'script-src' in directives(Settings(demo=True), nonce=None)


def test_chime_meetings_may_reach_the_chime_sdk_endpoints() -> None:
    policy = directives(Settings(demo=True, meeting_backend='chime'))
    assert policy['connect-src'] == ["'self'", 'https://*.chime.aws', 'wss://*.chime.aws']


def test_aws_mode_frames_the_connect_instance_and_reaches_its_region() -> None:
    settings = Settings(demo=True, mode='aws', connect_instance_url='https://example.my.connect.aws',
                        connect_region='eu-west-2')
    policy = directives(settings)
    assert policy['frame-src'] == ['https://example.my.connect.aws']
    assert policy['form-action'] == ["'self'", 'https://example.my.connect.aws']
    assert policy['connect-src'] == ["'self'", 'https://*.chime.aws', 'wss://*.chime.aws',
                                     'https://example.my.connect.aws', 'https://*.connect.eu-west-2.amazonaws.com',
                                     'wss://*.connect.eu-west-2.amazonaws.com']
    legacy = directives(Settings(demo=True, mode='aws', connect_instance_url='https://example.awsapps.com/connect'))
    assert legacy['frame-src'] == ['https://example.awsapps.com']


def test_a_logo_elsewhere_is_allowed_as_an_image() -> None:
    policy = directives(Settings(demo=True, brand_logo_url='https://cdn.example.com/logo.svg'))
    assert policy['img-src'] == ["'self'", 'data:', 'blob:', 'https://cdn.example.com']
