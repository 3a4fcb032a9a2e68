"""Agent routes: login and the desktop (one page; its inner views are sub-pages so nothing reloads)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from functools import partial
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import app, ui

from agent_ui.adhoc_dialog import AdhocDialog
from agent_ui.connect_desktop.desktop import ConnectDesktop
from agent_ui.extensions import DesktopExtensions
from agent_ui.local_desktop.desktop import AgentDesktop
from agent_ui.login.agent_session import end_agent_session
from agent_ui.login.auth import LOGIN_PATH, register_login_page, signed_in_username
from agent_ui.login.idle_timeout import keep_alive_while_open
from agent_ui.login.oidc_login import register_oidc_routes
from agent_ui.recording_upload import register_recording_upload
from agent_ui.supervisor.media_route import register_media_route
from agent_ui.supervisor.recordings_page import register_recordings_page
from backend.domain.errors import NotFound
from backend.services.bundle import Services

AGENT_RECONNECT_SECONDS = 60


def register(services: Services, extensions: DesktopExtensions) -> None:
    """The local desktop on the local contact centre, or (aws mode) the desktop on the Amazon Connect CCP."""
    register_recordings(services)
    if services.agent_desk is None and services.ccp_login is not None:
        register_connect_desktop(services, extensions)
        return
    desk, voice = services.agent_desk, services.voice
    if desk is None or voice is None:
        raise ValueError('The agent desktop needs the local contact centre (VCE_MODE=local) or the Amazon Connect '
                         'CCP settings (VCE_MODE=aws).')
    end_session = _register_login(services)

    def desktop() -> RedirectResponse | None:
        username = signed_in_username()
        if username is None:
            return RedirectResponse(LOGIN_PATH)
        try:
            desk.load_agent(username)
        except NotFound:  # the account was removed while the session cookie lived on
            app.storage.user.clear()
            return RedirectResponse(LOGIN_PATH)
        adhoc_dialog = partial(AdhocDialog, services.references, username,
                               company_name=services.settings.company_name, website_url=services.settings.website_url)
        AgentDesktop(desk, services.meetings, extensions, username,
                     ice_servers=services.settings.ice_servers, adhoc_dialog=adhoc_dialog,
                     voice=voice, end_session=end_session, recordings=services.recordings).build()
        return None

    _register_desktop(desktop)


def register_connect_desktop(services: Services, extensions: DesktopExtensions) -> None:
    """aws mode: the same login and logout; the desktop embeds the Amazon Connect CCP (agent_ui.connect_desktop)."""
    ccp_login = services.ccp_login
    if ccp_login is None:
        raise ValueError('The desktop on Amazon Connect needs the CCP settings (VCE_CONNECT_INSTANCE_URL).')
    end_session = _register_login(services)

    def desktop() -> RedirectResponse | None:
        username = signed_in_username()
        if username is None:
            return RedirectResponse(LOGIN_PATH)
        display_name = str(app.storage.user.get('display_name') or username)
        adhoc_dialog = partial(AdhocDialog, services.references, username,
                               company_name=services.settings.company_name, website_url=services.settings.website_url)
        ConnectDesktop(ccp_login, services.meetings, extensions, username, display_name,
                       ice_servers=services.settings.ice_servers, adhoc_dialog=adhoc_dialog,
                       end_session=end_session, recordings=services.recordings).build()
        return None

    _register_desktop(desktop)


def register_recordings(services: Services) -> None:
    """The recorder's upload route, and the supervisors' recordings page with its media route."""
    if services.recordings is not None:
        register_recording_upload(services.recordings)
    if services.recording_library is not None:
        register_recordings_page(services.recording_library, services.accounts)
        register_media_route(services.recording_library, services.accounts)


EndSession = Callable[[MutableMapping[str, Any]], Awaitable[str]]


def _register_login(services: Services) -> EndSession:
    """The login page (local accounts or OIDC) both desktops share; returns what logging out does."""
    sso = services.single_sign_on
    register_login_page(services.accounts, sso)
    if sso is not None:
        register_oidc_routes(sso)

    async def end_session(session: MutableMapping[str, Any]) -> str:
        return await end_agent_session(session, sso)

    return end_session


def _register_desktop(desktop: Callable[[], RedirectResponse | None]) -> None:
    """One page for the desktop and every sub-page path below it, so nothing reloads inside the desktop; an open
    desktop keeps its session from going idle."""

    def open_desktop() -> RedirectResponse | None:
        response = desktop()
        if response is None:
            keep_alive_while_open(app.storage.user)
        return response

    ui.page('/agent', title='Agent desktop', reconnect_timeout=AGENT_RECONNECT_SECONDS)(open_desktop)
    ui.page('/agent/{_:path}', title='Agent desktop', reconnect_timeout=AGENT_RECONNECT_SECONDS)(open_desktop)
