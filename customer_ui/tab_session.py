"""The customer's session key: a secret of this browser, held in its session cookie, bound to one tab.

A customer's chat, call and join data are found through a session key (the store keeps only its hash). NiceGUI's tab
id tells the tabs of one browser apart and survives a reload, but it travels in the socket URL (``?tab_id=…``), where
proxies and access logs keep it, so a key made of the tab id alone let whoever read it take the chat over. The key is
therefore an HMAC of the tab id under a random secret the server puts into this browser's signed, HttpOnly session
cookie, which no URL carries and no script can read: the tab id alone gives nothing, a reload of a tab (same cookie,
same tab id) still finds its chat, and every tab of one browser has its own. Both customer pages use this class.

The page waits for its socket for ``VCE_PAGE_CONNECT_TIMEOUT_SECONDS`` at most: a request that never opens one (a
crawler, a health probe, curl) ends quietly instead of failing a minute later.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from fastapi import Request
from nicegui import ui
from nicegui.client import ClientConnectionTimeout

log = logging.getLogger('vce.customer_ui')

BROWSER_SECRET_KEY = 'customer_secret'  # its key inside the session cookie (the browser id NiceGUI keeps is 'id')
SECRET_BYTES = 32


class TabSession:
    """Create while the page is being built (before its HTML is sent), so a new secret goes out in that response."""

    def __init__(self, connect_timeout: float) -> None:
        self._client = ui.context.client
        self._connect_timeout = connect_timeout
        self._secret = browser_secret(self._client.request)
        self._key = ''

    @property
    def key(self) -> str:
        """This tab's session key; empty until its socket has connected (the services then ask for a reload).

        Read on every use rather than once after the page's wait, so an action that arrives right behind the
        socket's handshake already finds it. A page keeps its tab id for life, so the key never changes.
        """
        if not self._key and self._client.tab_id:
            self._key = session_key(self._secret, self._client.tab_id)
        return self._key

    async def connected(self) -> bool:
        """Wait for the page's socket; False if the page ended without one (it is then deleted, quietly)."""
        client = self._client
        try:
            await client.connected(timeout=self._connect_timeout)
        except ClientConnectionTimeout:
            log.debug('customer_page.no_socket path=%s', client.page.path)
            if not client.is_deleted:
                client.delete()
            return False
        return not client.is_deleted and bool(self.key)  # NiceGUI may have pruned a page whose socket never came


def browser_secret(request: Request) -> str:
    """This browser's customer secret, made (and put into its session cookie) on its first customer page."""
    session = request.session
    secret = session.get(BROWSER_SECRET_KEY)
    if not isinstance(secret, str) or len(secret) < SECRET_BYTES:
        secret = secrets.token_urlsafe(SECRET_BYTES)
        session[BROWSER_SECRET_KEY] = secret
    return secret


def session_key(secret: str, tab_id: str) -> str:
    return hmac.new(secret.encode(), tab_id.encode(), hashlib.sha256).hexdigest()
