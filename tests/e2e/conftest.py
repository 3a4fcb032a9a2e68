"""End-to-end fixtures: the real ``vce demo`` process on a loopback port, driven by Debian's Chromium via Playwright.

Every test in this folder is marked ``e2e``. Run them in a loopback-only network namespace, as CI does:

    unshare -n sh -c 'ip link set lo up && .venv/bin/pytest tests/e2e -m e2e -q -p no:cacheprovider'

``@pytest.mark.vce_env(CHAT_CONCURRENCY=5)`` sets ``VCE_*`` variables for one test's server.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
# The README's screenshots are rewritten only when asked (scripts/test.sh --update-screenshots sets this); every
# other run writes them beside the test artifacts, so a test run leaves the committed files as they are.
UPDATE_SCREENSHOTS = os.environ.get('VCE_UPDATE_SCREENSHOTS') == '1'
SCREENSHOTS_DIR = REPO_ROOT / 'docs' / 'screenshots' if UPDATE_SCREENSHOTS else \
    REPO_ROOT / 'tests' / 'e2e' / 'artifacts' / 'screenshots'

DEMO_USER = 'demo'
DEMO_PASSWORD = 'demo-agent-pass'
DESKTOP_VIEWPORT: ViewportSize = {'width': 1280, 'height': 800}
DEFAULT_TIMEOUT_MS = 15_000
HEALTH_TIMEOUT_SECONDS = 20.0
CHROMIUM_ARGS = [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
]
# Every page records the Content-Security-Policy violations it sees (csp_violations); the pages fixture also fails
# a test whose pages logged one to the console.
RECORD_CSP_VIOLATIONS = """
if (!window.__cspViolations) {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
}
"""
# Set by pytest / NiceGUI's user simulation in this process; inherited by the child they make NiceGUI misbehave.
CHILD_ENV_BLOCKLIST = ('PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION')

expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


# ---------------------------------------------------------------------------------------------------- collection


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line('markers', 'vce_env(**settings): VCE_* environment for the e2e test server')


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f'rep_{report.when}', report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(getattr(getattr(request.node, f'rep_{when}', None), 'failed', False) for when in ('setup', 'call'))


# ---------------------------------------------------------------------------------------------------- server


NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, whatever *_proxy says


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class LiveServer:
    """One ``vce demo`` process with its own working directory (``.nicegui/``, ``var/``, ``server.log``)."""

    def __init__(self, root: Path, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.data_dir = root / 'var'
        self.log_path = root / 'server.log'
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_BLOCKLIST}
        env['VCE_DATA_DIR'] = str(self.data_dir)
        env['PYTHONUNBUFFERED'] = '1'
        env.update(self.extra_env)
        return env

    def start(self) -> LiveServer:
        assert self.process is None or self.process.poll() is not None, 'server already running'
        self.root.mkdir(parents=True, exist_ok=True)
        with self.log_path.open('ab') as log:
            log.write(f'\n===== starting vce demo on port {self.port} =====\n'.encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'vce.cli', 'demo', '--port', str(self.port)],
                cwd=self.root, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        last_error: object = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f'vce demo exited with {self.process.returncode}; log:\n{self.log()}')
            try:
                with NO_PROXY.open(f'{self.base_url}/healthz', timeout=2) as response:
                    if json.loads(response.read()).get('status') == 'ok':
                        return
            except (urllib.error.URLError, ConnectionError, OSError, ValueError) as error:
                last_error = error
            time.sleep(0.1)
        self.kill9()
        raise RuntimeError(f'vce demo not healthy after {HEALTH_TIMEOUT_SECONDS} s ({last_error}); log:\n{self.log()}')

    def stop(self) -> None:
        """Graceful stop (SIGTERM), as a service manager would do it."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill9(self) -> None:
        """Crash: SIGKILL, no shutdown hooks, no flushing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def add_agent(self, username: str, name: str, password: str) -> None:
        """``vce agents add`` against this server's data directory (works while it runs)."""
        result = subprocess.run(
            [sys.executable, '-m', 'vce.cli', 'agents', 'add', username, '--name', name],
            cwd=self.root, env={**self.env(), 'VCE_NEW_AGENT_PASSWORD': password},
            capture_output=True, text=True, timeout=30,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors='replace')
        except FileNotFoundError:
            return '(no server log)'


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A fresh server (empty database) for one test; its log is printed if the test fails."""
    env = {'VCE_OFFER_TIMEOUT_SECONDS': '30'}
    for marker in request.node.iter_markers('vce_env'):
        env.update({f'VCE_{key.upper()}': str(value) for key, value in marker.kwargs.items()})
    live = LiveServer(tmp_path / 'server', env=env)
    live.start()
    yield live
    live.stop()
    if _failed(request):
        print(f'\n----- server log ({live.log_path}) -----\n{live.log()}')


# ---------------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope='package')
def browser() -> Iterator[Browser]:
    """One Chromium for all e2e tests, closed when they are done.

    Package scope, not session: Playwright's sync API keeps its own event loop running while it is open, and
    pytest-asyncio cannot start the loops of the async UI tests that run after this folder (tests/ui, tests/unit).
    """
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=os.environ.get('CHROMIUM', '/usr/bin/chromium'),
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Pages:
    """Opens pages, each in its own browser context (own cookies = own person) unless one is given."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def new(self, *, viewport: ViewportSize | None = None, context: BrowserContext | None = None,
            label: str = 'page', is_mobile: bool | None = None, has_touch: bool | None = None,
            device_scale_factor: float | None = None) -> Page:
        if context is None:
            context = self._browser.new_context(viewport=viewport or DESKTOP_VIEWPORT, is_mobile=is_mobile,
                                                has_touch=has_touch, device_scale_factor=device_scale_factor)
            self.contexts.append(context)
        page = context.new_page()
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        page.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page.on('pageerror', lambda error: self.errors.append(f'{label}: {error}'))
        page.on('console', lambda m: self.errors.append(f'{label} console: {m.text}') if m.type == 'error' else None)
        return page

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()
    if _failed(request) and opened.errors:
        print('\n----- browser errors -----\n' + '\n'.join(opened.errors))
    refused = [error for error in opened.errors if 'Content Security Policy' in error]
    assert not refused, 'the Content-Security-Policy blocked something:\n' + '\n'.join(refused)


def csp_violations(page: Page) -> list[str]:
    """The ``securitypolicyviolation`` events this page's document has seen (RECORD_CSP_VIOLATIONS)."""
    return list(page.evaluate('window.__cspViolations || []'))


# ---------------------------------------------------------------------------------------------------- flows


def login_agent(page: Page, base: str, username: str = DEMO_USER, password: str = DEMO_PASSWORD, *,
                landing: str = '/agent', ready: str = 'agent-status') -> None:
    """Open ``landing``, sign in on the login page it sends to, and wait until ``ready`` shows there."""
    page.goto(f'{base}{landing}')
    page.wait_for_url('**/agent/login**')
    page.get_by_test_id('username').fill(username)
    page.get_by_test_id('password').fill(password)
    page.get_by_test_id('login').click()
    page.wait_for_url(f'{base}{landing}')
    expect(page.get_by_test_id(ready)).to_be_visible()


def recording_flows(folder: Path) -> Path:
    """The shipped flows with the agent's Record toggle on (the chat flow sets the contact attribute)."""
    flows = folder / 'flows'
    shutil.copytree(REPO_ROOT / 'contact_flows', flows)
    chat = flows / 'VideoCallEscalationChat.json'
    chat.write_text(chat.read_text().replace('"videoRecordingStartStopEnabled": "false"',
                                             '"videoRecordingStartStopEnabled": "true"'))
    return flows


def set_status(page: Page, status: str) -> None:
    page.get_by_test_id('status-select').click()
    page.get_by_role('option', name=status, exact=True).click()
    expect(page.get_by_test_id('agent-status')).to_have_text(status)


def start_customer_chat(page: Page, base: str, name: str, email: str) -> None:
    page.goto(f'{base}/')
    page.get_by_test_id('launcher').click()
    page.get_by_test_id('name').fill(name)
    page.get_by_test_id('email').fill(email)
    page.get_by_test_id('start-chat').click()
    expect(page.get_by_test_id('reply')).to_be_visible()


def accept_offer(agent: Page, customer_name: str) -> None:
    expect(agent.get_by_test_id('offer-name')).to_have_text(customer_name)
    agent.get_by_test_id('accept').click()
    expect(agent.get_by_test_id('customer-name')).to_have_text(customer_name)


def customer_send(page: Page, text: str) -> None:
    page.get_by_test_id('reply').fill(text)
    page.get_by_test_id('send').click()
    expect(page.get_by_test_id('reply')).to_have_value('')


def agent_send(page: Page, text: str) -> None:
    page.get_by_test_id('agent-reply').fill(text)
    page.get_by_test_id('agent-send').click()
    expect(page.get_by_test_id('agent-reply')).to_have_value('')


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / name
    page.wait_for_timeout(400)  # let Quasar's transitions (floating labels, scrolling) settle
    page.screenshot(path=str(path), animations='disabled', caret='hide')
    return path


def expect_tappable(page: Page, testid: str) -> None:
    """A finger on the centre of ``testid`` lands on it, not on something drawn over it."""
    locator = page.get_by_test_id(testid)
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    covered_by = locator.evaluate("""el => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        const target = el.closest('label') ?? el;  // Quasar wraps inputs in a <label class="q-field">
        if (hit && (el.contains(hit) || target.contains(hit))) return null;
        const cover = hit && hit.closest('[data-testid]');
        return cover ? `[data-testid=${cover.dataset.testid}]` : (hit ? hit.outerHTML.slice(0, 160) : 'nothing');
    }""")
    assert covered_by is None, f'{testid} cannot be tapped: {covered_by} covers its centre'

