"""What the agent desktop needs to embed the Amazon Connect CCP, and the federated sign-in for one agent.

Two login modes: ``popup`` (users Amazon Connect manages itself sign in through the CCP's own login popup) and
``federated`` (SAML-enabled instances: the server gets a Connect session for the logged-in agent with
GetFederationToken, and the browser posts it to the instance's sign-in endpoint before the CCP loads).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal

from backend.domain.connect_instance import ConnectInstanceUrls
from backend.domain.errors import NotAllowed
from backend.domain.federation import FederationToken
from backend.ports import ConnectFederation

log = logging.getLogger('vce.ccp')

LoginMode = Literal['popup', 'federated']


@dataclass(frozen=True, slots=True)
class CcpSetup:
    """Everything the CCP element is configured with; no secrets (it becomes element props in the page)."""

    ccp_url: str
    login_url: str
    federation_sign_in_url: str
    region: str
    login_mode: LoginMode


class CcpLoginService:
    def __init__(self, instance: ConnectInstanceUrls, region: str, login_mode: LoginMode,
                 federation: ConnectFederation | None = None) -> None:
        if login_mode not in ('popup', 'federated'):
            raise ValueError(f'unknown CCP login mode {login_mode!r}')
        if login_mode == 'federated' and federation is None:
            raise ValueError('federated CCP login needs a ConnectFederation adapter')
        self._federation = federation
        self.setup = CcpSetup(ccp_url=instance.ccp_url, login_url=instance.login_url,
                              federation_sign_in_url=instance.federation_sign_in_url, region=region,
                              login_mode=login_mode)

    async def federation_token(self, connect_username: str) -> FederationToken:
        """A Connect session for ``connect_username`` (the logged-in agent's Connect user; never the browser's word)."""
        if self.setup.login_mode != 'federated' or self._federation is None:
            raise NotAllowed('Federated Amazon Connect login is not enabled (VCE_CONNECT_LOGIN_MODE=popup).')
        token = await asyncio.to_thread(self._federation.federation_token, connect_username)
        log.info('ccp.federated_sign_in username=%s', connect_username)
        return token
