"""Cookie-less requests: what does a crawler, a health probe or curl cost the server, and does it leave anything?

    .venv/bin/python -m benchmarks.cookieless_requests --requests 10000

Starts ``vce demo`` in a temp dir, waits until it is quiet and reads its RSS, then sends N plain GETs without
cookies and without ever opening a socket (``--paths``, spread evenly; default ``/healthz``), reads RSS right after,
waits ``--settle`` seconds (past NiceGUI's 10 s storage pruning and the pages' connection timeout) and reads it
again. It also counts the storage files in the server's ``.nicegui/`` folder and the ERROR lines and tracebacks in
its log. Pages (``/``, ``/call``) build a NiceGUI client each, held until the page gives up waiting for its socket
(``VCE_PAGE_CONNECT_TIMEOUT_SECONDS``; ``--page-timeout`` sets it for the server).
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
    fmt,
    measure_and_publish,
    percentile,
    print_table,
    proc_sample,
    raise_fd_limit,
)
from benchmarks.idle_pages import wait_quiet


def storage_files(server: Server) -> int:
    folder = server.workdir / '.nicegui'
    return len(list(folder.glob('storage-user-*.json'))) if folder.exists() else 0


def log_problems(server: Server) -> tuple[int, int]:
    """(ERROR lines, traceback headers) in the server's log so far."""
    path = server.workdir / 'server.log'
    text = path.read_text(errors='replace') if path.exists() else ''
    lines = text.splitlines()
    return (sum(1 for line in lines if ' ERROR ' in line),
            sum(1 for line in lines if line.startswith('Traceback (most recent call last)')))


async def run(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    paths = [p.strip() for p in args.paths.split(',') if p.strip()]
    statuses: dict[int, int] = {}
    latency_ms: list[float] = []
    failures: list[str] = []
    gate = asyncio.Semaphore(args.parallelism)
    connector = aiohttp.TCPConnector(limit=0)
    # no cookie jar at all: every request arrives without a cookie, like a probe or a crawler
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:

        async def one(index: int) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    async with session.get(server.base_url + paths[index % len(paths)],
                                           allow_redirects=False) as response:
                        await response.read()
                        statuses[response.status] = statuses.get(response.status, 0) + 1
                    latency_ms.append((time.perf_counter() - started) * 1000)
                except Exception as error:  # counted and shown, the run goes on
                    failures.append(repr(error))

        await wait_quiet(server.pid)
        files_before = storage_files(server)
        baseline = proc_sample(server.pid)
        settled_rss: list[float] = []
        wall = 0.0
        for _ in range(args.rounds):
            started = time.monotonic()
            await asyncio.gather(*(one(i) for i in range(args.requests)))
            wall += time.monotonic() - started
            right_after = proc_sample(server.pid)
            await asyncio.sleep(args.settle)
            await wait_quiet(server.pid)
            settled_rss.append(proc_sample(server.pid).rss_mb)
        final = proc_sample(server.pid)
    errors, tracebacks = log_problems(server)
    return {
        'config': vars(args).copy(),
        'paths': paths,
        'statuses': statuses,
        'failures': len(failures),
        'first_failures': failures[:5],
        'wall_s': wall,
        'requests_per_s': args.requests * args.rounds / wall if wall > 0 else None,
        'latency_ms': {'p50': percentile(latency_ms, 50), 'p95': percentile(latency_ms, 95)},
        'rss_mb_before': baseline.rss_mb,
        'rss_mb_right_after': right_after.rss_mb,
        'rss_mb_after_settle': final.rss_mb,
        'rss_mb_after_each_round': settled_rss,
        'rss_mb_peak': final.hwm_mb,
        'storage_files_before': files_before,
        'storage_files_after': storage_files(server),
        'log_errors': errors,
        'log_tracebacks': tracebacks,
    }


def report(result: dict[str, Any]) -> None:
    grown = result['rss_mb_after_settle'] - result['rss_mb_before']
    rows = [
        ('cookie-less requests', str(sum(result['statuses'].values())),
         f"paths {', '.join(result['paths'])}; statuses {result['statuses']}; failures {result['failures']}"),
        ('time (s) / requests per s', f"{fmt(result['wall_s'])} / {fmt(result['requests_per_s'], 0)}",
         f"parallelism {result['config']['parallelism']}; p50 {fmt(result['latency_ms']['p50'])} ms,"
         f" p95 {fmt(result['latency_ms']['p95'])} ms"),
        ('server RSS before (MB)', fmt(result['rss_mb_before']), ''),
        ('server RSS right after (MB)', fmt(result['rss_mb_right_after']),
         f"peak (VmHWM) {fmt(result['rss_mb_peak'])}"),
        (f"server RSS {result['config']['settle']:.0f} s later (MB)", fmt(result['rss_mb_after_settle']),
         f'growth {grown:+.2f} MB'),
    ]
    if len(result['rss_mb_after_each_round']) > 1:
        rows.append(('RSS after each round (MB)', ' / '.join(fmt(v) for v in result['rss_mb_after_each_round']),
                     f"{result['config']['rounds']} rounds of {result['config']['requests']} requests"))
    rows += [
        ('user storage files before / after', f"{result['storage_files_before']} / {result['storage_files_after']}",
         ''),
        ('ERROR lines / tracebacks in the server log', f"{result['log_errors']} / {result['log_tracebacks']}", ''),
    ]
    print_table('Cookie-less requests', rows)
    for failure in result['first_failures']:
        print('  failure:', failure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--requests', type=int, default=10_000, help='requests per round')
    parser.add_argument('--rounds', type=int, default=1, help='rounds of requests, each followed by --settle')
    parser.add_argument('--paths', default='/healthz', help='comma-separated paths, requested in turn')
    parser.add_argument('--parallelism', type=int, default=20, help='requests in flight at the same time')
    parser.add_argument('--settle', type=float, default=30.0, help='seconds to wait after the last request')
    parser.add_argument('--page-timeout', type=float, default=None,
                        help='the server\'s VCE_PAGE_CONNECT_TIMEOUT_SECONDS (default: its own default)')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--log-level', default='INFO')
    parser.add_argument('--json', type=Path)
    parser.add_argument('--keep-dir', action='store_true')
    args = parser.parse_args(argv)
    raise_fd_limit()
    env = {'VCE_LOG_LEVEL': args.log_level}
    if args.page_timeout is not None:
        env['VCE_PAGE_CONNECT_TIMEOUT_SECONDS'] = str(args.page_timeout)
    server = Server(port=args.port, env=env, keep_dir=args.keep_dir)

    def measure() -> dict[str, Any]:
        server.start()
        print(f'server pid {server.pid} on {server.base_url} (workdir {server.workdir})', flush=True)
        return asyncio.run(run(args, server))

    return measure_and_publish(server, measure, report, args.json)


if __name__ == '__main__':
    sys.exit(main())
