"""Agent login: a middleware guards every /agent page; sessions live in NiceGUI's signed, HttpOnly cookie.

The login page shows what the configured mode needs: the local account form, or one button that starts the
OpenID Connect sign-in (agent_ui.login.oidc_login), with the reason when a sign-in was refused. Either way the session
itself is begun by an HTTP response under a new browser id (agent_ui.login.agent_session): the local form checks the
password over the socket, then sends the browser to LOCAL_SESSION_PATH to collect it (no secret in the URL).
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp

from agent_ui.login.agent_session import begin_agent_session
from agent_ui.login.idle_timeout import idle_too_long, mark_active
from backend.domain.errors import DomainError
from backend.services.accounts import AccountService
from backend.services.single_sign_on import CALLBACK_PATH, LOGIN_PAGE_PATH, SingleSignOnService
from ui_common.accessible_colors import use_accessible_colors
from ui_common.client_address import client_address

log = logging.getLogger('vce.agent_ui')

LOGIN_PATH = LOGIN_PAGE_PATH
DESKTOP_PATH = '/agent'
SUPERVISOR_PATH = '/supervisor'  # the supervisors' pages (agent_ui/supervisor): signed-in staff only
OIDC_START_PATH = '/agent/oidc/login'
LOCAL_SESSION_PATH = '/agent/session'
PUBLIC_AGENT_PATHS = frozenset({LOGIN_PATH, OIDC_START_PATH, CALLBACK_PATH, LOCAL_SESSION_PATH})
LOGIN_ERROR_KEY = 'login_error'  # why the last sign-in of this (signed-out) browser was refused
PASSED_LOGIN_KEY = 'passed_login'  # a password check that passed, until its browser collects the session
PASSED_LOGIN_SECONDS = 30


def signed_in_username() -> str | None:
    return app.storage.user.get('username')


class AgentAuthMiddleware(BaseHTTPMiddleware):
    """Redirect anonymous requests for agent pages to the login page, remembering where they were going; a session
    idle for longer than ``idle_seconds`` is emptied first (agent_ui.login.idle_timeout)."""

    def __init__(self, app: ASGIApp, idle_seconds: float) -> None:
        super().__init__(app)
        self.idle_seconds = idle_seconds

    async def dispatch(self, request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.url.path
        if _is_agent_page(path):
            session = app.storage.user
            if session.get('username') and idle_too_long(session, self.idle_seconds):
                log.info('agent.session_idle_expired agent=%s', session.get('username'))
                session.clear()
            if not session.get('username'):
                return RedirectResponse(f'{LOGIN_PATH}?redirect_to={quote(path)}')
            mark_active(session)
        return await call_next(request)


def _is_agent_page(path: str) -> bool:
    return any(path == root or path.startswith(root + '/') for root in (DESKTOP_PATH, SUPERVISOR_PATH)) \
        and path not in PUBLIC_AGENT_PATHS


def safe_redirect(target: str | None) -> str:
    """Only ever go back to an agent page on this site (no open redirects)."""
    return target if target and _is_agent_page(target) and not target.startswith('//') else DESKTOP_PATH


def register_login_page(accounts: AccountService, sso: SingleSignOnService | None = None) -> None:
    @ui.page(LOGIN_PATH, title='Agent login')
    def login(redirect_to: str | None = None) -> RedirectResponse | None:
        if signed_in_username():
            return RedirectResponse(safe_redirect(redirect_to))
        use_accessible_colors()
        if sso is not None:
            _single_sign_on_card(redirect_to)
            return None
        _local_login_card(accounts, redirect_to)
        return None

    if sso is None:
        app.get(LOCAL_SESSION_PATH, include_in_schema=False)(_collect_local_session)


async def _collect_local_session(request: Request) -> RedirectResponse:
    """Turn the passed password check of this browser into its session, once, under a new session id.

    The passed check lives only in this browser's own (pre-login) storage, is single-use and expires in seconds, so
    the URL carries nothing: another browser, or a second visit, is sent back to the login page.
    """
    passed = app.storage.user.pop(PASSED_LOGIN_KEY, None)
    if not passed or time.time() > passed['expires']:
        return RedirectResponse(LOGIN_PATH, status_code=303)
    await begin_agent_session(request, username=passed['username'], display_name=passed['display_name'],
                              role=passed.get('role', 'agent'))
    return RedirectResponse(safe_redirect(passed['redirect_to']), status_code=303)


def _single_sign_on_card(redirect_to: str | None) -> None:
    refusal = app.storage.user.pop(LOGIN_ERROR_KEY, '')
    start = f'{OIDC_START_PATH}?{urlencode({"redirect_to": safe_redirect(redirect_to)})}'
    with ui.card().classes('absolute-center w-80'):
        ui.label('Agent desktop').classes('text-xl font-bold')
        ui.label(refusal).classes('text-negative text-sm').props('role=alert data-testid=login-error')
        sign_in = ui.button('Sign in with single sign-on', icon='login').classes('w-full') \
            .props('data-testid=sso-login')
        sign_in.props['href'] = start  # a plain link: the provider's page is a full navigation, no socket needed


def _local_login_card(accounts: AccountService, redirect_to: str | None) -> None:
    session = app.storage.user  # captured while this page's request is current
    address = client_address()  # limits count per account and client network (docs/security/login.md)

    async def try_login() -> None:
        error.set_text('')  # the last answer goes while this one is checked (it may wait out a slow-down)
        # the service waits out the account's slow-down and runs argon2 in a thread, off the event loop
        try:
            agent = await accounts.login(username.value or '', password.value or '', address)
        except DomainError as refused:
            error.set_text(str(refused))
            return
        if agent is None:
            error.set_text('Wrong username or password.')
            return
        session[PASSED_LOGIN_KEY] = {'username': agent.username, 'display_name': agent.display_name,
                                     'role': agent.role.value,
                                     'redirect_to': safe_redirect(redirect_to),
                                     'expires': time.time() + PASSED_LOGIN_SECONDS}
        ui.navigate.to(LOCAL_SESSION_PATH)

    with ui.card().classes('absolute-center w-80'):
        ui.label('Agent desktop').classes('text-xl font-bold')
        username = ui.input('Username').props('autocomplete=username data-testid=username').classes('w-full')
        password = ui.input('Password', password=True, password_toggle_button=True) \
            .props('autocomplete=current-password data-testid=password').classes('w-full') \
            .on('keydown.enter', try_login)
        error = ui.label().classes('text-negative text-sm').props('role=alert data-testid=login-error')
        ui.button('Log in', on_click=try_login).classes('w-full').props('data-testid=login')
