"""Video escalation in the real product: an agent upgrades a customer chat to video + screen share.

Two browser contexts (agent desktop + customer website) against a real ``vce demo`` process, with the local WebRTC
meeting back end. WebRTC must never touch the host's interfaces, so these tests run only in a loopback-only network
namespace (the shared ``browser`` fixture already passes ``--allow-loopback-in-peer-connection``):

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_video_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

import re
import socket
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    LiveServer,
    Pages,
    accept_offer,
    agent_send,
    csp_violations,
    customer_send,
    login_agent,
    screenshot,
    set_status,
    start_customer_chat,
)

ONLY_LOOPBACK = [n for _, n in socket.if_nameindex()] == ['lo']

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not ONLY_LOOPBACK, reason="WebRTC e2e needs a loopback-only network namespace: "
                       "unshare -n sh -c 'ip link set lo up && .venv/bin/pytest tests/e2e -m e2e'"),
]

AGENT_NAME = 'Demo Agent'
CUSTOMER_NAME = 'Ann Lee'
CUSTOMER_EMAIL = 'ann@example.com'
STARTED_TEXT = 'The agent started a video call. Select "Join video call" to join.'
CUSTOMER_ENDED_TEXT = 'The agent ended the video session'
AGENT_ENDED_TEXT = 'The video session has ended.'
IN_PROGRESS_TEXT = 'A video call is in progress.'
MEDIA_TIMEOUT_S = 15.0

VIDEO_STATE = """(testid) => {
    const v = document.querySelector(`[data-testid="${testid}"]`);
    if (!v) return null;
    return {width: v.videoWidth, height: v.videoHeight, time: v.currentTime, paused: v.paused,
            shown: v.getClientRects().length > 0, stream: !!v.srcObject};
}"""
# every meeting element on the page (there is one; after a reload the old one is gone with its document)
STATS = """async () => {
    const total = {inboundAudioPackets: 0, inboundVideoFrames: 0, remoteVideoWidth: 0, inboundAudioEnergy: 0};
    for (const meeting of Object.values(window.__vceMeetings || {})) {
        const s = await meeting.stats();
        for (const key of Object.keys(total)) total[key] += s[key] || 0;
    }
    return total;
}"""
PEERS = "() => Object.values(window.__vceMeetings || {}).flatMap((m) => m.peers())"


# ------------------------------------------------------------------------------------------------ helpers


def video(page: Page, testid: str) -> dict[str, Any] | None:
    return page.evaluate(VIDEO_STATE, testid)


def assert_video_plays(page: Page, testid: str) -> dict[str, Any]:
    """``testid`` shows decoded frames (videoWidth > 0) and its clock advances over 500 ms."""
    page.wait_for_function(
        f'(document.querySelector(\'[data-testid="{testid}"]\') || {{}}).videoWidth > 0',
        timeout=MEDIA_TIMEOUT_S * 1000)
    first = video(page, testid)
    page.wait_for_timeout(500)
    second = video(page, testid)
    assert first and second, (first, second)
    assert second['width'] > 0 and second['shown'] and not second['paused'], second
    assert second['time'] > first['time'], (first, second)
    return second


def assert_no_remote_camera(page: Page) -> None:
    expect(page.get_by_test_id('meeting-remote-video')).to_have_count(0)


def assert_no_local_video(page: Page) -> None:
    state = video(page, 'meeting-local-video')
    assert state is None or not state['shown'] or not state['stream'], state


def stats(page: Page) -> dict[str, float]:
    return page.evaluate(STATS)


def wait_stat_above(page: Page, key: str, above: float, timeout: float = MEDIA_TIMEOUT_S) -> float:
    """Poll the meeting's ``stats()`` until ``key`` is greater than ``above``; returns the value."""
    deadline = time.monotonic() + timeout
    while True:
        value = stats(page)[key]
        if value > above:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f'{key} stayed at {value} (not > {above}) for {timeout} s; peers: {page.evaluate(PEERS)}')
        page.wait_for_timeout(200)


def roster_names(page: Page) -> list[str]:
    return [name.strip() for name in page.get_by_test_id('roster-name').all_inner_texts()]


def expect_roster(page: Page, *names: str) -> None:
    """The roster shows exactly these names (in any order); ``(you)`` marks the page's own entry."""
    locator = page.get_by_test_id('roster-name')
    expect(locator).to_have_count(len(names))
    for name in names:
        expect(locator.filter(has_text=re.compile(f'^{re.escape(name)}$'))).to_have_count(1)


def expect_call_message(page: Page, text: str) -> None:
    expect(page.get_by_test_id('call-message')).to_have_text(text)


def open_chat(pages: Pages, server: LiveServer) -> tuple[Page, Page]:
    """Agent logged in and Available; a customer's chat accepted; one message each way."""
    base = server.base_url
    agent = pages.new(label='agent')
    login_agent(agent, base)
    set_status(agent, 'Available')
    customer = pages.new(label='customer')
    start_customer_chat(customer, base, CUSTOMER_NAME, CUSTOMER_EMAIL)
    accept_offer(agent, CUSTOMER_NAME)
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')
    customer_send(customer, 'Hello, my card was declined.')
    expect(agent.get_by_test_id('chat-customer').filter(has_text='my card was declined')).to_be_visible()
    agent_send(agent, 'Hi Ann, let us look at it together on video.')
    expect(customer.get_by_test_id('chat-agent').filter(has_text='look at it together')).to_be_visible()
    return agent, customer


def start_video(agent: Page, customer: Page, *, prompt: str = 'Join video call') -> None:
    """The agent starts video: the agent gets device setup, the customer a Join prompt and a transcript line."""
    expect(customer.get_by_test_id('join-video')).to_be_hidden()
    agent.get_by_test_id('start-video').click()
    expect(agent.get_by_test_id('join-meeting')).to_be_visible()
    expect(agent.get_by_test_id('join-meeting')).to_contain_text(f'Join meeting as {AGENT_NAME}')
    expect(customer.get_by_test_id('join-video')).to_be_visible()
    expect(customer.get_by_test_id('join-video')).to_contain_text(prompt)
    expect(customer.get_by_test_id('chat-event').filter(has_text=STARTED_TEXT)).to_be_visible()


def agent_join(agent: Page) -> None:
    expect(agent.get_by_test_id('join-meeting')).to_be_enabled()
    agent.get_by_test_id('join-meeting').click()
    expect(agent.get_by_test_id('leave')).to_be_visible()


def customer_join(customer: Page, *, prompt: str = 'Join video call') -> None:
    expect(customer.get_by_test_id('join-video')).to_contain_text(prompt)
    customer.get_by_test_id('join-video').click()
    expect(customer.get_by_test_id('join-video')).to_be_hidden()
    expect(customer.get_by_test_id('join-meeting')).to_contain_text(f'Join meeting as {CUSTOMER_NAME}')
    expect(customer.get_by_test_id('join-meeting')).to_be_enabled()
    customer.get_by_test_id('join-meeting').click()
    expect(customer.get_by_test_id('leave')).to_be_visible()


def expect_both_in_call(agent: Page, customer: Page) -> None:
    expect_roster(agent, f'{AGENT_NAME} (you)', CUSTOMER_NAME)
    expect_roster(customer, f'{CUSTOMER_NAME} (you)', AGENT_NAME)


def into_call(pages: Pages, server: LiveServer) -> tuple[Page, Page]:
    agent, customer = open_chat(pages, server)
    start_video(agent, customer)
    agent_join(agent)
    customer_join(customer)
    expect_both_in_call(agent, customer)
    return agent, customer


# ------------------------------------------------------------------------------------------------ tests


def test_chat_escalates_to_video_both_ways(server: LiveServer, pages: Pages) -> None:
    agent, customer = open_chat(pages, server)
    expect(agent.get_by_test_id('call-panel')).to_be_hidden()
    expect(customer.get_by_test_id('call-panel')).to_be_hidden()

    # 1. escalation: device setup for the agent, a structured prompt + a readable line for the customer
    start_video(agent, customer)
    expect(agent.get_by_test_id('microphone-select')).to_be_visible()
    expect(agent.get_by_test_id('camera-select')).to_be_visible()
    expect(agent.get_by_test_id('meeting-preview-video')).to_be_visible()  # device setup shows a preview
    expect(agent.get_by_test_id('chat-event').filter(has_text=STARTED_TEXT)).to_be_visible()
    expect(customer.get_by_test_id('join-meeting')).to_be_hidden()  # nothing opens before the customer chooses

    # 2. both join; the roster shows both names on both sides
    agent_join(agent)
    customer_join(customer)
    expect_both_in_call(agent, customer)

    # 3. the camera is off by default: no remote camera on either side, no local video shown
    for page in (agent, customer):
        assert_no_remote_camera(page)
        assert_no_local_video(page)
        expect(page.get_by_test_id('meeting-content-video')).to_be_hidden()
    # ... but audio flows
    assert wait_stat_above(customer, 'inboundAudioPackets', 0) > 0
    assert wait_stat_above(agent, 'inboundAudioPackets', 0) > 0

    # 4. agent camera on -> the customer sees it
    agent.get_by_test_id('camera').click()
    state = assert_video_plays(customer, 'meeting-remote-video')
    assert state['width'] > 0
    assert_video_plays(agent, 'meeting-local-video')
    assert_no_remote_camera(agent)  # the customer's camera is still off

    # 5. customer camera on -> the agent sees it
    customer.get_by_test_id('camera').click()
    assert_video_plays(agent, 'meeting-remote-video')
    assert_video_plays(customer, 'meeting-local-video')

    # 6. agent shares its (synthetic, --use-fake-ui-for-media-stream) screen -> content video on the customer side
    expect(customer.get_by_test_id('meeting-content-video')).to_be_hidden()
    agent.get_by_test_id('share').click()
    expect(customer.get_by_test_id('meeting-content-video')).to_be_visible()
    content = assert_video_plays(customer, 'meeting-content-video')
    assert content['width'] > 0
    assert_video_plays(customer, 'meeting-remote-video')  # the camera stays beside the share

    # 7. the chat still works beside the video
    customer_send(customer, 'I can see you and your screen.')
    expect(agent.get_by_test_id('chat-customer').filter(has_text='I can see you and your screen.')).to_be_visible()
    agent_send(agent, 'Great, look at the highlighted field.')
    expect(customer.get_by_test_id('chat-agent').filter(has_text='look at the highlighted field')).to_be_visible()
    # the Content-Security-Policy let both pages do all of the above
    assert csp_violations(agent) == [] and csp_violations(customer) == []

    # screenshots: both cameras on, share running
    screenshot(agent, 'video-agent.png')
    window = customer.get_by_test_id('chat-window')
    sizes = window.evaluate('el => ({scroll: el.scrollHeight, client: el.clientHeight})')
    print(f'customer chat window: content {sizes["scroll"]} px in {sizes["client"]} px')
    window.evaluate('el => { el.scrollTop = 0; }')  # typing scrolled the stage out of the window: show it
    screenshot(customer, 'video-customer.png')

    # 8. end for all
    agent.get_by_test_id('end-for-all').click()
    expect_call_message(customer, CUSTOMER_ENDED_TEXT)
    expect_call_message(agent, AGENT_ENDED_TEXT)
    for page in (agent, customer):
        assert_no_remote_camera(page)
        expect(page.get_by_test_id('meeting-content-video')).to_be_hidden()
        expect(page.get_by_test_id('leave')).to_be_hidden()
        assert_no_local_video(page)
    expect(customer.get_by_test_id('join-video')).to_be_hidden()
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')  # chat goes on


def test_reload_mid_call_offers_rejoin(server: LiveServer, pages: Pages) -> None:
    agent, customer = into_call(pages, server)
    wait_stat_above(customer, 'inboundAudioPackets', 0)

    # customer reload: the chat comes back with a Rejoin prompt
    customer.reload()
    expect(customer.get_by_test_id('chat-agent').filter(has_text='look at it together')).to_be_visible()
    expect(customer.get_by_test_id('chat-customer').filter(has_text='my card was declined')).to_be_visible()
    expect(customer.get_by_test_id('chat-event').filter(has_text=STARTED_TEXT)).to_be_visible()
    expect(customer.get_by_test_id('join-video')).to_be_visible()
    expect(customer.get_by_test_id('join-video')).to_contain_text('Rejoin video call')
    expect_roster(agent, f'{AGENT_NAME} (you)')  # the agent notices that the customer's old page is gone
    customer_join(customer, prompt='Rejoin video call')
    expect_both_in_call(agent, customer)
    first = wait_stat_above(customer, 'inboundAudioPackets', 0)
    assert wait_stat_above(customer, 'inboundAudioPackets', first) > first  # media flows again
    assert wait_stat_above(agent, 'inboundAudioPackets', 0) > 0
    agent.get_by_test_id('camera').click()
    assert_video_plays(customer, 'meeting-remote-video')

    # agent reload: "A video call is in progress." + Rejoin
    agent.reload()
    expect(agent.get_by_test_id('customer-name')).to_have_text(CUSTOMER_NAME)
    expect_call_message(agent, IN_PROGRESS_TEXT)
    expect(agent.get_by_test_id('rejoin')).to_be_visible()
    expect_roster(customer, f'{CUSTOMER_NAME} (you)')
    assert_no_remote_camera(customer)
    before = stats(customer)['inboundAudioPackets']
    agent.get_by_test_id('rejoin').click()
    agent_join(agent)
    expect_both_in_call(agent, customer)
    assert wait_stat_above(customer, 'inboundAudioPackets', before) > before
    first = wait_stat_above(agent, 'inboundAudioPackets', 0)
    assert wait_stat_above(agent, 'inboundAudioPackets', first) > first
    assert_no_remote_camera(customer)  # the agent rejoined with its camera off, as always


def test_customer_ending_chat_leaves_call_and_clear_ends_meeting(server: LiveServer, pages: Pages) -> None:
    agent, customer = into_call(pages, server)
    customer.get_by_test_id('camera').click()
    assert_video_plays(agent, 'meeting-remote-video')

    customer.get_by_test_id('end-chat').click()
    expect(customer.get_by_test_id('chat-status')).to_have_text('This chat has ended')
    expect(customer.get_by_test_id('call-panel')).to_be_hidden()
    expect(customer.get_by_test_id('join-video')).to_be_hidden()
    expect_roster(agent, f'{AGENT_NAME} (you)')  # attendee left
    expect_call_message(agent, f'{CUSTOMER_NAME} left the video call.')
    assert_no_remote_camera(agent)
    expect(agent.get_by_test_id('contact-state')).to_have_text('After contact work')

    agent.get_by_test_id('clear-contact').click()
    expect_call_message(agent, AGENT_ENDED_TEXT)
    expect(agent.get_by_test_id('leave')).to_be_hidden()
    expect(agent.get_by_test_id('rejoin')).to_be_hidden()
    assert_no_local_video(agent)


def test_start_video_on_someone_elses_contact_is_impossible(server: LiveServer, pages: Pages) -> None:
    server.add_agent('bob', 'Bob Builder', 'bob-password-for-e2e')
    base = server.base_url
    agent = pages.new(label='agent')
    login_agent(agent, base)
    set_status(agent, 'Available')
    other = pages.new(label='other agent')
    login_agent(other, base, 'bob', 'bob-password-for-e2e')  # logged in, but not Available: gets no offers

    customer = pages.new(label='customer')
    start_customer_chat(customer, base, CUSTOMER_NAME, CUSTOMER_EMAIL)
    accept_offer(agent, CUSTOMER_NAME)
    agent.wait_for_url(re.compile(r'/agent/contact/[^/]+$'))
    contact_id = agent.url.rstrip('/').rsplit('/', 1)[1]
    expect(agent.get_by_test_id('start-video')).to_be_visible()
    expect(other.get_by_test_id('contact-item')).to_have_count(0)

    other.goto(f'{base}/agent/contact/{contact_id}')
    expect(other.get_by_test_id('contact-missing')).to_have_text('No such contact on your desktop.')
    expect(other.get_by_test_id('start-video')).to_have_count(0)
    expect(other.get_by_test_id('customer-name')).to_have_count(0)
    expect(other.get_by_test_id('call-panel')).to_be_hidden()
    # nothing happened on the customer's side either
    expect(customer.get_by_test_id('join-video')).to_be_hidden()
    expect(customer.get_by_test_id('chat-event').filter(has_text=STARTED_TEXT)).to_have_count(0)
