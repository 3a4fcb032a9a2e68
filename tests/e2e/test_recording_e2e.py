"""Recording a local video call in the real product (docs/recording.md), checked with Debian's ffprobe.

An agent records a call with the customer's consent (both cameras on, a screen share): the file in the data folder
has a video and an audio stream, the duration the recorder ran (within a couple of seconds), frames that are not
black and audio that is not silent. A refusal leaves no file; an agent's reload mid-recording gives two segments of
one recording; a supervisor plays it in /supervisor/recordings and the audit log shows it; an agent and a customer
get nothing there. Runs in a loopback-only network namespace, like every WebRTC test here.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Pages, login_agent, recording_flows, screenshot
from tests.e2e.test_video_e2e import agent_join, assert_video_plays, into_call

ONLY_LOOPBACK = [n for _, n in socket.if_nameindex()] == ['lo']
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not ONLY_LOOPBACK, reason="WebRTC e2e needs a loopback-only network namespace: "
                       "unshare -n sh -c 'ip link set lo up && .venv/bin/pytest tests/e2e -m e2e'"),
    pytest.mark.skipif(shutil.which('ffprobe') is None, reason='needs ffprobe (Debian: apt-get install ffmpeg)'),
]

SUPERVISOR, SUPERVISOR_PASSWORD = 'sue', 'sue-supervisor-pass'
RECORD_SECONDS = 4.0  # short: the suite's time is shared
READY_TIMEOUT_S = 30.0
RECORDER = "window.__vceRecorder ? window.__vceRecorder.state() : null"


@pytest.fixture
def recorded(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    policy = getattr(request, 'param', 'require')
    live = LiveServer(tmp_path / 'server', env={'VCE_OFFER_TIMEOUT_SECONDS': '30',
                                                'VCE_FLOWS_DIR': str(recording_flows(tmp_path)),
                                                'VCE_RECORDING_CONSENT_POLICY': policy})
    live.start()
    result = subprocess.run([sys.executable, '-m', 'vce.cli', 'agents', 'add', SUPERVISOR, '--name', 'Sue Super',
                             '--role', 'supervisor'], cwd=live.root,
                            env={**live.env(), 'VCE_NEW_AGENT_PASSWORD': SUPERVISOR_PASSWORD},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    yield live
    live.stop()
    if any(getattr(getattr(request.node, f'rep_{w}', None), 'failed', False) for w in ('setup', 'call')):
        print(f'\n----- server log -----\n{live.log()}')


def segment_files(server: LiveServer) -> list[Path]:
    """Finished segments only: not the remux's temporary ``segment-<n>.tmp.webm`` nor the uploads' ``.part``."""
    return sorted(p for p in (server.data_dir / 'recordings').glob('*/segment-*.webm')
                  if re.fullmatch(r'segment-\d+\.webm', p.name))


def wait_for_files(server: LiveServer, count: int) -> list[Path]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        files = segment_files(server)
        if len(files) >= count:
            return files
        time.sleep(0.2)
    pytest.fail(f'{count} playable segment(s) expected, found {segment_files(server)}; '
                f'{list((server.data_dir / "recordings").rglob("*"))}')


def probe(path: Path) -> dict:
    result = subprocess.run(['ffprobe', '-v', 'error', '-print_format', 'json', '-show_format', '-show_streams',
                             str(path)], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)


def stream_seconds(stream: dict) -> float:
    """One stream's length: the WebM muxer writes it as a DURATION tag (hh:mm:ss.fraction)."""
    hours, minutes, seconds = stream['tags']['DURATION'].split(':')
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def black_and_loudness(path: Path) -> tuple[float, float, float]:
    """Seconds of black video (blackdetect), the loudest audio sample and the mean level in dB (volumedetect)."""
    result = subprocess.run(['ffmpeg', '-hide_banner', '-nostats', '-i', str(path), '-vf',
                             'blackdetect=d=0.5:pix_th=0.10', '-af', 'volumedetect', '-f', 'null', '-'],
                            capture_output=True, text=True, timeout=60)
    black = sum(float(s) for s in re.findall(r'black_duration:([\d.]+)', result.stderr))
    loudest = re.search(r'max_volume: (-?[\d.]+|-inf) dB', result.stderr)
    mean = re.search(r'mean_volume: (-?[\d.]+|-inf) dB', result.stderr)
    assert loudest is not None and mean is not None, result.stderr[-2000:]
    return black, float(loudest[1]), float(mean[1])


def expect_recording(agent: Page, customer: Page) -> None:
    expect(agent.get_by_test_id('recording-indicator')).to_be_visible()
    expect(customer.get_by_test_id('customer-recording-indicator')).to_be_visible()
    agent.wait_for_function(f'({RECORDER}) && ({RECORDER}).acknowledged > 0', timeout=15_000)


def record_for(agent: Page, seconds: float) -> None:
    agent.wait_for_timeout(seconds * 1000)


def stop_recorder(agent: Page) -> dict:
    """Stop from the toggle; the agent's recorder's state once its last chunk is on the server."""
    agent.get_by_test_id('record-toggle').click()
    expect(agent.get_by_test_id('recording-indicator')).to_be_hidden()
    agent.wait_for_function(f'({RECORDER}) && ({RECORDER}).finished', timeout=20_000)
    return agent.evaluate(RECORDER)


def seconds_recorded(state: dict) -> float:
    """The seconds the recorder ran (its start to its stop), as the browser saw."""
    return (state['stoppedAt'] - state['startedAt']) / 1000


def login_supervisor(page: Page, base: str) -> None:
    login_agent(page, base, SUPERVISOR, SUPERVISOR_PASSWORD, landing='/supervisor/recordings', ready='recordings-table')


def test_a_consented_recording_plays_for_the_supervisor_only(recorded: LiveServer, pages: Pages) -> None:
    agent, customer = into_call(pages, recorded)
    agent.get_by_test_id('camera').click()
    customer.get_by_test_id('camera').click()
    assert_video_plays(agent, 'meeting-remote-video')
    agent.get_by_test_id('share').click()
    assert_video_plays(customer, 'meeting-content-video')

    # 1. the agent asks; nothing is recorded until the customer accepts
    agent.get_by_test_id('record-toggle').click()
    expect(customer.get_by_test_id('recording-notice-text')).to_have_text(
        'This video call will be recorded. Do you agree to the recording?')
    expect(agent.get_by_test_id('recording-status')).to_contain_text('Waiting for the customer')
    expect(agent.get_by_test_id('recording-indicator')).to_be_hidden()
    assert segment_files(recorded) == [] and agent.evaluate(RECORDER) is None
    customer.get_by_test_id('recording-notice').scroll_into_view_if_needed()
    screenshot(customer, 'recording-consent-customer.png')
    customer.get_by_test_id('consent-accept').click()
    expect(customer.get_by_test_id('recording-notice')).to_be_hidden()
    expect_recording(agent, customer)
    record_for(agent, RECORD_SECONDS)
    state = stop_recorder(agent)
    expect(customer.get_by_test_id('customer-recording-indicator')).to_be_hidden()
    assert state['mostCameras'] == 2 and state['sharedFrames'] > 0, state  # both cameras and the screen share drawn

    # 2. the file: video + audio, the duration the recorder ran, not black, not silent
    (path,) = wait_for_files(recorded, 1)
    info = probe(path)
    kinds = sorted(s['codec_type'] for s in info['streams'])
    assert kinds == ['audio', 'video'], info['streams']
    duration = float(info['format']['duration'])
    assert abs(duration - seconds_recorded(state)) < 2.0, (duration, state)
    (video_seconds,) = [stream_seconds(s) for s in info['streams'] if s['codec_type'] == 'video']
    assert abs(video_seconds - seconds_recorded(state)) < 2.0, (video_seconds, state)  # the video lasts to the stop
    black, loudest, mean = black_and_loudness(path)
    assert black < 1.0, f'{black} s of black frames'
    assert loudest > -50.0 and mean > -70.0, f'loudest {loudest} dB, mean {mean} dB: silent'

    # 3. a supervisor finds it, plays it (seekable) beside the chat; the audit log shows the playback
    supervisor = pages.new(label='supervisor')
    login_supervisor(supervisor, recorded.base_url)
    expect(supervisor.get_by_test_id('recordings-table')).to_contain_text('Ann Lee')
    supervisor.get_by_test_id('recordings-table').get_by_text('Ann Lee').first.click()
    expect(supervisor.get_by_test_id('recording-transcript')).to_contain_text('my card was declined')
    player = supervisor.locator('video[data-testid=recording-player], [data-testid=recording-player] video').first
    supervisor.wait_for_function("""() => {
        const v = document.querySelector('video[data-testid=recording-player], [data-testid=recording-player] video');
        return v && v.readyState >= 1 && v.duration > 1 && isFinite(v.duration);
    }""", timeout=15_000)
    seeked = player.evaluate("""v => new Promise((done) => {
        v.addEventListener('seeked', () => done(v.currentTime), {once: true});
        v.currentTime = Math.min(2, v.duration / 2);
    })""")
    assert seeked > 0.5
    expect(supervisor.get_by_test_id('audit-log')).to_contain_text('played')
    expect(supervisor.get_by_test_id('audit-log')).to_contain_text(SUPERVISOR)
    screenshot(supervisor, 'recordings-supervisor.png')
    media_url = player.evaluate('v => v.currentSrc')
    assert '/supervisor/recordings/media/' in media_url

    # 4. the agent gets nothing, even by URL; nor does a customer
    agent_page = pages.new(label='agent-by-url', context=agent.context)
    response = agent_page.goto(f'{recorded.base_url}/supervisor/recordings')
    assert response is not None and response.status == 404
    assert agent_page.request.get(media_url).status == 404
    stranger = pages.new(label='customer-by-url', context=customer.context)
    stranger.goto(f'{recorded.base_url}/supervisor/recordings')
    stranger.wait_for_url('**/agent/login**')
    assert stranger.request.get(media_url, max_redirects=0).status in (302, 303, 307, 404)


def test_a_refusal_records_nothing(recorded: LiveServer, pages: Pages) -> None:
    agent, customer = into_call(pages, recorded)
    agent.get_by_test_id('record-toggle').click()
    customer.get_by_test_id('consent-decline').click()
    expect(agent.get_by_test_id('recording-status')).to_contain_text('The customer declined the recording')
    expect(customer.get_by_test_id('recording-outcome')).to_contain_text('You declined the recording')
    expect(agent.get_by_test_id('recording-indicator')).to_be_hidden()
    expect(customer.get_by_test_id('customer-recording-indicator')).to_be_hidden()
    expect(agent.get_by_test_id('leave')).to_be_visible()  # the call goes on
    agent.wait_for_timeout(1500)
    assert agent.evaluate(RECORDER) is None
    assert segment_files(recorded) == []
    assert not list((recorded.data_dir / 'recordings').rglob('*.part'))


@pytest.mark.parametrize('recorded', ['off'], indirect=True)
def test_an_agent_reload_makes_two_segments_of_one_recording(recorded: LiveServer, pages: Pages) -> None:
    agent, customer = into_call(pages, recorded)
    agent.get_by_test_id('record-toggle').click()
    expect_recording(agent, customer)
    record_for(agent, 2.5)

    agent.reload()  # the page that recorded is gone: what it uploaded stays, a new segment starts on rejoin
    expect(agent.get_by_test_id('rejoin')).to_be_visible()
    agent.get_by_test_id('rejoin').click()
    agent_join(agent)
    expect_recording(agent, customer)
    record_for(agent, 2.5)
    stop_recorder(agent)

    files = wait_for_files(recorded, 2)
    assert len({f.parent for f in files}) == 1, files  # one recording, two segments
    for path in files:
        assert float(probe(path)['format']['duration']) > 0.5, path
    supervisor = pages.new(label='supervisor')
    login_supervisor(supervisor, recorded.base_url)
    supervisor.get_by_test_id('recordings-table').get_by_text('Ann Lee').first.click()
    expect(supervisor.get_by_test_id('recording-part')).to_have_count(2)
