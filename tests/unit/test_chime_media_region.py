"""The Chime media region: configured as it is, or 'nearest' looked up once with a fallback (no network here)."""

from __future__ import annotations

import pytest

from backend.adapters.aws.chime_media_region import MediaRegion


def test_a_configured_region_is_used_without_a_lookup() -> None:
    def lookup() -> str:
        raise AssertionError('no lookup for a configured region')

    assert MediaRegion('eu-west-2', fallback='us-east-1', lookup=lookup)() == 'eu-west-2'


def test_nearest_asks_once_and_keeps_the_answer() -> None:
    asked: list[int] = []

    def lookup() -> str:
        asked.append(1)
        return 'ap-southeast-2'

    region = MediaRegion('nearest', fallback='us-east-1', lookup=lookup)
    assert (region(), region()) == ('ap-southeast-2', 'ap-southeast-2')
    assert len(asked) == 1


@pytest.mark.parametrize('answer', [OSError('unreachable'), 'not a region'])
def test_nearest_falls_back_when_the_lookup_fails_or_answers_nonsense(answer: object,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    def lookup() -> str:
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert MediaRegion('nearest', fallback='eu-central-1', lookup=lookup)() == 'eu-central-1'
    assert 'fallback=eu-central-1' in caplog.text
