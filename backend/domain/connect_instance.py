"""The URLs of an Amazon Connect instance, derived from the one address an operator copies from the console.

Connect instances live on one of two domains: ``https://<alias>.my.connect.aws`` (current) or the legacy
``https://<alias>.awsapps.com/connect``. Every other address the agent desktop needs hangs off that base the same way
Amazon Connect Streams derives it (everything before ``/ccp-v2``): the CCP, the login page for the CCP login popup,
logout, and the federation sign-in endpoint a GetFederationToken token is posted to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from backend.domain.errors import InvalidInput

CURRENT_DOMAIN = '.my.connect.aws'
LEGACY_DOMAIN = '.awsapps.com'
LEGACY_PATH = '/connect'
# An instance alias is one DNS label: letters, digits and inner hyphens, at most 63 characters.
ALIAS = re.compile(r'[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?')
# Tails an operator may paste along with the base (the CCP or login page address); they are dropped.
KNOWN_PAGES = ('/ccp-v2', '/login', '/home')
EXAMPLES = 'https://example.my.connect.aws or https://example.awsapps.com/connect'


@dataclass(frozen=True, slots=True)
class ConnectInstanceUrls:
    """Addresses of one Connect instance; ``base`` has no trailing slash."""

    alias: str
    base: str
    legacy: bool

    @property
    def ccp_url(self) -> str:
        """What ``connect.core.initCCP`` embeds."""
        return f'{self.base}/ccp-v2/'

    @property
    def login_url(self) -> str:
        """The page the CCP login popup opens for users Connect manages itself."""
        return f'{self.base}/login'

    @property
    def logout_url(self) -> str:
        return f'{self.base}/logout'

    @property
    def federation_sign_in_url(self) -> str:
        """Where the browser POSTs the GetFederationToken credentials to get a Connect session cookie."""
        return f'{self.base}/auth/sign-in'

    @property
    def origin(self) -> str:
        return self.base.removesuffix(LEGACY_PATH)


def connect_instance_urls(url: str) -> ConnectInstanceUrls:
    """Parse an instance address in either domain; anything else raises :class:`InvalidInput` saying what is wrong."""
    text = (url or '').strip()
    if not text:
        raise InvalidInput(f'The Amazon Connect instance URL is empty; use your instance\'s address, e.g. {EXAMPLES}.')
    parts = urlsplit(text)
    if parts.scheme.lower() != 'https' or not parts.hostname:
        raise InvalidInput(f'The Amazon Connect instance URL must start with https:// (got {text!r}); e.g. {EXAMPLES}.')
    if parts.username or parts.password or parts.port or parts.query or parts.fragment:
        raise InvalidInput(f'The Amazon Connect instance URL must be a plain address without a port, user, query or '
                           f'fragment (got {text!r}); e.g. {EXAMPLES}.')
    host = parts.hostname.lower()
    path = parts.path.rstrip('/')
    for page in KNOWN_PAGES:
        path = path.removesuffix(page)
    if host.endswith(CURRENT_DOMAIN):
        alias, legacy, expected_path = host.removesuffix(CURRENT_DOMAIN), False, ''
    elif host.endswith(LEGACY_DOMAIN):
        alias, legacy, expected_path = host.removesuffix(LEGACY_DOMAIN), True, LEGACY_PATH
    else:
        raise InvalidInput(f'{host!r} is not an Amazon Connect instance domain; the address ends in '
                           f'{CURRENT_DOMAIN} or {LEGACY_DOMAIN}/connect, e.g. {EXAMPLES}.')
    if not ALIAS.fullmatch(alias):
        raise InvalidInput(f'{alias!r} is not a valid Amazon Connect instance alias (one DNS label: letters, digits '
                           f'and hyphens); e.g. {EXAMPLES}.')
    if path.lower() != expected_path:
        want = f'https://{alias}{LEGACY_DOMAIN}{LEGACY_PATH}' if legacy else f'https://{alias}{CURRENT_DOMAIN}'
        raise InvalidInput(f'Unexpected path {parts.path!r} in the Amazon Connect instance URL; use {want}.')
    domain = LEGACY_DOMAIN if legacy else CURRENT_DOMAIN
    return ConnectInstanceUrls(alias=alias, base=f'https://{alias}{domain}{expected_path}', legacy=legacy)
