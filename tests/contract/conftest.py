"""Fixtures shared by the contract tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import redis_server
from tests.contract.aws_config_fixtures import aws_env, moto  # noqa: F401  (fixtures: fake credentials, moto)


@pytest.fixture(scope='session')
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One redis-server for the test session (a child process on a free loopback port, nothing saved)."""
    server = _redis(tmp_path_factory.mktemp('redis'))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[redis_server.RedisServer]:
    """A redis-server of the test's own, which the test may kill and start again (a Redis restart)."""
    server = _redis(tmp_path / 'redis')
    try:
        yield server
    finally:
        server.stop()


def _redis(workdir: Path) -> redis_server.RedisServer:
    if not redis_server.available():
        pytest.skip('redis-server is not installed (scripts/test.sh installs it: apt-get install redis-server)')
    server = redis_server.RedisServer(workdir)
    server.start()
    return server
