"""Readiness (``/readyz``): whether this process can serve requests now, judged by one cheap read of its store.

Liveness (``/healthz``) only says the process answers; a load balancer or an orchestrator asks readiness before
sending traffic, so a task whose DynamoDB table, credentials or data file are gone is taken out instead of failing
every customer. Anyone can ask (the load balancer forwards every path), so one answer serves every request for
``reuse_seconds``, callers meanwhile share the probe in flight, and a store that hangs is "not ready" after
``timeout_seconds``: asking often costs at most one store read per interval, and a store that hangs holds at most
one worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.errors import StoreUnavailable
from backend.ports import Store

log = logging.getLogger('vce.readiness')

TIMEOUT_SECONDS = 3.0  # below a load balancer's usual health-check timeout (5 s)
REUSE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Readiness:
    ready: bool
    reason: str = ''  # why not: short, names no table, file, account or secret


class ReadinessCheck:
    def __init__(self, store: Store, *, timeout_seconds: float = TIMEOUT_SECONDS,
                 reuse_seconds: float = REUSE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._timeout = timeout_seconds
        self._reuse = reuse_seconds
        self._clock = clock
        self._last: tuple[float, Readiness] | None = None
        self._probe: asyncio.Task[Readiness] | None = None
        self._store_busy = False  # a ping still running in its thread (after a timeout): no second one

    async def check(self) -> Readiness:
        if self._last is not None and self._clock() - self._last[0] < self._reuse:
            return self._last[1]
        if self._probe is None:
            self._probe = asyncio.ensure_future(self._ask_store())
            self._probe.add_done_callback(self._remember)
        return await asyncio.shield(self._probe)

    async def _ask_store(self) -> Readiness:
        if self._store_busy:
            return Readiness(False, 'the store has not answered the previous check yet')
        self._store_busy = True
        try:
            await asyncio.wait_for(asyncio.to_thread(self._ping), self._timeout)
        except StoreUnavailable as error:
            return Readiness(False, str(error))
        except TimeoutError:
            log.warning('readiness.store_timeout seconds=%s', self._timeout)
            return Readiness(False, f'the store did not answer within {self._timeout:g} s')
        except Exception:
            log.exception('readiness.check_failed')
            return Readiness(False, 'the store check failed')
        return Readiness(True)

    def _ping(self) -> None:
        try:
            self._store.ping()
        finally:
            self._store_busy = False

    def _remember(self, probe: asyncio.Task[Readiness]) -> None:
        self._probe = None
        if not probe.cancelled() and probe.exception() is None:
            readiness = probe.result()
            if self._last is None or self._last[1].ready != readiness.ready:
                log.log(logging.INFO if readiness.ready else logging.WARNING, 'readiness.changed ready=%s',
                        readiness.ready)
            self._last = (self._clock(), readiness)
