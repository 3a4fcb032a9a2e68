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

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from backend.adapters.aws.chat_items import JOINED
from backend.adapters.aws.dynamo_table import ensure_table
from benchmarks.nicegui_client import Browser, Page
from tests.contract.aws_config_fixtures import CHAT_FLOW_ID, INSTANCE_ARN, QUEUE_ARN, QUEUE_FLOW_ID, REGION
from tests.contract.connect_chat_fixtures import event, message
from tests.contract.fake_connect import iso
from tests.contract.fake_connect_instance import FakeConnectInstance, User
from tests.contract.remote_fake import FakeHost

SERVER = Path(__file__).resolve().with_name('aws_server_process.py')
TABLE = 'VceTwoProcesses'
AGENT = User('9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f', 'ann', first='Ann')
START_SECONDS = 60
WAIT = 20.0


class InstanceWithAgents(FakeConnectInstance):
    """The fake instance, plus an agent who accepts a contact and writes in its chat (what the CCP would do)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.assigned: dict[str, tuple[str, datetime]] = {}

    def agent_accepts(self, contact_id: str, user: User) -> None:
        self.assigned[contact_id] = (user.user_id, datetime.now(UTC))
        self._add(self.contacts[contact_id], event(f'ev-{uuid.uuid4()}', JOINED, role='AGENT', name=user.first,
                                                   at=iso(time.time())))

    def agent_says(self, contact_id: str, text: str) -> None:
        self._add(self.contacts[contact_id], message(f'msg-{uuid.uuid4()}', text, role='AGENT', name='Ann',
                                                     at=iso(time.time())))

    def describe_contact(self, *, InstanceId: str, ContactId: str) -> dict[str, Any]:
        described = super().describe_contact(InstanceId=InstanceId, ContactId=ContactId)
        if ContactId in self.assigned:
            user_id, at = self.assigned[ContactId]
            described['Contact']['AgentInfo'] = {'Id': user_id, 'ConnectedToAgentTimestamp': at}
        return described


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    def __init__(self, name: str, workdir: Path, env: dict[str, str]) -> None:
        self.name, self.port = name, _free_port()
        self.base = f'http://127.0.0.1:{self.port}'
        workdir.mkdir(parents=True)
        self.log = workdir / 'server.log'
        with self.log.open('wb') as out:
            self.process = subprocess.Popen([sys.executable, str(SERVER), str(self.port)], cwd=workdir, env=env,
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                pytest.fail(f'{self.name} exited:\n{self.log.read_text(errors="replace")}')
            try:
                with urllib.request.urlopen(f'{self.base}/healthz', timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f'{self.name} did not start:\n{self.log.read_text(errors="replace")}')
                time.sleep(0.2)

    def post(self, path: str) -> dict[str, Any]:
        request = urllib.request.Request(f'{self.base}{path}', method='POST')
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


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
    env = {k: v for k, v in os.environ.items() if not k.startswith(('VCE_', 'NICEGUI_', 'PYTEST_', 'AWS_'))}
    env.update(
        PYTHONUNBUFFERED='1', FAKE_HOST=host.address, FAKE_AUTHKEY=authkey, MOTO_URL=moto_url,
        AWS_ACCESS_KEY_ID='x', AWS_SECRET_ACCESS_KEY='x', AWS_EC2_METADATA_DISABLED='true',
        AWS_CONFIG_FILE=str(tmp_path / 'none'), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / 'none'),
        VCE_MODE='aws', VCE_AWS_REGION=REGION, VCE_CONNECT_INSTANCE_ARN=INSTANCE_ARN,
        VCE_CONNECT_INSTANCE_URL='https://example-bank.my.connect.aws', VCE_CONNECT_CHAT_FLOW_ID=CHAT_FLOW_ID,
        VCE_CONNECT_QUEUE_ARN=QUEUE_ARN, VCE_DYNAMODB_TABLE=TABLE, VCE_LOGIN_MODE='local',
        VCE_WEBSITE_URL='https://video.example.com', VCE_SECURE_COOKIES='false',  # plain http on loopback here
        VCE_STORAGE_SECRET=secrets.token_urlsafe(32),  # the same in both: it signs the session cookie
        VCE_REDIS_URL=redis_url, NICEGUI_REDIS_URL=redis_url, NICEGUI_REDIS_KEY_PREFIX=f'nicegui-{uuid.uuid4().hex}:',
        VCE_LOG_LEVEL='INFO')
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


def page_text(page: Page) -> str:
    """What the page shows: its elements, and what the server added to the transcript element since (live messages
    reach it as method calls, not as props)."""
    return json.dumps(page.elements, ensure_ascii=False) + '\n'.join(page.javascript)


async def wait_for_text(page: Page, *texts: str) -> None:
    try:
        await page.wait_for(lambda: all(text in page_text(page) for text in texts), WAIT)
    except TimeoutError:
        missing = [text for text in texts if text not in page_text(page)]
        raise AssertionError(f'not on the page: {missing}; the page: {page_text(page)[-3000:]}') from None


async def test_two_processes_share_the_chat_the_video_and_survive_a_kill(
        servers: tuple[ServerProcess, ServerProcess], instance: InstanceWithAgents) -> None:
    a, b = servers
    browser = Browser(b.base)
    tab = str(uuid.uuid4())
    try:
        customer = browser.page(tab_id=tab)
        await customer.open('/')
        await customer.click('launcher')
        await customer.wait_for_testid('start-chat', WAIT)
        await customer.set_value('name', 'Carla')
        await customer.set_value('email', 'carla@example.com')
        await customer.click('start-chat')
        await customer.wait_for_testid('reply', WAIT, visible=True)
        contact_id = await _the_one_contact(instance)

        instance.agent_accepts(contact_id, AGENT)
        await wait_for_text(customer, 'Ann joined the chat.')
        sent = []
        for number in range(1, 4):  # both ways
            await customer.set_value('reply', f'customer line {number}')
            await customer.click('send')
            await wait_for_text(customer, f'customer line {number}')  # as a person waits to see their line
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
        await resumed.set_value('reply', 'customer after the failover')
        await resumed.click('send')
        await wait_for_text(resumed, 'customer after the failover')
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
