"""The event bus in process and over Redis, measured in one run: what a message costs the publisher and how long it
takes to reach a subscriber.

- **in process** (``EventBus``): publish → the subscriber's callback, same process (what local mode does, and what a
  page on the publishing process gets in aws mode too: the Redis bus delivers locally in the same call);
- **over Redis** (``RedisEventBus``): publish in this process → the callback of a subscriber in ANOTHER process (a
  child started by this script), through a real ``redis-server`` (a throwaway child on a free loopback port unless
  ``--redis-url``). Each event carries ``time.monotonic_ns()`` at publish, which both processes share on one host.

Messages are ``MessageAdded`` events like a chat's, spread over ``--topics`` contact topics, one every
``--interval-ms``. Loopback only; every loop is bounded.

    .venv/bin/python -m benchmarks.redis_bus --messages 5000 --interval-ms 1 --json redis_bus.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backend.adapters.redis.event_bus import RedisEventBus, connect
from backend.domain.model import Message, ParticipantRole
from backend.events import Event, EventBus, MessageAdded, contact_topic

ROOT = Path(__file__).resolve().parents[1]


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {'p50': at(0.50), 'p95': at(0.95), 'p99': at(0.99), 'max': ordered[-1],
            'mean': statistics.fmean(ordered)}


def event(number: int, topics: int) -> tuple[str, MessageAdded]:
    contact_id = f'c{number % topics}'
    text = str(time.monotonic_ns())
    return contact_topic(contact_id), MessageAdded(contact_id, Message(contact_id, number, ParticipantRole.CUSTOMER,
                                                                       'Carla', text, time.time()))


def latency_ms(received: Event) -> float:
    assert isinstance(received, MessageAdded)
    return (time.monotonic_ns() - int(received.message.text)) / 1e6


async def publish_all(bus: EventBus, messages: int, topics: int, interval: float) -> list[float]:
    """Publish at a steady rate; return what each publish call cost the publisher (ms)."""
    costs, start = [], time.monotonic()
    for number in range(messages):
        delay = start + number * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        topic, message = event(number, topics)
        began = time.perf_counter_ns()
        bus.publish(topic, message)
        costs.append((time.perf_counter_ns() - began) / 1e6)
    return costs


async def in_process(messages: int, topics: int, interval: float) -> dict[str, Any]:
    bus, latencies = EventBus(), []
    for number in range(topics):
        bus.subscribe(contact_topic(f'c{number}'), lambda e: latencies.append(latency_ms(e)))
    costs = await publish_all(bus, messages, topics, interval)
    return {'delivery_ms': percentiles(latencies), 'publish_call_ms': percentiles(costs), 'delivered': len(latencies)}


async def subscriber(url: str, messages: int, topics: int, timeout: float) -> None:
    """The child process: subscribe, say ready, collect ``messages`` latencies (or stop at the timeout), print them."""
    bus, latencies, done = RedisEventBus(connect(url)), [], asyncio.Event()

    def on_event(received: Event) -> None:
        latencies.append(latency_ms(received))
        if len(latencies) >= messages:
            done.set()

    await bus.start()
    for number in range(topics):
        bus.subscribe(contact_topic(f'c{number}'), on_event)
    await bus.settled()
    print('ready', flush=True)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except TimeoutError:
        pass
    await bus.stop()
    print(json.dumps(latencies), flush=True)


async def over_redis(url: str, messages: int, topics: int, interval: float, timeout: float) -> dict[str, Any]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, '-m', 'benchmarks.redis_bus', '--subscribe', url, '--messages', str(messages),
        '--topics', str(topics), '--timeout', str(timeout), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    ready = await asyncio.wait_for(child.stdout.readline(), 30)
    assert ready.strip() == b'ready', ready
    bus = RedisEventBus(connect(url))
    await bus.start()
    costs = await publish_all(bus, messages, topics, interval)
    output = await asyncio.wait_for(child.stdout.readline(), timeout + 30)
    await child.wait()
    await bus.stop()
    latencies = json.loads(output)
    return {'delivery_ms': percentiles(latencies), 'publish_call_ms': percentiles(costs), 'delivered': len(latencies)}


def show(name: str, result: dict[str, Any]) -> None:
    delivery, cost = result['delivery_ms'], result['publish_call_ms']
    print(f'{name:<42} delivered {result["delivered"]:>6}   delivery p50 {delivery["p50"]:7.3f} ms  '
          f'p95 {delivery["p95"]:7.3f} ms  p99 {delivery["p99"]:7.3f} ms  max {delivery["max"]:7.3f} ms   '
          f'publish call p95 {cost["p95"]:.4f} ms')


async def main(args: argparse.Namespace) -> None:
    if args.subscribe:
        await subscriber(args.subscribe, args.messages, args.topics, args.timeout)
        return
    interval = args.interval_ms / 1000
    server = None
    url = args.redis_url
    if not url:
        from tests.redis_server import RedisServer

        server = RedisServer(Path(tempfile.mkdtemp(prefix='vce-redis-bench-')))
        server.start()
        url = server.url
    try:
        results = {'in_process': await in_process(args.messages, args.topics, interval),
                   'redis_other_process': await over_redis(url, args.messages, args.topics, interval, args.timeout)}
    finally:
        if server is not None:
            server.stop()
    results['added_p95_ms'] = (results['redis_other_process']['delivery_ms']['p95']
                               - results['in_process']['delivery_ms']['p95'])
    print(f'{args.messages} MessageAdded events over {args.topics} topics, one every {args.interval_ms} ms')
    show('in process (same process)', results['in_process'])
    show('Redis pub/sub (subscriber in another process)', results['redis_other_process'])
    print(f'p95 added by Redis: {results["added_p95_ms"]:.3f} ms (goal: <= 2 ms)')
    lost = args.messages - results['redis_other_process']['delivered']
    print(f'lost over Redis: {lost}')
    if args.json:
        Path(args.json).write_text(json.dumps({'settings': vars(args), **results}, indent=2))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--messages', type=int, default=5000)
    parser.add_argument('--topics', type=int, default=100, help='contact topics the messages are spread over')
    parser.add_argument('--interval-ms', type=float, default=1.0, help='one message every this many ms')
    parser.add_argument('--timeout', type=float, default=60.0, help='the subscriber gives up after this many seconds')
    parser.add_argument('--redis-url', default='', help='an existing Redis; default: a throwaway redis-server child')
    parser.add_argument('--subscribe', default='', help=argparse.SUPPRESS)  # the child's role
    parser.add_argument('--json', default='')
    asyncio.run(main(parser.parse_args()))
