"""Chat load test: N customers chat with agents over NiceGUI's real socket protocol, against one ``vce demo`` process.

    .venv/bin/python -m benchmarks.chat_load --chats 200 --agents 200 --concurrency 1 --duration 120 --interval 2

Phases:

1. start the server in a temp dir, create the agents with ``vce agents add``;
2. every agent logs in through /agent/login (same cookie jar for the login page, its socket and /agent) and picks
   Available in ``status-select``;
3. customers arrive spread over ``--ramp`` seconds: open /, click ``launcher``, fill ``name`` / ``email``, click
   ``start-chat``. Agents accept every offer as soon as ``offer-name`` shows a customer in a visible ``offer`` card.
   Measured: **submit → offer shown** (the customer's start-chat click is sent → the agent client sees that
   customer's name in the offer card);
4. once all chats are connected, each customer sends ``m:<chat>:<seq>:<send_time_ns>`` every ``--interval`` s for
   ``--duration`` s (chats evenly phase-shifted). Agent clients look at every element the server adds or changes; a
   message "arrives" when its text shows up in the agent's page. Measured: **customer message → agent delivered**
   latency, lost messages (not delivered 5 s after the last send) and out-of-order deliveries per chat;
5. afterwards every agent reloads its desktop, opens each of its contacts and reads the transcript the server renders
   from its store, which checks that nothing was lost or reordered, for contacts open during the run or not.

The agent desktop renders the transcript of the contact it has OPEN only (``agent_ui/local_desktop/desktop.py``
``_on_event``); other contacts just get an "unread" badge, which carries no text. So live per-message latency is
measured for chats that were open on their agent during the run: all chats with ``--concurrency 1`` and
``--agents >= --chats``, one chat per agent otherwise (the table says how many chats were measured).

Server CPU% and RSS come from /proc/<pid>/stat and /proc/<pid>/status. The load generator runs on the same machine
and its own CPU% is reported too: on a 2-core VM it competes with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import (
    ProcSample,
    Server,
    cpu_percent,
    fmt,
    gc_probe_env,
    measure_and_publish,
    percentile,
    print_table,
    proc_sample,
    raise_fd_limit,
    read_gc_log,
    start_py_spy,
    system_busy_cores,
    system_cpu,
)
from benchmarks.nicegui_client import Browser, Element, Page, element_strings

AGENT_PASSWORD = 'bench-agent-pass-1'
MESSAGE_RE = re.compile(r'm:(\d+):(\d+):(\d+)')
CONNECTED_TEXT = 'You are chatting with an agent'
DRAIN_SECONDS = 5.0

TARGET_MSG_P95_MS = 50.0
TARGET_OFFER_P95_MS = 150.0


def customer_name(index: int) -> str:
    return f'Customer {index:04d}'


@dataclass
class Chat:
    index: int
    name: str
    page: Page | None = None
    submit_ns: int = 0
    offer_ns: int = 0
    connected: bool = False
    agent: str = ''
    sent: dict[int, int] = field(default_factory=dict)  # seq -> send ns
    send_errors: int = 0
    delivered: dict[int, int] = field(default_factory=dict)  # seq -> first arrival ns at the agent
    arrival_order: list[int] = field(default_factory=list)
    duplicates: int = 0
    final_transcript: list[int] | None = None  # seqs in the order the agent's transcript shows them at the end
    error: str = ''


@dataclass
class AgentClient:
    username: str
    browser: Browser
    page: Page | None = None
    offers_seen: set[str] = field(default_factory=set)
    accepted: list[str] = field(default_factory=list)
    accept_errors: int = 0


class ChatLoad:
    def __init__(self, args: argparse.Namespace, server: Server) -> None:
        self.args = args
        self.server = server
        self.connector: aiohttp.TCPConnector | None = None
        self.chats = [Chat(i, customer_name(i)) for i in range(args.chats)]
        self.by_name = {c.name: c for c in self.chats}
        self.agents: list[AgentClient] = []
        self.phase = 'setup'
        self.tasks: set[asyncio.Task[Any]] = set()
        self.samples: list[ProcSample] = []
        self.loadgen_cpu: dict[str, tuple[float, float]] = {}
        self.notes: list[str] = []
        self.live_chats: list[Chat] = []

    # ----------------------------------------------------------------------------------------------- agents

    async def login_agent(self, agent: AgentClient) -> None:
        page = agent.browser.page()
        path = await page.open('/agent')
        if path != '/agent/login':
            raise RuntimeError(f'{agent.username}: expected the login page, got {path}')
        await page.set_value('username', agent.username)
        await page.set_value('password', AGENT_PASSWORD)
        await page.click('login')
        target = await page.wait_for_navigation(30)
        await page.close()
        desktop = agent.browser.page()
        desktop.on_update(lambda p, changed, new: self.on_agent_update(agent, p, changed, new))
        desktop.on_javascript(lambda p, code: self.on_agent_javascript(code))
        agent.page = desktop
        path = await desktop.open(target.removeprefix(self.server.base_url))
        if path != '/agent':
            raise RuntimeError(f'{agent.username}: login did not reach the desktop ({path})')
        await desktop.select('status-select', 'Available')
        await desktop.wait_for(lambda: desktop.text('agent-status') == 'Available', 30)

    def on_agent_update(self, agent: AgentClient, page: Page, changed: dict[int, Element | None],
                        new_ids: list[int]) -> None:
        now = time.time_ns()
        # messages: any element the server added or changed that shows "m:<chat>:<seq>:<ns>"
        for element in changed.values():
            if element is None:
                continue
            for text in element_strings(element):
                if 'm:' not in text:
                    continue
                for match in MESSAGE_RE.finditer(text):
                    index, seq = int(match.group(1)), int(match.group(2))
                    if 0 <= index < len(self.chats):
                        self.record_delivery(self.chats[index], seq, now)
        # offers: the offer card is visible and names a customer we have not seen offered to this agent yet
        name = page.text('offer-name')
        if name and name in self.by_name and name not in agent.offers_seen and page.visible('offer'):
            agent.offers_seen.add(name)
            chat = self.by_name[name]
            if not chat.offer_ns:
                chat.offer_ns = now
                chat.agent = agent.username
            self.spawn(self.accept(agent, name))

    def on_agent_javascript(self, code: str) -> None:
        """Live messages reach an open transcript as ``runMethod(<id>, "append", [[{..., "text": ...}]])``."""
        if '"append"' not in code or 'm:' not in code:
            return
        now = time.time_ns()
        for match in MESSAGE_RE.finditer(code):
            index, seq = int(match.group(1)), int(match.group(2))
            if 0 <= index < len(self.chats):
                self.record_delivery(self.chats[index], seq, now)

    def record_delivery(self, chat: Chat, seq: int, now: int) -> None:
        if self.phase == 'verify':
            return
        if seq in chat.delivered:
            chat.duplicates += 1  # e.g. the whole transcript re-rendered when the agent switched contacts
            return
        chat.delivered[seq] = now
        chat.arrival_order.append(seq)

    async def accept(self, agent: AgentClient, name: str) -> None:
        page = agent.page
        assert page is not None
        try:
            await page.click('accept')
            await page.wait_for(lambda: page.text('customer-name') == name, 30)
            agent.accepted.append(name)
        except Exception as error:
            agent.accept_errors += 1
            self.notes.append(f'{agent.username} could not accept {name}: {error!r}')

    # ----------------------------------------------------------------------------------------------- customers

    async def run_customer(self, chat: Chat, start_at: float) -> None:
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        browser = Browser(self.server.base_url, connector=self.connector)
        page = browser.page()
        chat.page = page
        try:
            await page.open('/')
            await page.click('launcher')
            await page.wait_for_testid('start-chat', 30)
            await page.set_value('name', chat.name)
            await page.set_value('email', f'customer{chat.index}@example.com')
            chat.submit_ns = time.time_ns()
            await page.click('start-chat')
            await page.wait_for(lambda: page.text('chat-status') == CONNECTED_TEXT, self.args.connect_timeout)
            chat.connected = True
        except Exception as error:
            chat.error = repr(error)

    async def send_messages(self, chat: Chat, start: float, count: int) -> None:
        page = chat.page
        assert page is not None
        phase = chat.index * self.args.interval / max(1, len(self.chats))
        for seq in range(count):
            await asyncio.sleep(max(0.0, start + phase + seq * self.args.interval - time.monotonic()))
            if not page.connected:
                chat.send_errors += 1
                continue
            sent_ns = time.time_ns()
            text = f'm:{chat.index}:{seq}:{sent_ns}'
            try:
                await page.set_value('reply', text)
                await page.click('send')
                chat.sent[seq] = sent_ns
            except Exception:
                chat.send_errors += 1

    # ----------------------------------------------------------------------------------------------- verification

    async def read_transcripts(self, agent: AgentClient) -> None:
        """Reload the agent's desktop, then open each of its contacts and read the transcript the server renders.

        The reload matters: live messages reach an open transcript as ``append`` calls in the browser and never
        change the element's ``messages`` prop, so a contact that stayed open (every contact with ``--concurrency
        1``) would show only what it had when it was opened. A fresh page builds every transcript from the store.
        """
        page = agent.page
        if page is None:
            return
        try:
            path = await page.open('/agent')
            if path != '/agent':
                raise RuntimeError(f'reloading the desktop gave {path}')
        except Exception as error:
            self.notes.append(f'{agent.username}: desktop reload failed: {error!r}')
            return
        for name in agent.accepted:
            chat = self.by_name[name]
            try:
                item = await page.wait_for(lambda name=name: self.contact_item(page, name), 30)
                await page.emit_event(item, 'click', [])
                await page.wait_for(lambda name=name: page.text('customer-name') == name, 30)
                await asyncio.sleep(0.2)  # let the whole transcript arrive
                chat.final_transcript = self.transcript_seqs(page, chat.index)
            except Exception as error:
                self.notes.append(f'{agent.username}: transcript of {name} unreadable: {error!r}')

    @staticmethod
    def contact_item(page: Page, name: str) -> int | None:
        for item in page.find('contact-item'):
            if any(page.elements[d].get('text') == name for d in page.descendants(item)):
                return item
        return None

    @staticmethod
    def transcript_seqs(page: Page, index: int) -> list[int]:
        """Message seqs in the transcript's display order (depth-first, children in order)."""
        # the transcript is one element whose ``messages`` prop holds the whole conversation
        roots = [i for i, e in page.elements.items() if (e.get('props') or {}).get('ownRole') == 'agent']
        seqs: list[int] = []
        if not roots:
            return seqs

        def walk(element_id: int) -> None:
            element = page.elements.get(element_id)
            if element is None:
                return
            for text in element_strings(element):
                for match in MESSAGE_RE.finditer(text):
                    if int(match.group(1)) == index:
                        seqs.append(int(match.group(2)))
            for child in element.get('children') or []:
                walk(child)
            for slot in (element.get('slots') or {}).values():
                for child in slot.get('ids') or []:
                    walk(child)

        walk(roots[-1])
        return seqs

    # ----------------------------------------------------------------------------------------------- running

    def spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def sampler(self) -> None:
        while True:
            self.samples.append(proc_sample(self.server.pid))
            await asyncio.sleep(1.0)

    def mark_loadgen(self, label: str) -> None:
        self.loadgen_cpu[label] = (time.monotonic(), time.process_time())

    async def run(self) -> dict[str, Any]:
        args = self.args
        self.connector = aiohttp.TCPConnector(limit=0, force_close=False)
        result: dict[str, Any] = {'config': vars(args).copy()}
        sampler = asyncio.get_running_loop().create_task(self.sampler())
        try:
            baseline = proc_sample(self.server.pid)
            # agents
            started = time.monotonic()
            self.agents = [AgentClient(f'lt{i:04d}', Browser(self.server.base_url, connector=self.connector))
                           for i in range(args.agents)]
            gate = asyncio.Semaphore(args.login_parallelism)

            async def login(agent: AgentClient) -> None:
                async with gate:
                    await self.login_agent(agent)

            outcomes = await asyncio.gather(*(login(a) for a in self.agents), return_exceptions=True)
            failures = [o for o in outcomes if isinstance(o, BaseException)]
            if failures:
                raise RuntimeError(f'{len(failures)} agent logins failed, first: {failures[0]!r}')
            result['agents_logged_in_s'] = time.monotonic() - started
            after_agents = proc_sample(self.server.pid)

            # customers arrive and get connected
            self.phase = 'connect'
            self.mark_loadgen('connect_start')
            t0 = time.monotonic() + 0.5
            spacing = args.ramp / max(1, args.chats)
            connect_profiler = (start_py_spy(self.server.pid, args.py_spy_connect, args.ramp + 2)
                                if args.py_spy_connect else None)
            await asyncio.gather(*(self.run_customer(c, t0 + i * spacing) for i, c in enumerate(self.chats)))
            connect_s = time.monotonic() - t0
            self.mark_loadgen('connect_end')
            if connect_profiler is not None:
                connect_profiler.wait(timeout=60)
            await asyncio.sleep(1.0)  # let accepts settle (contact views opened)
            connected = [c for c in self.chats if c.connected]
            after_connect = proc_sample(self.server.pid)

            # messages
            self.phase = 'messages'
            count = int(args.duration / args.interval)
            start = time.monotonic() + 1.0
            profiler = start_py_spy(self.server.pid, args.py_spy, args.duration + 1) if args.py_spy else None
            first = proc_sample(self.server.pid)
            system_first, unix_first = system_cpu(), time.time()
            self.mark_loadgen('messages_start')
            await asyncio.gather(*(self.send_messages(c, start, count) for c in connected))
            last_send = time.monotonic()
            last = proc_sample(self.server.pid)
            system_last, unix_last = system_cpu(), time.time()
            self.mark_loadgen('messages_end')
            result['machine_cpu_percent_messages'] = system_busy_cores(system_first, system_last,
                                                                      last.wall - first.wall)
            if args.gc_log:
                result['server_gc'] = read_gc_log(self.server.workdir / 'gc.log', unix_first, unix_last)
            if profiler is not None:
                profiler.wait(timeout=60)
            deadline = last_send + DRAIN_SECONDS
            while time.monotonic() < deadline and any(len(c.delivered) < len(c.sent) for c in self.measured()):
                await asyncio.sleep(0.1)
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))  # always the full drain window
            window = [s for s in self.samples if first.wall <= s.wall <= last.wall] or [first, last]

            # verification: read every transcript as the server renders it (a few desktops reload at a time)
            self.live_chats = self.measured()
            self.phase = 'verify'
            reloads = asyncio.Semaphore(args.login_parallelism)

            async def verify(agent: AgentClient) -> None:
                async with reloads:
                    await self.read_transcripts(agent)

            await asyncio.gather(*(verify(a) for a in self.agents))

            if args.latency_csv:
                self.write_latency_csv(args.latency_csv)
            result.update(self.summarise(baseline, after_agents, after_connect, first, last, window, connect_s,
                                         connected, count))
        finally:
            sampler.cancel()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*(c.page.close() for c in self.chats if c.page), return_exceptions=True)
            await asyncio.gather(*(a.page.close() for a in self.agents if a.page), return_exceptions=True)
            await asyncio.gather(*(a.browser.close() for a in self.agents), return_exceptions=True)
            await asyncio.gather(*(c.page.browser.close() for c in self.chats if c.page), return_exceptions=True)
            await self.connector.close()
        return result

    def write_latency_csv(self, path: Path) -> None:
        with path.open('w') as f:
            f.write('chat,seq,sent_unix_ns,delivered_unix_ns,latency_ms\n')
            for chat in self.chats:
                for seq, sent_ns in sorted(chat.sent.items()):
                    arrived = chat.delivered.get(seq)
                    latency = f'{(arrived - sent_ns) / 1e6:.3f}' if arrived else ''
                    f.write(f'{chat.index},{seq},{sent_ns},{arrived or ""},{latency}\n')

    def disconnects(self) -> dict[str, Any]:
        """Sockets the server (or the network) closed during the run, by page kind and reason."""
        found: dict[str, Any] = {}
        pages = [('customer', c.page) for c in self.chats] + [('agent', a.page) for a in self.agents]
        for kind, page in pages:
            if page is not None and page.disconnect_reason is not None:
                entry = found.setdefault(f'{kind}: {page.disconnect_reason}', {'count': 0, 'first_unix': None})
                entry['count'] += 1
                if entry['first_unix'] is None or (page.disconnected_at or 0) < entry['first_unix']:
                    entry['first_unix'] = page.disconnected_at
        return found

    def measured(self) -> list[Chat]:
        """Chats whose contact was open on the agent's desktop during the message phase (live-measurable)."""
        open_names: set[str] = set()
        for agent in self.agents:
            if agent.page is not None and (name := agent.page.text('customer-name')):
                open_names.add(name)
        return [c for c in self.chats if c.connected and c.name in open_names]

    def summarise(self, baseline: ProcSample, after_agents: ProcSample, after_connect: ProcSample,
                  first: ProcSample, last: ProcSample, window: list[ProcSample], connect_s: float,
                  connected: list[Chat], count: int) -> dict[str, Any]:
        measured = self.live_chats  # the contacts open during the message phase (the reload changed them)
        latencies_ms: list[float] = []
        lost = late_or_lost_live = out_of_order = duplicates = 0
        for chat in measured:
            for seq, sent_ns in chat.sent.items():
                arrived = chat.delivered.get(seq)
                if arrived is None:
                    late_or_lost_live += 1
                else:
                    latencies_ms.append((arrived - sent_ns) / 1e6)
            highest = -1
            for seq in chat.arrival_order:
                if seq < highest:
                    out_of_order += 1
                highest = max(highest, seq)
            duplicates += chat.duplicates
        # the transcript check covers every connected chat, open or not
        transcript_missing = transcript_out_of_order = transcripts_read = 0
        for chat in connected:
            if chat.final_transcript is None:
                continue
            transcripts_read += 1
            shown = chat.final_transcript
            transcript_missing += len(set(chat.sent) - set(shown))
            transcript_out_of_order += sum(1 for a, b in itertools.pairwise(shown) if b < a)
        lost = late_or_lost_live
        offers_ms = [(c.offer_ns - c.submit_ns) / 1e6 for c in self.chats if c.offer_ns and c.submit_ns]
        sent = sum(len(c.sent) for c in connected)
        sent_measured = sum(len(c.sent) for c in measured)
        send_errors = sum(c.send_errors for c in connected)
        lg = self.loadgen_cpu
        loadgen_msgs = 100.0 * (lg['messages_end'][1] - lg['messages_start'][1]) / max(
            1e-9, lg['messages_end'][0] - lg['messages_start'][0])
        return {
            'chats_started': len(self.chats),
            'chats_connected': len(connected),
            'chats_failed': [c.error for c in self.chats if c.error][:5],
            'connect_phase_s': connect_s,
            'offer_ms': _stats(offers_ms),
            'offers_measured': len(offers_ms),
            'messages_per_chat': count,
            'messages_sent': sent,
            'send_errors': send_errors,
            'chats_measured_live': len(measured),
            'messages_sent_measured': sent_measured,
            'message_ms': _stats(latencies_ms),
            'messages_delivered_measured': len(latencies_ms),
            'messages_lost_live': lost,
            'out_of_order_live': out_of_order,
            'duplicate_renders': duplicates,
            'transcripts_read': transcripts_read,
            'transcript_missing': transcript_missing,
            'transcript_out_of_order': transcript_out_of_order,
            'server': {
                'cpu_percent_messages': cpu_percent(first, last),
                'cpu_percent_max_1s': max((cpu_percent(a, b) for a, b in itertools.pairwise(window)), default=None),
                'rss_mb_baseline': baseline.rss_mb,
                'rss_mb_after_agents': after_agents.rss_mb,
                'rss_mb_after_connect': after_connect.rss_mb,
                'rss_mb_end': last.rss_mb,
                'rss_mb_peak': max(s.hwm_mb for s in self.samples),
                'cpu_percent_per_s': [round(cpu_percent(a, b), 1) for a, b in itertools.pairwise(window)],
            },
            'loadgen_cpu_percent_messages': loadgen_msgs,
            'disconnects': self.disconnects(),
            'notes': self.notes[:20],
        }


def _stats(values: list[float]) -> dict[str, float | None]:
    return {
        'n': len(values),
        'p50': percentile(values, 50),
        'p95': percentile(values, 95),
        'p99': percentile(values, 99),
        'max': max(values) if values else None,
        'mean': sum(values) / len(values) if values else None,
    }


def report(result: dict[str, Any]) -> None:
    cfg = result['config']
    offer, msg, server = result['offer_ms'], result['message_ms'], result['server']
    ok = lambda good: 'OK' if good else 'MISS'  # noqa: E731
    rows = [
        ('chats connected', f"{result['chats_connected']}/{result['chats_started']}",
         f"agents={cfg['agents']} concurrency={cfg['concurrency']} ramp={cfg['ramp']}s"),
        ('submit -> offer shown p50 (ms)', fmt(offer['p50']), f"n={offer['n']}"),
        ('submit -> offer shown p95 (ms)', fmt(offer['p95']),
         f"target <= {TARGET_OFFER_P95_MS:.0f}  "
         f"{ok(offer['p95'] is not None and offer['p95'] <= TARGET_OFFER_P95_MS)}"),
        ('submit -> offer shown max (ms)', fmt(offer['max']), ''),
        ('messages sent (all chats)', str(result['messages_sent']),
         f"{result['messages_per_chat']}/chat, every {cfg['interval']} s for {cfg['duration']} s;"
         f" send errors {result['send_errors']}"),
        ('chats measured live (contact open)', str(result['chats_measured_live']),
         f"{result['messages_sent_measured']} messages"),
        ('customer msg -> agent p50 (ms)', fmt(msg['p50']), f"n={msg['n']}"),
        ('customer msg -> agent p95 (ms)', fmt(msg['p95']),
         f"target <= {TARGET_MSG_P95_MS:.0f}  {ok(msg['p95'] is not None and msg['p95'] <= TARGET_MSG_P95_MS)}"),
        ('customer msg -> agent p99 (ms)', fmt(msg['p99']), ''),
        ('customer msg -> agent max (ms)', fmt(msg['max']), ''),
        ('messages lost (live, +5 s)', str(result['messages_lost_live']),
         f"target 0  {ok(result['messages_lost_live'] == 0)}"),
        ('out-of-order deliveries (live)', str(result['out_of_order_live']),
         f"target 0  {ok(result['out_of_order_live'] == 0)}"),
        ('transcripts re-read after run', str(result['transcripts_read']),
         f"missing {result['transcript_missing']}, out of order {result['transcript_out_of_order']}"),
        ('server CPU % (message phase)', fmt(server['cpu_percent_messages']),
         f"max 1 s: {fmt(server['cpu_percent_max_1s'])} (100 % = one core)"),
        ('server RSS MB base/agents/chats/end', f"{server['rss_mb_baseline']:.0f}/{server['rss_mb_after_agents']:.0f}/"
         f"{server['rss_mb_after_connect']:.0f}/{server['rss_mb_end']:.0f}", f"peak {server['rss_mb_peak']:.0f}"),
        ('load generator CPU % (message phase)', fmt(result['loadgen_cpu_percent_messages']),
         'same machine as the server'),
        ('whole machine CPU % (message phase)', fmt(result.get('machine_cpu_percent_messages')),
         'server + load generator + anything else running'),
    ]
    if 'server_gc' in result:
        gc_info = result['server_gc']
        rows.append(('server GC pauses >= 5 ms', str(gc_info['pauses_ge_5ms']),
                     f"total {gc_info['total_ms']} ms; by generation {gc_info['by_generation']}"))
    print_table('Chat load', rows)
    for kind, info in result.get('disconnects', {}).items():
        print(f"  unexpected disconnects: {kind} x{info['count']} (first at unix {info['first_unix']})")
    for note in result['notes']:
        print('  note:', note)
    for failure in result['chats_failed']:
        print('  failed chat:', failure)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--chats', type=int, default=200)
    parser.add_argument('--duration', type=float, default=120.0, help='seconds of messaging')
    parser.add_argument('--interval', type=float, default=2.0, help='seconds between one chat\'s messages')
    parser.add_argument('--agents', type=int, default=20)
    parser.add_argument('--concurrency', type=int, default=10, help='VCE_CHAT_CONCURRENCY (chats per agent, max 10)')
    parser.add_argument('--port', type=int, default=0, help='0 = a free port')
    parser.add_argument('--ramp', type=float, default=20.0, help='customers arrive evenly over this many seconds')
    parser.add_argument('--connect-timeout', type=float, default=120.0)
    parser.add_argument('--login-parallelism', type=int, default=8)
    parser.add_argument('--log-level', default='INFO', help='VCE_LOG_LEVEL of the server (the product default, INFO)')
    parser.add_argument('--json', type=Path, help='also write the results here')
    parser.add_argument('--keep-dir', action='store_true', help='keep the server temp dir (logs, database)')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--client-log', type=Path, help='write the load generator\'s socket.io client warnings here')
    parser.add_argument('--latency-csv', type=Path, help='write every message (chat, seq, sent, delivered) here')
    parser.add_argument('--gc-log', action='store_true',
                        help='log the server\'s GC pauses (benchmarks/_gcprobe via PYTHONPATH) and report them')
    parser.add_argument('--gc-threshold', help='experiment: gc.set_threshold(a,b,c) in the server, e.g. 50000,20,100'
                        ' (needs --gc-log)')
    parser.add_argument('--gc-freeze-after', type=float, help='experiment: gc.freeze() in the server this many s '
                        'after start-up (needs --gc-log)')
    parser.add_argument('--py-spy', type=Path, help='profile the server with py-spy during the message phase '
                        '(raw collapsed stacks to this file; needs py-spy in the venv)')
    parser.add_argument('--py-spy-connect', type=Path, help='the same during the customers\' arrival (the --ramp '
                        'seconds: page loads, chat starts, offers, accepts)')
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 10:
        parser.error('--concurrency must be 1..10')
    if args.agents * args.concurrency < args.chats:
        parser.error('--agents x --concurrency must be >= --chats (every chat needs a seat)')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    random.seed(args.seed)
    raise_fd_limit()
    if args.client_log:
        handler = logging.FileHandler(args.client_log)
        handler.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(message)s'))
        logging.getLogger('benchmarks.nicegui_client').addHandler(handler)
    env = {
        'VCE_CHAT_CONCURRENCY': str(args.concurrency),
        'VCE_OFFER_TIMEOUT_SECONDS': '120',
        'VCE_QUEUE_MAX_CONTACTS': str(max(2000, args.chats * 2)),
        # every simulated customer comes from 127.0.0.1, one client network: lift its chat-start limits
        'VCE_CHAT_START_LIMIT': '100000',
        'VCE_CHAT_OPEN_LIMIT': '100000',
        'VCE_LOG_LEVEL': args.log_level,
    }
    server = Server(port=args.port, env=env, keep_dir=args.keep_dir)
    if args.gc_log:
        env.update(gc_probe_env(server.workdir / 'gc.log'))
        if args.gc_threshold:
            env['VCE_BENCH_GC_THRESHOLD'] = args.gc_threshold
        if args.gc_freeze_after:
            env['VCE_BENCH_GC_FREEZE_AFTER'] = str(args.gc_freeze_after)

    def measure() -> dict[str, Any]:
        names = [(f'lt{i:04d}', f'Load Agent {i:04d}') for i in range(args.agents)]
        created_s = server.add_agents(names, AGENT_PASSWORD)
        server.start()
        print(f'server pid {server.pid} on {server.base_url} (workdir {server.workdir}); '
              f'{args.agents} agents created in {created_s:.1f} s', flush=True)
        result = asyncio.run(ChatLoad(args, server).run())
        result['run_id'] = uuid.uuid4().hex[:8]
        return result

    return measure_and_publish(server, measure, report, args.json)


if __name__ == '__main__':
    sys.exit(main())
