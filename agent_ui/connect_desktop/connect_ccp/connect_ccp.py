"""Connect CCP Element

Embeds the Amazon Connect contact control panel with Amazon Connect Streams (aws mode's CCP panel) and reports what
happens in the shape the local CCP panel works with: agent status changes and contact events carrying the contact
id, a :class:`ContactState`, the channel and the contact attributes. The Streams bundle (vendored, with ChatJS) is
loaded from ``bundle_url`` only when this element mounts.

Login modes (``CcpSetup.login_mode``):

- ``popup``: the CCP opens Amazon Connect's own login page in a popup when the agent has no Connect session.
- ``federated``: once the bundle is loaded the element asks Python for a token (``federation_token``, which should
  call ``CcpLoginService.federation_token`` for the logged-in agent), posts it to the instance's sign-in endpoint
  from a hidden iframe, then starts the CCP. The token travels over the page's socket, never in the page or a URL.

Methods are fire-and-forget: failures arrive later as ``error`` events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self, TypeAlias, TypeVar

from nicegui import ui
from nicegui.events import GenericEventArguments, handle_event
from nicegui.helpers import expects_arguments

from backend.domain.errors import DomainError
from backend.domain.federation import FederationToken
from backend.domain.model import AgentStatus, Channel, Contact, ContactState
from backend.services.ccp_login import CcpSetup
from ui_common.script_loader import SCRIPT_LOADER

log = logging.getLogger('vce.ccp')

DEFAULT_CONNECT_BUNDLE_URL = '/assets/vendor/amazon-connect-streams/connect-streams.min.js'
ERROR_CODES = ('bundle-failed', 'init-failed', 'login-failed', 'auth-failed', 'access-denied', 'ccp-unreachable',
               'chat-send-failed')
MAX_CHAT_MESSAGE = 1024  # Connect's SendMessage limit for text/plain content (characters)
# Streams' contact state as the element reports it -> our vocabulary (incoming/pending offers are "connecting").
CONTACT_STATES = {
    'connecting': ContactState.CONNECTING,
    'connected': ContactState.CONNECTED,
    'after_contact_work': ContactState.AFTER_CONTACT_WORK,
    'ended': ContactState.ENDED,
}
# Streams' agent state types -> the status the local CCP panel shows; system states (busy with a contact) map to None.
AGENT_STATE_TYPES = {'routable': AgentStatus.AVAILABLE, 'not_routable': AgentStatus.BREAK,
                     'offline': AgentStatus.OFFLINE}
MISSED_AGENT_STATES = frozenset({'MissedCallAgent', 'FailedConnectAgent'})

EventT = TypeVar('EventT')
Handler: TypeAlias = Callable[[EventT], Any] | Callable[[], Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class CcpAgentEvent:
    """The CCP's agent and its current state (on sign-in and on every state change)."""

    username: str  # the Connect username the CCP is signed in as: compare it with the logged-in agent
    name: str
    arn: str
    state_name: str  # as Connect shows it: 'Available', 'Offline', 'Lunch', 'Busy', 'AfterCallWork', ...
    state_type: str  # 'routable', 'not_routable', 'offline', 'system', 'error', ...
    sender: ConnectCcp | None = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> AgentStatus | None:
        """The local panel's status; ``None`` while Connect keeps the agent busy with a contact."""
        if self.state_name in MISSED_AGENT_STATES:
            return AgentStatus.MISSED
        return AGENT_STATE_TYPES.get(self.state_type)


@dataclass(frozen=True, kw_only=True, slots=True)
class CcpContactEvent:
    """A contact changed state in the CCP: the fields of the local :class:`Contact` the panel uses."""

    contact_id: str
    state: ContactState
    channel: str  # 'CHAT', 'VOICE', 'TASK', ... like ``Contact.channel``
    attributes: dict[str, str]
    customer_name: str
    reason: str = ''  # for ENDED: 'missed', 'error' or '' (cleared after contact work)
    sender: ConnectCcp | None = field(default=None, repr=False, compare=False)

    def to_contact(self, *, agent_username: str | None = None, now: float = 0.0) -> Contact:
        return Contact(contact_id=self.contact_id, customer_name=self.customer_name,
                       customer_email=self.attributes.get('customerEmailAddress', ''), initiated_at=now,
                       state=self.state, attributes=dict(self.attributes), agent_username=agent_username,
                       end_reason=self.reason or None, channel=_channel(self.channel))


@dataclass(frozen=True, kw_only=True, slots=True)
class CcpErrorEvent:
    code: str  # one of ERROR_CODES
    message: str
    sender: ConnectCcp | None = field(default=None, repr=False, compare=False)


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


class ConnectCcp(ui.element, component='connect_ccp.js', dependencies=[SCRIPT_LOADER]):

    def __init__(self, setup: CcpSetup, *,
                 federation_token: Callable[[], Awaitable[FederationToken]] | None = None,
                 bundle_url: str = DEFAULT_CONNECT_BUNDLE_URL) -> None:
        """Connect CCP Element

        :param setup: the CCP URL, login URLs, region and login mode (``CcpLoginService.setup``)
        :param federation_token: federated mode: returns a Connect session for the logged-in agent
        :param bundle_url: URL of the vendored Streams + ChatJS bundle (sets ``window.connect``)
        """
        super().__init__()
        if setup.login_mode == 'federated' and federation_token is None:
            raise ValueError('federated CCP login needs a federation_token callable')
        self._federation_token = federation_token
        self._props['ccpUrl'] = setup.ccp_url
        self._props['loginUrl'] = setup.login_url
        self._props['signInUrl'] = setup.federation_sign_in_url
        self._props['region'] = setup.region
        self._props['loginMode'] = setup.login_mode
        self._props['bundleUrl'] = bundle_url
        self.on('signInNeeded', self._sign_in)

    # ------------------------------------------------------------------------------------------ events

    def _register(self, event: str, callback: Callable[..., Any], build: Callable[[dict], Any | None]) -> Self:
        wants_event = expects_arguments(callback)

        def handle(e: GenericEventArguments) -> None:
            payload = build(e.args if isinstance(e.args, dict) else {})
            if payload is None:
                return
            handle_event(lambda: callback(payload) if wants_event else callback(), e, expect_args=False)
        self.on(event, handle)
        return self

    def on_agent(self, callback: Handler[CcpAgentEvent]) -> Self:
        """Called when the CCP has its agent (signed in) and whenever the agent's state changes."""
        return self._register('agent', callback, lambda a: CcpAgentEvent(
            username=str(a.get('username') or ''), name=str(a.get('name') or ''), arn=str(a.get('arn') or ''),
            state_name=str(a.get('state_name') or ''), state_type=str(a.get('state_type') or ''), sender=self))

    def on_contact(self, callback: Handler[CcpContactEvent]) -> Self:
        """Called when a contact is offered (CONNECTING), connected, in after-contact work, or ended."""
        def build(a: dict) -> CcpContactEvent | None:
            state = CONTACT_STATES.get(str(a.get('state') or ''))
            contact_id = str(a.get('contact_id') or '')
            if state is None or not contact_id:
                log.warning('ccp.unknown_contact_event state=%r contact=%r', a.get('state'), contact_id)
                return None
            attributes = _strings(a.get('attributes'))
            return CcpContactEvent(contact_id=contact_id, state=state, channel=str(a.get('channel') or '').upper(),
                                   attributes=attributes, customer_name=attributes.get('customerName', ''),
                                   reason=str(a.get('reason') or ''), sender=self)
        return self._register('contact', callback, build)

    def on_error(self, callback: Handler[CcpErrorEvent]) -> Self:
        """Called with one of ``ERROR_CODES`` and a message fit to show the agent."""
        return self._register('error', callback, lambda a: CcpErrorEvent(
            code=str(a.get('code') or ''), message=str(a.get('message') or ''), sender=self))

    # ------------------------------------------------------------------------------------------ methods

    def send_chat_message(self, contact_id: str, text: str) -> None:
        """Send ``text`` as the agent in chat ``contact_id`` through the CCP; failures emit ``chat-send-failed``."""
        if not contact_id or not text or len(text) > MAX_CHAT_MESSAGE:
            raise ValueError(f'a chat message needs a contact id and 1-{MAX_CHAT_MESSAGE} characters')
        self.run_method('sendChatMessage', contact_id, text)

    async def _sign_in(self) -> None:
        assert self._federation_token is not None
        try:
            token = await self._federation_token()
        except DomainError as error:
            self.run_method('signInFailed', str(error))
            return
        self.run_method('signIn', token.sign_in_credentials())


def _channel(name: str) -> Channel:
    """Streams' contact type as our channel: a queued callback is a phone call; other unknown work is a task."""
    if name == 'QUEUE_CALLBACK':
        return Channel.VOICE
    try:
        return Channel(name or 'CHAT')
    except ValueError:
        return Channel.TASK
