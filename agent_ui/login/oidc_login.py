"""The two HTTP routes of the OpenID Connect login: send the browser to the provider, and take it back.

Both are plain HTTP (not socket events) because the callback must answer with a new session cookie
(agent_ui.login.agent_session). What a sign-in has to remember between the two (state, nonce, PKCE verifier) stays on
the server, in the signed-out browser's own storage, so only the browser that started a sign-in can finish it.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app

from agent_ui.login.agent_session import begin_agent_session
from agent_ui.login.auth import LOGIN_ERROR_KEY, LOGIN_PATH, OIDC_START_PATH, safe_redirect
from backend.domain.errors import DomainError
from backend.domain.identity import PendingSignIn
from backend.services.single_sign_on import CALLBACK_PATH, SingleSignOnService

log = logging.getLogger('vce.agent_ui')

PENDING_KEY = 'oidc_pending'
MAX_PENDING_SIGN_INS = 5  # a few tabs may start a sign-in at once; more is noise


def register_oidc_routes(sso: SingleSignOnService) -> None:
    @app.get(OIDC_START_PATH, include_in_schema=False)
    async def start_sign_in(redirect_to: str | None = None) -> RedirectResponse:
        try:
            url, pending = await sso.begin(safe_redirect(redirect_to))
        except DomainError as error:
            return _back_to_login(str(error))
        started = dict(app.storage.user.get(PENDING_KEY) or {})
        started[pending.state] = dataclasses.asdict(pending)
        newest = sorted(started.items(), key=lambda item: item[1]['started_at'])[-MAX_PENDING_SIGN_INS:]
        app.storage.user[PENDING_KEY] = dict(newest)
        return RedirectResponse(url, status_code=302)

    @app.get(CALLBACK_PATH, include_in_schema=False)
    async def finish_sign_in(request: Request) -> RedirectResponse:
        callback = dict(request.query_params)
        started: dict[str, Any] = dict(app.storage.user.get(PENDING_KEY) or {})
        raw = started.pop(callback.get('state', ''), None)  # single use, whatever the outcome
        app.storage.user[PENDING_KEY] = started
        try:
            agent = await sso.complete(PendingSignIn(**raw) if raw else None, callback)
        except DomainError as error:
            return _back_to_login(str(error))
        await begin_agent_session(request, username=agent.username, display_name=agent.display_name,
                                  id_token=agent.id_token, role='supervisor' if agent.supervisor else 'agent')
        return RedirectResponse(safe_redirect(agent.redirect_to), status_code=303)


def _back_to_login(reason: str) -> RedirectResponse:
    """Show why on the login page (kept server-side, not in the URL), with no session."""
    app.storage.user[LOGIN_ERROR_KEY] = reason
    return RedirectResponse(LOGIN_PATH, status_code=303)
