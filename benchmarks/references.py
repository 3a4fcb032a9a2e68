"""Ad-hoc references: create / redeem throughput on SQLite, the redeem race, and what an attacker gets.

    .venv/bin/python -m benchmarks.references [--ops 10000] [--race 100] [--rounds 20] [--json references.json]

Everything runs in this process against a fresh SQLite file in a temp dir (WAL, ``synchronous=NORMAL``, as the app),
through the real ``ReferenceService`` built by the composition root's ``build_references`` with the default settings
(HMAC-SHA256 of number, email and client address included). Two kinds of clients, each 1 and 16 at a time:

* ``shared``: threads calling one ``ReferenceService`` on one ``SqliteStore`` (one connection behind a lock), exactly
  what the web process has. (The web process calls it from its event loop, so one at a time; 16 threads show what
  contention on that lock costs.)
* ``own``: every thread has its own ``SqliteStore`` connection on the same file, as several processes would; SQLite's
  write lock (``BEGIN IMMEDIATE``) then orders them.

A create is one transaction; a redeem is two (count the attempt for the client's network, then the conditional
update). Every redeem uses a fresh client address (many customers, no rate limiting in the way) and succeeds.

The race: ``--race`` threads, released together by a barrier, redeem one reference (from different addresses);
exactly one must succeed, in every one of ``--rounds`` rounds, in both client kinds. Exit status 1 otherwise.

The attacker figures are computed from the settings' defaults (not measured): guesses from one client network per
reference lifetime, per hour and per day, and the chance that they hit a live reference (1 or ``--live``), assuming
the attacker even knows the customer's email (without it a right number only counts as a wrong email).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.adapters.local.sqlite_store import SqliteStore
from backend.bootstrap import build_references
from backend.domain.model import Agent
from backend.domain.reference import REFERENCE_DIGITS
from backend.services.references import ReferenceService
from backend.settings import Settings
from benchmarks._harness import fmt, percentile, print_table, publish

EMAIL = 'bench.customer@example.com'
AGENT = 'bench-agent'
SPACE = 10 ** REFERENCE_DIGITS


class Clients:
    """N reference services for N threads: one shared service, or one per thread with its own connection."""

    def __init__(self, path: Path, settings: Settings, kind: str, count: int, shared: SqliteStore) -> None:
        self.own_stores = [SqliteStore(path) for _ in range(count)] if kind == 'own' else []
        self.services = [build_references(settings, s, s) for s in self.own_stores] or \
            [build_references(settings, shared, shared)] * count

    def close(self) -> None:
        for store in self.own_stores:
            store.close()


def run_threads(services: list[ReferenceService], work: Callable[[ReferenceService, int], None],
                ops: int) -> tuple[float, list[float]]:
    """Split ``ops`` calls of ``work(service, i)`` over one thread per service, all started together.

    Returns the wall-clock seconds and every call's latency in ms."""
    barrier = threading.Barrier(len(services) + 1)
    latencies: list[list[float]] = [[] for _ in services]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        mine = range(index, ops, len(services))
        barrier.wait()
        try:
            for i in mine:
                started = time.perf_counter()
                work(services[index], i)
                latencies[index].append((time.perf_counter() - started) * 1000)
        except BaseException as error:  # reported after the run
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(services))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return seconds, [ms for per_thread in latencies for ms in per_thread]


def address(i: int) -> str:
    return f'10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}'


def throughput(path: Path, settings: Settings, shared: SqliteStore, kind: str, count: int,
               ops: int) -> dict[str, Any]:
    clients = Clients(path, settings, kind, count, shared)
    try:
        created: list[str] = [''] * ops

        def create(service: ReferenceService, i: int) -> None:
            created[i] = service.create(AGENT, EMAIL).reference

        create_s, create_ms = run_threads(clients.services, create, ops)

        def redeem(service: ReferenceService, i: int) -> None:
            redeemed = service.redeem(created[i], EMAIL, address(i + 1))
            if redeemed is None or redeemed.username != AGENT:
                raise AssertionError('a fresh reference did not redeem')

        redeem_s, redeem_ms = run_threads(clients.services, redeem, ops)
    finally:
        clients.close()
    return {'kind': kind, 'clients': count, 'ops': ops,
            'create_per_s': ops / create_s, **latency('create', create_ms),
            'redeem_per_s': ops / redeem_s, **latency('redeem', redeem_ms)}


def latency(name: str, values: list[float]) -> dict[str, float | None]:
    return {f'{name}_p{p}_ms': percentile(values, p) for p in (50, 95, 99)} | {f'{name}_max_ms': max(values)}


def race(path: Path, settings: Settings, shared: SqliteStore, kind: str, count: int, rounds: int) -> dict[str, Any]:
    clients = Clients(path, settings, kind, count, shared)
    successes: list[int] = []
    try:
        for round_ in range(rounds):
            reference = clients.services[0].create(AGENT, EMAIL).reference
            results: list[str | None] = [None] * count

            def attempt(service: ReferenceService, i: int, reference: str = reference,
                        results: list[str | None] = results, round_: int = round_) -> None:
                redeemed = service.redeem(reference, EMAIL, address(1_000_000 + round_ * count + i))
                results[i] = redeemed.username if redeemed else None

            run_threads(clients.services, attempt, count)
            successes.append(sum(1 for r in results if r == AGENT))
    finally:
        clients.close()
    return {'kind': kind, 'redeemers': count, 'rounds': rounds, 'successes_per_round': successes,
            'ok': all(s == 1 for s in successes)}


def attacker(settings: Settings, live: int) -> dict[str, Any]:
    """Upper bounds for one client network that paces itself exactly at the limit (every attempt counts, refused ones
    included, so hammering only locks it out for longer)."""
    limit, window = settings.reference_redeem_limit, settings.reference_redeem_window_seconds
    ttl = settings.reference_ttl_minutes * 60
    per_reference = limit * math.ceil(ttl / window)
    per_hour, per_day = limit * 3600 / window, limit * 86_400 / window

    def chance(guesses: float, targets: int) -> float:
        """At least one hit among ``guesses`` distinct numbers when ``targets`` of the 10^8 are live."""
        return 1 - math.exp(sum(math.log1p(-targets / (SPACE - g)) for g in range(int(guesses))))

    return {'limit': limit, 'window_s': window, 'ttl_s': ttl, 'max_wrong_emails': settings.reference_max_wrong_emails,
            'space': SPACE, 'live': live, 'guesses_per_reference': per_reference, 'guesses_per_hour': per_hour,
            'guesses_per_day': per_day,
            'chance': {targets: {'per_reference': chance(per_reference, targets), 'per_hour': chance(per_hour, targets),
                                 'per_day': chance(per_day, targets)} for targets in (1, live)}}


def filesystem(path: Path) -> str:
    best = ('?', '')
    with open('/proc/mounts') as mounts:
        for line in mounts:
            _, mount, fstype, *_ = line.split()
            if str(path).startswith(mount) and len(mount) >= len(best[1]):
                best = (fstype, mount)
    return best[0]


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings(demo=True)
    workdir = Path(tempfile.mkdtemp(prefix='vce-bench-refs-', dir=args.dir))
    path = workdir / 'vce.sqlite3'
    shared = SqliteStore(path)
    shared.add_agent(Agent(username=AGENT, display_name='Bench Agent', agent_id='bench-agent-id', password_hash='x',
                           routing_queues=(settings.standard_queue,)))
    try:
        cases = [throughput(path, settings, shared, kind, count, args.ops)
                 for kind in ('shared', 'own') for count in (1, 16)]
        races = [race(path, settings, shared, kind, args.race, args.rounds) for kind in ('shared', 'own')]
    finally:
        shared.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return {'machine': {'python': platform.python_version(), 'sqlite': sqlite3.sqlite_version,
                        'cpus': os.cpu_count(), 'filesystem': filesystem(workdir)},
            'throughput': cases, 'race': races,
            'attacker': attacker(settings, args.live)}


def report(result: dict[str, Any]) -> None:
    machine = result['machine']
    print(f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine['cpus']} CPUs, "
          f"database on {machine['filesystem']}")
    rows = []
    for case in result['throughput']:
        label = f"{case['kind']:>6}, {case['clients']:>2} client(s)"
        for name in ('create', 'redeem'):
            rows.append((f'{label}: {name}', f"{case[f'{name}_per_s']:,.0f}/s",
                         'p50 / p95 / p99 / max ' + ' / '.join(fmt(case[f'{name}_{p}_ms'], 2)
                                                               for p in ('p50', 'p95', 'p99', 'max')) + ' ms'))
    print_table(f"Throughput ({result['throughput'][0]['ops']:,} operations per case)", rows)
    rows = [(f"{r['kind']}: {r['redeemers']} simultaneous redemptions x {r['rounds']} rounds",
             'OK' if r['ok'] else 'FAIL', f"successes per round: {sorted(set(r['successes_per_round']))}")
            for r in result['race']]
    print_table('Redeem race (exactly one success per round expected)', rows)
    a = result['attacker']
    rows = [
        ('limits (defaults)', f"{a['limit']} / {a['window_s']} s",
         f"per client network (IPv4 address or IPv6 /64); TTL {a['ttl_s']} s; "
         f"{a['max_wrong_emails']} wrong emails burn"),
        ('guesses per reference lifetime', f"{a['guesses_per_reference']:,}", f"of {a['space']:,} numbers"),
        ('guesses per hour / per day', f"{a['guesses_per_hour']:,.0f} / {a['guesses_per_day']:,.0f}", ''),
    ]
    for targets, chance in a['chance'].items():
        rows.append((f'chance of a hit, {targets} live reference(s)',
                     f"{chance['per_hour']:.1e} /h",
                     f"per reference lifetime {chance['per_reference']:.1e}, per day {chance['per_day']:.1e} "
                     f"(1 in {1 / chance['per_day']:,.0f})"))
    print_table('Attacker from one client network (computed, knowing the email)', rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--ops', type=int, default=10_000, help='creates (and as many redeems) per case')
    parser.add_argument('--race', type=int, default=100, help='simultaneous redemptions of one reference')
    parser.add_argument('--rounds', type=int, default=20, help='race rounds per client kind')
    parser.add_argument('--live', type=int, default=100, help='live references for the second attacker figure')
    parser.add_argument('--dir', type=Path, default=None, help='where the temp database goes (default: TMPDIR)')
    parser.add_argument('--json', type=Path)
    args = parser.parse_args(argv)
    result = run(args)
    publish(result, report, args.json)
    ok = all(r['ok'] for r in result['race'])
    print('\nrace: exactly one success every time' if ok else '\nrace: FAILED (see above)')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
