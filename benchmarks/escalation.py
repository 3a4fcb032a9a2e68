"""Video escalation benchmark: the real ``vce demo`` product with one agent and one customer in Chromium.

    unshare -n sh -c 'ip link set lo up && .venv/bin/python -m benchmarks.escalation --json escalation.json'

(a) "Start video" click on the agent desktop -> the customer's "Join video call" prompt visible (p50 / p95 over
    ``--tries-a`` tries, target p95 <= 250 ms). Timestamps are ``performance.timeOrigin + performance.now()`` in both
    pages (the same clock for every context of one browser): a capture-phase click listener on the agent page, a
    MutationObserver on the customer page. The agent joins and ends the meeting for all between tries.
(b) The customer's "Join meeting as ..." click -> the first remote video frame on the customer page
    (``requestVideoFrameCallback`` on ``meeting-remote-video``; the agent's camera is already on), p50 over
    ``--tries-b`` tries, next to the same figure for a bare two-page WebRTC call without NiceGUI
    (``benchmarks/webrtc_baseline/``), as a ratio product / baseline (target <= 1.25). Two diagnostics run beside
    it: the baseline with the product's three-transceiver layout, and ``tests/e2e/meeting_harness.py`` (the product's
    meeting element on a bare NiceGUI page, ``--skip-harness`` to leave it out). All variants take turns try by try,
    so a change in machine load hits them alike; in every variant the agent's camera is running before the click.
(c) Bytes the customer page downloads before escalation (page load + starting a chat) and after joining the video
    call (sums of ``request.sizes()['responseBodySize']``), the largest resources, and a check that no ``chime-sdk`` URL
    is loaded before escalation.

Everything runs on 127.0.0.1 inside a loopback-only network namespace (the script refuses to run anywhere else).
Each step is also broken down with in-page marks (init script: click, Socket.IO frames, getUserMedia,
RTCPeerConnection creation / createOffer / set descriptions / connected, main-thread long tasks) so a missed target
can be traced to a step. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Browser, BrowserContext, Page, Request, expect, sync_playwright

from benchmarks._harness import PYTHON, Server, fmt, free_port, percentile, print_table

BASELINE_DIR = Path(__file__).resolve().parent / 'webrtc_baseline'
DEMO_USER, DEMO_PASSWORD, AGENT_NAME = 'demo', 'demo-agent-pass', 'Demo Agent'
CUSTOMER_NAME, CUSTOMER_EMAIL = 'Bench Customer', 'bench@example.com'
STARTED_TEXT = 'The agent started a video call.'
CHROMIUM_ARGS = [  # as tests/e2e/conftest.py
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
]
VIEWPORT = {'width': 1280, 'height': 800}
TIMEOUT_MS = 20_000
TARGET_A_P95_MS = 250.0
TARGET_B_RATIO = 1.25

# Loaded into every page before its own scripts. Only observes; changes nothing the page does.
INSTRUMENT = r"""
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const B = (window.__bench = { clicks: {}, marks: {}, watches: {}, armed: false, wsIn: [], wsOut: [], debug: false });
  B.now = now;
  B.mark = (name) => { if (B.armed && !(name in B.marks)) B.marks[name] = now(); };
  B.needles = [];
  // frames are kept as [time, length, needles found in it, first 200 characters if debug]
  B.arm = (needles) => {
    B.marks = {}; B.clicks = {}; B.wsIn = []; B.wsOut = []; B.watches = {}; B.needles = needles || [];
    B.longTasks = []; B.armed = true;
  };
  const record = (list, data) => {
    if (!B.armed || list.length >= 2000) return;
    const text = typeof data === "string" ? data : "";
    list.push([now(), text.length, B.needles.filter((n) => text.includes(n)), B.debug ? text.slice(0, 200) : ""]);
  };
  document.addEventListener("click", (e) => {
    const el = e.target && e.target.closest && e.target.closest("[data-testid]");
    if (el) B.clicks[el.dataset.testid] = now();
  }, true);

  // Socket.IO frames (engine.io sets ws.onmessage and calls ws.send)
  const proto = WebSocket.prototype;
  const onmessage = Object.getOwnPropertyDescriptor(proto, "onmessage");
  Object.defineProperty(proto, "onmessage", {
    configurable: true, enumerable: true,
    get() { return onmessage.get.call(this); },
    set(fn) {
      onmessage.set.call(this, typeof fn !== "function" ? fn : function (e) {
        record(B.wsIn, e.data);
        return fn.call(this, e);
      });
    },
  });
  const send = proto.send;
  proto.send = function (data) {
    record(B.wsOut, data);
    return send.call(this, data);
  };

  // media and WebRTC milestones (first occurrence after arm())
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const md = navigator.mediaDevices;
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = async (c) => {
      B.mark("gum-start");
      try { return await gum(c); } finally { B.mark("gum-end"); }
    };
  }
  const NativePC = window.RTCPeerConnection;
  if (NativePC) {
    window.RTCPeerConnection = class extends NativePC {
      constructor(...args) {
        super(...args);
        B.mark("pc-created");
        this.addEventListener("track", () => B.mark("pc-track"));
        this.addEventListener("connectionstatechange", () => {
          if (this.connectionState === "connected") B.mark("pc-connected");
        });
      }
      async setRemoteDescription(d) {
        B.mark("srd-start");
        const result = await super.setRemoteDescription(d);
        B.mark("remote-" + (d && d.type));
        return result;
      }
      async createOffer(...args) {
        B.mark("create-start");
        try { return await super.createOffer(...args); } finally { B.mark("create-end"); }
      }
      async createAnswer(...args) {
        B.mark("create-start");
        try { return await super.createAnswer(...args); } finally { B.mark("create-end"); }
      }
      async setLocalDescription(...args) {
        B.mark("sld-start");
        try { return await super.setLocalDescription(...args); } finally { B.mark("sld-end"); }
      }
    };
  }
  // main-thread tasks over 50 ms while armed
  B.longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (B.armed && B.longTasks.length < 200) B.longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
      }
    }).observe({ type: "longtask", buffered: false });
  } catch (err) { /* not supported */ }

  // DOM milestones
  const visible = (sel) => { const el = document.querySelector(sel); return !!el && el.getClientRects().length > 0; };
  const count = (sel, text) => [...document.querySelectorAll(sel)].filter((e) => e.textContent.includes(text)).length;
  const check = () => {
    if (!B.armed) return;
    for (const w of Object.values(B.watches)) {
      if (w.t === null && w.test()) {
        w.t = now();
        requestAnimationFrame(() => { w.frame = now(); });
      }
    }
    const v = document.querySelector('video[data-testid="meeting-remote-video"]');
    if (v && !v.__benchHooked) {
      v.__benchHooked = true;
      B.mark("remote-video-element");
      v.requestVideoFrameCallback(() => B.mark("remote-first-frame"));
    }
  };
  B.watchVisible = (name, sel) => { B.watches[name] = { test: () => visible(sel), t: null, frame: null }; check(); };
  B.watchCount = (name, sel, text, above) => {
    B.watches[name] = { test: () => count(sel, text) > above, t: null, frame: null }; check();
  };
  B.count = count;
  B.times = () => Object.fromEntries(Object.entries(B.watches).map(([k, w]) => [k, { t: w.t, frame: w.frame }]));
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true,
                                                  attributeFilter: ["class", "style", "data-testid"] });
})();
"""
AUDIO_PACKETS = """async () => {
    let n = 0;
    for (const m of Object.values(window.__vceMeetings || {})) n += (await m.stats()).inboundAudioPackets || 0;
    return n;
}"""


def only_loopback() -> bool:
    return [n for _, n in socket.if_nameindex()] == ['lo']


def stats_ms(values: list[float]) -> dict[str, Any]:
    return {'n': len(values), 'p50': percentile(values, 50), 'p95': percentile(values, 95),
            'min': min(values, default=None), 'max': max(values, default=None),
            'mean': statistics.fmean(values) if values else None, 'values': [round(v, 1) for v in values]}


def median_of(rows: list[dict[str, float | None]], key: str) -> float | None:
    values: list[float] = [v for r in rows if (v := r.get(key)) is not None]
    return statistics.median(values) if values else None


def load_average() -> str:
    try:
        return ' '.join(Path('/proc/loadavg').read_text().split()[:3])
    except OSError:
        return '?'


# ---------------------------------------------------------------------------------------------------- product flows


def new_page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.add_init_script(INSTRUMENT)
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def login_agent(agent: Page, base: str) -> None:
    agent.goto(f'{base}/agent')
    agent.wait_for_url('**/agent/login**')
    agent.get_by_test_id('username').fill(DEMO_USER)
    agent.get_by_test_id('password').fill(DEMO_PASSWORD)
    agent.get_by_test_id('login').click()
    agent.wait_for_url(f'{base}/agent')
    agent.get_by_test_id('status-select').click()
    agent.get_by_role('option', name='Available', exact=True).click()
    expect(agent.get_by_test_id('agent-status')).to_have_text('Available')


def start_chat(customer: Page, agent: Page, base: str) -> None:
    customer.goto(f'{base}/')
    customer.get_by_test_id('launcher').click()
    customer.get_by_test_id('name').fill(CUSTOMER_NAME)
    customer.get_by_test_id('email').fill(CUSTOMER_EMAIL)
    customer.get_by_test_id('start-chat').click()
    expect(customer.get_by_test_id('reply')).to_be_visible()
    expect(agent.get_by_test_id('offer-name')).to_have_text(CUSTOMER_NAME)
    agent.get_by_test_id('accept').click()
    expect(agent.get_by_test_id('customer-name')).to_have_text(CUSTOMER_NAME)
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')


def agent_start_and_join(agent: Page, customer: Page, *, camera: bool) -> None:
    agent.get_by_test_id('start-video').click()
    expect(customer.get_by_test_id('join-video')).to_be_visible()
    expect(agent.get_by_test_id('join-meeting')).to_be_enabled()
    agent.get_by_test_id('join-meeting').click()
    expect(agent.get_by_test_id('leave')).to_be_visible()
    if camera:
        agent.get_by_test_id('camera').click()
        agent.wait_for_function(
            "(document.querySelector('[data-testid=meeting-local-video]') || {}).videoWidth > 0")


def customer_open_setup(customer: Page) -> None:
    """Join prompt -> device setup, settled (preview running), as a person would see it before choosing Join."""
    customer.get_by_test_id('join-video').click()
    expect(customer.get_by_test_id('join-meeting')).to_be_enabled()
    customer.wait_for_function(
        "(document.querySelector('[data-testid=meeting-preview-video]') || {}).videoWidth > 0")


def end_for_all(agent: Page, customer: Page) -> None:
    agent.get_by_test_id('end-for-all').click()
    expect(agent.get_by_test_id('call-message')).to_have_text('The video session has ended.')
    expect(customer.get_by_test_id('join-video')).to_be_hidden()
    expect(customer.get_by_test_id('leave')).to_be_hidden()
    expect(customer.get_by_test_id('meeting-remote-video')).to_have_count(0)


def first_after(frames: list[list[Any]], after: float, needle: str | None = None) -> float | None:
    """Time of the first recorded Socket.IO / WebSocket frame at or after ``after`` (that contains ``needle``)."""
    for t, _, found, *_ in frames:
        if t >= after and (needle is None or needle in found):
            return t
    return None


# ---------------------------------------------------------------------------------------------------- (a)


def bench_prompt(agent: Page, customer: Page, tries: int) -> dict[str, Any]:
    rows: list[dict[str, float | None]] = []
    for i in range(tries):
        started = customer.evaluate("(t) => __bench.count('[data-testid=chat-event]', t)", STARTED_TEXT)
        # the prompt row's update names its button only when the button's text changes: match the row's class too
        customer.evaluate("__bench.arm(['join-video', 'bg-green-1'])")
        customer.evaluate("__bench.watchVisible('prompt', '[data-testid=join-video]')")
        customer.evaluate("([t, n]) => __bench.watchCount('line', '[data-testid=chat-event]', t, n)", [STARTED_TEXT,
                                                                                                         started])
        agent.evaluate('__bench.arm()')
        agent.evaluate("__bench.watchVisible('setup', '[data-testid=join-meeting]')")
        assert customer.evaluate('__bench.times()')['prompt']['t'] is None, 'prompt visible before the click'
        agent.get_by_test_id('start-video').click()
        customer.wait_for_function("__bench.watches.prompt.t !== null && __bench.watches.prompt.frame !== null "
                                   "&& __bench.watches.line.t !== null")
        agent.wait_for_function('__bench.watches.setup.t !== null')
        a = agent.evaluate('({clicks: __bench.clicks, times: __bench.times(), out: __bench.wsOut, in: __bench.wsIn})')
        c = customer.evaluate('({times: __bench.times(), in: __bench.wsIn})')
        click = a['clicks']['start-video']
        sent = first_after(a['out'], click)
        update = min((t for t in (first_after(c['in'], click, n) for n in ('join-video', 'bg-green-1')) if t),
                     default=None)
        prompt = c['times']['prompt']['t']
        row = {
            'click_to_prompt_ms': prompt - click,
            'click_to_prompt_painted_ms': c['times']['prompt']['frame'] - click,
            'click_to_transcript_line_ms': c['times']['line']['t'] - click,
            'click_to_agent_setup_ms': a['times']['setup']['t'] - click,
            'click_to_event_sent_ms': sent - click if sent else None,
            'event_sent_to_customer_update_ms': update - sent if update and sent else None,
            'customer_update_to_dom_ms': prompt - update if update else None,
        }
        rows.append(row)
        print(f'  (a) try {i + 1:2d}: click -> prompt {row["click_to_prompt_ms"]:6.1f} ms '
              f'(event sent +{fmt(row["click_to_event_sent_ms"])}, server+relay '
              f'{fmt(row["event_sent_to_customer_update_ms"])}, render {fmt(row["customer_update_to_dom_ms"])})',
              flush=True)
        # the agent must be in the call to "End for all"
        expect(agent.get_by_test_id('join-meeting')).to_be_enabled()
        agent.get_by_test_id('join-meeting').click()
        expect(agent.get_by_test_id('leave')).to_be_visible()
        end_for_all(agent, customer)
        customer.wait_for_timeout(300)
    values = [r['click_to_prompt_ms'] for r in rows if r['click_to_prompt_ms'] is not None]
    return {'click_to_prompt': stats_ms(values),
            'click_to_prompt_painted': stats_ms([r['click_to_prompt_painted_ms'] for r in rows]),  # type: ignore[misc]
            'breakdown_median_ms': {k: median_of(rows, k) for k in rows[0]} if rows else {},
            'rows': rows}


# ---------------------------------------------------------------------------------------------------- (b)


SIGNAL_NEEDLES = ['camera_on', 'hello', 'v=0', 'candidate']  # join command, hello, SDP (offer / answer), ICE


def arm_join(agent: Page, customer: Page) -> None:
    for page in (agent, customer):
        page.evaluate('(n) => __bench.arm(n)', SIGNAL_NEEDLES)


def join_marks(agent: Page, customer: Page, click_key: str, frame_expr: str) -> dict[str, float | None]:
    """Milestones of one join, in ms after the customer's click (one clock for both pages)."""
    probe = ('({clicks: __bench.clicks, marks: __bench.marks, out: __bench.wsOut, in: __bench.wsIn, '
             'longTasks: __bench.longTasks})')
    c = customer.evaluate(probe)
    a = agent.evaluate(probe)
    click = c['clicks'][click_key]
    frame = customer.evaluate(frame_expr)

    def rel(t: float | None) -> float | None:
        return None if t is None else t - click

    return {
        'first_frame': rel(frame),
        'join_event_sent': rel(first_after(c['out'], click)) if click_key == 'join-meeting' else None,
        'join_command_back': rel(first_after(c['in'], click, 'camera_on')),
        'gum_start': rel(c['marks'].get('gum-start')),
        'gum_end': rel(c['marks'].get('gum-end')),
        'hello_sent': rel(first_after(c['out'], click, 'hello')),
        'agent_hello_in': rel(first_after(a['in'], click, 'hello')),
        'agent_pc_created': rel(a['marks'].get('pc-created')),
        'agent_create_offer_start': rel(a['marks'].get('create-start')),
        'agent_create_offer_end': rel(a['marks'].get('create-end')),
        'agent_set_local_end': rel(a['marks'].get('sld-end')),
        'agent_offer_sent': rel(first_after(a['out'], click, 'v=0')),
        'offer_in': rel(first_after(c['in'], click, 'v=0')),
        'set_remote_offer_start': rel(c['marks'].get('srd-start')),
        'remote_offer_set': rel(c['marks'].get('remote-offer')),
        'create_answer_start': rel(c['marks'].get('create-start')),
        'set_local_answer_end': rel(c['marks'].get('sld-end')),
        'answer_sent': rel(first_after(c['out'], click, 'v=0')),
        'agent_answer_in': rel(first_after(a['in'], click, 'v=0')),
        'first_ice_in': rel(first_after(c['in'], click, 'candidate')),
        'connected': rel(c['marks'].get('pc-connected')),
        'remote_video_element': rel(c['marks'].get('remote-video-element')),
        'long_tasks_ms_customer': sum(d for t, d in c['longTasks'] if t >= click) if 'longTasks' in c else None,
        'long_tasks_ms_agent': sum(d for t, d in a['longTasks'] if t >= click) if 'longTasks' in a else None,
    }


def print_join(label: str, i: int, warm: bool, row: dict[str, float | None]) -> None:
    print(f'  (b) {label} try {i + 1:2d}{" (warm-up)" if warm else ""}: join click -> first frame '
          f'{fmt(row["first_frame"])} ms (hello sent +{fmt(row["hello_sent"])}, offer in +{fmt(row["offer_in"])}, '
          f'connected +{fmt(row["connected"])})', flush=True)


def summarise_join(rows: list[dict[str, float | None]]) -> dict[str, Any]:
    return {'click_to_first_frame': stats_ms([r['first_frame'] for r in rows]),  # type: ignore[misc]
            'breakdown_median_ms': {k: median_of(rows, k) for k in rows[0]} if rows else {}, 'rows': rows}


class JoinVariant:
    """One way of doing the same join; ``try_once`` returns the milestones of one join and hangs up again."""

    label = ''

    def __init__(self) -> None:
        self.rows: list[dict[str, float | None]] = []

    def try_once(self) -> dict[str, float | None]:
        raise NotImplementedError

    def summary(self) -> dict[str, Any]:
        return summarise_join(self.rows)


class ProductJoin(JoinVariant):
    """The product: agent starts video, joins, camera on; customer opens setup (preview settled), clicks Join."""

    label = 'product'

    def __init__(self, agent: Page, customer: Page) -> None:
        super().__init__()
        self.agent, self.customer = agent, customer

    def try_once(self) -> dict[str, float | None]:
        agent, customer = self.agent, self.customer
        agent_start_and_join(agent, customer, camera=True)
        customer_open_setup(customer)
        arm_join(agent, customer)
        customer.get_by_test_id('join-meeting').click()
        customer.wait_for_function("'remote-first-frame' in __bench.marks", timeout=TIMEOUT_MS)
        row = join_marks(agent, customer, 'join-meeting', "__bench.marks['remote-first-frame']")
        end_for_all(agent, customer)
        return row


class BaselineJoin(JoinVariant):
    """``benchmarks/webrtc_baseline``: the agent opens camera + mic before each try and closes them after it."""

    def __init__(self, browser: Browser, contexts: list[BrowserContext], base: str, layout: str) -> None:
        super().__init__()
        self.label = f'baseline-{layout}'
        self.agent = new_page(browser, contexts)
        self.customer = new_page(browser, contexts)
        self.agent.goto(f'{base}/agent.html?layout={layout}&room={layout}')
        self.customer.goto(f'{base}/customer.html?layout={layout}&room={layout}')
        self.customer.evaluate('B.open()')

    def try_once(self) -> dict[str, float | None]:
        agent, customer = self.agent, self.customer
        agent.evaluate('B.startAgent()')
        agent.wait_for_function("document.getElementById('local').videoWidth > 0")  # as the product: camera running
        arm_join(agent, customer)
        customer.get_by_test_id('join').click()
        customer.wait_for_function('B.firstFrame !== null', timeout=TIMEOUT_MS)
        row = join_marks(agent, customer, 'join', 'B.firstFrame')
        customer.get_by_test_id('leave').click()
        agent.wait_for_function('B.pc === null')
        agent.evaluate('B.stopAgent()')
        return row


MEETING_HARNESS = Path(__file__).resolve().parents[1] / 'tests' / 'e2e' / 'meeting_harness.py'
PEER_COUNT = 'Object.values(window.__vceMeetings).flatMap((m) => m.peers()).length'


class HarnessJoin(JoinVariant):
    """Diagnostic: ``tests/e2e/meeting_harness.py``, the product's meeting element on a bare NiceGUI page whose
    signals are relayed in memory (no product services, no agent desktop / customer website around it)."""

    label = 'harness'

    def __init__(self, browser: Browser, contexts: list[BrowserContext], base: str) -> None:
        super().__init__()
        self.agent = new_page(browser, contexts)
        self.customer = new_page(browser, contexts)
        self.agent.goto(f'{base}/room/bench?who=Agent&quality=720p')
        self.customer.goto(f'{base}/room/bench?who=Customer&quality=720p')
        self.agent.get_by_test_id('join').click()
        expect(self.agent.get_by_test_id('events')).to_contain_text('joined')

    def try_once(self) -> dict[str, float | None]:
        agent, customer = self.agent, self.customer
        agent.get_by_test_id('camera-on').click()
        agent.wait_for_function(
            "(document.querySelector('[data-testid=meeting-local-video]') || {}).videoWidth > 0")
        arm_join(agent, customer)
        customer.get_by_test_id('join').click()
        customer.wait_for_function("'remote-first-frame' in __bench.marks", timeout=TIMEOUT_MS)
        row = join_marks(agent, customer, 'join', "__bench.marks['remote-first-frame']")
        customer.get_by_test_id('leave').click()
        agent.wait_for_function(f'{PEER_COUNT} === 0')
        customer.wait_for_function(f'{PEER_COUNT} === 0')
        agent.get_by_test_id('camera-off').click()
        return row


def bench_join(variants: list[JoinVariant], tries: int, warmup: int) -> None:
    """Round robin over the variants, so that a change in machine load hits all of them alike."""
    for i in range(warmup + tries):
        for variant in variants:
            row = variant.try_once()
            if i >= warmup:
                variant.rows.append(row)
            print_join(variant.label, i, i < warmup, row)
            time.sleep(0.3)


class ChildServer:
    """A helper server on 127.0.0.1 (the baseline's signalling server or the meeting harness)."""

    def __init__(self, script: Path, probe: str) -> None:
        self.script, self.probe = script, probe
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def __enter__(self) -> ChildServer:
        env = {k: v for k, v in os.environ.items() if k not in ('PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION')}
        self.workdir = tempfile.mkdtemp(prefix='vce-bench-child-')  # whatever it writes (.nicegui/) lands here
        self.process = subprocess.Popen([PYTHON, str(self.script), str(self.port)], cwd=self.workdir, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f'{self.base_url}{self.probe}', timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f'{self.script.name} did not start') from None
                time.sleep(0.1)

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------- (c)


def bench_bytes(agent: Page, customer: Page, base: str) -> dict[str, Any]:
    phase = ['before']
    requests: list[tuple[str, Request]] = []
    ws_frames: dict[str, list[tuple[int, str]]] = {'before': [], 'after': []}

    def on_ws(ws: Any) -> None:
        def count(payload: str | bytes) -> None:
            if phase[0] in ws_frames:
                data = payload.encode() if isinstance(payload, str) else payload
                ws_frames[phase[0]].append((len(data), data[:160].decode(errors='replace')))
        ws.on('framereceived', count)

    customer.on('requestfinished', lambda request: requests.append((phase[0], request)))
    customer.on('websocket', on_ws)

    start_chat(customer, agent, base)  # page load, launcher, form, chat connected
    customer.wait_for_load_state('networkidle')
    customer.wait_for_timeout(1000)

    phase[0] = 'after'
    agent_start_and_join(agent, customer, camera=False)
    customer_open_setup(customer)
    customer.get_by_test_id('join-meeting').click()
    expect(customer.get_by_test_id('leave')).to_be_visible()
    deadline = time.monotonic() + 15
    while customer.evaluate(AUDIO_PACKETS) <= 0:
        if time.monotonic() > deadline:
            raise RuntimeError('no inbound audio on the customer after joining')
        customer.wait_for_timeout(200)
    customer.wait_for_load_state('networkidle')
    customer.wait_for_timeout(2000)
    phase[0] = 'done'

    result: dict[str, Any] = {}
    for name in ('before', 'after'):
        items: list[dict[str, Any]] = []
        for ph, request in requests:
            if ph != name:
                continue
            sizes = request.sizes()
            response = request.response()
            headers = response.headers if response else {}
            items.append({'url': request.url.replace(base, ''), 'body': sizes['responseBodySize'],
                          'headers': sizes['responseHeadersSize'], 'status': response.status if response else None,
                          'type': headers.get('content-type', '').split(';')[0],
                          'encoding': headers.get('content-encoding', '')})
        items.sort(key=lambda x: -x['body'])
        result[name] = {
            'requests': len(items), 'body_bytes': sum(x['body'] for x in items),
            'header_bytes': sum(x['headers'] for x in items),
            'socketio_received_bytes': sum(n for n, _ in ws_frames[name]),
            'socketio_frames': len(ws_frames[name]),
            'socketio_largest': [{'bytes': n, 'head': head} for n, head in sorted(ws_frames[name], reverse=True)[:5]],
            'chime_sdk_urls': [x['url'] for x in items if 'chime-sdk' in x['url']],
            'largest': items[:10], 'all': items,
        }
    return result


# ---------------------------------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {'machine': {'cpus': os.cpu_count(), 'loadavg_start': load_average(),
                                          'python': platform.python_version()}}
    env = {'VCE_OFFER_TIMEOUT_SECONDS': '60', 'VCE_LOG_LEVEL': args.log_level}
    server = Server(port=args.port, env=env, keep_dir=args.keep_dir)
    contexts: list[BrowserContext] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        result['machine']['chromium'] = browser.version
        try:
            server.start()
            base = server.base_url
            agent = new_page(browser, contexts)
            customer = new_page(browser, contexts)
            login_agent(agent, base)

            print('\n(c) customer bytes before / after escalation', flush=True)
            result['c_bytes'] = bench_bytes(agent, customer, base)
            end_for_all(agent, customer)

            print(f'\n(a) Start video -> Join prompt, {args.tries_a} tries', flush=True)
            result['a_prompt'] = bench_prompt(agent, customer, args.tries_a)

            print(f'\n(b) Join click -> first remote frame, {args.tries_b} tries (+{args.warmup} warm-up) each, '
                  'variants interleaved', flush=True)
            with contextlib.ExitStack() as stack:
                variants: dict[str, JoinVariant] = {'b_product': ProductJoin(agent, customer)}
                if not args.skip_baseline:
                    baseline = stack.enter_context(ChildServer(BASELINE_DIR / 'server.py', '/ping'))
                    variants['b_baseline'] = BaselineJoin(browser, contexts, baseline.base_url, 'bare')
                    variants['b_baseline_product_layout'] = BaselineJoin(browser, contexts, baseline.base_url,
                                                                         'product')
                if not args.skip_harness and MEETING_HARNESS.exists():
                    harness = stack.enter_context(ChildServer(MEETING_HARNESS, '/room/ping'))
                    variants['b_harness'] = HarnessJoin(browser, contexts, harness.base_url)
                bench_join(list(variants.values()), args.tries_b, args.warmup)
                for key, variant in variants.items():
                    result[key] = variant.summary()
        finally:
            for context in contexts:
                context.close()
            browser.close()
            server.stop()
    result['machine']['loadavg_end'] = load_average()
    return result


def report(result: dict[str, Any]) -> bool:
    ok = True
    machine = result['machine']
    print(f"\nmachine: {machine['cpus']} CPUs, Chromium {machine.get('chromium')}, load average "
          f"{machine['loadavg_start']} -> {machine['loadavg_end']}")

    a = result['a_prompt']
    p95 = a['click_to_prompt']['p95']
    a_ok = p95 is not None and p95 <= TARGET_A_P95_MS
    ok &= a_ok
    rows = [
        ('click -> prompt in DOM, p50', fmt(a['click_to_prompt']['p50']) + ' ms', ''),
        ('click -> prompt in DOM, p95', fmt(p95) + ' ms', f'target <= {TARGET_A_P95_MS:.0f} ms: '
                                                          f'{"MET" if a_ok else "MISSED"}'),
        ('click -> prompt painted (next frame), p50 / p95',
         f"{fmt(a['click_to_prompt_painted']['p50'])} / {fmt(a['click_to_prompt_painted']['p95'])} ms", ''),
        ('max', fmt(a['click_to_prompt']['max']) + ' ms', f"n = {a['click_to_prompt']['n']}"),
    ]
    rows += [(f'  median {k.removesuffix("_ms")}', fmt(v) + ' ms', '') for k, v in a['breakdown_median_ms'].items()]
    print_table('(a) agent "Start video" click -> customer "Join video call" prompt', rows)

    b = result['b_product']
    base = result.get('b_baseline')
    p50 = b['click_to_first_frame']['p50']
    rows = [('product: join click -> first remote frame, p50', fmt(p50) + ' ms',
             f"p95 {fmt(b['click_to_first_frame']['p95'])} ms, n = {b['click_to_first_frame']['n']}")]
    if base:
        b50 = base['click_to_first_frame']['p50']
        ratio = p50 / b50 if p50 and b50 else None
        b_ok = ratio is not None and ratio <= TARGET_B_RATIO
        ok &= b_ok
        rows += [('baseline (bare WebRTC, no NiceGUI), p50', fmt(b50) + ' ms',
                  f"p95 {fmt(base['click_to_first_frame']['p95'])} ms, n = {base['click_to_first_frame']['n']}"),
                 ('ratio product / baseline', fmt(ratio, 2), f'target <= {TARGET_B_RATIO}: '
                                                             f'{"MET" if b_ok else "MISSED"}')]
        result['b_ratio'] = ratio
    layout = result.get('b_baseline_product_layout')
    if layout:
        l50 = layout['click_to_first_frame']['p50']
        rows.append(('diagnostic: baseline with the product\'s 3-transceiver layout, p50', fmt(l50) + ' ms',
                     f"p95 {fmt(layout['click_to_first_frame']['p95'])} ms; product / this = "
                     f"{fmt(p50 / l50 if p50 and l50 else None, 2)}"))
    harness = result.get('b_harness')
    if harness:
        h50 = harness['click_to_first_frame']['p50']
        rows.append(('diagnostic: meeting element on a bare NiceGUI page (harness), p50', fmt(h50) + ' ms',
                     f"p95 {fmt(harness['click_to_first_frame']['p95'])} ms; product / this = "
                     f"{fmt(p50 / h50 if p50 and h50 else None, 2)}"))
    rows.append(('median milestones after the click (ms)', 'product',
                 'baseline bare | 3-transceiver | harness'))

    def cell(source: dict[str, Any] | None, key: str) -> str:
        return f"{fmt(source['breakdown_median_ms'].get(key) if source else None):>7}"
    for key, value in b['breakdown_median_ms'].items():
        rows.append((f'  {key}', fmt(value), f'{cell(base, key)} | {cell(layout, key)} | {cell(harness, key)}'))
    print_table('(b) customer "Join meeting" click -> first remote video frame (agent camera already on)', rows)

    c = result['c_bytes']
    before, after = c['before'], c['after']
    no_chime = not before['chime_sdk_urls']
    ok &= no_chime
    rows = [
        ('before escalation: HTTP response bodies', f"{before['body_bytes']:,} B",
         f"{before['requests']} responses, headers {before['header_bytes']:,} B, "
         f"Socket.IO frames received {before['socketio_received_bytes']:,} B"),
        ('after (start video .. joined): HTTP bodies', f"{after['body_bytes']:,} B",
         f"{after['requests']} responses, headers {after['header_bytes']:,} B, "
         f"Socket.IO frames received {after['socketio_received_bytes']:,} B"),
        ('chime-sdk URLs before escalation', str(len(before['chime_sdk_urls'])), 'OK (none)' if no_chime else
         f'FAIL: {before["chime_sdk_urls"]}'),
        ('chime-sdk URLs after joining', str(len(after['chime_sdk_urls'])), 'local back end: none expected'),
    ]
    print_table('(c) customer page downloads', rows)
    for name in ('before', 'after'):
        print(f'\n  largest responses {name}:')
        for item in c[name]['largest'][:8]:
            print(f"    {item['body']:>9,} B  {item['encoding'] or '-':<5} {item['type']:<24} {item['url'][:90]}")
        print(f'  largest Socket.IO frames received {name} ({c[name]["socketio_frames"]} frames):')
        for frame in c[name]['socketio_largest'][:3]:
            print(f"    {frame['bytes']:>9,} B  {frame['head'][:100]}")
    return bool(ok)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--tries-a', type=int, default=20)
    parser.add_argument('--tries-b', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=1, help='unmeasured warm-up tries for (b), each side')
    parser.add_argument('--skip-baseline', action='store_true')
    parser.add_argument('--skip-harness', action='store_true',
                        help='skip the diagnostic run of tests/e2e/meeting_harness.py (meeting element, no product)')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--chromium', default=os.environ.get('CHROMIUM', '/usr/bin/chromium'))
    parser.add_argument('--log-level', default='INFO', help="server's VCE_LOG_LEVEL (the product default, INFO)")
    parser.add_argument('--json', type=Path)
    parser.add_argument('--keep-dir', action='store_true')
    args = parser.parse_args(argv)
    if not only_loopback():
        print("refusing to run WebRTC outside a loopback-only network namespace; use:\n"
              "  unshare -n sh -c 'ip link set lo up && .venv/bin/python -m benchmarks.escalation'", file=sys.stderr)
        return 2
    expect.set_options(timeout=TIMEOUT_MS)
    result = run(args)
    ok = report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
        print(f'\nresults written to {args.json}')
    print('\nall targets met' if ok else '\nsome targets MISSED (see above)')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
