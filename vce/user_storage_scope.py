"""Server-side user storage only for the agent desktop, the one part of the product that keeps anything in it.

NiceGUI's request-tracking middleware gives every request's browser id a user storage (``app.storage.user``) before
the request is routed, so every request without a cookie (a health probe, a crawler, curl) allocated one, and memory
grew with their number (``benchmarks/cookieless_requests.py``). Only the agent pages use that storage (who is signed
in, a login in progress); the customer pages keep their secret in the session cookie itself. Requests elsewhere still
get the browser id in the signed session cookie, exactly as before, but no storage.

The middleware is NiceGUI's own subclassed; NiceGUI adds it when the server starts, so it is swapped in when the app
builds its middleware stack (the first request, or the lifespan start).
"""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response
from nicegui import app
from nicegui.storage import RequestTrackingMiddleware, request_contextvar
from starlette.middleware import Middleware
from starlette.middleware.base import RequestResponseEndpoint
from starlette.types import ASGIApp

from agent_ui.login.auth import DESKTOP_PATH, SUPERVISOR_PATH

STORAGE_PATH_PREFIX = DESKTOP_PATH  # /agent and everything below it
STORAGE_PATH_PREFIXES = (DESKTOP_PATH, SUPERVISOR_PATH)  # and the supervisors' pages (the same signed-in staff)


class ScopedRequestTracking(RequestTrackingMiddleware):
    """NiceGUI's request tracking, with a user storage only for paths under ``prefixes``."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = STORAGE_PATH_PREFIXES) -> None:
        super().__init__(app)
        self._prefixes = tuple(prefix.rstrip('/') for prefix in prefixes)

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if any(uses_user_storage(request, prefix) for prefix in self._prefixes):
            return await super().dispatch(request, call_next)
        request_contextvar.set(request)  # app.storage.browser reads the request from here
        if 'id' not in request.session:
            request.session['id'] = str(uuid.uuid4())  # NiceGUI's pruning reads every page's browser id
        request.state.responded = False
        response = await call_next(request)
        request.state.responded = True
        return response


def uses_user_storage(request: Request, prefix: str) -> bool:
    path = request.scope.get('path', '')
    root_path = request.scope.get('root_path', '')
    if root_path and path.startswith(root_path):
        path = path[len(root_path):]
    return path == prefix or path.startswith(prefix + '/')


def install() -> None:
    """Swap NiceGUI's request tracking for the scoped one each time the app builds its middleware stack."""
    build = app.build_middleware_stack
    if getattr(build, 'scopes_user_storage', False):
        return

    def build_with_scoped_storage() -> ASGIApp:
        app.user_middleware[:] = [Middleware(ScopedRequestTracking) if m.cls is RequestTrackingMiddleware else m
                                  for m in app.user_middleware]
        return build()

    build_with_scoped_storage.scopes_user_storage = True  # type: ignore[attr-defined]
    app.build_middleware_stack = build_with_scoped_storage  # type: ignore[method-assign]
