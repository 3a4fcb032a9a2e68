"""One ASGI middleware that puts the browser-side protections on every HTTP response: the Content-Security-Policy
(with a fresh nonce on each page's inline scripts), no framing, no MIME sniffing, a referrer that never leaves a path,
and HSTS when the site is served over https (docs/security/headers.md).

Pages are NiceGUI's HTML, whose inline ``<script>`` elements all come from its template and our own code: user text
reaches a page only inside the element JSON, where NiceGUI escapes ``<``. So marking every ``<script`` of an HTML
response with the nonce marks exactly the scripts we wrote.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.settings import Settings
from vce.content_security_policy import ContentSecurityPolicy

HSTS_VALUE = 'max-age=31536000'  # a year; no includeSubDomains: other hosts of the domain are not ours to decide
SCRIPT_TAG = re.compile(rb'<script(?=[\s>])', re.IGNORECASE)
FIXED_HEADERS = {
    'X-Frame-Options': 'DENY',  # for browsers without frame-ancestors
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.policy = ContentSecurityPolicy.for_settings(settings)
        self.always_https = settings.https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        https = self.always_https or scope.get('scheme') == 'https'
        rewrite = scope.get('method') != 'HEAD'
        held: dict[str, Any] = {}

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = MutableHeaders(scope=message)
                is_page = headers.get('content-type', '').startswith('text/html')
                self._protect(headers, nonce if is_page else None, https)
                if is_page and rewrite:
                    held['start'], held['body'] = message, []  # sent with the marked body, its length corrected
                    return
            elif message['type'] == 'http.response.body' and 'start' in held:
                held['body'].append(message.get('body', b''))
                if message.get('more_body', False):
                    return
                body = SCRIPT_TAG.sub(f'<script nonce="{nonce}"'.encode(), b''.join(held['body']))
                start = held.pop('start')
                MutableHeaders(scope=start)['content-length'] = str(len(body))
                await send(start)
                message = {'type': 'http.response.body', 'body': body, 'more_body': False}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _protect(self, headers: MutableHeaders, nonce: str | None, https: bool) -> None:
        headers['Content-Security-Policy'] = self.policy.header(nonce)
        for name, value in FIXED_HEADERS.items():
            headers[name] = value
        if https:
            headers['Strict-Transport-Security'] = HSTS_VALUE
