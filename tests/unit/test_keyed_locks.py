"""Per-key locks that exist only while used: the meeting service's per-contact locks no longer grow with every
contact the process has ever seen."""

from __future__ import annotations

import asyncio

from backend.services.keyed_locks import KeyedLocks


async def test_a_lock_orders_its_key_and_goes_when_the_last_holder_leaves() -> None:
    locks, order = KeyedLocks(), []

    async def work(key: str, name: str, pause: float) -> None:
        async with locks.hold(key):
            order.append(f'{name} in')
            await asyncio.sleep(pause)
            order.append(f'{name} out')

    first = asyncio.create_task(work('c1', 'a', 0.05))
    await asyncio.sleep(0)
    second = asyncio.create_task(work('c1', 'b', 0))
    other = asyncio.create_task(work('c2', 'c', 0))
    await asyncio.sleep(0.01)
    assert len(locks) == 1  # c1 held and awaited (one lock); c2 came and went
    await asyncio.gather(first, second, other)
    assert order.index('a out') < order.index('b in')  # one key: one at a time
    assert order.index('c out') < order.index('a out')  # another key: no waiting
    assert len(locks) == 0


async def test_a_failing_holder_releases_and_forgets_the_lock() -> None:
    locks = KeyedLocks()
    try:
        async with locks.hold('c1'):
            raise RuntimeError('boom')
    except RuntimeError:
        pass
    assert len(locks) == 0
    async with locks.hold('c1'):
        assert len(locks) == 1

