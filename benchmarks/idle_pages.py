"""Idle customer pages: how much server memory does a visitor cost who opens the website but never chats?

    .venv/bin/python -m benchmarks.idle_pages --pages 1000

Starts ``vce demo`` in a temp dir, reads its RSS, opens N customer pages (GET / with its own cookie jar, then the
NiceGUI socket with its own random tab_id; no launcher click), waits until the server is quiet, reads RSS again and
prints MB per idle page. ``--checkpoint`` pages in, RSS is read once more, so the marginal cost per page (without the
one-off warm-up of the first pages) is printed too. The time to open the pages is reported as well.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import (
    Server,
    cpu_percent,
    fmt,
    measure_and_publish,
    percentile,
    print_table,
    proc_sample,
    raise_fd_limit,
)
from benchmarks.nicegui_client import Browser, Page

TARGET_MB_PER_PAGE = 0.3
QUIET_CPU_PERCENT = 3.0
QUIET_MAX_WAIT = 60.0


async def wait_quiet(pid: int) -> float:
    """Wait (at most QUIET_MAX_WAIT s) until the server used < QUIET_CPU_PERCENT of a core over 2 s."""
    started = time.monotonic()
    while time.monotonic() - started < QUIET_MAX_WAIT:
        first = proc_sample(pid)
        await asyncio.sleep(2.0)
        if cpu_percent(first, proc_sample(pid)) < QUIET_CPU_PERCENT:
            break
    return time.monotonic() - started


async def run(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=0)
    pages: list[Page] = []
    open_ms: list[float] = []
    failures: list[str] = []
    gate = asyncio.Semaphore(args.parallelism)

    async def open_one() -> None:
        async with gate:
            page = Browser(server.base_url, connector=connector).page()
            started = time.perf_counter()
            try:
                await page.open('/')
                await page.wait_for_testid('launcher', 30)
                open_ms.append((time.perf_counter() - started) * 1000)
                pages.append(page)
            except Exception as error:
                failures.append(repr(error))
                await page.close()
                await page.browser.close()

    try:
        await wait_quiet(server.pid)
        baseline = proc_sample(server.pid)
        checkpoint = None
        checkpoint_pages = 0
        first_batch = min(args.checkpoint, args.pages)
        started = time.monotonic()
        await asyncio.gather(*(open_one() for _ in range(first_batch)))
        open_wall = time.monotonic() - started
        if first_batch < args.pages:
            await wait_quiet(server.pid)
            checkpoint = proc_sample(server.pid)
            checkpoint_pages = len(pages)
            resumed = time.monotonic()
            await asyncio.gather(*(open_one() for _ in range(args.pages - first_batch)))
            open_wall += time.monotonic() - resumed
        open_done = proc_sample(server.pid)
        quiet_s = await wait_quiet(server.pid)
        await asyncio.sleep(args.settle)
        final = proc_sample(server.pid)
        still_connected = sum(1 for p in pages if p.connected)
        n = len(pages)
        result: dict[str, Any] = {
            'config': vars(args).copy(),
            'pages_open': n,
            'pages_still_connected': still_connected,
            'failures': len(failures),
            'first_failures': failures[:5],
            'open_wall_s': open_wall,
            'open_ms': {'p50': percentile(open_ms, 50), 'p95': percentile(open_ms, 95), 'max': max(open_ms or [0])},
            'server_cpu_percent_while_opening': cpu_percent(baseline, open_done) if checkpoint is None else None,
            'quiet_wait_s': quiet_s,
            'rss_mb_baseline': baseline.rss_mb,
            'rss_mb_final': final.rss_mb,
            'rss_mb_peak': final.hwm_mb,
            'mb_per_page': (final.rss_mb - baseline.rss_mb) / n if n else None,
        }
        if checkpoint is not None and n > checkpoint_pages:
            result['rss_mb_checkpoint'] = checkpoint.rss_mb
            result['checkpoint_pages'] = checkpoint_pages
            result['mb_per_page_marginal'] = (final.rss_mb - checkpoint.rss_mb) / (n - checkpoint_pages)
        return result
    finally:
        await asyncio.gather(*(p.close() for p in pages), return_exceptions=True)
        await asyncio.gather(*(p.browser.close() for p in pages), return_exceptions=True)
        await connector.close()


def report(result: dict[str, Any]) -> None:
    per_page = result['mb_per_page']
    rows = [
        ('idle customer pages open', str(result['pages_open']),
         f"still connected at the end: {result['pages_still_connected']}; failures {result['failures']}"),
        ('time to open them (s)', fmt(result['open_wall_s']),
         f"parallelism {result['config']['parallelism']}; per page p50 {fmt(result['open_ms']['p50'])} ms,"
         f" p95 {fmt(result['open_ms']['p95'])} ms, max {fmt(result['open_ms']['max'])} ms"),
        ('server RSS baseline (MB)', fmt(result['rss_mb_baseline']), ''),
        ('server RSS with the pages (MB)', fmt(result['rss_mb_final']), f"peak (VmHWM) {fmt(result['rss_mb_peak'])}"),
        ('MB per idle page', fmt(per_page, 3),
         f"target <= {TARGET_MB_PER_PAGE}  "
         f"{'OK' if per_page is not None and per_page <= TARGET_MB_PER_PAGE else 'MISS'}"),
    ]
    if 'mb_per_page_marginal' in result:
        rows.append((f"MB per page after the first {result['checkpoint_pages']}",
                     fmt(result['mb_per_page_marginal'], 3), f"RSS at checkpoint {fmt(result['rss_mb_checkpoint'])}"))
    print_table('Idle customer pages', rows)
    for failure in result['first_failures']:
        print('  failure:', failure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--pages', type=int, default=1000)
    parser.add_argument('--checkpoint', type=int, default=100, help='read RSS after this many pages too')
    parser.add_argument('--parallelism', type=int, default=20, help='pages being opened at the same time')
    parser.add_argument('--settle', type=float, default=5.0, help='extra seconds to wait once quiet')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--log-level', default='INFO')
    parser.add_argument('--json', type=Path)
    parser.add_argument('--keep-dir', action='store_true')
    args = parser.parse_args(argv)
    raise_fd_limit()
    server = Server(port=args.port, env={'VCE_LOG_LEVEL': args.log_level}, keep_dir=args.keep_dir)

    def measure() -> dict[str, Any]:
        server.start()
        print(f'server pid {server.pid} on {server.base_url} (workdir {server.workdir})', flush=True)
        return asyncio.run(run(args, server))

    return measure_and_publish(server, measure, report, args.json)


if __name__ == '__main__':
    sys.exit(main())
