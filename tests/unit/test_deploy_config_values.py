"""vce-deploy.toml's optional AWS identifiers: empty means not used; anything else must have the shape AWS expects,
and a wrong one is named with what was expected (deploy/config.py)."""

from __future__ import annotations

from typing import Any

import pytest

from deploy.config import DeployConfigError, parse_config

BASE: dict[str, Any] = {
    'stack_name': 'Vce', 'region': 'eu-west-2', 'site_domain': 'video.example.com',
    'hosted_zone_name': 'example.com', 'hosted_zone_id': 'Z0123456789ABCDEFGHIJ',
    'connect_instance': 'new', 'connect_instance_alias': 'example-bank',
    'agents': [{'email': 'ann@example.com', 'name': 'Ann Smith'}],
}


@pytest.mark.parametrize(('field', 'bad', 'said'), [
    ('hosted_zone_id', 'zone-1', 'is not a Route 53 hosted zone id'),
    ('certificate_arn', 'arn:aws:acm:eu-west-2:1:certificate/x', 'is not an ACM certificate ARN'),
    ('connect_instance_alias', 'Example_Bank', 'lower-case letters, digits and -'),
    ('image', ' spaces are not allowed', 'is not a container image reference'),
    ('connect_instance_url', 'ftp://example', None),
    ('connect_queue_arn', 'arn:aws:connect:eu-west-2:1:queue', None),
    ('connect_federation_role_arn', 'role/x', None),
    ('chime_media_region', 'mars-central-1', None),
])
def test_a_wrong_identifier_is_refused_with_what_was_expected(field: str, bad: str, said: str | None) -> None:
    """``said``: this file's own words; None where the server's settings check words it (tested with the settings)."""
    with pytest.raises(DeployConfigError) as refused:
        parse_config({**BASE, field: bad})
    (problem,) = [p for p in refused.value.problems if p.startswith(f'{field}:')]
    if said is not None:
        assert said in problem and repr(bad) in problem


@pytest.mark.parametrize('field', ['certificate_arn', 'image',
                                   'connect_instance_url', 'connect_queue_arn', 'connect_federation_role_arn',
                                   'chime_media_region'])
def test_an_empty_identifier_means_not_used(field: str) -> None:
    assert getattr(parse_config({**BASE, field: ''}), field) == ''
