"""Two aws-mode server processes over the test fakes, for ``test_two_processes.py`` and ``benchmarks/failover.py``:
the fake Connect instance with an agent who accepts and writes (what the CCP would do), a server process
(``aws_server_process.py``) on a free port, the environment both processes share, and reading a customer page."""

from __future__ import annotations

import json
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.adapters.aws.chat_items import JOINED
from benchmarks.nicegui_client import Page
from tests.contract.aws_config_fixtures import CHAT_FLOW_ID, INSTANCE_ARN, QUEUE_ARN, REGION
from tests.contract.connect_chat_fixtures import event, message
from tests.contract.fake_connect import iso
from tests.contract.fake_connect_instance import FakeConnectInstance, User

SERVER = Path(__file__).resolve().with_name('aws_server_process.py')
TABLE = 'VceTwoProcesses'
AGENT = User('9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f', 'ann', first='Ann')
START_SECONDS = 60
WAIT = 20.0
GRACE_SECONDS = 2.0  # a chat whose pages are all gone this long ends (120 s in production): short, to see it here


class StartFailed(RuntimeError):
    pass


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
                raise StartFailed(f'{self.name} exited:\n{self.log.read_text(errors="replace")}')
            try:
                with urllib.request.urlopen(f'{self.base}/healthz', timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise StartFailed(f'{self.name} did not start:\n{self.log.read_text(errors="replace")}') from None
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




async def send_line(page: Page, text: str) -> None:
    """Type and send a line as a person does: then wait until it is in the transcript and the page has emptied the
    reply box (typing the next line earlier would be emptied by the previous send's reset)."""
    (reply,) = page.find('reply')
    reset = f'runMethod({reply}, "updateValue"'
    before = sum(reset in code for code in page.javascript)
    await page.set_value('reply', text)
    await page.click('send')
    await page.wait_for(lambda: text in page_text(page) and sum(reset in code for code in page.javascript) > before,
                        WAIT)


def server_env(base: dict[str, str], *, fake_host: str, authkey: str, moto_url: str, redis_url: str,
               scratch: Path) -> dict[str, str]:
    """What both server processes get: the same settings, secret, table and Redis (one deployment)."""
    env = {k: v for k, v in base.items() if not k.startswith(('VCE_', 'NICEGUI_', 'PYTEST_', 'AWS_'))}
    env.update(
        PYTHONUNBUFFERED='1', FAKE_HOST=fake_host, FAKE_AUTHKEY=authkey, MOTO_URL=moto_url,
        AWS_ACCESS_KEY_ID='x', AWS_SECRET_ACCESS_KEY='x', AWS_EC2_METADATA_DISABLED='true',
        AWS_CONFIG_FILE=str(scratch / 'none'), AWS_SHARED_CREDENTIALS_FILE=str(scratch / 'none'),
        VCE_MODE='aws', VCE_AWS_REGION=REGION, VCE_CONNECT_INSTANCE_ARN=INSTANCE_ARN,
        VCE_CONNECT_INSTANCE_URL='https://example-bank.my.connect.aws', VCE_CONNECT_CHAT_FLOW_ID=CHAT_FLOW_ID,
        VCE_CONNECT_QUEUE_ARN=QUEUE_ARN, VCE_DYNAMODB_TABLE=TABLE, VCE_LOGIN_MODE='local',
        VCE_WEBSITE_URL='https://video.example.com', VCE_SECURE_COOKIES='false',  # plain http on loopback here
        VCE_STORAGE_SECRET=secrets.token_urlsafe(32),  # the same in both: it signs the session cookie
        VCE_REDIS_URL=redis_url, NICEGUI_REDIS_URL=redis_url, NICEGUI_REDIS_KEY_PREFIX=f'nicegui-{uuid.uuid4().hex}:',
        VCE_LOG_LEVEL='INFO', VCE_CUSTOMER_DISCONNECT_GRACE_SECONDS=str(GRACE_SECONDS))
    return env


async def start_chat(customer: Page, name: str = 'Carla') -> None:
    await customer.open('/')
    await customer.click('launcher')
    await customer.wait_for_testid('start-chat', WAIT)
    await customer.set_value('name', name)
    await customer.set_value('email', 'carla@example.com')
    await customer.click('start-chat')
    await customer.wait_for_testid('reply', WAIT, visible=True)
