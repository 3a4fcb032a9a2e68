"""The meeting element fetches the vendored Chime SDK only when it needs it, once per page, and again after a failure.

``meeting_harness.py`` mounts ``MeetingElement`` with either back end in real Chromium (fake devices); a Playwright
route counts the requests for the bundle and fails the first one on purpose. Listing devices with the Chime SDK needs
no network, so nothing here leaves 127.0.0.1 and no loopback-only namespace is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.e2e.harness_process import harness_process

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().with_name('meeting_harness.py')
BUNDLE = '**/amazon-chime-sdk/chime-sdk.min.js'
CHIME_SCRIPTS = "document.querySelectorAll('script[data-vce-chime]').length"
TIMEOUT_MS = 15_000


@pytest.fixture(scope='module')
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with harness_process(HARNESS, probe='/room/ping', log_dir=tmp_path_factory.mktemp('meeting-bundle-harness'),
                         cwd=REPO_ROOT) as base:
        yield base


class BundleRequests:
    """Counts the requests for the Chime bundle; the first ``failures`` of them are aborted."""

    def __init__(self, failures: int = 0) -> None:
        self.count = 0
        self.failures = failures

    def handle(self, route: Route) -> None:
        self.count += 1
        if self.count <= self.failures:
            route.abort()
        else:
            route.continue_()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context()
    yield opened
    opened.close()


def open_room(context: BrowserContext, base: str, backend: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f'{base}/room/bundle-{backend}?who=Alice&backend={backend}')
    page.wait_for_function('window.__vceMeetings && Object.keys(window.__vceMeetings).length === 1')
    return page


def event_lines(page: Page, prefix: str) -> int:
    return sum(line.startswith(prefix) for line in page.get_by_test_id('events').inner_text().splitlines())


def wait_event_lines(page: Page, prefix: str, count: int) -> None:
    page.wait_for_function(
        """([prefix, count]) => document.querySelector('[data-testid=events]').innerText.split('\\n')
            .filter((line) => line.startsWith(prefix)).length >= count""", arg=[prefix, count])


def test_local_backend_never_fetches_the_chime_bundle(harness: str, context: BrowserContext) -> None:
    requests = BundleRequests()
    context.route(BUNDLE, requests.handle)
    page = open_room(context, harness, 'local')

    page.get_by_test_id('list').click()
    wait_event_lines(page, 'devices:', 1)
    page.get_by_test_id('join').click()
    expect(page.get_by_test_id('events')).to_contain_text('joined')
    page.get_by_test_id('leave').click()
    expect(page.get_by_test_id('events')).to_contain_text('left:left')

    assert requests.count == 0
    assert page.evaluate(CHIME_SCRIPTS) == 0
    assert page.evaluate("typeof window.ChimeSDK") == 'undefined'


def test_chime_backend_fetches_the_bundle_on_first_use_once_and_retries_after_a_failure(
        harness: str, context: BrowserContext) -> None:
    requests = BundleRequests(failures=1)
    context.route(BUNDLE, requests.handle)
    page = open_room(context, harness, 'chime')
    page.wait_for_timeout(300)
    assert requests.count == 0  # mounting alone loads nothing

    # the first load fails: a clear error, and no broken <script> left behind to block the retry
    page.get_by_test_id('list').click()
    wait_event_lines(page, 'error:bundle-failed', 1)
    assert requests.count == 1
    assert page.evaluate(CHIME_SCRIPTS) == 0
    assert event_lines(page, 'devices:') == 0

    # the retry loads it
    page.get_by_test_id('list').click()
    wait_event_lines(page, 'devices:', 1)
    assert requests.count == 2
    assert page.evaluate(CHIME_SCRIPTS) == 1
    assert page.evaluate("typeof window.ChimeSDK.DefaultDeviceController") == 'function'

    # later uses reuse it
    page.get_by_test_id('list').click()
    wait_event_lines(page, 'devices:', 2)
    assert requests.count == 2
    assert page.evaluate(CHIME_SCRIPTS) == 1
    assert event_lines(page, 'error:bundle-failed') == 1
