"""A guard in front of NiceGUI's socket.io handlers: a socket speaks only for its own page, in well-formed messages.

NiceGUI routes every browser message by the ``client_id`` written in its body, whichever socket sent it, and admits a
socket into a page by ``client_id`` and ``tab_id``, which both travel in the socket URL. So a socket could act on
another page (a customer's socket changed an agent's status), a socket from another browser could join a page, and a
malformed message logged an ERROR with a traceback. NiceGUI's handlers stay as they are; this module wraps them
(docs/security/sockets.md):

* a socket joins a page only if it comes from the browser that loaded the page: the browser id in its signed session
  cookie must be the page request's (a socket without the cookie is refused without the reload NiceGUI's page script
  does on a refused handshake, so a browser that keeps no cookies cannot loop);
* ``event``, ``javascript_response``, ``ack`` and ``log`` are accepted only from a socket that joined the page they
  name;
* every message is checked for the keys and types NiceGUI reads; one that fails, or makes NiceGUI's handler raise,
  gives one short WARNING line without the client's text; engine.io / socket.io's own tracebacks for packets they
  cannot parse become such lines too;
* the browser's ``log`` messages never reach the server log with their text: a DEBUG line with the level and length;
* no message may be longer than ``VCE_SOCKET_MAX_MESSAGE_BYTES`` (engine.io closes the socket that sends one).
"""

from __future__ import annotations

import functools
import hmac
import inspect
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import socketio
from nicegui import core
from nicegui.client import Client
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import cookie_parser

log = logging.getLogger('vce.sockets')

GUARDED_EVENTS = ('connect', 'handshake', 'event', 'javascript_response', 'ack', 'log')
SOCKET_LIBRARY_LOGGERS = ('engineio.server', 'socketio.server')
MAX_ID_LENGTH = 64  # client, tab, document and request ids are UUIDs (36 characters)
RELOAD_REFUSAL = 'Implicit handshake failed'  # NiceGUI's page script reloads on exactly this refusal
NO_COOKIE_REFUSAL = 'Browser session missing'  # any other text: the script does not reload
GENERIC_REFUSAL = 'Connection refused'  # no browser sends what gets this: no reload either
CLIENT_LOG_LEVELS = frozenset({'debug', 'info', 'warning', 'error'})

Handler = Callable[..., Any]


def install(max_message_bytes: int) -> None:
    """Wrap NiceGUI's handlers (again from the originals if called twice, e.g. once per test app)."""
    sio = core.sio
    sio.eio.max_http_buffer_size = max_message_bytes
    handlers = sio.handlers['/']
    original = {name: inspect.unwrap(handlers[name]) for name in GUARDED_EVENTS}  # NiceGUI's, under any guard
    guarded = {
        'connect': _connect(original['connect']),
        'handshake': _handshake(original['handshake']),
        'event': _owned('event', original['event'], _is_event),
        'javascript_response': _owned('javascript_response', original['javascript_response'],
                                      _is_javascript_response),
        'ack': _owned('ack', original['ack'], _is_ack),
        'log': _owned('log', _client_log, _is_client_log),
    }
    for name, handler in guarded.items():
        sio.on(name, functools.wraps(original[name])(_guarded(name, handler)))
    for name in SOCKET_LIBRARY_LOGGERS:
        library_log = logging.getLogger(name)
        if not any(isinstance(f, ShortSocketErrors) for f in library_log.filters):
            library_log.addFilter(ShortSocketErrors())


# ---------------------------------------------------------------------------------------------------- wrappers


def _guarded(name: str, handler: Handler) -> Handler:
    """Any exception from a message becomes one short WARNING (its type, never its text); the message is dropped."""

    async def guarded(sid: str, *args: Any) -> Any:
        try:
            return await handler(sid, *args)
        except socketio.exceptions.ConnectionRefusedError:
            raise
        except Exception as error:
            log.warning('socket.refused event=%s reason=%s', name, type(error).__name__)
            if name == 'connect':
                raise socketio.exceptions.ConnectionRefusedError(GENERIC_REFUSAL) from None
            return False if name == 'handshake' else None

    return guarded


def _connect(nicegui_connect: Handler) -> Handler:
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        query = {k: v[0] for k, v in urllib.parse.parse_qs(environ.get('QUERY_STRING', '')).items()}
        if query.get('implicit_handshake', '') == 'true':
            if not _is_handshake(query):
                log.warning('socket.refused event=connect reason=malformed')
                raise socketio.exceptions.ConnectionRefusedError(GENERIC_REFUSAL)
            _admit(query['client_id'], environ)
        await nicegui_connect(sid, environ, auth)

    return connect


def _handshake(nicegui_handshake: Handler) -> Handler:
    async def handshake(sid: str, data: Any = None, *_: Any) -> bool:
        if not _is_handshake(data):
            log.warning('socket.refused event=handshake reason=malformed')
            return False
        try:
            _admit(data['client_id'], core.sio.get_environ(sid) or {})
        except socketio.exceptions.ConnectionRefusedError:
            return False
        return bool(await nicegui_handshake(sid, data))

    return handshake


def _owned(name: str, handler: Handler, well_formed: Callable[[Any], bool]) -> Handler:
    """Pass a message on only if it is well formed and its client is a page this very socket joined."""

    async def owned(sid: str, msg: Any = None, *_: Any) -> None:
        if not well_formed(msg):
            log.warning('socket.refused event=%s reason=malformed', name)
            return
        client = Client.instances.get(msg['client_id'])
        if client is None:
            return  # a page that has gone: NiceGUI ignores these too
        if sid not in client._socket_to_document_id:  # the sockets that joined this page
            log.warning('socket.refused event=%s reason=not_this_sockets_page', name)
            return
        handler(sid, msg)

    return owned


def _client_log(_sid: str, msg: dict[str, Any]) -> None:
    """The browser's console line, reduced to facts: the client's text never enters the server log."""
    level = msg.get('level')
    message = msg.get('message')
    log.debug('socket.browser_log level=%s length=%d', level if level in CLIENT_LOG_LEVELS else 'other',
              len(message) if isinstance(message, str) else -1)


# ---------------------------------------------------------------------------------------------------- the browser


def _admit(client_id: str, environ: Mapping[str, Any]) -> None:
    """Refuse a socket that does not come from the browser that loaded the page it wants to join."""
    client = Client.instances.get(client_id)
    if client is None:
        return  # NiceGUI refuses it (and the page script reloads)
    page_browser = _browser_id(client)
    if page_browser is None:
        return  # no session cookie in this app: nothing to bind to
    cookie_name = _session_cookie_name()
    if cookie_name not in cookie_parser(str(environ.get('HTTP_COOKIE', ''))):
        log.warning('socket.refused event=handshake reason=no_session_cookie')
        raise socketio.exceptions.ConnectionRefusedError(NO_COOKIE_REFUSAL)
    scope = environ.get('asgi.scope') or {}
    socket_browser = (scope.get('session') or {}).get('id')
    if not isinstance(socket_browser, str) or not hmac.compare_digest(socket_browser, page_browser):
        log.warning('socket.refused event=handshake reason=other_browser')
        raise socketio.exceptions.ConnectionRefusedError(RELOAD_REFUSAL)  # a reload gives the page this browser's id


def _browser_id(client: Client) -> str | None:
    try:
        session = client.request.scope.get('session')
    except RuntimeError:  # a client without a request (none of our pages)
        return None
    browser = session.get('id') if isinstance(session, Mapping) else None
    return browser if isinstance(browser, str) else None


def _session_cookie_name() -> str:
    for middleware in core.app.user_middleware:
        if middleware.cls is SessionMiddleware:
            return str(middleware.kwargs.get('session_cookie', 'session'))
    return 'session'


# ---------------------------------------------------------------------------------------------------- shapes


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_handshake(data: Any) -> bool:
    """What NiceGUI's handshake reads: the client, tab and document ids, maybe the old tab and the next message."""
    if not isinstance(data, dict) or not all(_is_id(data.get(key)) for key in ('client_id', 'tab_id', 'document_id')):
        return False
    old_tab = data.get('old_tab_id')
    next_message = data.get('next_message_id')
    return (old_tab is None or _is_id(old_tab)) and (
        next_message is None or _is_count(next_message)
        or (isinstance(next_message, str) and next_message.isdigit() and len(next_message) <= 12))


def _is_event(msg: Any) -> bool:
    args = msg.get('args', []) if isinstance(msg, dict) else None
    return (isinstance(msg, dict) and _is_id(msg.get('client_id')) and _is_count(msg.get('id'))
            and isinstance(msg.get('listener_id'), str) and isinstance(args, list)
            and all(arg is None or isinstance(arg, str) for arg in args))


def _is_javascript_response(msg: Any) -> bool:
    return isinstance(msg, dict) and _is_id(msg.get('client_id')) and _is_id(msg.get('request_id'))


def _is_ack(msg: Any) -> bool:
    return isinstance(msg, dict) and _is_id(msg.get('client_id')) and _is_count(msg.get('next_message_id'))


def _is_client_log(msg: Any) -> bool:
    return isinstance(msg, dict) and _is_id(msg.get('client_id'))


# ---------------------------------------------------------------------------------------------------- library logs


class ShortSocketErrors(logging.Filter):
    """engine.io and socket.io log a packet they cannot decode (or a bad session id from the URL) at ERROR, with a
    traceback or the client's text; here it becomes one short WARNING naming the error's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else 'refused_request'
            record.msg, record.args = 'socket.bad_packet source=%s reason=%s', (record.name, error)
            record.levelno, record.levelname = logging.WARNING, 'WARNING'
            record.exc_info = record.exc_text = record.stack_info = None
        return True
