"""Phone calls in the real product: a customer calls from the "Call us" page, an agent answers in the softphone.

Two browser contexts (agent desktop + a phone-sized customer page) against a real ``vce demo`` process; the call's
audio is browser WebRTC through the meeting element's local back end, so this runs only in a loopback-only network
namespace:

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_voice_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

import socket

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.conftest import LiveServer, Pages, login_agent, screenshot, set_status
from tests.e2e.test_video_e2e import stats, wait_stat_above

ONLY_LOOPBACK = [n for _, n in socket.if_nameindex()] == ['lo']

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not ONLY_LOOPBACK, reason="WebRTC e2e needs a loopback-only network namespace: "
                       "unshare -n sh -c 'ip link set lo up && .venv/bin/pytest tests/e2e -m e2e'"),
]

CALLER = 'Vic Caller'
PHONE_VIEWPORT: ViewportSize = {'width': 390, 'height': 844}
# the remote voices a page plays: every <audio> the meeting elements made, and whether each is silenced
REMOTE_AUDIO = """() => [...document.querySelectorAll('.vce-audio audio')]
    .map((a) => ({muted: a.muted, playing: !!a.srcObject && !a.paused}))"""


def remote_audio(page: Page) -> list[dict[str, bool]]:
    return page.evaluate(REMOTE_AUDIO)


def expect_remote_audio(page: Page, *, muted: bool) -> None:
    """Exactly one remote voice plays, silenced or not."""
    page.wait_for_function(f'({REMOTE_AUDIO})().length === 1 && ({REMOTE_AUDIO})()[0].muted === {str(muted).lower()}')
    (voice,) = remote_audio(page)
    assert voice == {'muted': muted, 'playing': True}, voice


def expect_audio_both_ways(agent: Page, customer: Page) -> None:
    """Packets and sound energy arrive on both sides, and keep arriving."""
    for page in (agent, customer):
        packets = wait_stat_above(page, 'inboundAudioPackets', 0)
        assert wait_stat_above(page, 'inboundAudioPackets', packets) > packets
        assert wait_stat_above(page, 'inboundAudioEnergy', 0) > 0


def test_a_customer_calls_and_the_agent_answers_holds_and_ends(server: LiveServer, pages: Pages) -> None:
    base = server.base_url
    agent = pages.new(label='agent')
    login_agent(agent, base)
    set_status(agent, 'Available')

    # 1. the customer finds the phone page on the website and calls
    customer = pages.new(label='customer', viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    customer.goto(f'{base}/')
    customer.get_by_test_id('call-us').click()
    customer.wait_for_url(f'{base}/call')
    expect(customer.get_by_test_id('microphone-hint')).to_be_visible()
    customer.get_by_test_id('caller-name').fill(CALLER)
    customer.get_by_test_id('call').click()
    expect(customer.get_by_test_id('call-status')).to_have_text('Calling Example Bank…')
    expect(customer.get_by_test_id('call-caption')).to_contain_text('You are number 1 in the queue.')

    # 2. the agent's CCP rings with an incoming call; Accept connects the audio by itself on both sides
    expect(agent.get_by_test_id('offer-title')).to_have_text('Incoming call')
    expect(agent.get_by_test_id('offer-name')).to_have_text(CALLER)
    agent.get_by_test_id('accept').click()
    expect(agent.get_by_test_id('softphone-name')).to_have_text(f'On call with {CALLER}')
    expect(agent.get_by_test_id('customer-name')).to_have_text(CALLER)
    expect(agent.get_by_test_id('channel-voice')).to_be_visible()
    expect(agent.get_by_test_id('agent-reply')).to_be_hidden()  # a call has no reply box
    expect(agent.get_by_test_id('softphone-status')).to_have_text('Connected')
    expect(customer.get_by_test_id('call-status')).to_have_text('Connected')
    expect(customer.get_by_test_id('call-caption')).to_be_hidden()
    expect_audio_both_ways(agent, customer)
    expect_remote_audio(agent, muted=False)
    expect_remote_audio(customer, muted=False)
    expect(customer.locator('.vce-stage')).to_have_count(0)  # audio only: no video stage or preview on the phone
    for page in (agent, customer):
        assert stats(page)['inboundVideoFrames'] == 0  # and no camera anywhere
    screenshot(agent, 'voice-agent.png')
    screenshot(customer, 'voice-customer.png')

    # 3. hold: both sides hear nothing; the caller is told
    agent.get_by_test_id('hold').click()
    expect(customer.get_by_test_id('call-status')).to_have_text('You are on hold')
    expect(agent.get_by_test_id('hold')).to_contain_text('Resume')
    expect_remote_audio(agent, muted=True)
    expect_remote_audio(customer, muted=True)

    # 4. resume: sound again
    agent.get_by_test_id('hold').click()
    expect(customer.get_by_test_id('call-status')).to_have_text('Connected')
    expect_remote_audio(agent, muted=False)
    expect_remote_audio(customer, muted=False)
    energy = stats(customer)['inboundAudioEnergy']
    assert wait_stat_above(customer, 'inboundAudioEnergy', energy) > energy

    # 5. a reload resumes the same call and rejoins its audio
    customer.reload()
    expect(customer.get_by_test_id('call-status')).to_have_text('Connected')
    expect(customer.get_by_test_id('hang-up')).to_be_visible()
    expect_audio_both_ways(agent, customer)

    # 6. the agent ends the call: after-contact work, then Clear; the caller may call again
    agent.get_by_test_id('end-call').click()
    expect(customer.get_by_test_id('call-status')).to_have_text('Call ended')
    expect(customer.get_by_test_id('call-again')).to_be_visible()
    expect(customer.get_by_test_id('hang-up')).to_be_hidden()
    expect(agent.get_by_test_id('softphone')).to_be_hidden()
    expect(agent.get_by_test_id('contact-state')).to_have_text('After contact work')
    expect(agent.get_by_test_id('chat-event').filter(has_text='The agent ended the call.')).to_be_visible()
    assert remote_audio(agent) == [] and remote_audio(customer) == []
    agent.get_by_test_id('clear-contact').click()
    expect(agent.get_by_test_id('contact-item')).to_have_count(0)
    expect(agent.get_by_test_id('agent-status')).to_have_text('Available')
    customer.get_by_test_id('call-again').click()
    expect(customer.get_by_test_id('call')).to_be_visible()
