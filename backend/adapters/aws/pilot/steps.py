"""Running one step of a probe: a failure is the verdict of the row the step tests, and stops that probe."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from backend.adapters.aws.pilot.findings import Findings

T = TypeVar('T')


class ProbeStopped(Exception):
    """A step broke; the probe's later rows cannot be tried."""


@contextmanager
def step(findings: Findings, row: str) -> Iterator[None]:
    """Run a step that tests ``row``: an exception becomes that row's "broken" verdict and stops the probe."""
    try:
        yield
    except ProbeStopped:
        raise
    except Exception as error:  # any failure of the live call is the finding
        findings.broken(row, f'{type(error).__name__}: {error}'[:400])
        raise ProbeStopped(row) from error


async def poll(read: Callable[[], T], done: Callable[[T], bool], timeout: float, every: float = 0.5) -> T:
    """Call the blocking ``read`` in a worker thread until ``done`` says yes or ``timeout`` passes; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(read)
        if done(value) or time.monotonic() >= deadline:
            return value
        await asyncio.sleep(min(every, max(0.0, deadline - time.monotonic())))


def short(value: Any, limit: int = 120) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + '…'
