"""A tiny standalone NiceGUI app that mounts ``ConnectCcp`` from the settings, for Playwright (not the product).

Run: ``python tests/e2e/ccp_harness.py PORT`` with ``VCE_CONNECT_INSTANCE_URL`` / ``VCE_CONNECT_REGION`` set. Page
``/ccp?mode=popup|federated`` shows the element, a ``data-testid=events`` label with one line per event, and inputs
to send a chat message. Federated mode uses an offline stand-in for the GetFederationToken adapter.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make the project importable

from nicegui import app, ui

from agent_ui.connect_ccp import CcpAgentEvent, CcpContactEvent, CcpErrorEvent, ConnectCcp
from backend.config import Settings
from backend.domain.federation import FederationToken
from backend.services.ccp_login import CcpLoginService, LoginMode

ASSETS = Path(__file__).resolve().parents[2] / 'assets'
AGENT_USERNAME = 'agent.e2e'
SETTINGS = Settings(demo=True)


class OfflineFederation:
    """The ``ConnectFederation`` port without AWS: a recognisable fake token per agent."""

    def federation_token(self, connect_username: str) -> FederationToken:
        now = time.time()
        return FederationToken(access_token=f'e2e-access-{connect_username}', access_token_expires_at=now + 600,
                               refresh_token=f'e2e-refresh-{connect_username}', refresh_token_expires_at=now + 3600,
                               user_id='e2e-user')


@ui.page('/ccp')
def ccp_page(mode: str = 'popup') -> None:
    login_mode: LoginMode = 'federated' if mode == 'federated' else 'popup'
    instance = SETTINGS.connect_instance
    assert instance is not None, 'set VCE_CONNECT_INSTANCE_URL'
    service = CcpLoginService(instance, SETTINGS.ccp_region, login_mode,
                              OfflineFederation() if login_mode == 'federated' else None)
    lines: list[str] = []
    ccp = ConnectCcp(service.setup, federation_token=lambda: service.federation_token(AGENT_USERNAME)) \
        .classes('w-80')
    events = ui.label().props('data-testid=events').style('white-space: pre-line; font-family: monospace')

    def log(line: str) -> None:
        lines.append(line)
        events.text = '\n'.join(lines)

    def agent(e: CcpAgentEvent) -> None:
        log(f'agent:{e.username}:{e.state_name}:{e.status.value if e.status else "-"}')

    def contact(e: CcpContactEvent) -> None:
        log(f'contact:{e.contact_id}:{e.state.value}:{e.channel}:{e.customer_name}:{e.reason}:'
            f'{json.dumps(e.attributes, sort_keys=True)}')

    def error(e: CcpErrorEvent) -> None:
        log(f'error:{e.code}')

    ccp.on_agent(agent).on_contact(contact).on_error(error)
    contact_id = ui.input('contact id').props('data-testid=chat-contact')
    text = ui.input('text').props('data-testid=chat-text')
    ui.button('Send', on_click=lambda: ccp.send_chat_message(contact_id.value, text.value)) \
        .props('data-testid=chat-send')


app.add_static_files('/assets', ASSETS)

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8766, host='127.0.0.1', reload=False, show=False,
           show_welcome_message=False, title='ccp harness')
