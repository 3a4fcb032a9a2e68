"""The whole voice → video story of the ad-hoc route, in the real product: a customer on a phone call gets a reference
from the agent, opens the agent's link on the website, is routed straight to that agent ahead of an older chat, and
the chat is escalated to video.

Four browser contexts against one ``vce demo`` process: the agent desktop, customer A's phone page, customer A's
website tab and customer B's website tab. The call and the video are browser WebRTC, so this runs only in a
loopback-only network namespace:

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_voice_to_video_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

import re
import socket

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    LiveServer,
    Pages,
    accept_offer,
    login_agent,
    screenshot,
    set_status,
    start_customer_chat,
)
from tests.e2e.test_adhoc_e2e import VALIDATED_TEXT
from tests.e2e.test_video_e2e import (
    AGENT_NAME,
    CUSTOMER_NAME,
    agent_join,
    customer_join,
    expect_both_in_call,
    start_video,
    stats,
    wait_stat_above,
)
from tests.e2e.test_voice_e2e import PHONE_VIEWPORT, expect_audio_both_ways, remote_audio

ONLY_LOOPBACK = [n for _, n in socket.if_nameindex()] == ['lo']

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not ONLY_LOOPBACK, reason="WebRTC e2e needs a loopback-only network namespace: "
                       "unshare -n sh -c 'ip link set lo up && .venv/bin/pytest tests/e2e -m e2e'"),
]

CALLER = CUSTOMER_NAME  # customer A: the same person on the phone and on the website (the video helpers expect it)
CALLER_EMAIL = 'ann.lee+bank@example.com'
OTHER = 'Ben Park'  # customer B: an ordinary web chat, waiting since before customer A's chat
OTHER_EMAIL = 'ben@example.com'
QUEUE_TEXT = 'You are number 1 in the queue'
ROUTE_ATTRIBUTE = 'videoRouteToAgent'


def call_in(customer: Page, base: str, name: str) -> None:
    """Customer A calls from the website's "Call us" page."""
    customer.goto(f'{base}/call')
    customer.get_by_test_id('caller-name').fill(name)
    customer.get_by_test_id('call').click()
    expect(customer.get_by_test_id('call-status')).to_have_text('Calling Example Bank…')


def create_adhoc_link(agent: Page, email: str) -> tuple[str, str]:
    """The agent's Create ad-hoc dialog for ``email``: (the 8-digit reference, the link), as the dialog shows them."""
    agent.get_by_test_id('create-adhoc').click()
    agent.get_by_test_id('adhoc-email').fill(email)
    agent.get_by_test_id('adhoc-create').click()
    expect(agent.get_by_test_id('adhoc-reference')).to_have_text(re.compile(r'^\d{4} \d{4}$'))
    expect(agent.get_by_test_id('adhoc-for')).to_have_text(email)
    reference = agent.get_by_test_id('adhoc-reference').inner_text().replace(' ', '')
    link = agent.get_by_test_id('adhoc-link').inner_text()
    return reference, link


def test_a_phone_customer_is_invited_to_chat_jumps_the_queue_and_escalates_to_video(server: LiveServer,
                                                                                    pages: Pages) -> None:
    base = server.base_url

    # 1. the agent logs in and is Available
    agent = pages.new(label='agent')
    login_agent(agent, base)
    expect(agent.get_by_test_id('agent-name')).to_have_text(AGENT_NAME)
    set_status(agent, 'Available')

    # 2. customer A phones in; the agent answers; audio flows both ways
    phone = pages.new(label='customer A phone', viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    call_in(phone, base, CALLER)
    expect(agent.get_by_test_id('offer-title')).to_have_text('Incoming call')
    expect(agent.get_by_test_id('offer-name')).to_have_text(CALLER)
    agent.get_by_test_id('accept').click()
    expect(agent.get_by_test_id('softphone-name')).to_have_text(f'On call with {CALLER}')
    expect(agent.get_by_test_id('softphone-status')).to_have_text('Connected')
    expect(phone.get_by_test_id('call-status')).to_have_text('Connected')
    expect_audio_both_ways(agent, phone)

    # 3. customer B starts an ordinary chat while the call is live: the call is exclusive, B waits
    other = pages.new(label='customer B')
    start_customer_chat(other, base, OTHER, OTHER_EMAIL)
    expect(other.get_by_test_id('chat-system').filter(has_text=QUEUE_TEXT)).to_be_visible()
    agent.wait_for_timeout(1000)  # routing ran before the queue message was written; give a wrong offer time to show
    expect(agent.get_by_test_id('offer')).to_be_hidden()
    expect(agent.get_by_test_id('contact-item')).to_have_count(1)  # only the call
    expect(other.get_by_test_id('chat-status')).to_have_text('Connecting you to an agent…')

    # 4. still on the call, the agent creates an ad-hoc reference for customer A's email
    reference, link = create_adhoc_link(agent, CALLER_EMAIL)
    assert link.startswith(f'{base}/#ref={reference}&email='), link
    expect(agent.get_by_test_id('softphone-status')).to_have_text('Connected')  # the call goes on meanwhile
    screenshot(agent, 'adhoc-dialog.png')
    agent.get_by_test_id('adhoc-done').click()
    expect(agent.get_by_test_id('adhoc-dialog')).to_be_hidden()

    # 5. customer A opens the link in a website tab: the form is prefilled; the reference is validated
    website = pages.new(label='customer A website')
    website.goto(link)
    expect(website.get_by_test_id('reference-input')).to_have_value(reference)
    expect(website.get_by_test_id('email')).to_have_value(CALLER_EMAIL)
    expect(website.get_by_test_id('name')).to_have_value('')
    expect(website.get_by_test_id('invitation-hint')).to_be_visible()
    website.wait_for_function('window.location.hash === ""')
    assert website.url == f'{base}/', website.url  # the reference left the address bar (and its history entry)
    screenshot(website, 'adhoc-customer-form.png')
    website.get_by_test_id('name').fill(CALLER)
    website.get_by_test_id('start-chat').click()
    expect(website.get_by_test_id('transcript').get_by_text(VALIDATED_TEXT)).to_be_visible()
    expect(website.get_by_test_id('chat-status')).to_have_text('Connecting you to an agent…')
    expect(agent.get_by_test_id('offer')).to_be_hidden()  # the agent is still on the call: the chat waits too

    # 6. the agent ends the call: customer A's priority-1 chat is offered at once, ahead of B's older chat
    agent.get_by_test_id('end-call').click()
    expect(phone.get_by_test_id('call-status')).to_have_text('Call ended')
    expect(agent.get_by_test_id('softphone')).to_be_hidden()
    assert remote_audio(agent) == []
    expect(agent.get_by_test_id('offer-title')).to_have_text('Incoming chat')
    expect(agent.get_by_test_id('offer-name')).to_have_text(CALLER)  # exact text: not B, who waited longer
    accept_offer(agent, CALLER)
    agent.get_by_text('Contact attributes').click()
    expect(agent.get_by_test_id('attributes')).to_contain_text(ROUTE_ATTRIBUTE)  # routed to this agent by the reference
    expect(website.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')
    expect(website.get_by_test_id('transcript').get_by_text(f'{AGENT_NAME} joined the chat.')).to_be_visible()
    # B is next in line (the agent takes two chats at once), now that nothing exclusive is live
    accept_offer(agent, OTHER)
    expect(other.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')
    # the call waits in after-contact work until the agent clears it
    call_item = agent.get_by_test_id('contact-item').filter(has=agent.get_by_test_id('channel-voice'))
    expect(call_item).to_contain_text('After contact work')
    call_item.click()
    expect(agent.get_by_test_id('contact-state')).to_have_text('After contact work')
    agent.get_by_test_id('clear-contact').click()
    expect(call_item).to_have_count(0)
    expect(agent.get_by_test_id('contact-item')).to_have_count(2)  # the two chats

    # 7. back in customer A's chat, the agent escalates it to video; both join; audio flows, both are on the roster
    chat_item = agent.get_by_test_id('contact-item').filter(has_text=CALLER)
    chat_item.click()
    expect(agent.get_by_test_id('customer-name')).to_have_text(CALLER)
    agent_packets = stats(agent)['inboundAudioPackets']  # whatever the call left behind does not count
    start_video(agent, website)
    agent_join(agent)
    customer_join(website)
    expect_both_in_call(agent, website)
    assert wait_stat_above(website, 'inboundAudioPackets', 0) > 0
    assert wait_stat_above(agent, 'inboundAudioPackets', agent_packets) > agent_packets
    agent.get_by_test_id('camera').click()
    assert wait_stat_above(website, 'inboundVideoFrames', 0) > 0
    expect(other.get_by_test_id('join-video')).to_be_hidden()  # customer B's chat is not part of it
