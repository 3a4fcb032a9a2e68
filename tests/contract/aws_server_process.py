"""One aws-mode server process for the multi-process test (not the product): ``python aws_server_process.py PORT``.

It is the real web process (``vce.web.create_app`` on the composition root's aws-mode services, NiceGUI's user
storage in Redis through ``NICEGUI_REDIS_URL``, the event bus on ``VCE_REDIS_URL``), with its boto3 clients pointed
at the test's fakes: DynamoDB and SSM at moto's server (``MOTO_URL``), Connect, its Participant Service and Chime at
the test process's ``FakeConnectInstance`` (``FAKE_HOST``, through ``remote_fake.RemoteFake``).

The agent's side in aws mode is the Amazon Connect CCP in a browser; its offline stand-in exists only in Chromium
(tests/e2e). Here the agent's two server-side actions, Start video and End for all, come through two test-only
routes that call this process's ``MeetingService`` exactly as the desktop does (``/_test/start-video``,
``/_test/end-for-all``).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make the project importable

import boto3
from fastapi.responses import JSONResponse
from nicegui import app, ui

from backend import bootstrap
from backend.domain.errors import DomainError
from tests.contract.remote_fake import RemoteFake
from vce.server_options import server_options
from vce.web import create_app

FAKE = RemoteFake(os.environ['FAKE_HOST'], os.environ['FAKE_AUTHKEY'].encode())
MOTO_URL = os.environ['MOTO_URL']


def clients(service: str, region: str) -> Any:
    if service in ('dynamodb', 'ssm'):
        return boto3.client(service, region_name=region, endpoint_url=MOTO_URL)
    return FAKE.attach(boto3.client(service, region_name=region))


def main(port: int) -> None:
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s %(message)s')
    for library in ('botocore', 'boto3', 'urllib3', 'websockets'):
        logging.getLogger(library).setLevel(logging.WARNING)
    bootstrap.aws_client = clients  # settings from SSM: moto's server
    settings = bootstrap.load_settings()
    services = bootstrap.build_services(settings, aws_clients=clients)
    create_app(services)

    @app.post('/_test/start-video')
    async def start_video(agent: str, contact: str) -> JSONResponse:
        try:
            join = await services.meetings.start_video(agent, contact)
        except DomainError as error:
            return JSONResponse({'error': str(error)}, status_code=409)
        return JSONResponse({'meeting_id': join.meeting_id})

    @app.post('/_test/end-for-all')
    async def end_for_all(agent: str, contact: str) -> JSONResponse:
        await services.meetings.end_for_all(agent, contact)
        return JSONResponse({'ended': True})

    ui.run(host='127.0.0.1', port=port, reload=False, show=False, show_welcome_message=False,
           storage_secret=settings.storage_secret.get_secret_value(), reconnect_timeout=30,
           **server_options(settings))


if __name__ in {'__main__', '__mp_main__'}:
    main(int(sys.argv[1]))
