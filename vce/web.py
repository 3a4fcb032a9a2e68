"""The web process: one NiceGUI app serving the customer website at / and the agent desktop at /agent."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from fastapi.responses import JSONResponse
from nicegui import app, ui

import agent_ui.pages
import customer_ui.pages
from agent_ui.extensions import DesktopExtensions
from agent_ui.login.auth import AgentAuthMiddleware
from backend.bootstrap import build_services, claim_data_folder
from backend.flows.extensions import FlowExtensions
from backend.services.bundle import Services
from backend.settings import Settings
from vce import handler_arity, socket_guard, user_storage_scope
from vce.data_location import data_location
from vce.log_format import server_log_options
from vce.security_headers import SecurityHeadersMiddleware
from vce.server_options import server_options
from vce_resources import assets_dir

log = logging.getLogger('vce')
_HELD: dict[Path, object] = {}  # data folder -> its lock (local mode), kept for the life of the process


def create_app(services: Services, extensions: DesktopExtensions | None = None) -> None:
    """Register routes, static files and lifecycle hooks on NiceGUI's app (call before ``ui.run``)."""
    app.add_static_files('/assets', assets_dir())
    app.add_middleware(AgentAuthMiddleware, idle_seconds=services.settings.agent_session_idle_minutes * 60)
    app.add_middleware(SecurityHeadersMiddleware, settings=services.settings)  # outside the login redirects
    app.on_startup(services.start)
    app.on_startup(_tune_garbage_collector)
    app.on_shutdown(services.stop)
    socket_guard.install(services.settings.socket_max_message_bytes)  # docs/security/sockets.md
    # Quasar's loading bar under each XMLHttpRequest is an unnamed progressbar to screen readers (WCAG 4.1.2) and
    # tells our users nothing: the pages talk over their socket, and every wait has its own text.
    app.config.quasar_config['loadingBar'] = {**app.config.quasar_config.get('loadingBar', {}), 'skipHijack': True}
    user_storage_scope.install()
    handler_arity.install()  # NiceGUI asks each handler's signature once, not per event (benchmarks/README.md)

    @app.get('/healthz')
    def healthz() -> JSONResponse:  # liveness: the process answers (it touches nothing)
        return JSONResponse({'status': 'ok', 'mode': services.settings.mode})

    @app.get('/readyz')
    async def readyz() -> JSONResponse:  # readiness: the store answers a cheap read (backend/services/readiness.py)
        readiness = await services.readiness.check()
        if readiness.ready:
            return JSONResponse({'status': 'ready', 'mode': services.settings.mode})
        return JSONResponse({'status': 'unavailable', 'reason': readiness.reason}, status_code=503)

    customer_ui.pages.register(services)
    if services.agent_desk is not None or services.ccp_login is not None:  # local desktop, or the one on Connect
        agent_ui.pages.register(services, extensions or DesktopExtensions())
    else:
        log.warning('web.no_agent_desktop mode=%s: no local contact centre and no Amazon Connect CCP settings',
                    services.settings.mode)


def _tune_garbage_collector() -> None:
    """Fewer, cheaper collections: a chat server allocates many short-lived objects per message, and CPython's
    default thresholds ran full collections often enough to stall message delivery (benchmarks/README.md).
    Freezing what start-up created keeps those objects out of every later collection."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def hold_data_folder(settings: Settings) -> None:
    """Local mode is one process per data folder: a second one refuses here (DataFolderInUse) before anything starts;
    the lock is held until this process ends. Safe to call again (``vce demo`` holds it before its banner)."""
    folder = settings.data_dir.resolve()
    if folder not in _HELD:
        _HELD[folder] = claim_data_folder(settings)


def run(settings: Settings, extensions: DesktopExtensions | None = None,
        flow_extensions: FlowExtensions | None = None) -> None:
    """Build the services for these settings and serve until stopped; ``flow_extensions`` are the Python callables
    local mode runs for the flows' Lambda functions and cloud-only actions (contact_flows/README.md)."""
    services = (build_services(settings) if flow_extensions is None
                else build_services(settings, flow_extensions=flow_extensions))
    log.info('server.starting mode=%s data=%s', settings.mode, data_location(settings))
    hold_data_folder(settings)
    create_app(services, extensions)
    ui.run(host=settings.host, port=settings.port, title=settings.company_name, reload=False, show=False,
           language='en-US',  # <html lang>: screen readers pick their voice by it
           storage_secret=settings.storage_secret.get_secret_value(), show_welcome_message=False,
           favicon='🎥', reconnect_timeout=30,  # also sets socket ping timeouts: a short one drops busy sockets
           **server_options(settings), **server_log_options(settings))
