"""A camera that says off is off: the agent clicks "Join meeting as …" right after Start video.

The device list arrives asynchronously after Start video. When the agent joined before it was back, the late list
restarted the setup preview above the call, capturing the camera while the camera button said off, and nothing that
ended the call stopped it. The init script below can hold the device list and the microphone back until the test
releases them, so each round puts the late device list at a known point of the join instead of hoping for a race.

Runs only in a loopback-only network namespace, like the other WebRTC tests:

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_camera_privacy_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Pages
from tests.e2e.test_video_e2e import AGENT_ENDED_TEXT, expect_call_message, open_chat, pytestmark  # noqa: F401

# Records every stream getUserMedia hands out, so a test can count what still captures. __vceHold.devices holds
# enumerateDevices, __vceHold.mic every audio-only getUserMedia (the join's microphone), until __vceRelease(name).
RECORD_CAPTURES = """
if (!window.__vceCaptures && navigator.mediaDevices) {
  window.__vceCaptures = [];
  window.__vceHold = {devices: false, mic: false};
  const waiting = {devices: [], mic: []};
  const gate = (name) => window.__vceHold[name] ? new Promise((resolve) => waiting[name].push(resolve)) : null;
  window.__vceRelease = (name) => {
    window.__vceHold[name] = false;
    waiting[name].splice(0).forEach((resolve) => resolve());
  };
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    if (constraints && constraints.audio && !constraints.video) await gate('mic');
    const stream = await getUserMedia(constraints);
    window.__vceCaptures.push(stream);
    return stream;
  };
  const enumerateDevices = media.enumerateDevices.bind(media);
  media.enumerateDevices = async () => {
    await gate('devices');
    return enumerateDevices();
  };
}
"""
LIVE_TRACKS = """(kind) => (window.__vceCaptures || []).flatMap((s) => s.getTracks())
    .filter((t) => t.readyState === 'live' && (!kind || t.kind === kind)).length"""
# What is held back at the click on Join, and in which order it is let go: a device list that comes back while the
# join is still opening the microphone, one that comes back after the join, and no holding at all.
ROUNDS: tuple[tuple[str, ...], ...] = (('devices', 'mic'), ('mic', 'devices'), (), ('devices', 'mic'))
SETTLE_MS = 1000  # a preview that a released device list would (wrongly) start is running by then


def live_tracks(page: Page, kind: str | None = None) -> int:
    return int(page.evaluate(LIVE_TRACKS, kind))


def wait_live_tracks(page: Page, count: int, kind: str | None = None) -> None:
    page.wait_for_function(f'([kind, count]) => ({LIVE_TRACKS})(kind) === count', arg=[kind, count])


def camera_says_on(page: Page) -> bool:
    return 'videocam_off' not in page.get_by_test_id('camera').inner_text()


def expect_camera_truthful(page: Page) -> None:
    """The camera button's state matches whether a camera track is capturing; no setup preview beside the call."""
    expect(page.get_by_test_id('meeting-preview-video')).to_be_hidden()
    says_on, live = camera_says_on(page), live_tracks(page, 'video')
    assert live == (1 if says_on else 0), f'camera button says {"on" if says_on else "off"}, live video tracks: {live}'


def test_quick_join_after_start_video_never_leaves_the_camera_capturing(server: LiveServer, pages: Pages) -> None:
    agent, _customer = open_chat(pages, server)
    agent.add_init_script(RECORD_CAPTURES)
    agent.reload()
    expect(agent.get_by_test_id('start-video')).to_be_visible()

    for held in ROUNDS:
        for name in held:
            agent.evaluate('(name) => { window.__vceHold[name] = true; }', name)
        agent.get_by_test_id('start-video').click()
        agent.get_by_test_id('join-meeting').click()  # as soon as it shows, before the device list is back
        for name in held:
            agent.wait_for_timeout(SETTLE_MS // 2)
            agent.evaluate('(name) => window.__vceRelease(name)', name)
        expect(agent.get_by_test_id('leave')).to_be_visible()
        agent.wait_for_timeout(SETTLE_MS)
        assert not camera_says_on(agent), f'round {held}: joined with the camera on'
        expect_camera_truthful(agent)

        agent.get_by_test_id('camera').click()
        expect(agent.get_by_test_id('camera')).not_to_contain_text('videocam_off')
        wait_live_tracks(agent, 1, 'video')
        expect_camera_truthful(agent)
        agent.get_by_test_id('camera').click()
        expect(agent.get_by_test_id('camera')).to_contain_text('videocam_off')
        wait_live_tracks(agent, 0, 'video')
        expect_camera_truthful(agent)

        agent.get_by_test_id('end-for-all').click()
        expect_call_message(agent, AGENT_ENDED_TEXT)
        agent.wait_for_timeout(SETTLE_MS)
        assert live_tracks(agent) == 0, f'round {held}: tracks still capture after End for all'
        expect(agent.get_by_test_id('meeting-preview-video')).to_be_hidden()


def test_ending_the_call_during_device_setup_stops_the_preview(server: LiveServer, pages: Pages) -> None:
    agent, _customer = open_chat(pages, server)
    agent.add_init_script(RECORD_CAPTURES)
    agent.reload()
    agent.get_by_test_id('start-video').click()
    expect(agent.get_by_test_id('meeting-preview-video')).to_be_visible()
    wait_live_tracks(agent, 1, 'video')  # the setup preview captures ...

    agent.get_by_test_id('cancel-video').click()  # ... until the agent calls the video off before joining
    expect_call_message(agent, AGENT_ENDED_TEXT)
    wait_live_tracks(agent, 0)
    expect(agent.get_by_test_id('meeting-preview-video')).to_be_hidden()

    agent.get_by_test_id('end-contact').click()
    agent.get_by_test_id('clear-contact').click()
    agent.wait_for_timeout(SETTLE_MS)
    assert live_tracks(agent) == 0
