"""DynamoDB tables under moto (in-process, nothing leaves the test) and a counter of the API calls a client makes."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler

from backend.adapters.aws.dynamo_table import ensure_table

REGION = 'us-east-1'
ROUND_TRIP_SECONDS = 0.001  # simulated network latency (not a threshold: no test measures time)


@contextmanager
def moto_dynamodb() -> Iterator[Any]:
    """DynamoDB in moto (in-process; nothing leaves the test); yields a client. Start it once per test module.

    moto runs each request in the caller's thread without a lock, while real DynamoDB applies every request to an
    item atomically. The patch below makes moto's request handling atomic like the server's, so concurrency tests
    check the store's conditions, not moto's thread safety. The store itself holds no lock. Each response also
    waits a millisecond outside that lock, as a network round trip does: other threads run between a store's calls,
    so a read-then-write without a condition really races (and the concurrency tests catch it).
    """
    server_lock = threading.Lock()
    handle = DynamoHandler.call_action

    def atomic_call_action(self: DynamoHandler) -> Any:
        with server_lock:
            response = handle(self)
        time.sleep(ROUND_TRIP_SECONDS)
        return response

    with pytest.MonkeyPatch.context() as patch:
        for name in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'):
            patch.setenv(name, 'testing')
        for name in ('AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB'):
            patch.delenv(name, raising=False)
        patch.setattr(DynamoHandler, 'call_action', atomic_call_action)
        with mock_aws():
            yield boto3.client('dynamodb', region_name=REGION)


def new_table(client: Any) -> str:
    """A fresh, empty table made by ``ensure_table`` (one per test: tests never see each other's items)."""
    name = f'vce-test-{uuid.uuid4().hex[:12]}'
    ensure_table(client, name)
    return name


class CallCounter:
    """Counts the API calls (not HTTP attempts) a boto3 client makes, by operation, via botocore's event hooks."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        self._block: Counter[str] | None = None
        client.meta.events.register('before-call', self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        if self._block is not None:
            self._block[model.name] += 1

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        """The calls made inside the ``with`` block (and only those)."""
        self._block = Counter()
        try:
            yield self._block
        finally:
            self._block = None
