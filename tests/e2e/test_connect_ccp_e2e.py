"""``ConnectCcp`` in real Chromium with the real vendored Streams bundle, fully offline.

A standalone harness (``ccp_harness.py``) mounts the element from the settings. Every request to the Connect instance
is answered by Playwright with a blank page (and recorded); any other non-loopback request is aborted and fails the
test. An init script wraps ``connect.core.initCCP`` as soon as the bundle has loaded (a capture-phase ``load`` listener
runs before the element's own ``onload``), records its arguments and calls the real one.

Contact events are driven through Streams' own path: an ``AgentEvents.UPDATE`` snapshot on the Streams event bus, the
event the CCP iframe's messages turn into. Streams' ``AgentDataProvider`` diffs it and fires agent and contact events
on real ``connect.Agent`` / ``connect.Contact`` objects, which the element forwards to Python.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.e2e.conftest import screenshot
from tests.e2e.harness_process import harness_process

pytestmark = pytest.mark.e2e

HARNESS = Path(__file__).resolve().with_name('ccp_harness.py')
INSTANCE = 'https://ccp-e2e.my.connect.aws'
REGION = 'eu-west-2'
CONTACT_ID = '2b9f8e1c-5a4d-4c3b-9e2f-1a0b9c8d7e6f'
TIMEOUT_MS = 15_000
STAND_IN_CCP = ('<!doctype html><title>fake CCP</title>'
                '<p style="font: 14px sans-serif; color: #666; padding: 1em">Amazon Connect CCP (offline stand-in)</p>')
WRAP_INIT_CCP = """
window.__initCCPCalls = [];
document.addEventListener('load', (event) => {
  const script = event.target;
  if (!(script instanceof HTMLScriptElement) || !script.src.includes('connect-streams')) return;
  const real = window.connect.core.initCCP;
  window.connect.core.initCCP = function (container, params) {
    window.__initCCPCalls.push({
      ccpUrl: params.ccpUrl, region: params.region, loginPopup: params.loginPopup, loginUrl: params.loginUrl || null,
      loginPopupAutoClose: params.loginPopupAutoClose, container: container && container.dataset.testid,
    });
    return real.apply(this, arguments);
  };
}, true);
"""
# An agent snapshot as the CCP iframe sends it (the fields Streams' Agent / Contact getters read).
AGENT_UPDATE = """([contactId, contactState, withContact]) => {
  const now = new Date();
  const contacts = withContact ? [{
    contactId, initialContactId: contactId, type: 'chat', state: {type: contactState, timestamp: now},
    attributes: {customerName: {name: 'customerName', value: 'Carla <b>Customer</b>'},
                 videoExternalMeetingId: {name: 'videoExternalMeetingId', value: ''}},
    connections: [
      {connectionId: 'agent-conn', type: 'agent', state: {type: 'connected', timestamp: now}, endpoint: {}},
      {connectionId: 'customer-conn', type: 'inbound', state: {type: 'connected', timestamp: now}, endpoint: {}},
    ],
    queue: {queueARN: 'arn:aws:connect:eu-west-2:123456789012:instance/i/queue/q', name: 'BasicQueue'},
  }] : [];
  connect.core.getEventBus().trigger(connect.AgentEvents.UPDATE, {
    snapshot: {state: {name: 'Available', type: 'routable', startTimestamp: now}, nextState: null, contacts,
               agentAvailabilityState: {state: 'Available', timeStamp: now}},
    configuration: {username: 'agent.e2e', name: 'Ann Agent',
                    agentARN: 'arn:aws:connect:eu-west-2:123456789012:instance/i/agent/a',
                    softphoneEnabled: false, permissions: [], agentStates: [], routingProfile: {
                      routingProfileId: 'arn:aws:connect:eu-west-2:123456789012:instance/i/routing-profile/r',
                      name: 'Basic', queues: [], channelConcurrencyMap: {chat: 2}}},
  });
}"""
FAKE_CHAT_SESSION = """() => {
  window.__sentMessages = [];
  connect.core.mediaFactory.get = () => Promise.resolve({
    sendMessage: (args) => { window.__sentMessages.push(args); return Promise.resolve({}); },
  });
}"""


@pytest.fixture(scope='module')
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_dir = tmp_path_factory.mktemp('ccp-harness')
    with harness_process(HARNESS, probe='/ccp', log_dir=log_dir, cwd=log_dir,
                         env={'VCE_CONNECT_INSTANCE_URL': INSTANCE, 'VCE_CONNECT_REGION': REGION}) as base:
        yield base


class Network:
    """Loopback passes; the Connect instance gets a blank page (recorded); anything else is aborted (recorded)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.connect: list[dict[str, Any]] = []
        self.blocked: list[str] = []

    def handle(self, route: Route) -> None:
        request = route.request
        if request.url.startswith((f'{self.base}/', 'data:', 'blob:')):
            route.continue_()
        elif request.url.startswith(f'{INSTANCE}/'):
            self.connect.append({'method': request.method, 'url': request.url, 'body': request.post_data})
            route.fulfill(status=200, content_type='text/html', body=STAND_IN_CCP)
        else:
            self.blocked.append(request.url)
            route.abort()


@pytest.fixture
def opened(harness: str, browser: Browser) -> Iterator[tuple[BrowserContext, Network]]:
    context = browser.new_context()
    network = Network(harness)
    context.route('**/*', network.handle)
    context.add_init_script(WRAP_INIT_CCP)
    yield context, network
    context.close()


def open_ccp(context: BrowserContext, base: str, mode: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f'{base}/ccp?mode={mode}')
    page.wait_for_function('window.__initCCPCalls.length > 0')
    return page


def wait_line(page: Page, prefix: str) -> str:
    """The first event line starting with ``prefix`` (waits for it)."""
    events = page.get_by_test_id('events')
    expect(events).to_contain_text(prefix)
    return next(line for line in events.inner_text().splitlines() if line.startswith(prefix))


def test_popup_mode_inits_the_ccp_and_forwards_agent_and_contact_events(harness: str, opened: Any) -> None:
    context, network = opened
    page = open_ccp(context, harness, 'popup')

    calls = page.evaluate('window.__initCCPCalls')
    assert calls == [{'ccpUrl': f'{INSTANCE}/ccp-v2/', 'region': REGION, 'loginPopup': True,
                      'loginUrl': f'{INSTANCE}/login', 'loginPopupAutoClose': True, 'container': 'ccp-host'}]
    # the real initCCP ran: Streams embedded the CCP iframe in the element, from the configured instance
    expect(page.locator(f'[data-testid=ccp-host] iframe[src^="{INSTANCE}/ccp-v2/"]')).to_have_count(1)
    assert page.evaluate("document.querySelectorAll('script[src*=connect-streams]').length") == 1

    page.evaluate(AGENT_UPDATE, [CONTACT_ID, 'incoming', True])
    assert wait_line(page, 'agent:') == 'agent:agent.e2e:Available:Available'
    attributes = json.dumps({'customerName': 'Carla <b>Customer</b>', 'videoExternalMeetingId': ''}, sort_keys=True)
    assert wait_line(page, f'contact:{CONTACT_ID}:connecting') == \
        f'contact:{CONTACT_ID}:connecting:CHAT:Carla <b>Customer</b>::{attributes}'
    expect(page.get_by_test_id('ccp-status')).to_have_count(0)  # the agent arrived: the loading notice is gone

    page.evaluate(AGENT_UPDATE, [CONTACT_ID, 'connected', True])
    wait_line(page, f'contact:{CONTACT_ID}:connected:CHAT')
    page.evaluate(AGENT_UPDATE, [CONTACT_ID, 'ended', True])
    wait_line(page, f'contact:{CONTACT_ID}:after_contact_work:CHAT')
    page.evaluate(AGENT_UPDATE, [CONTACT_ID, 'ended', False])  # the agent cleared the contact
    assert wait_line(page, f'contact:{CONTACT_ID}:ended') == \
        f'contact:{CONTACT_ID}:ended:CHAT:Carla <b>Customer</b>::{attributes}'

    assert network.blocked == []
    assert {call['url'] for call in network.connect} <= {f'{INSTANCE}/ccp-v2/', f'{INSTANCE}/login'}


def test_send_chat_message_goes_through_the_agent_connection(harness: str, opened: Any) -> None:
    context, network = opened
    page = open_ccp(context, harness, 'popup')
    page.evaluate(FAKE_CHAT_SESSION)  # Streams' media factory would open a ChatJS session to Connect
    page.evaluate(AGENT_UPDATE, [CONTACT_ID, 'connected', True])
    wait_line(page, f'contact:{CONTACT_ID}:connected')

    page.get_by_test_id('chat-contact').fill(CONTACT_ID)
    page.get_by_test_id('chat-text').fill('Join the video call: <meeting>')
    page.get_by_test_id('chat-send').click()
    page.wait_for_function('window.__sentMessages.length === 1')
    assert page.evaluate('window.__sentMessages') == [
        {'contentType': 'text/plain', 'message': 'Join the video call: <meeting>'}]

    page.get_by_test_id('chat-contact').fill('no-such-contact')
    page.get_by_test_id('chat-send').click()
    assert wait_line(page, 'error:') == 'error:chat-send-failed'
    assert page.evaluate('window.__sentMessages.length') == 1
    assert network.blocked == []


def test_federated_mode_posts_the_token_to_sign_in_before_the_ccp_starts(harness: str, opened: Any) -> None:
    context, network = opened
    page = open_ccp(context, harness, 'federated')

    calls = page.evaluate('window.__initCCPCalls')
    assert calls == [{'ccpUrl': f'{INSTANCE}/ccp-v2/', 'region': REGION, 'loginPopup': False, 'loginUrl': None,
                      'loginPopupAutoClose': True, 'container': 'ccp-host'}]
    sign_ins = [call for call in network.connect if call['url'] == f'{INSTANCE}/auth/sign-in']
    assert len(sign_ins) == 1 and sign_ins[0]['method'] == 'POST'
    assert network.connect.index(sign_ins[0]) == 0  # before the CCP iframe loads
    form = urllib.parse.parse_qs(sign_ins[0]['body'], keep_blank_values=True)
    assert form['destination'] == ['']
    credentials = json.loads(form['credentials'][0])
    assert credentials['AccessToken'] == 'e2e-access-agent.e2e'
    assert credentials['RefreshToken'] == 'e2e-refresh-agent.e2e'
    assert credentials['AccessTokenExpiration'] > time.time() * 1000  # epoch milliseconds
    # the token never stays in the page: no form, no sign-in frame, not in the element's props
    assert page.evaluate("document.querySelectorAll('form, iframe[name^=vce-ccp-signin]').length") == 0
    assert 'e2e-access' not in page.content()
    assert network.blocked == []


def test_the_aws_mode_desktop_starts_video_and_signals_through_the_ccp(harness: str, opened: Any) -> None:
    """aws mode's agent desktop with the real CCP element: a contact Streams reports is listed; Start video opens the
    call panel and sends the video signal through the agent's chat connection. Saves the README's screenshot."""
    context, network = opened
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_viewport_size({'width': 1400, 'height': 860})
    page.goto(f'{harness}/agent')
    page.wait_for_function('window.__initCCPCalls.length > 0')
    assert page.evaluate('window.__initCCPCalls')[0]['ccpUrl'] == f'{INSTANCE}/ccp-v2/'
    page.evaluate(FAKE_CHAT_SESSION)
    page.evaluate(AGENT_UPDATE, [CONTACT_ID, 'connected', True])

    page.get_by_test_id('contact-item').click()
    expect(page.get_by_test_id('customer-name')).to_have_text('Carla <b>Customer</b>')
    expect(page.get_by_test_id('ccp-user-warning')).to_be_hidden()  # the CCP is signed in as this agent
    page.get_by_test_id('start-video').click()
    expect(page.get_by_test_id('join-meeting')).to_contain_text('Join meeting as Ann Agent')
    page.wait_for_function('window.__sentMessages.length === 1')
    (sent,) = page.evaluate('window.__sentMessages')
    assert sent['contentType'] == 'text/plain' and sent['message'].startswith('vce-video:v1:started:')
    expect(page.locator(f'[data-testid=ccp-host] iframe[src^="{INSTANCE}/ccp-v2/"]')).to_have_count(1)
    expect(page.get_by_test_id('microphone-select')).to_contain_text('Fake')  # device setup filled in
    screenshot(page, 'aws-agent-desktop.png')
    assert network.blocked == []
