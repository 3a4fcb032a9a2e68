"""/readyz's judgement (backend/services/readiness.py): ready when the store answers its ping; not ready, with the
store's short reason, when it refuses, fails or hangs; one probe serves every caller for a short while."""

from __future__ import annotations

import asyncio
import threading

from backend.domain.errors import StoreUnavailable
from backend.services.readiness import Readiness, ReadinessCheck


class FakeStore:
    def __init__(self) -> None:
        self.pings = 0
        self.failure: Exception | None = None
        self.release: threading.Event | None = None

    def ping(self) -> None:
        self.pings += 1
        if self.release is not None:
            self.release.wait(timeout=10)
        if self.failure is not None:
            raise self.failure


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def check_of(store: FakeStore, clock: Clock, **options: float) -> ReadinessCheck:
    return ReadinessCheck(store, clock=clock, **options)  # type: ignore[arg-type]


async def test_a_store_that_answers_is_ready_and_one_answer_serves_for_a_while():
    store, clock = FakeStore(), Clock()
    readiness = check_of(store, clock, reuse_seconds=2)
    assert await readiness.check() == Readiness(True)
    clock.now += 1.9
    assert await readiness.check() == Readiness(True)
    assert store.pings == 1
    clock.now += 0.2
    await readiness.check()
    assert store.pings == 2


async def test_a_refusing_store_is_not_ready_with_its_reason_then_ready_again():
    store, clock = FakeStore(), Clock()
    readiness = check_of(store, clock)
    store.failure = StoreUnavailable('DynamoDB GetItem failed: AccessDeniedException')
    assert await readiness.check() == Readiness(False, 'DynamoDB GetItem failed: AccessDeniedException')
    store.failure = None
    clock.now += 10
    assert await readiness.check() == Readiness(True)


async def test_an_unexpected_failure_is_not_ready_without_its_text(caplog):
    store, clock = FakeStore(), Clock()
    store.failure = RuntimeError('secret detail')
    assert await check_of(store, clock).check() == Readiness(False, 'the store check failed')
    assert 'readiness.check_failed' in caplog.text


async def test_callers_at_once_share_one_probe():
    store, clock = FakeStore(), Clock()
    readiness = check_of(store, clock)
    results = await asyncio.gather(*(readiness.check() for _ in range(20)))
    assert results == [Readiness(True)] * 20 and store.pings == 1


async def test_a_hanging_store_is_not_ready_and_holds_one_thread_at_most():
    store, clock = FakeStore(), Clock()
    store.release = threading.Event()
    readiness = check_of(store, clock, timeout_seconds=0.05)
    try:
        assert await readiness.check() == Readiness(False, 'the store did not answer within 0.05 s')
        clock.now += 10
        assert await readiness.check() == Readiness(False, 'the store has not answered the previous check yet')
        assert store.pings == 1
    finally:
        store.release.set()
    for _ in range(200):  # the first ping's thread returns once released
        clock.now += 10
        if await readiness.check() == Readiness(True):
            break
        await asyncio.sleep(0.01)
    assert await readiness.check() == Readiness(True) and store.pings == 2
