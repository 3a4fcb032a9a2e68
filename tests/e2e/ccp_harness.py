"""A tiny standalone NiceGUI app that mounts ``ConnectCcp`` from the settings, for Playwright (not the product).

Run: ``python tests/e2e/ccp_harness.py PORT`` with ``VCE_CONNECT_INSTANCE_URL`` / ``VCE_CONNECT_REGION`` set. Page
``/ccp?mode=popup|federated`` shows the element, a ``data-testid=events`` label with one line per event, and inputs
to send a chat message. Federated mode uses an offline stand-in for the GetFederationToken adapter.

``/agent`` is aws mode's real agent desktop (``ConnectDesktop``) signed in as ``AGENT_USERNAME`` without a login
page, over offline stand-ins: DescribeContact says every contact is that agent's, meetings are browser-to-browser.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: make the project importable

from functools import partial

from nicegui import app, ui

from agent_ui.adhoc_dialog import AdhocDialog
from agent_ui.connect_desktop.connect_ccp import CcpAgentEvent, CcpContactEvent, CcpErrorEvent, ConnectCcp
from agent_ui.connect_desktop.desktop import ConnectDesktop
from agent_ui.extensions import DesktopExtensions
from agent_ui.login.auth import LOGIN_PATH
from backend.adapters.local.meetings import LocalMeetingProvider
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.federation import FederationToken
from backend.domain.model import Agent, AssignedContact, Channel, Contact, ContactState
from backend.events import EventBus
from backend.services.ccp_login import CcpLoginService, LoginMode
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import MeetingService
from backend.services.references import ReferenceService
from backend.settings import Settings
from vce.security_headers import SecurityHeadersMiddleware

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


class EveryContactIsTheAgents:
    """``ContactAssignments`` without Connect: any contact is a connected chat of the harness's agent."""

    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        return AssignedContact(Contact(contact_id=contact_id, customer_name='Carla Customer',
                                       customer_email='carla@example.com', initiated_at=time.time(),
                                       state=ContactState.CONNECTED, channel=Channel.CHAT, agent_username=username),
                               agent_name='Ann Agent')

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        return True


class QuietNotes:
    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None: ...
    def add_event(self, contact_id: str, text: str) -> None: ...


class OneAgent:
    def get_agent(self, username: str) -> Agent | None:
        return Agent(username, 'Ann Agent', 'a-1', '', ()) if username == AGENT_USERNAME else None


STORE = SqliteStore(':memory:')
# no customer page in this harness: the customer chat service (used only for customers joining) is left out
BUS = EventBus()
MEETINGS = MeetingService(MediaSessions(LocalMeetingProvider(), STORE, BUS), EveryContactIsTheAgents(), QuietNotes(),
                          None, BUS)  # type: ignore[arg-type]
REFERENCES = ReferenceService(STORE, OneAgent(), b'harness-secret-harness-secret')


async def _logged_out(_: object) -> str:
    return LOGIN_PATH


def desktop() -> None:
    instance = SETTINGS.connect_instance
    assert instance is not None, 'set VCE_CONNECT_INSTANCE_URL'
    ConnectDesktop(CcpLoginService(instance, SETTINGS.ccp_region, 'popup'), MEETINGS, DesktopExtensions(),
                   AGENT_USERNAME, 'Ann Agent', ice_servers=[],
                   adhoc_dialog=partial(AdhocDialog, REFERENCES, AGENT_USERNAME, company_name='Example Bank'),
                   end_session=_logged_out).build()


ui.page('/agent', title='Agent desktop')(desktop)
ui.page('/agent/{_:path}', title='Agent desktop')(desktop)
app.add_static_files('/assets', ASSETS)
app.add_middleware(SecurityHeadersMiddleware, settings=SETTINGS)  # the product's headers, CSP included

if __name__ in {'__main__', '__mp_main__'}:
    ui.run(port=int(sys.argv[1]) if len(sys.argv) > 1 else 8766, host='127.0.0.1', reload=False, show=False,
           show_welcome_message=False, title='ccp harness', storage_secret='ccp-harness')
