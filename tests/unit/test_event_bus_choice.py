"""The composition root picks the event bus: in process by default and in local mode (one process by design), Redis
when aws mode has VCE_REDIS_URL; the URL is checked like every setting and stays secret."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from backend.adapters.redis.event_bus import RedisEventBus
from backend.bootstrap import build_event_bus
from backend.events import EventBus
from backend.settings import Settings

SECRET = 'a-real-secret-of-enough-length'


def test_without_redis_the_bus_is_in_process() -> None:
    assert type(build_event_bus(Settings(storage_secret=SECRET))) is EventBus


def test_aws_mode_with_a_redis_url_gets_the_redis_bus() -> None:
    bus = build_event_bus(Settings(mode='aws', storage_secret=SECRET, connect_instance_url='https://x.my.connect.aws',
                                   redis_url='rediss://user:pass@cache.example.com:6379/0'))
    assert isinstance(bus, RedisEventBus)


def test_local_mode_ignores_redis_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        bus = build_event_bus(Settings(storage_secret=SECRET, redis_url='redis://127.0.0.1:6379/0'))
    assert type(bus) is EventBus
    assert 'one process per data folder' in caplog.text


@pytest.mark.parametrize('url', ['http://cache.example.com', 'cache.example.com:6379', 'redis://'])
def test_a_redis_url_must_be_one(url: str) -> None:
    with pytest.raises(ValidationError, match='VCE_REDIS_URL: must be a redis:// or rediss:// URL'):
        Settings(storage_secret=SECRET, redis_url=url)


def test_the_redis_url_is_secret() -> None:
    settings = Settings(storage_secret=SECRET, redis_url='rediss://user:hunter2-password@cache.example.com:6379')
    assert 'hunter2' not in repr(settings)
