"""Failover in aws mode: seconds from ``kill -9`` of the process serving a customer to the customer's page showing the
whole chat again on the surviving process.

Two real server processes (``tests/contract/aws_server_process.py``) share moto's DynamoDB server, one Redis (a
throwaway ``redis-server`` child) and the fake Connect instance (``tests/contract/scale_out_kit.py``). Each round:
a fresh process B serves a customer whose chat has ``--lines`` messages each way with the agent; B is killed with
SIGKILL; the customer's browser (the headless NiceGUI client, same cookies, same tab id) notices its socket drop and
loads the page from process A, as a browser does behind a load balancer; the clock stops when every message of the
chat is on A's page. Reported: kill → the client noticed, and kill → the chat shown on A.

Not included (they depend on the deployment, not on our code): the load balancer noticing the dead target (an ALB
stops routing to it after its health checks fail; connections to a dead target fail at once and the browser
retries) and the browser's own reconnection delay (NiceGUI's page retries its socket, then reloads).

    .venv/bin/python -m benchmarks.failover --rounds 5 --json failover.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import signal
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from backend.adapters.aws.dynamo_table import ensure_table
from benchmarks.nicegui_client import Browser
from tests.contract.aws_config_fixtures import CHAT_FLOW_ID, INSTANCE_ARN, QUEUE_ARN, QUEUE_FLOW_ID, REGION
from tests.contract.remote_fake import FakeHost
from tests.contract.scale_out_kit import (
    AGENT,
    TABLE,
    InstanceWithAgents,
    ServerProcess,
    _free_port,
    send_line,
    server_env,
    start_chat,
    wait_for_text,
)
from tests.redis_server import RedisServer


async def one_round(number: int, a: ServerProcess, env: dict[str, str], scratch: Path, instance: InstanceWithAgents,
                    lines: int) -> dict[str, float]:
    b = ServerProcess(f'process B{number}', scratch / f'b{number}', env)
    b.wait_until_serving()
    browser, tab = Browser(b.base), str(uuid.uuid4())
    try:
        customer = browser.page(tab_id=tab)
        before = set(instance.contacts)
        await start_chat(customer, name=f'Carla {number}')
        (contact_id,) = set(instance.contacts) - before
        instance.agent_accepts(contact_id, AGENT)
        shown = ['Ann joined the chat.']
        for line in range(lines):
            await send_line(customer, f'round {number} customer {line}')
            instance.agent_says(contact_id, f'round {number} agent {line}')
            shown += [f'round {number} customer {line}', f'round {number} agent {line}']
        await wait_for_text(customer, *shown)

        killed = time.monotonic()
        b.process.send_signal(signal.SIGKILL)
        await customer.wait_for(lambda: customer.disconnected, 30)
        noticed = time.monotonic()
        b.process.wait(10)
        await customer.close()
        browser.base_url = a.base  # the balancer's next answer comes from the survivor
        resumed = browser.page(tab_id=tab)
        await resumed.open('/')
        await wait_for_text(resumed, *shown)
        back = time.monotonic()
        await resumed.close()
        return {'noticed_s': noticed - killed, 'chat_shown_s': back - killed}
    finally:
        b.stop()
        await browser.close()


async def main(args: argparse.Namespace) -> None:
    logging.getLogger('werkzeug').setLevel(logging.WARNING)  # moto's server logs every request
    scratch = Path(tempfile.mkdtemp(prefix='vce-failover-'))
    redis = RedisServer(scratch / 'redis')
    redis.start()
    moto_port = _free_port()
    moto = ThreadedMotoServer(ip_address='127.0.0.1', port=moto_port, verbose=False)
    moto.start()
    moto_url = f'http://127.0.0.1:{moto_port}'
    ensure_table(boto3.client('dynamodb', region_name=REGION, endpoint_url=moto_url, aws_access_key_id='x',
                              aws_secret_access_key='x'), TABLE)
    rounds = []
    with InstanceWithAgents(instance_arn=INSTANCE_ARN, chat_flow_id=CHAT_FLOW_ID, queue_flow_id=QUEUE_FLOW_ID,
                            basic_queue_arn=QUEUE_ARN, users=[AGENT], region=REGION) as instance:
        authkey = secrets.token_hex(16)
        host = FakeHost(instance, authkey.encode())
        host.start()
        env = server_env(dict(os.environ), fake_host=host.address, authkey=authkey, moto_url=moto_url,
                         redis_url=redis.url, scratch=scratch)
        a = ServerProcess('process A', scratch / 'a', env)
        try:
            a.wait_until_serving()
            for number in range(args.rounds):
                result = await one_round(number, a, env, scratch, instance, args.lines)
                rounds.append(result)
                print(f'round {number + 1}: client noticed after {result["noticed_s"]:.3f} s, whole chat shown on '
                      f'the survivor after {result["chat_shown_s"]:.3f} s', flush=True)
        finally:
            a.stop()
            host.stop()
    moto.stop()
    redis.stop()
    shown = [r['chat_shown_s'] for r in rounds]
    print(f'kill -9 → whole chat ({1 + 2 * args.lines} lines) on the survivor: '
          f'median {statistics.median(shown):.3f} s, max {max(shown):.3f} s over {len(shown)} rounds')
    if args.json:
        Path(args.json).write_text(json.dumps({'settings': vars(args), 'rounds': rounds}, indent=2))


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--lines', type=int, default=5, help='messages each way before the kill')
    parser.add_argument('--json', default='')
    asyncio.run(main(parser.parse_args()))
