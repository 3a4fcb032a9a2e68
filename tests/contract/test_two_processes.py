"""aws mode scaled out: two real server processes sharing DynamoDB (moto's server) and Redis, over the fake Connect
instance, with the agent's side served by process A and the customer's by process B.

- the customer chats on B and the agent (in Connect: the fake instance) answers; both ways;
- the agent starts video on A → the customer's page on B shows the Join prompt (MeetingChanged over Redis);
- the agent ends it for all on A → it is gone on B, and B's Join no longer answers;
- ``kill -9`` B → the customer's browser (same cookies, same tab) reaches A, which resumes the same chat from the
  stored participant session and shows every message, and the chat goes on from there.

What is not two real processes here, and why: the agent's desktop in aws mode is the Amazon Connect CCP in a browser
(its offline stand-in exists only in Chromium, tests/e2e), so the agent's Start video and End for all reach process
A through two test-only routes of ``aws_server_process.py`` that call A's own ``MeetingService`` as the desktop does.
The customer is the real customer page, driven by the headless NiceGUI client (``benchmarks/nicegui_client.py``).
"""

from __future__ import annotations

import os
import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from backend.adapters.aws.dynamo_table import ensure_table
from benchmarks.nicegui_client import Browser
from tests.contract.aws_config_fixtures import CHAT_FLOW_ID, INSTANCE_ARN, QUEUE_ARN, QUEUE_FLOW_ID, REGION
from tests.contract.remote_fake import FakeHost
from tests.contract.scale_out_kit import (
    AGENT,
    GRACE_SECONDS,
    TABLE,
    WAIT,
    InstanceWithAgents,
    ServerProcess,
    page_text,
    send_line,
    server_env,
    start_chat,
    wait_for_text,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def moto_url() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address='127.0.0.1', port=port, verbose=False)
    server.start()
    try:
        yield f'http://127.0.0.1:{port}'
    finally:
        server.stop()


@pytest.fixture
def instance() -> Iterator[InstanceWithAgents]:
    with InstanceWithAgents(instance_arn=INSTANCE_ARN, chat_flow_id=CHAT_FLOW_ID, queue_flow_id=QUEUE_FLOW_ID,
                            basic_queue_arn=QUEUE_ARN, users=[AGENT], region=REGION) as fake:
        yield fake


@pytest.fixture
def servers(tmp_path: Path, redis_url: str, moto_url: str, instance: InstanceWithAgents
            ) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    authkey = secrets.token_hex(16)
    host = FakeHost(instance, authkey.encode())
    host.start()
    ensure_table(boto3.client('dynamodb', region_name=REGION, endpoint_url=moto_url, aws_access_key_id='x',
                              aws_secret_access_key='x'), TABLE)
    env = server_env(dict(os.environ), fake_host=host.address, authkey=authkey, moto_url=moto_url,
                     redis_url=redis_url, scratch=tmp_path)
    a = ServerProcess('process A', tmp_path / 'a', env)
    b = ServerProcess('process B', tmp_path / 'b', env)
    try:
        a.wait_until_serving()
        b.wait_until_serving()
        yield a, b
    finally:
        a.stop()
        b.stop()
        host.stop()


async def test_two_processes_share_the_chat_the_video_and_survive_a_kill(
        servers: tuple[ServerProcess, ServerProcess], instance: InstanceWithAgents) -> None:
    a, b = servers
    browser = Browser(b.base)
    tab = str(uuid.uuid4())
    try:
        customer = browser.page(tab_id=tab)
        await start_chat(customer)
        contact_id = await _the_one_contact(instance)

        instance.agent_accepts(contact_id, AGENT)
        await wait_for_text(customer, 'Ann joined the chat.')
        sent = []
        for number in range(1, 4):  # both ways
            await send_line(customer, f'customer line {number}')
            instance.agent_says(contact_id, f'agent line {number}')
            sent += [f'customer line {number}', f'agent line {number}']
        await wait_for_text(customer, *sent)
        assert [m['Content'] for m in instance.contacts[contact_id].transcript
                if m.get('ParticipantRole') == 'CUSTOMER' and m.get('Type') == 'MESSAGE'] == sent[::2]

        started = a.post(f'/_test/start-video?agent=ann&contact={contact_id}')  # the agent's click, on A
        assert 'meeting_id' in started, started
        await customer.wait_for(lambda: customer.visible('join-video'), WAIT)  # over Redis, on B

        a.post(f'/_test/end-for-all?agent=ann&contact={contact_id}')
        await customer.wait_for(lambda: not customer.visible('join-video'), WAIT)
        await customer.click('join-video')  # a stale button press: B knows the meeting ended
        await customer.wait_for(lambda: 'This video session has ended.' in page_text(customer), WAIT)

        b.kill()  # kill -9: the customer's socket drops; the load balancer sends the reload to A
        await customer.close()
        browser.base_url = a.base  # one cookie jar: cookies are per host, like one browser behind a balancer
        resumed = browser.page(tab_id=tab)  # the same tab: sessionStorage keeps its id across the reload
        await resumed.open('/')
        await wait_for_text(resumed, 'Ann joined the chat.', *sent)  # every message, caught up from Connect
        instance.agent_says(contact_id, 'agent after the failover')
        await wait_for_text(resumed, 'agent after the failover')
        await send_line(resumed, 'customer after the failover')
        assert len(instance.contacts) == 1  # the same chat, not a new one
        a_log = a.log.read_text(errors='replace')
        assert f'contact.resumed contact={contact_id}' in a_log
        assert 'Traceback' not in a_log
        await resumed.close()
    finally:
        await browser.close()


async def _the_one_contact(instance: InstanceWithAgents) -> str:
    deadline = time.monotonic() + WAIT
    while not instance.contacts:
        assert time.monotonic() < deadline, 'no chat started'
        time.sleep(0.05)
    (contact_id,) = instance.contacts
    return contact_id


async def test_a_page_moved_to_another_live_process_keeps_its_chat(
        servers: tuple[ServerProcess, ServerProcess], instance: InstanceWithAgents) -> None:
    """The load balancer moves a browser while its first process lives (a drain, an expired stickiness cookie): the
    first process saw the page go and waits for it to come back, the page comes back on the other process, which
    says so on the bus, and the first process does not end the chat as abandoned."""
    import asyncio

    a, b = servers
    browser, tab = Browser(b.base), str(uuid.uuid4())
    try:
        customer = browser.page(tab_id=tab)
        await start_chat(customer)
        contact_id = await _the_one_contact(instance)
        instance.agent_accepts(contact_id, AGENT)
        await wait_for_text(customer, 'Ann joined the chat.')
        await customer.close()  # B sees the page go and starts the grace period
        browser.base_url = a.base
        moved = browser.page(tab_id=tab)
        await moved.open('/')
        await wait_for_text(moved, 'Ann joined the chat.')
        await asyncio.sleep(GRACE_SECONDS * 3)
        assert instance.contacts[contact_id].ended is None  # B did not end it
        assert 'customer.page_moved_away' in b.log.read_text(errors='replace')
        await send_line(moved, 'still here')
        await moved.close()
    finally:
        await browser.close()
