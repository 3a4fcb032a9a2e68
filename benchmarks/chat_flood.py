"""Chat-start flood: one client starts chats as fast as it can, then walks away; how many get in, and how long until
the queue is clear again? Against one ``vce demo`` per scenario, over NiceGUI's real socket protocol.

    .venv/bin/python -m benchmarks.chat_flood --json flood.json

The flood client (source address 127.0.0.1, i.e. one client network) runs ``--parallel`` tabs for ``--duration``
seconds. Each attempt is what a script does: GET / in a new tab, connect the socket, click ``launcher``, fill
``name`` / ``email``, click ``start-chat``, wait for the chat (``chat-status``) or the form's refusal
(``form-error``), then close the tab, abandoning the chat. One real customer from another network (the source
address 127.0.0.2, still the loopback interface talking to 127.0.0.1) tries to start a chat at the end of the flood.

Scenarios (each a fresh server; ``--scenarios`` picks them):

* ``before``: the per-network limits lifted and the grace set to its maximum (3600 s): what the product did before
  these limits and the abandonment existed;
* ``abandon-only``: the limits lifted, the abandonment on (``--grace``): how long a full queue takes to clear;
* ``after``: the product's defaults (``--grace`` may shorten the disconnect grace for a quicker run).

Measured: attempts and chats started per minute by the one client, refusals, the queue length (contacts in state
``queued``, read from the server's SQLite file, read-only) during and after the flood, the time from the flood's
end until no flood chat is queued (**recovery**, bounded by ``--recovery-timeout``), the queue flow's system
messages written after the flood stopped, and the server's RSS. Everything is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import Server, fmt, print_table, proc_sample, publish, raise_fd_limit
from benchmarks.nicegui_client import Browser, Page, element_strings

FLOOD_NAME = 'Flood Customer'
REAL_NAME = 'Real Customer'
REAL_CUSTOMER_ADDRESS = '127.0.0.2'  # another client network on the loopback interface
NO_LIMIT = '100000'
MAX_GRACE = '3600'
SCENARIOS = ('before', 'abandon-only', 'after')
MAX_ATTEMPTS = 5_000  # a hard bound on one scenario's attempts, whatever the duration


def scenario_env(name: str, grace: float | None, queue_max: int) -> dict[str, str]:
    env = {'VCE_LOG_LEVEL': 'WARNING', 'VCE_QUEUE_MAX_CONTACTS': str(queue_max)}
    if name in ('before', 'abandon-only'):
        env.update({'VCE_CHAT_START_LIMIT': NO_LIMIT, 'VCE_CHAT_OPEN_LIMIT': NO_LIMIT})
    if name == 'before':
        env['VCE_CUSTOMER_DISCONNECT_GRACE_SECONDS'] = MAX_GRACE
    elif grace is not None:
        env['VCE_CUSTOMER_DISCONNECT_GRACE_SECONDS'] = str(grace)
    return env


class QueueReader:
    """Reads the server's database like a second process would (read-only, WAL)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _one(self, sql: str, *args: object) -> int:
        with sqlite3.connect(f'file:{self._path}?mode=ro', uri=True, timeout=30) as db:
            (value,) = db.execute(sql, args).fetchone()
        return int(value)

    def queued(self, name: str | None = None) -> int:
        if name is None:
            return self._one("SELECT COUNT(*) FROM contacts WHERE state = 'queued'")
        return self._one("SELECT COUNT(*) FROM contacts WHERE state = 'queued' AND customer_name = ?", name)

    def system_messages(self) -> int:
        return self._one("SELECT COUNT(*) FROM messages WHERE role = 'SYSTEM'")


async def attempt(browser: Browser, index: int, timeout: float) -> str:
    """One chat start in a new tab; 'started', 'refused: <text>' or 'failed: <error>'. The tab is closed after."""
    page = browser.page()
    try:
        await page.open('/')
        await page.click('launcher')
        await page.wait_for_testid('start-chat', timeout)
        await page.set_value('name', FLOOD_NAME)
        await page.set_value('email', f'flood{index}@example.com')
        await page.click('start-chat')
        outcome = await page.wait_for(lambda: ('started' if page.text('chat-status') else
                                               f'refused: {page.text("form-error")}' if page.text('form-error')
                                               else None), timeout)
        return str(outcome)
    except Exception as error:
        return f'failed: {type(error).__name__}'
    finally:
        await page.close()  # the attacker walks away: the page's socket closes


async def real_customer(base_url: str, timeout: float) -> dict[str, Any]:
    """A customer from another network starts a chat and reads what the page says."""
    connector = aiohttp.TCPConnector(limit=0, local_addr=(REAL_CUSTOMER_ADDRESS, 0))
    browser = Browser(base_url, connector=connector)
    page: Page = browser.page(tab_id=str(uuid.uuid4()))
    try:
        await page.open('/')
        await page.click('launcher')
        await page.wait_for_testid('start-chat', timeout)
        await page.set_value('name', REAL_NAME)
        await page.set_value('email', 'real@example.com')
        await page.click('start-chat')

        await page.wait_for(lambda: page.text('chat-status') or page.text('form-error'), timeout)
        refusal = page.text('form-error')
        if refusal:
            return {'started': False, 'said': refusal}
        try:  # the flow's first prompt: the position in the queue, or that the queue is full
            prompt = await page.wait_for(lambda: next((s for s in page_strings(page) if 'queue' in s), None), 10)
        except TimeoutError:
            prompt = '(no queue prompt within 10 s)'
        return {'started': True, 'said': str(prompt)}
    except Exception as error:
        return {'started': False, 'said': f'failed: {type(error).__name__}: {error}'}
    finally:
        await page.close()
        await browser.close()
        await connector.close()


def page_strings(page: Page) -> list[str]:
    return [s for element in page.elements.values() for s in element_strings(element)]


async def run_scenario(name: str, args: argparse.Namespace) -> dict[str, Any]:
    server = Server(env=scenario_env(name, args.grace, args.queue_max), keep_dir=args.keep_dir)
    try:
        server.start()
        queue = QueueReader(server.data_dir / 'vce.sqlite3')
        connector = aiohttp.TCPConnector(limit=0)
        browser = Browser(server.base_url, connector=connector)
        outcomes: list[tuple[float, str]] = []
        rss_start = proc_sample(server.pid).rss_mb
        started_at = time.monotonic()
        deadline = started_at + args.duration
        counter = iter(range(MAX_ATTEMPTS))
        samples: list[tuple[float, int]] = []

        async def tab_loop() -> None:
            for index in counter:
                if time.monotonic() >= deadline:
                    return
                outcomes.append((time.monotonic() - started_at, await attempt(browser, index, args.timeout)))

        async def sampler() -> None:
            while time.monotonic() < deadline:
                samples.append((time.monotonic() - started_at, queue.queued(FLOOD_NAME)))
                await asyncio.sleep(2.0)

        await asyncio.gather(sampler(), *(tab_loop() for _ in range(args.parallel)))
        flood_wall = time.monotonic() - started_at
        await browser.close()
        await connector.close()
        queued_at_end = queue.queued(FLOOD_NAME)
        rss_flood = proc_sample(server.pid).rss_mb
        customer = await real_customer(server.base_url, args.timeout)

        # recovery: until no flood chat is queued, bounded
        stopped = time.monotonic()
        messages_at_stop = queue.system_messages()
        limit = args.before_wait if name == 'before' else args.recovery_timeout
        recovered_after = None
        recovery_samples: list[tuple[float, int]] = []
        while time.monotonic() - stopped < limit:
            left = queue.queued(FLOOD_NAME)
            recovery_samples.append((time.monotonic() - stopped, left))
            if left == 0:
                recovered_after = time.monotonic() - stopped
                break
            await asyncio.sleep(1.0)
        waited = time.monotonic() - stopped
        messages_after = queue.system_messages() - messages_at_stop
        await asyncio.sleep(max(0.0, args.settle - waited))  # closed pages are deleted after NiceGUI's 30 s
        rss_end = proc_sample(server.pid).rss_mb

        started = sum(1 for _, o in outcomes if o == 'started')
        refused = [o for _, o in outcomes if o.startswith('refused')]
        failed = [o for _, o in outcomes if o.startswith('failed')]
        first_minute = sum(1 for t, o in outcomes if o == 'started' and t < 60)
        return {
            'scenario': name,
            'env': scenario_env(name, args.grace, args.queue_max),
            'flood_seconds': flood_wall,
            'attempts': len(outcomes),
            'started': started,
            'started_in_first_minute': first_minute,
            'peak_flood_queued': max([q for _, q in samples] + [queued_at_end]),
            'refused': len(refused),
            'refusal_texts': sorted(set(refused))[:3],
            'failed': len(failed),
            'failures': sorted(set(failed))[:3],
            'queue_samples': samples,
            'flood_queued_at_end': queued_at_end,
            'real_customer': customer,
            'recovered_after_s': recovered_after,
            'recovery_waited_s': waited,
            'recovery_samples': recovery_samples[::5] + recovery_samples[-1:],
            'flood_queued_after_wait': recovery_samples[-1][1] if recovery_samples else queued_at_end,
            'system_messages_after_flood': messages_after,
            'rss_mb': {'start': rss_start, 'flood_end': rss_flood, 'end': rss_end},
        }
    except BaseException:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()


def customer_outcome(customer: dict[str, Any]) -> str:
    if not customer['started']:
        return 'refused'
    return 'turned away' if 'queue is full' in customer['said'] else 'queued'


def report(result: dict[str, Any]) -> None:
    for run in result['runs']:
        recovered = run['recovered_after_s']
        rows = [
            ('flood (s), parallel tabs', f"{fmt(run['flood_seconds'], 0)}, {result['config']['parallel']}",
             f"attempts {run['attempts']}; failed {run['failed']} {run['failures']}"),
            ('chats started by one client', str(run['started']),
             f"{run['started_in_first_minute']} in the first minute"),
            ('refused', str(run['refused']), '; '.join(run['refusal_texts'])[:110]),
            ('flood chats queued: peak / at the end', f"{run['peak_flood_queued']} / {run['flood_queued_at_end']}",
             f"queue capacity {result['config']['queue_max']}"),
            ('a customer from another network', customer_outcome(run['real_customer']),
             run['real_customer']['said'][:110]),
            ('recovery: flood chats queued -> 0 (s)', fmt(recovered) if recovered is not None else 'no',
             f"waited {fmt(run['recovery_waited_s'], 0)} s; left {run['flood_queued_after_wait']}"),
            ('flow messages after the flood stopped', str(run['system_messages_after_flood']),
             f"over {fmt(run['recovery_waited_s'], 0)} s"),
            ('server RSS start / flood end / settled (MB)',
             f"{fmt(run['rss_mb']['start'], 0)} / {fmt(run['rss_mb']['flood_end'], 0)} / "
             f"{fmt(run['rss_mb']['end'], 0)}", ''),
        ]
        print_table(f"scenario: {run['scenario']}  ({' '.join(f'{k}={v}' for k, v in run['env'].items())})", rows)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--scenarios', default=','.join(SCENARIOS), help=f'comma-separated, of {SCENARIOS}')
    parser.add_argument('--duration', type=float, default=60.0, help='seconds of flooding per scenario')
    parser.add_argument('--parallel', type=int, default=4, help='tabs the flood client runs at once')
    parser.add_argument('--grace', type=float, default=None,
                        help='VCE_CUSTOMER_DISCONNECT_GRACE_SECONDS for abandon-only and after (default: the product)')
    parser.add_argument('--queue-max', type=int, default=500, help='VCE_QUEUE_MAX_CONTACTS')
    parser.add_argument('--recovery-timeout', type=float, default=300.0, help='max seconds to wait for recovery')
    parser.add_argument('--before-wait', type=float, default=30.0, help='seconds to watch the queue in "before"')
    parser.add_argument('--settle', type=float, default=40.0,
                        help='seconds after the flood before the last RSS reading (closed pages live 30 s)')
    parser.add_argument('--timeout', type=float, default=30.0, help='per page step')
    parser.add_argument('--keep-dir', action='store_true')
    parser.add_argument('--json', type=Path)
    args = parser.parse_args(argv)
    args.scenarios = [s for s in args.scenarios.split(',') if s]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f'unknown scenarios: {sorted(unknown)}')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_fd_limit()
    runs = []
    for name in args.scenarios:
        print(f'scenario {name}: flooding for {args.duration:.0f} s …', flush=True)
        runs.append(asyncio.run(run_scenario(name, args)))
    config = {k: v for k, v in vars(args).items() if k != 'json'}
    publish({'config': {**config, 'json': str(args.json) if args.json else None}, 'runs': runs}, report, args.json)
    return 0


if __name__ == '__main__':
    sys.exit(main())
