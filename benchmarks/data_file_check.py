"""What the data file check costs at start-up: opening ``SqliteStore`` (which runs ``PRAGMA quick_check``) on
realistic local-mode databases of growing size.

    .venv/bin/python -m benchmarks.data_file_check [--contacts 1000,10000,50000] [--messages 20] [--repeats 5]
                                                   [--json data_file_check.json]

Each database is built in a temp dir with the product's own schema (``SqliteStore`` creates it), then filled with
plain inserts: ``--contacts`` ended chats, each with ``--messages`` transcript lines of typical length, its customer
session and attributes, plus 50 agents. For each size the script reports the file size and the median of
``--repeats`` runs of:

* ``open``: ``SqliteStore(path)`` as the server and the ``vce agents`` commands do (the check, WAL, schema);
* ``quick_check``: the check alone, on a fresh connection;
* ``without check``: what opening costs without it (connect, WAL, schema), for comparison.

The file is in the OS page cache (it was just written), as on a restart; a cold cache adds the time to read the file
once from disk. Nothing leaves the temp dir, which is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.adapters.local.sqlite_store import SCHEMA, SqliteStore
from benchmarks._harness import fmt, print_table, publish

LINE = 'Hello, I would like to ask about the card I ordered last week; it has not arrived yet. #{seq}'


def build(path: Path, contacts: int, messages: int) -> None:
    SqliteStore(path).close()  # the product's schema, WAL mode
    db = sqlite3.connect(path, isolation_level=None)
    db.execute('BEGIN')
    for n in range(50):
        db.execute('INSERT INTO agents VALUES (?, ?, ?, ?, ?, ?, ?)',
                   (f'agent{n}', f'Agent {n}', str(uuid.uuid4()), '$argon2id$v=19$m=65536,t=3,p=4$' + 'x' * 70,
                    '["BasicQueue"]', 'Offline', 0.0))
    attributes = json.dumps({'customerName': 'Cara Customer', 'customerEmailAddress': 'cara@example.com'})
    for n in range(contacts):
        contact_id = str(uuid.uuid4())
        db.execute('INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                   (contact_id, 'ended', f'Customer {n}', f'customer{n}@example.com', attributes, 5, 'BasicQueue',
                    1.0, f'agent{n % 50}', None, 1.0, 2.0, 3.0, 'customer', 'CHAT'))
        db.executemany('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)',
                       [(contact_id, seq, 'CUSTOMER' if seq % 2 else 'AGENT', 'Customer', LINE.format(seq=seq),
                         'MESSAGE', 1.0 + seq) for seq in range(1, messages + 1)])
        db.execute('INSERT INTO customer_sessions VALUES (?, ?)', (uuid.uuid4().hex * 2, contact_id))
    db.execute('COMMIT')
    db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    db.close()


def median_ms(action: Callable[[Path], None], path: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def open_store(path: Path) -> None:
    SqliteStore(path).close()


def quick_check(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute('PRAGMA quick_check').fetchall()
    db.close()


def open_without_check(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute('PRAGMA journal_mode=WAL')
    db.execute('PRAGMA synchronous=NORMAL')
    db.executescript(SCHEMA)
    db.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix='vce-bench-datafile-', dir=args.dir))
    cases = []
    try:
        for contacts in args.contacts:
            path = workdir / f'vce-{contacts}.sqlite3'
            started = time.perf_counter()
            build(path, contacts, args.messages)
            built_s = time.perf_counter() - started
            size_mb = path.stat().st_size / 1e6
            case = {'contacts': contacts, 'messages': contacts * args.messages, 'size_mb': size_mb,
                    'build_s': built_s,
                    'open_ms': median_ms(open_store, path, args.repeats),
                    'quick_check_ms': median_ms(quick_check, path, args.repeats),
                    'without_check_ms': median_ms(open_without_check, path, args.repeats)}
            case['check_ms_per_mb'] = case['quick_check_ms'] / size_mb
            cases.append(case)
            path.unlink()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {'machine': {'python': platform.python_version(), 'sqlite': sqlite3.sqlite_version,
                        'cpus': os.cpu_count()},
            'repeats': args.repeats, 'cases': cases}


def report(result: dict[str, Any]) -> None:
    machine = result['machine']
    print(f"Python {machine['python']}, SQLite {machine['sqlite']}, {machine['cpus']} CPUs; "
          f"median of {result['repeats']} runs, file in the page cache")
    rows = []
    for case in result['cases']:
        label = f"{case['contacts']:,} chats, {case['messages']:,} messages ({case['size_mb']:,.0f} MB)"
        rows.append((label, f"{fmt(case['open_ms'])} ms",
                     f"quick_check alone {fmt(case['quick_check_ms'])} ms ({fmt(case['check_ms_per_mb'], 2)} ms/MB); "
                     f"without the check {fmt(case['without_check_ms'])} ms"))
    print_table('Opening the data file (SqliteStore, with the check)', rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--contacts', type=lambda text: [int(n) for n in text.split(',')],
                        default=[1_000, 10_000, 50_000], help='database sizes, in ended chats (comma-separated)')
    parser.add_argument('--messages', type=int, default=20, help='transcript lines per chat')
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--dir', type=Path, default=None, help='where the temp databases go (default: TMPDIR)')
    parser.add_argument('--json', type=Path)
    args = parser.parse_args(argv)
    publish(run(args), report, args.json)
    return 0


if __name__ == '__main__':
    sys.exit(main())
