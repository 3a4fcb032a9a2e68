"""``MeetingElement(backend='local')`` in real Chromium: two browser contexts calling each other through the harness.

Only meaningful in a loopback-only network namespace (WebRTC must not use the host's interfaces):

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_meeting_element_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.harness_process import harness_process

ONLY_LOOPBACK = [n for _, n in socket.if_nameindex()] == ['lo']

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not ONLY_LOOPBACK, reason="WebRTC e2e needs a loopback-only network namespace: "
                       "unshare -n sh -c 'ip link set lo up && .venv/bin/pytest tests/e2e -m e2e'"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().with_name('meeting_harness.py')
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
FAKE_UI_ARGS = [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
]
# Without fake-ui, permission prompts are never answered in headless mode, so media access needs granted permissions.
# A page without media permission gathers ICE candidates differently: with mDNS-obfuscated host names (no mDNS in the
# namespace: gathering never ends) and only on the default route (the namespace has none). The last two flags make
# such a page gather plain "any address" candidates instead, which pair with the other side's 127.0.0.1 as prflx.
# Real networks have a default route and mDNS; this is a loopback-namespace artefact, not something the element does.
NO_FAKE_UI_ARGS = [
    *(a for a in FAKE_UI_ARGS if a != '--use-fake-ui-for-media-stream'),
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--force-webrtc-ip-handling-policy=default',
]
TIMEOUT_MS = 15_000
REJECT_SCREEN_PICKER = """
navigator.mediaDevices.getDisplayMedia = () =>
    Promise.reject(new DOMException('The user cancelled the screen picker.', 'NotAllowedError'));
"""
VIDEO_STATE = """(testid) => {
    const v = document.querySelector(`[data-testid="${testid}"]`);
    if (!v) return null;
    return {width: v.videoWidth, time: v.currentTime, paused: v.paused, shown: v.getClientRects().length > 0,
            stream: !!v.srcObject};
}"""
STATS = 'Object.values(window.__vceMeetings)[0].stats()'


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope='module')
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with harness_process(HARNESS, probe='/room/ping', log_dir=tmp_path_factory.mktemp('meeting-harness'),
                         cwd=REPO_ROOT) as base:
        yield base


@pytest.fixture(scope='module')
def fake_ui_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with fake devices and auto-accepted prompts (getDisplayMedia returns a synthetic screen)."""
    # launched from the Playwright instance of the shared ``browser`` fixture: one sync Playwright per process
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=FAKE_UI_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope='module')
def no_fake_ui_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium with fake devices but real (headless: never answered) prompts: access needs granted permissions."""
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=NO_FAKE_UI_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def contexts() -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        with contextlib.suppress(Exception):  # already closed, e.g. with its page
            context.close()


# ------------------------------------------------------------------------------------------------ helpers


def open_room(contexts: list[BrowserContext], browser: Browser, base: str, room: str, who: str,
              init_script: str | None = None, **context_options: Any) -> Page:
    context = browser.new_context(**context_options)
    contexts.append(context)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f'{base}/room/{room}?who={who}')
    page.wait_for_function('window.__vceMeetings && Object.keys(window.__vceMeetings).length === 1')
    return page


def events(page: Page) -> list[str]:
    return page.get_by_test_id('events').inner_text().splitlines()


def wait_event(page: Page, line: str, timeout: float = 10.0) -> float:
    """Wait until ``line`` is one of the page's event lines; returns the seconds waited."""
    start = time.monotonic()
    while True:
        if line in events(page):
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            pytest.fail(f'{line!r} not seen within {timeout} s; events: {events(page)}')
        page.wait_for_timeout(100)


def new_events(page: Page, before: list[str]) -> list[str]:
    now = events(page)
    assert now[:len(before)] == before
    return now[len(before):]


def video(page: Page, testid: str) -> dict[str, Any] | None:
    return page.evaluate(VIDEO_STATE, testid)


def wait_video_frames(page: Page, testid: str) -> None:
    page.wait_for_function(f'(document.querySelector(\'[data-testid="{testid}"]\') || {{}}).videoWidth > 0')


def assert_video_plays(page: Page, testid: str) -> None:
    wait_video_frames(page, testid)
    first = video(page, testid)
    page.wait_for_timeout(500)
    second = video(page, testid)
    assert first and second and second['width'] > 0 and not second['paused']
    assert second['time'] > first['time'], (first, second)


def assert_no_video(page: Page, testid: str) -> None:
    state = video(page, testid)
    assert state is None or not state['shown'] or not state['stream'], state


def stats(page: Page) -> dict[str, int]:
    return page.evaluate(STATS)


def wait_stat(page: Page, key: str, minimum: int = 1, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        value = stats(page)[key]
        if value >= minimum:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f'{key} stayed at {value} (< {minimum}) for {timeout} s')
        page.wait_for_timeout(200)


def audio_energy_gain(page: Page, seconds: float) -> float:
    before = stats(page)['inboundAudioEnergy']
    page.wait_for_timeout(seconds * 1000)
    return stats(page)['inboundAudioEnergy'] - before


def join(*pages: Page) -> None:
    for page in pages:
        page.get_by_test_id('join').click()
    for page in pages:
        wait_event(page, 'joined')


# ------------------------------------------------------------------------------------------------ tests


def test_devices_preview_call_camera_share_and_hangup(harness: str, fake_ui_browser: Browser,
                                                      contexts: list[BrowserContext]) -> None:
    alice = open_room(contexts, fake_ui_browser, harness, 'x', 'Alice')
    bob = open_room(contexts, fake_ui_browser, harness, 'x', 'Bob')

    # 1. devices and preview
    alice.get_by_test_id('list').click()
    alice.wait_for_function("document.querySelector('[data-testid=events]').innerText.includes('devices:')")
    counts = next(line for line in events(alice) if line.startswith('devices:')).split(':')[1:]
    audio_inputs, video_inputs, _ = (int(n) for n in counts)
    assert audio_inputs >= 1 and video_inputs >= 1, counts
    alice.get_by_test_id('preview').click()
    wait_event(alice, 'preview:true:true')
    assert_video_plays(alice, 'meeting-preview-video')
    expect(alice.get_by_test_id('meeting-level')).to_have_count(1)

    # 2. both join with the camera off: no video tiles, but audio flows
    join(alice, bob)
    wait_event(alice, 'attendee-joined:Bob')
    wait_event(bob, 'attendee-joined:Alice')
    assert (video(alice, 'meeting-preview-video') or {}).get('shown') is False  # the preview closes at join
    assert wait_stat(bob, 'inboundAudioPackets') > 0
    assert wait_stat(alice, 'inboundAudioPackets') > 0
    alice.get_by_test_id('mute').click()
    bob.wait_for_timeout(600)  # let the jitter buffer drain
    assert audio_energy_gain(bob, seconds=1.0) < 0.01  # muted: silence (measured ~1e-9)
    alice.get_by_test_id('unmute').click()
    bob.wait_for_timeout(300)
    assert audio_energy_gain(bob, seconds=1.0) > 0.05  # the fake microphone beeps (measured ~0.3 per second)
    for page in (alice, bob):
        assert not [line for line in events(page) if line.startswith('video-tile')], events(page)
        assert_no_video(page, 'meeting-remote-video')
        assert_no_video(page, 'meeting-local-video')

    # 3. Alice turns her camera on: Bob's remote video plays
    alice.get_by_test_id('camera-on').click()
    wait_event(alice, 'video-tile:true:true:false')
    wait_event(bob, 'video-tile:true:false:false')
    assert_video_plays(bob, 'meeting-remote-video')
    assert_video_plays(alice, 'meeting-local-video')
    assert stats(bob)['remoteVideoWidth'] == 640  # the harness joins at 360p
    assert_no_video(alice, 'meeting-remote-video')  # Bob's camera is still off
    alice.get_by_test_id('quality-540p').click()  # switched on the fly, without renegotiation
    bob.wait_for_function("document.querySelector('[data-testid=meeting-remote-video]').videoWidth === 960")

    # 4. Alice shares her (synthetic) screen, then stops
    alice.get_by_test_id('share').click()
    wait_event(bob, 'content-share:true')
    wait_event(alice, 'content-share:true')
    assert_video_plays(bob, 'meeting-content-video')
    assert_video_plays(bob, 'meeting-remote-video')  # the camera stays beside the share
    alice.get_by_test_id('unshare').click()
    wait_event(bob, 'content-share:false')
    wait_event(alice, 'content-share:false')
    expect(bob.get_by_test_id('meeting-content-video')).to_be_hidden()

    # 5. Bob vanishes without a word: Alice notices through WebRTC alone
    bob_before = events(bob)
    bob.close()
    waited = wait_event(alice, 'attendee-left:Bob', timeout=15)  # typically 8-9 s: "disconnected" after ~5 s + 2 s
    print(f'attendee-left after {waited:.1f} s')
    assert 'left:left' not in bob_before
    expect(alice.get_by_test_id('meeting-remote-video')).to_have_count(0)
    assert alice.locator('[data-attendee-id]').count() == 0


def test_permission_denied_still_joins_receive_only(harness: str, fake_ui_browser: Browser,
                                                    no_fake_ui_browser: Browser,
                                                    contexts: list[BrowserContext]) -> None:
    alice = open_room(contexts, no_fake_ui_browser, harness, 'y', 'Alice', permissions=[])
    bob = open_room(contexts, fake_ui_browser, harness, 'y', 'Bob')

    alice.get_by_test_id('list').click()
    wait_event(alice, 'error:permission-denied')
    alice.get_by_test_id('preview').click()
    wait_event(alice, 'preview:false:false')
    assert events(alice).count('error:permission-denied') >= 2

    join(alice, bob)
    wait_event(alice, 'attendee-joined:Bob')
    wait_event(bob, 'attendee-joined:Alice')
    assert wait_stat(alice, 'inboundAudioPackets') > 0  # Alice hears Bob without a microphone of her own

    bob.get_by_test_id('camera-on').click()
    wait_event(alice, 'video-tile:true:false:false')
    assert_video_plays(alice, 'meeting-remote-video')
    alice.get_by_test_id('camera-on').click()
    wait_event(alice, 'error:permission-denied', timeout=5)
    wait_event(alice, 'video-tile:false:true:false')  # the camera button, switched on first, learns it stayed off
    assert 'video-tile:true:true:false' not in events(alice)
    assert stats(bob)['inboundAudioPackets'] == 0


def test_cancelled_screen_picker_changes_nothing(harness: str, fake_ui_browser: Browser,
                                                 no_fake_ui_browser: Browser,
                                                 contexts: list[BrowserContext]) -> None:
    alice = open_room(contexts, no_fake_ui_browser, harness, 'z', 'Alice', init_script=REJECT_SCREEN_PICKER,
                      permissions=['camera', 'microphone'])
    bob = open_room(contexts, fake_ui_browser, harness, 'z', 'Bob')

    join(alice, bob)
    wait_event(alice, 'attendee-joined:Bob')
    wait_event(bob, 'attendee-joined:Alice')
    bob.get_by_test_id('camera-on').click()
    wait_event(alice, 'video-tile:true:false:false')
    audio_before = wait_stat(bob, 'inboundAudioPackets')
    alice_before, bob_before = events(alice), events(bob)

    alice.get_by_test_id('share').click()
    wait_event(alice, 'error:share-cancelled')
    alice.wait_for_timeout(1000)
    assert new_events(alice, alice_before) == ['error:share-cancelled']
    assert new_events(bob, bob_before) == []
    expect(alice.get_by_test_id('meeting-content-video')).to_be_hidden()
    expect(bob.get_by_test_id('meeting-content-video')).to_be_hidden()
    assert_video_plays(alice, 'meeting-remote-video')
    assert stats(bob)['inboundAudioPackets'] > audio_before

    bob.get_by_test_id('leave').click()  # a proper goodbye is seen at once
    wait_event(bob, 'left:left', timeout=3)
    wait_event(alice, 'attendee-left:Bob', timeout=3)
    expect(alice.get_by_test_id('meeting-remote-video')).to_have_count(0)
    expect(bob.locator('.vce-stage')).to_be_hidden()
