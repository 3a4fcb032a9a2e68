"""Recording benchmark, local mode: the real ``vce demo`` with N video calls in Chromium, each recorded by its agent's
browser (docs/recording.md).

    unshare -n sh -c 'ip link set lo up && .venv/bin/python -m benchmarks.recording --calls 1,2,4 --seconds 30'

For each N in ``--calls``, on a fresh server: N agents each take one customer's chat (``VCE_CHAT_CONCURRENCY=1``),
start video, both cameras on and the agent's screen shared. Then, with the server's /proc readings:

* **baseline**: ``--seconds`` of the N calls unrecorded: the server's CPU (% of one core) and mean RSS;
* **recording**: every agent presses Record (policy ``off``, so it starts at once), ``--seconds`` again: the same
  readings; per recording = (recording - baseline) / N. The browsers' own CPU is not counted (it is the agents');
* **end of call -> playable**: every agent ends the call for all; for each, the seconds from its click to its
  recording's state ``ready`` in the data folder's SQLite file (the recorder's drain of the encoder, the last
  uploads, the remux);
* **file size per minute**: the segments' bytes over their seconds (VP8 + Opus, 1280x720 at 15 fps, as recorded).

aws mode (Chime media capture + concatenation pipelines into S3) is not measurable offline: the recording is made by
AWS, not by this server. Everything talks to 127.0.0.1 inside a loopback-only network namespace (the script refuses
to run anywhere else); every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from benchmarks._harness import Server, fmt, print_table, proc_sample, publish
from tests.e2e.conftest import CHROMIUM_ARGS, recording_flows

VIEWPORT = {'width': 1280, 'height': 800}
TIMEOUT_MS = 60_000
PASSWORD = 'bench-agent-pass'
READY_TIMEOUT_S = 60.0
SETTLE_S = 3.0  # after the calls or the recordings started, before a window is measured


def only_loopback() -> bool:
    return [name for _, name in socket.if_nameindex()] == ['lo']


def load_average() -> str:
    return ' '.join(f'{x:.2f}' for x in os.getloadavg())


def new_page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def open_call(browser: Browser, contexts: list[BrowserContext], base: str, i: int) -> tuple[Page, Page]:
    """Agent ``bench<i>`` signs in and takes customer ``i``'s chat (the others are full), then both join video with
    their cameras on and the agent shares the screen."""
    agent, customer = new_page(browser, contexts), new_page(browser, contexts)
    agent.goto(f'{base}/agent')
    agent.wait_for_url('**/agent/login**')
    agent.get_by_test_id('username').fill(f'bench{i}')
    agent.get_by_test_id('password').fill(PASSWORD)
    agent.get_by_test_id('login').click()
    agent.wait_for_url(f'{base}/agent')
    agent.get_by_test_id('status-select').click()
    agent.get_by_role('option', name='Available', exact=True).click()
    expect(agent.get_by_test_id('agent-status')).to_have_text('Available')
    name = f'Customer {i}'
    customer.goto(f'{base}/')
    customer.get_by_test_id('launcher').click()
    customer.get_by_test_id('name').fill(name)
    customer.get_by_test_id('email').fill(f'customer{i}@example.com')
    customer.get_by_test_id('start-chat').click()
    expect(agent.get_by_test_id('offer-name')).to_have_text(name)
    agent.get_by_test_id('accept').click()
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')
    agent.get_by_test_id('start-video').click()
    expect(agent.get_by_test_id('join-meeting')).to_be_enabled()
    agent.get_by_test_id('join-meeting').click()
    expect(agent.get_by_test_id('leave')).to_be_visible()
    customer.get_by_test_id('join-video').click()
    expect(customer.get_by_test_id('join-meeting')).to_be_enabled()
    customer.get_by_test_id('join-meeting').click()
    expect(customer.get_by_test_id('leave')).to_be_visible()
    agent.get_by_test_id('camera').click()
    customer.get_by_test_id('camera').click()
    agent.get_by_test_id('share').click()
    for page, testid in ((agent, 'meeting-remote-video'), (customer, 'meeting-remote-video'),
                         (customer, 'meeting-content-video')):
        page.wait_for_function(f"(document.querySelector('[data-testid={testid}]') || {{}}).videoWidth > 0")
    return agent, customer


def measure_window(pid: int, seconds: float) -> dict[str, float]:
    """The server's CPU (% of one core) over ``seconds`` and its RSS sampled every second (mean, max)."""
    first = proc_sample(pid)
    rss = [first.rss_mb]
    deadline = first.wall + seconds
    while time.monotonic() < deadline:
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        rss.append(proc_sample(pid).rss_mb)
    last = proc_sample(pid)
    cpu = 100.0 * (last.cpu_seconds - first.cpu_seconds) / (last.wall - first.wall)
    return {'cpu_percent': cpu, 'rss_mean_mb': statistics.fmean(rss), 'rss_max_mb': max(rss)}


def recordings(database: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(f'file:{database}?mode=ro', uri=True, timeout=5) as db:
        return [json.loads(body) for (body,) in db.execute('SELECT body FROM recordings')]


def bench_calls(browser: Browser, n: int, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix='vce-bench-recording-'))
    env = {'VCE_OFFER_TIMEOUT_SECONDS': '60', 'VCE_LOG_LEVEL': args.log_level, 'VCE_CHAT_CONCURRENCY': '1',
           'VCE_RECORDING_CONSENT_POLICY': 'off', 'VCE_FLOWS_DIR': str(recording_flows(work))}
    server = Server(port=args.port, env=env, keep_dir=args.keep_dir)
    contexts: list[BrowserContext] = []
    try:
        server.add_agents([(f'bench{i}', f'Bench Agent {i}') for i in range(n)], PASSWORD)
        server.start()
        started = time.monotonic()
        calls = [open_call(browser, contexts, server.base_url, i) for i in range(n)]
        print(f'  {n} call(s) up in {time.monotonic() - started:.1f} s', flush=True)
        time.sleep(SETTLE_S)
        baseline = measure_window(server.pid, args.seconds)
        for agent, _ in calls:  # a DOM click: no wait for the busy renderers' animation frames
            agent.get_by_test_id('record-toggle').dispatch_event('click')
        for agent, customer in calls:
            expect(agent.get_by_test_id('recording-indicator')).to_be_visible()
            expect(customer.get_by_test_id('customer-recording-indicator')).to_be_visible()
        time.sleep(SETTLE_S)
        recording = measure_window(server.pid, args.seconds)
        ended: dict[str, float] = {}
        for i, (agent, _) in enumerate(calls):
            ended[f'bench{i}'] = time.time()
            agent.get_by_test_id('end-for-all').dispatch_event('click')
        ready = wait_ready(server.data_dir / 'vce.sqlite3', ended)
        ready['video_fps'] = video_fps(sorted((server.data_dir / 'recordings').glob('*/segment-*.webm')))
        return {'calls': n, 'baseline': baseline, 'recording': recording, **ready,
                'per_recording': {
                    'cpu_percent': (recording['cpu_percent'] - baseline['cpu_percent']) / n,
                    'rss_mb': (recording['rss_mean_mb'] - baseline['rss_mean_mb']) / n}}
    except BaseException:
        print(server.log_tail(40), file=sys.stderr)
        raise
    finally:
        for context in contexts:
            context.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def wait_ready(database: Path, ended: dict[str, float]) -> dict[str, Any]:
    """Seconds from each agent's End-for-all click to its recording's state ``ready``; the files' bytes per minute."""
    seconds_to_ready: dict[str, float] = {}
    deadline = time.monotonic() + READY_TIMEOUT_S
    found: list[dict[str, Any]] = []
    while len(seconds_to_ready) < len(ended) and time.monotonic() < deadline:
        found = recordings(database)
        for item in found:
            agent = item['agent_username']
            if item['state'] == 'ready' and agent in ended and agent not in seconds_to_ready:
                seconds_to_ready[agent] = time.time() - ended[agent]
        time.sleep(0.05)
    segments = [s for item in found if item['state'] == 'ready' for s in item['segments']]
    size = sum(s['size_bytes'] for s in segments)
    duration = sum(s['duration_seconds'] for s in segments)
    return {'seconds_to_ready': sorted(seconds_to_ready.values()), 'not_ready': len(ended) - len(seconds_to_ready),
            'recorded_seconds': duration, 'recorded_bytes': size,
            'mb_per_minute': size / duration * 60 / 1_000_000 if duration else None}


def video_fps(paths: list[Path]) -> float | None:
    """Video frames per second the files hold (the recorder draws 15; a starved browser draws fewer)."""
    import av  # the product's own dependency (the remux)

    frames, seconds = 0, 0.0
    for path in paths:
        with av.open(str(path)) as container:
            frames += sum(1 for packet in container.demux(video=0) if packet.size)
            seconds += float(container.duration or 0) / 1_000_000
    return frames / seconds if seconds else None


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {'machine': {'cpus': os.cpu_count(), 'loadavg_start': load_average(),
                                          'python': platform.python_version()}, 'seconds': args.seconds, 'runs': []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        result['machine']['chromium'] = browser.version
        try:
            for n in args.calls:
                print(f'\n{n} concurrent recorded call(s), {args.seconds:.0f} s per window', flush=True)
                try:
                    result['runs'].append(bench_calls(browser, n, args))
                except Exception as error:  # e.g. the machine cannot run 2N pages with their media: say so, go on
                    print(f'  {n} call(s) failed: {type(error).__name__}: {str(error).splitlines()[0]}', flush=True)
                    result['runs'].append({'calls': n, 'error': f'{type(error).__name__}: {error}'.splitlines()[0],
                                           'loadavg': load_average()})
        finally:
            browser.close()
    result['machine']['loadavg_end'] = load_average()
    return result


def report(result: dict[str, Any]) -> None:
    machine = result['machine']
    print(f"\nmachine: {machine['cpus']} CPUs, Chromium {machine.get('chromium')}, load average "
          f"{machine['loadavg_start']} -> {machine['loadavg_end']}")
    for run_ in result['runs']:
        if 'error' in run_:
            print(f"\n{run_['calls']} call(s): not measured ({run_['error']}; load average {run_['loadavg']})")
            continue
        n, base, rec, per = run_['calls'], run_['baseline'], run_['recording'], run_['per_recording']
        ready = run_['seconds_to_ready']
        print_table(f'{n} call(s), local mode (server process only)', [
            ('server CPU, calls unrecorded', f"{fmt(base['cpu_percent'])} %", 'of one core'),
            ('server CPU, calls recorded', f"{fmt(rec['cpu_percent'])} %", ''),
            ('server CPU per recording', f"{fmt(per['cpu_percent'])} %", '(recorded - unrecorded) / N'),
            ('server RSS, unrecorded / recorded', f"{fmt(base['rss_mean_mb'])} / {fmt(rec['rss_mean_mb'])} MB",
             'mean'),
            ('server RSS per recording', f"{fmt(per['rss_mb'])} MB", ''),
            ('file size per minute', f"{fmt(run_['mb_per_minute'], 2)} MB", 'VP8 + Opus WebM'),
            ('video frames per second in the files', fmt(run_['video_fps']), 'the recorder draws 15'),
            ('end of call -> playable', ' / '.join(fmt(s, 2) for s in ready) + ' s' if ready else '-',
             f"each call; {run_['not_ready']} not ready in {READY_TIMEOUT_S:.0f} s"),
        ])
    print('\naws mode: not measurable offline (Chime media pipelines record in AWS, not on this server)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--calls', default='1,2,4', type=lambda v: [int(x) for x in v.split(',') if x],
                        help='concurrent recorded calls, one run each (default 1,2,4)')
    parser.add_argument('--seconds', type=float, default=30.0, help='length of each measured window (default 30)')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--chromium', default=os.environ.get('CHROMIUM', '/usr/bin/chromium'))
    parser.add_argument('--log-level', default='WARNING')
    parser.add_argument('--keep-dir', action='store_true')
    parser.add_argument('--json', type=Path)
    args = parser.parse_args(argv)
    if not only_loopback():
        print("refusing to run: WebRTC must stay on loopback; run inside "
              "unshare -n sh -c 'ip link set lo up && ...'", file=sys.stderr)
        return 2
    if not 1 <= args.seconds <= 600 or not args.calls or not all(1 <= n <= 8 for n in args.calls):
        parser.error('--seconds must be 1..600 and --calls 1..8 each')
    publish(run(args), report, args.json)  # type: ignore[arg-type]
    return 0


if __name__ == '__main__':
    sys.exit(main())
