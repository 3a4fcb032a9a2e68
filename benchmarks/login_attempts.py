"""Password guesses an attacker gets against one agent account, from one client network and from 100: computed from
the login policy, and measured on a real server.

    .venv/bin/python -m benchmarks.login_attempts [--window 120] [--duration 240] [--networks 100] [--json FILE]

Computed (``LoginPolicy`` with the settings' defaults, no server): guesses per hour from N networks that each stay
inside their limits, the slow-down's bound on an attacker who waits for each answer, and the longest the agent waits.

Measured: ``vce demo`` in a temp dir with a short failure window (``--window`` seconds instead of 900, so a bounded
run spans several windows) and ``VCE_TRUSTED_PROXIES=127.0.0.1``, so each attacker network is a different
``X-Forwarded-For`` from this loopback client (the header is believed only because 127.0.0.1 is a configured proxy;
docs/security/proxies.md). Two attacks run at once, each on its own account: one network, and ``--networks`` networks
in parallel. Every attacker network guesses one at a time through the real login page in one tab (headless NiceGUI
client: fill in, click, read the answer), as fast as the server answers, for ``--duration`` seconds; after a
refusal it retries every ``--retry`` seconds (refusals cost no password check and count nothing). Towards the end
the real agent logs in to the attacked account from a network that has not failed, and its wait is timed.

A guess is a password check ("Wrong username or password."); refusals ("Too many failed logins from your network")
are counted apart. Guesses per window (the checks over the windows begun, ceil(duration / window)) are scaled to the
default 15-minute window: per hour = per window x 4. The
server's argon2 checks (~0.1-0.2 s of CPU each) are real, so the 100-network attack keeps about one core busy.
Everything talks to 127.0.0.1 only; every loop ends at ``--duration``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.domain.login_limits import LoginPolicy
from backend.settings import Settings
from benchmarks._harness import Server, fmt, measure_and_publish, percentile, print_table, raise_fd_limit
from benchmarks.nicegui_client import Browser, Page

DEFAULT_WINDOW_SECONDS = 900
WRONG = 'Wrong username or password.'
REFUSED = 'Too many failed logins from your network'
PASSWORD = 'bench-agent-password'
ONE_NETWORK_ACCOUNT = 'bench-one'
MANY_NETWORKS_ACCOUNT = 'bench-many'
AGENT_NETWORK = '198.51.100.20'


@dataclass
class Tally:
    checked: int = 0
    refused: int = 0
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    answer_ms: list[float] = field(default_factory=list)  # click -> answer, password checks only

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)


def computed(policy: LoginPolicy, networks: int) -> dict[str, Any]:
    """The figures the policy allows, for the default window."""
    most_slowdown = policy.slowdown_max_seconds
    return {
        'per_hour_one_network': policy.attempts_per_hour(1),
        'per_hour_many_networks': policy.attempts_per_hour(networks),
        'per_day_one_network': policy.attempts_per_hour(1) * 24,
        'per_day_many_networks': policy.attempts_per_hour(networks) * 24,
        'sequential_bound_per_hour': 3600 / most_slowdown if most_slowdown > 0 else None,
        'agent_longest_wait_s': most_slowdown,
    }


class LoginPage:
    """One attacker's (or the agent's) login tab, reused for every try: the page clears its answer when a check
    starts, so each try's answer is the first non-empty text of the ``login-error`` label after the click."""

    def __init__(self, base_url: str, address: str, connector: aiohttp.BaseConnector) -> None:
        self.browser = Browser(base_url, connector=connector)
        self.browser.session.headers['X-Forwarded-For'] = address
        self.page = self.browser.page()
        self.answers: list[str] = []
        self.page.on_update(self._collect)

    def _collect(self, page: Page, changed: dict[int, Any], new_ids: list[int]) -> None:
        label = page.element('login-error')
        if label is not None and any(element is label for element in changed.values()):
            self.answers.append(str(label.get('text') or ''))

    async def open(self) -> None:
        await self.page.open('/agent/login')
        self.answers.clear()

    async def guess(self, username: str, password: str) -> tuple[str, float]:
        """One try: the answer shown (or 'navigated' on success) and the click -> answer time."""
        await self.page.set_value('username', username)
        await self.page.set_value('password', password)
        seen = len(self.answers)
        started = time.monotonic()
        await self.page.click('login')
        answer = await self.page.wait_for(
            lambda: next((a for a in self.answers[seen:] if a), '') or ('navigated' if self.page.navigations else ''),
            timeout=60)
        return str(answer), (time.monotonic() - started) * 1000

    async def close(self) -> None:
        await self.page.close()
        await self.browser.close()


async def attacker(address: str, username: str, base_url: str, deadline: float, retry: float,
                   tally: Tally, connector: aiohttp.BaseConnector) -> None:
    tab = LoginPage(base_url, address, connector)
    try:
        await tab.open()
        n = 0
        while time.monotonic() < deadline:
            n += 1
            try:
                answer, ms = await tab.guess(username, f'wrong guess {n}')
            except Exception as error:  # a dropped socket or a timeout on a loaded machine: count, open the page again
                tally.error(f'{type(error).__name__}: {error} (socket closed: {tab.page.disconnect_reason!r}, '
                            f'{time.monotonic() - deadline:+.1f} s from the end)')
                await asyncio.sleep(retry)
                await tab.open()
                continue
            if answer.startswith(WRONG):
                tally.checked += 1
                tally.answer_ms.append(ms)
            elif answer.startswith(REFUSED):
                tally.refused += 1
                await asyncio.sleep(retry)
            else:
                tally.error(f'unexpected answer {answer!r}')
    finally:
        await tab.close()


async def agent_login(base_url: str, username: str, connector: aiohttp.BaseConnector) -> dict[str, Any]:
    tab = LoginPage(base_url, AGENT_NETWORK, connector)
    try:
        await tab.open()
        answer, ms = await tab.guess(username, PASSWORD)
        return {'answer': answer, 'ms': ms}
    finally:
        await tab.close()


async def run(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=0)
    one, many = Tally(), Tally()
    started = time.monotonic()
    deadline = started + args.duration
    tasks = [asyncio.create_task(attacker('203.0.113.66', ONE_NETWORK_ACCOUNT, server.base_url, deadline,
                                          args.retry, one, connector))]
    tasks += [asyncio.create_task(attacker(f'10.77.{n // 250}.{n % 250 + 1}', MANY_NETWORKS_ACCOUNT,
                                           server.base_url, deadline, args.retry, many, connector))
              for n in range(args.networks)]
    await asyncio.sleep(max(0.0, args.duration - args.agent_at_end))
    agents = await asyncio.gather(agent_login(server.base_url, ONE_NETWORK_ACCOUNT, connector),
                                  agent_login(server.base_url, MANY_NETWORKS_ACCOUNT, connector))
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    await connector.close()
    windows = math.ceil(args.duration / args.window)  # windows begun: each lets a network guess again
    scale = 3600 / DEFAULT_WINDOW_SECONDS
    measured = {}
    for name, tally, networks in (('one_network', one, 1), ('many_networks', many, args.networks)):
        per_window = tally.checked / windows
        measured[name] = {
            'networks': networks, 'checked': tally.checked, 'refused': tally.refused, 'errors': tally.errors,
            'first_errors': tally.first_errors,
            'per_window': per_window, 'per_window_per_network': per_window / networks,
            'per_hour_at_default_window': per_window * scale,
            'answer_ms_p50': percentile(tally.answer_ms, 50), 'answer_ms_max': max(tally.answer_ms, default=None),
        }
    return {'window_s': args.window, 'duration_s': elapsed, 'windows': windows,
            'computed': computed(LoginPolicy(window_seconds=DEFAULT_WINDOW_SECONDS), args.networks),
            'measured': measured,
            'agent_one_network': agents[0], 'agent_many_networks': agents[1]}


def report(result: dict[str, Any]) -> None:
    c, m = result['computed'], result['measured']
    networks = m['many_networks']['networks']
    print_table('Login attempts at one agent account: computed from the default policy', [
        ('guesses per hour, 1 network', fmt(c['per_hour_one_network'], 0), '5 per 15 min per account and network'),
        (f'guesses per hour, {networks} networks', fmt(c['per_hour_many_networks'], 0), 'in parallel'),
        ('guesses per day, 1 / many networks',
         f"{c['per_day_one_network']:.0f} / {c['per_day_many_networks']:.0f}", ''),
        ('an attacker who waits for each answer, per hour, at most', fmt(c['sequential_bound_per_hour'], 0),
         'the capped slow-down, however many networks'),
        ('longest wait of the agent (other network)', f"{c['agent_longest_wait_s']:.1f} s", '+ the password check'),
    ])
    rows = []
    for name, label in (('one_network', '1 network'), ('many_networks', f'{networks} networks')):
        row = m[name]
        rows += [
            (f'{label}: password checks / refusals / errors',
             f"{row['checked']} / {row['refused']} / {row['errors']}", ''),
            (f'{label}: checks per window (per network)',
             f"{row['per_window']:.1f} ({row['per_window_per_network']:.2f})", 'policy: 5 per network'),
            (f'{label}: per hour at the 15-min window', fmt(row['per_hour_at_default_window'], 0), ''),
            (f'{label}: click -> answer p50 / max',
             f"{fmt(row['answer_ms_p50'], 0)} / {fmt(row['answer_ms_max'], 0)} ms", 'includes the slow-down'),
        ]
    for key, label in (('agent_one_network', '1 network'), ('agent_many_networks', f'{networks} networks')):
        agent = result[key]
        rows.append((f'agent on another network during the {label} attack', f"{agent['ms']:.0f} ms",
                     'logged in' if agent['answer'] == 'navigated' else f"NOT logged in: {agent['answer']}"))
    print_table(f"Measured: window {result['window_s']} s, {result['duration_s']:.0f} s "
                f"({result['windows']} windows begun)", rows)
    for name in ('one_network', 'many_networks'):
        for error in m[name]['first_errors']:
            print(f'  {name} error: {error}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--window', type=int, default=120, help='VCE_LOGIN_FAILURE_WINDOW_SECONDS for the run')
    parser.add_argument('--duration', type=float, default=240.0, help='seconds of attack')
    parser.add_argument('--networks', type=int, default=100)
    parser.add_argument('--retry', type=float, default=2.0, help='seconds between tries after a refusal')
    parser.add_argument('--agent-at-end', type=float, default=15.0, help='the agent logs in this long before the end')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--json', type=Path)
    parser.add_argument('--keep-dir', action='store_true')
    args = parser.parse_args(argv)
    Settings(demo=True, login_failure_window_seconds=args.window)  # refuse a window the server would refuse
    raise_fd_limit()
    server = Server(port=args.port, keep_dir=args.keep_dir, env={
        'VCE_LOGIN_FAILURE_WINDOW_SECONDS': str(args.window), 'VCE_TRUSTED_PROXIES': '127.0.0.1',
        'VCE_LOG_LEVEL': 'WARNING'})

    def measure() -> dict[str, Any]:
        server.add_agents([(ONE_NETWORK_ACCOUNT, 'Bench One'), (MANY_NETWORKS_ACCOUNT, 'Bench Many')], PASSWORD)
        server.start()
        print(f'server pid {server.pid} on {server.base_url} (workdir {server.workdir})', flush=True)
        return asyncio.run(run(args, server))

    return measure_and_publish(server, measure, report, args.json)


if __name__ == '__main__':
    sys.exit(main())
