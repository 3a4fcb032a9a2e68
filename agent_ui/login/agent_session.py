"""The agent's browser session: begun under a brand-new browser id at every login, emptied at logout.

NiceGUI keys ``app.storage.user`` by a random id kept in its signed, HttpOnly session cookie, and every visitor gets
that id before logging in. If a login only wrote the username into the current storage, whoever had planted that id
in the agent's browser beforehand (session fixation: a shared kiosk, a cookie set from a sibling subdomain) would be
signed in too. So a login moves the browser to a fresh id (the login's HTTP response carries the new cookie), writes
the agent into that id's storage only, and empties the old one: the pre-login id never belongs to anyone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request
from nicegui import app

from agent_ui.login.idle_timeout import mark_active
from backend.domain.errors import DomainError
from backend.services.single_sign_on import LOGIN_PAGE_PATH, SingleSignOnService

log = logging.getLogger('vce.agent_ui')


async def begin_agent_session(request: Request, *, username: str, display_name: str, **extra: Any) -> None:
    """Sign the browser of this HTTP request in as ``username`` under a new session id (call from an HTTP route)."""
    app.storage.user.clear()  # nothing from before the login survives, on the old id or the new
    new_id = str(uuid.uuid4())
    request.session['id'] = new_id  # NiceGUI's SessionMiddleware signs it into the response's Set-Cookie
    # what NiceGUI's RequestTrackingMiddleware does for a browser id it has not seen; there is no public call for it
    await app.storage._create_user_storage(new_id)
    app.storage.user.update(username=username, display_name=display_name, **extra)
    mark_active(app.storage.user, force=True)
    log.info('agent.logged_in agent=%s', username)


async def end_agent_session(session: MutableMapping[str, Any], sso: SingleSignOnService | None) -> str:
    """Forget the agent in this browser; return where it goes next (the provider's logout, or our login page)."""
    id_token = session.get('id_token')
    session.clear()
    if sso is None:
        return LOGIN_PAGE_PATH
    try:
        return await sso.logout_url(id_token)
    except DomainError:  # the provider is unreachable: the local session is gone anyway
        return LOGIN_PAGE_PATH
