"""The vendored Chime SDK bundle works in real Chromium, offline, from a plain ``<script src>``.

No NiceGUI here: a stdlib ``http.server`` on 127.0.0.1 serves ``assets/`` plus one test page from a tmp dir. The page
needs a real ``http://127.0.0.1`` origin (a secure context) for the media-device APIs, so ``set_content`` won't do.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / 'assets'
VENDOR = ASSETS / 'vendor' / 'amazon-chime-sdk'
PAGE_PREFIX = '/__test__/'
CHIME_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']
PAGE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>chime bundle</title><link rel="icon" href="data:,">
<script src="/vendor/amazon-chime-sdk/chime-sdk.min.js"></script>
</head><body><video id="preview" autoplay muted playsinline width="320"></video></body></html>
"""
# Shaped like CreateMeetingWithAttendees' output (see backend/adapters/aws/chime_meetings.py); every URL is loopback,
# so even if constructing the session opened a connection it could not leave the host.
FAKE_MEETING = {
    'Meeting': {
        'MeetingId': '11111111-2222-3333-4444-555555555555',
        'ExternalMeetingId': 'esc-e2e',
        'MediaRegion': 'us-east-1',
        'MediaPlacement': {
            'AudioHostUrl': '127.0.0.1:9',
            'AudioFallbackUrl': 'wss://127.0.0.1:9/calls/fake',
            'SignalingUrl': 'wss://127.0.0.1:9/control/fake',
            'TurnControlUrl': 'https://127.0.0.1:9/v2/turn_sessions',
            'ScreenDataUrl': 'wss://127.0.0.1:9/v2/screen/fake',
            'ScreenViewingUrl': 'wss://127.0.0.1:9/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=fake',
            'ScreenSharingUrl': 'wss://127.0.0.1:9/v2/screen/fake',
            'EventIngestionUrl': 'https://127.0.0.1:9/v1/meetings/fake/events',
        },
    },
}
FAKE_ATTENDEE = {'Attendee': {'AttendeeId': 'a-1', 'ExternalUserId': 'agent-1', 'JoinToken': 'fake-token'}}
PROBE_JS = """async ([meeting, attendee]) => {
    const C = window.ChimeSDK;
    const logger = new C.ConsoleLogger('bundle-e2e', C.LogLevel.WARN);
    const devices = new C.DefaultDeviceController(logger);
    const video = await devices.listVideoInputDevices();
    const audio = await devices.listAudioInputDevices();
    // Throws "global is not defined" if the bundle was built without --define:global=globalThis.
    const config = new C.MeetingSessionConfiguration(meeting, attendee);
    const session = new C.DefaultMeetingSession(config, logger, devices);
    const result = {
        meetingSession: typeof C.DefaultMeetingSession,
        sdkVersion: C.Versioning.sdkVersion,
        video: video.map(d => d.label),
        audio: audio.map(d => d.label),
        meetingId: config.meetingId,
        hasAudioVideo: typeof session.audioVideo.start === 'function',
    };
    await devices.destroy();
    return result;
}"""


class _AssetsHandler(SimpleHTTPRequestHandler):
    """Serves ``assets/``, and ``/__test__/`` from the test's own tmp dir."""

    page_dir: Path

    def translate_path(self, path: str) -> str:
        if path.startswith(PAGE_PREFIX):
            return str(self.page_dir / path.removeprefix(PAGE_PREFIX).split('?', 1)[0])
        return super().translate_path(path)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean


@pytest.fixture(scope='module')
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    page_dir = tmp_path_factory.mktemp('chime-page')
    (page_dir / 'index.html').write_text(PAGE_HTML)
    handler = type('Handler', (_AssetsHandler,), {'page_dir': page_dir})
    server = ThreadingHTTPServer(('127.0.0.1', 0), partial(handler, directory=str(ASSETS)))
    thread = threading.Thread(target=server.serve_forever, name='assets-http', daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope='module')
def chime_browser(browser: Browser) -> Iterator[Browser]:
    """A Chromium with only the fake-media flags, launched from the session's Playwright (no second driver)."""
    chromium = browser.browser_type.launch(executable_path=os.environ.get('CHROMIUM', '/usr/bin/chromium'),
                                           args=CHIME_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(chime_browser: Browser) -> Iterator[Page]:
    context = chime_browser.new_context()
    yield context.new_page()
    context.close()


def test_bundle_loads_offline_and_lists_fake_devices(origin: str, page: Page) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.context.on('request', lambda request: requests.append(request.url))
    page.on('pageerror', lambda error: errors.append(str(error)))
    page.on('console', lambda message: errors.append(message.text) if message.type == 'error' else None)

    page.goto(f'{origin}{PAGE_PREFIX}index.html')
    assert page.evaluate("typeof ChimeSDK.DefaultMeetingSession === 'function'")
    result = page.evaluate(PROBE_JS, [FAKE_MEETING, FAKE_ATTENDEE])
    page.wait_for_timeout(500)  # let anything the session might fetch in the background show up

    assert result['meetingSession'] == 'function'
    assert result['sdkVersion'] == (VENDOR / 'VERSION').read_text().strip()
    assert len(result['video']) >= 1, result
    assert len(result['audio']) >= 1, result
    assert result['meetingId'] == FAKE_MEETING['Meeting']['MeetingId']
    assert result['hasAudioVideo']
    assert f'{origin}/vendor/amazon-chime-sdk/chime-sdk.min.js' in requests
    assert [url for url in requests if not url.startswith((f'{origin}/', 'data:', 'blob:'))] == []
    assert errors == []
