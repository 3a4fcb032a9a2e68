"""A small headless NiceGUI client for load tests: one ``Page`` is one browser tab, one ``Browser`` one cookie jar.

It speaks the same protocol as NiceGUI's ``static/nicegui.js`` (checked against NiceGUI 3.18):

* ``GET path`` returns the page HTML. ``templates/index.html`` embeds the element tree as
  ``createApp(parseElements(String.raw`{...}`), {..., query: {...}, ...})``; the JSON is HTML-escaped by
  ``client.HTML_ESCAPE_TABLE`` (``& < > ` $``) and ``parseElements`` undoes it. ``query`` is rendered with Python's
  ``repr`` (``{'client_id': '…', 'next_message_id': 0, 'implicit_handshake': True}``).
* The socket connects to ``/_nicegui_ws/socket.io`` (websocket transport) with that query plus ``tab_id`` and
  ``document_id``; ``implicit_handshake=true`` makes ``nicegui.py``'s ``connect`` handler run the handshake.
* The server sends ``update`` (``{element_id: element_dict | None}``; ``None`` means deleted), ``run_javascript``
  (``{code, request_id?}``; a ``request_id`` wants a ``javascript_response``), ``open`` (``{path, new_tab}``),
  ``notify``, ``download``, ``load_js_components``. Every message carries ``_id``; messages with an ``_id`` below the
  next expected one are duplicates and dropped, as in ``nicegui.js``.
* Element events go out as ``event`` ``{id, client_id, listener_id, args}`` where ``args`` is a list of
  JSON-encoded strings (``stringifyEventArgs``); the listener ids are in each element's ``events`` list.
* Every 3 s the browser sends ``ack`` ``{client_id, next_message_id}`` so the server prunes its message history.

Socket handlers are synchronous so messages are processed strictly in arrival order (python-engineio runs each
received packet as its own task; a handler that never awaits keeps FIFO order).
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import aiohttp
import socketio

SOCKET_PATH = '/_nicegui_ws/socket.io'
CLIENT_LOG = logging.getLogger('benchmarks.nicegui_client')
'''python-socketio / python-engineio client log; WARNING and above unless configured (e.g. why a socket dropped).'''
CLIENT_LOG.setLevel(logging.WARNING)
CLIENT_LOG.addHandler(logging.NullHandler())
CLIENT_LOG.propagate = False  # the server's close frame on our own disconnects is not worth a warning on stderr
ACK_INTERVAL_SECONDS = 3.0

_ELEMENTS_RE = re.compile(r'createApp\(parseElements\(String\.raw`(.*?)`\),', re.S)
_QUERY_RE = re.compile(r'^\s*query:\s*(\{.*?\}),\s*$', re.M)

Element = dict[str, Any]
UpdateCallback = Callable[['Page', dict[int, Element | None], list[int]], None]


class ProtocolError(RuntimeError):
    pass


def _unescape(raw: str) -> str:
    """The inverse of NiceGUI's ``HTML_ESCAPE_TABLE``, in the order ``parseElements`` applies it."""
    return (raw.replace('&#36;', '$').replace('&#96;', '`').replace('&gt;', '>')
            .replace('&lt;', '<').replace('&amp;', '&'))


def parse_page(html: str) -> tuple[dict[int, Element], dict[str, Any]]:
    """Return (elements by id, socket query) from a NiceGUI page's HTML."""
    match = _ELEMENTS_RE.search(html)
    if match is None:
        raise ProtocolError('no NiceGUI element tree in page')
    elements = {int(k): v for k, v in json.loads(_unescape(match.group(1))).items()}
    query_match = _QUERY_RE.search(html)
    if query_match is None:
        raise ProtocolError('no socket query in page')
    query = ast.literal_eval(query_match.group(1))
    return elements, query


class Browser:
    """One cookie jar (one browser profile); pages opened from it share its cookies, like tabs do."""

    def __init__(self, base_url: str, *, connector: aiohttp.BaseConnector | None = None) -> None:
        self.base_url = base_url.rstrip('/')
        self._connector = connector
        self.session = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: keep cookies for an IP host such as 127.0.0.1
            connector=connector, connector_owner=connector is None,
            # no session-wide total: it would also bound the lifetime of the page's websocket
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30))
        # Sockets get a connection of their own, as in a browser. On a pooled keep-alive connection the upgrade can
        # arrive while uvicorn is still finishing the page's response; uvicorn then arms its keep-alive timeout
        # (5 s) on the transport the websocket has taken over and closes it: a "transport error" that no browser sees.
        self.socket_session = aiohttp.ClientSession(
            cookie_jar=self.session.cookie_jar, connector=aiohttp.TCPConnector(limit=0, force_close=True),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=30))

    def page(self, *, tab_id: str | None = None) -> Page:
        return Page(self, tab_id=tab_id)

    async def close(self) -> None:
        await self.session.close()
        await self.socket_session.close()


class Page:
    """One tab: the element tree as the server last sent it, plus ways to act on it."""

    def __init__(self, browser: Browser, *, tab_id: str | None = None) -> None:
        self.browser = browser
        self.tab_id = tab_id or str(uuid.uuid4())
        self.document_id = str(uuid.uuid4())
        self.url = ''
        self.path = ''
        self.client_id = ''
        self.elements: dict[int, Element] = {}
        self.next_message_id = 0
        self.acked_message_id = -1
        self.navigations: list[str] = []
        self.notifications: list[dict[str, Any]] = []
        self.javascript: list[str] = []
        self.messages_received = 0
        self.duplicates_dropped = 0
        self.disconnected = False
        self.disconnect_reason: str | None = None
        self.disconnected_at: float | None = None
        self._callbacks: list[UpdateCallback] = []
        self._javascript_callbacks: list[Callable[[Page, str], None]] = []
        self._changed = asyncio.Event()
        self._parents: dict[int, int] | None = None
        self._testids: dict[str, list[int]] | None = None
        self._sio: socketio.AsyncClient | None = None
        self._ack_task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()

    # lifecycle

    async def open(self, path: str, *, connect: bool = True) -> str:
        """GET the page (following redirects, with the browser's cookies), parse it and connect its socket."""
        if self._sio is not None:
            await self._disconnect()
        async with self.browser.session.get(self.browser.base_url + path,
                                            timeout=aiohttp.ClientTimeout(total=60)) as response:
            response.raise_for_status()
            html = await response.text()
            self.url = str(response.url)
        self.path = urlsplit(self.url).path
        self.elements, query = parse_page(html)
        self._invalidate()
        self.client_id = query['client_id']
        self.next_message_id = int(query.get('next_message_id', 0))
        self.acked_message_id = -1
        self.disconnected = False
        if connect:
            await self._connect(query)
        return self.path

    async def _connect(self, query: dict[str, Any]) -> None:
        sio = socketio.AsyncClient(reconnection=False, http_session=self.browser.socket_session,
                                   logger=CLIENT_LOG, engineio_logger=CLIENT_LOG)
        sio.on('update', self._on_update)
        sio.on('run_javascript', self._on_run_javascript)
        sio.on('open', self._on_open)
        sio.on('notify', self._on_notify)
        sio.on('download', self._on_other)
        sio.on('load_js_components', self._on_other)
        sio.on('try_reconnect', self._on_other)
        sio.on('disconnect', self._on_disconnect)
        params = {
            'client_id': self.client_id,
            'next_message_id': self.next_message_id,
            'implicit_handshake': 'true' if query.get('implicit_handshake', True) else 'false',
            'document_id': self.document_id,
            'tab_id': self.tab_id,
        }
        self._sio = sio
        await sio.connect(f'{self.browser.base_url}/?{urlencode(params)}', transports=['websocket'],
                          socketio_path=SOCKET_PATH, wait_timeout=30)
        if not query.get('implicit_handshake', True):
            ok = await sio.call('handshake', {**params, 'old_tab_id': None}, timeout=30)
            if not ok:
                raise ProtocolError('handshake refused')
        self._ack_task = asyncio.get_running_loop().create_task(self._ack_loop())

    async def join(self, client_id: str) -> None:
        """Connect this tab's socket to the page ``client_id`` without loading it (tests: someone else's page)."""
        self.client_id = client_id
        self.disconnected = False
        await self._connect({'implicit_handshake': True})

    async def send(self, event: str, *data: Any) -> None:
        """Send any socket message as this tab, well formed or not (tests: what no browser would send)."""
        if self._sio is None:
            raise ProtocolError('page is not connected')
        await self._sio.emit(event, data[0] if len(data) == 1 else data or None)

    async def send_frame(self, frame: str) -> None:
        """Send one raw engine.io text frame on this tab's websocket, e.g. ``42[`` (a truncated event)."""
        if self._sio is None or self._sio.eio.ws is None:
            raise ProtocolError('page is not connected')
        await self._sio.eio.ws.send_str(frame)

    async def close(self) -> None:
        await self._disconnect()

    async def _disconnect(self) -> None:
        if self._ack_task is not None:
            self._ack_task.cancel()
            self._ack_task = None
        if self._sio is not None:
            sio, self._sio = self._sio, None
            try:
                await asyncio.wait_for(sio.disconnect(), timeout=10)
            except (TimeoutError, Exception):
                pass
        for task in list(self._pending):
            task.cancel()

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected and not self.disconnected

    # observing

    def on_update(self, callback: UpdateCallback) -> None:
        """``callback(page, changed, new_ids)``: ``changed`` maps element ids to their new dict (None = deleted)."""
        self._callbacks.append(callback)

    def on_javascript(self, callback: Callable[[Page, str], None]) -> None:
        """``callback(page, code)`` for every ``run_javascript`` (element methods arrive as ``runMethod(...)``)."""
        self._javascript_callbacks.append(callback)

    def find(self, testid: str) -> list[int]:
        """Ids of the elements whose ``data-testid`` prop is ``testid``, in id order."""
        if self._testids is None:
            index: dict[str, list[int]] = {}
            for element_id in sorted(self.elements):
                value = self.elements[element_id].get('props', {}).get('data-testid')
                if value is not None:
                    index.setdefault(str(value), []).append(element_id)
            self._testids = index
        return list(self._testids.get(testid, []))

    def element(self, testid: str) -> Element | None:
        ids = self.find(testid)
        return self.elements[ids[-1]] if ids else None

    def text(self, testid: str) -> str | None:
        element = self.element(testid)
        return None if element is None else element.get('text')

    def is_visible(self, element_id: int) -> bool:
        """No ``hidden`` class on the element or any ancestor (``set_visibility`` toggles that class)."""
        parents = self._parent_map()
        current: int | None = element_id
        while current is not None:
            element = self.elements.get(current)
            if element is None or 'hidden' in (element.get('class') or []):
                return False
            current = parents.get(current)
        return True

    def visible(self, testid: str) -> bool:
        return any(self.is_visible(i) for i in self.find(testid))

    def descendants(self, element_id: int) -> Iterable[int]:
        stack = list(_child_ids(self.elements.get(element_id, {})))
        while stack:
            child = stack.pop()
            if child in self.elements:
                yield child
                stack.extend(_child_ids(self.elements[child]))

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every update); return its value."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.disconnected:
                raise TimeoutError(f'condition not met within {timeout} s on {self.path}')
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=min(remaining, 1.0))
            except TimeoutError:
                pass

    async def wait_for_testid(self, testid: str, timeout: float = 10.0, *, visible: bool = False) -> int:
        return await self.wait_for(
            lambda: next((i for i in reversed(self.find(testid)) if not visible or self.is_visible(i)), None),
            timeout)

    async def wait_for_navigation(self, timeout: float = 10.0) -> str:
        count = len(self.navigations)
        await self.wait_for(lambda: len(self.navigations) > count, timeout)
        return self.navigations[-1]

    # acting

    async def click(self, testid: str) -> None:
        await self.emit_event(self._require(testid), 'click', [])

    async def set_value(self, testid: str, value: Any) -> None:
        """What a browser sends when an input's (or select's) value changes: ``update:<VALUE_PROP>``."""
        element_id = self._require(testid)
        events = [e['type'] for e in self.elements[element_id].get('events', [])]
        event_type = next((t for t in ('update:value', 'update:modelValue', 'update:model-value') if t in events),
                          None)
        if event_type is None:
            raise ProtocolError(f'{testid} has no value-change listener (events: {events})')
        await self.emit_event(element_id, event_type, [value])

    async def select(self, testid: str, label: str) -> None:
        """Choose an option of a ``ui.select`` by its label (the browser sends the option object)."""
        element_id = self._require(testid)
        options = self.elements[element_id].get('props', {}).get('options', [])
        option = next((o for o in options if o.get('label') == label), None)
        if option is None:
            raise ProtocolError(f'{testid} has no option {label!r}: {options}')
        await self.emit_event(element_id, 'update:model-value', [option])

    async def press_enter(self, testid: str) -> None:
        element_id = self._require(testid)
        listener = next((e for e in self.elements[element_id].get('events', [])
                         if e['type'] == 'keydown' and 'enter' in e.get('keys', [])), None)
        if listener is None:
            raise ProtocolError(f'{testid} has no keydown.enter listener')
        await self._emit_listener(element_id, listener, [{'key': 'Enter'}])

    async def emit_event(self, element_id: int, event_type: str, args: list[Any]) -> None:
        aliases = {event_type, event_type.replace('modelValue', 'model-value'),
                   event_type.replace('model-value', 'modelValue')}
        listener = next((e for e in self.elements[element_id].get('events', []) if e['type'] in aliases), None)
        if listener is None:
            raise ProtocolError(f'element {element_id} has no {event_type} listener')
        await self._emit_listener(element_id, listener, args)

    async def _emit_listener(self, element_id: int, listener: Element, args: list[Any]) -> None:
        wanted = listener.get('args')
        if wanted is not None:  # stringifyEventArgs drops arguments beyond the listener's declared ones
            args = args[:len(wanted)]
        if self._sio is None:
            raise ProtocolError('page is not connected')
        await self._sio.emit('event', {
            'id': element_id,
            'client_id': self.client_id,
            'listener_id': listener['listener_id'],
            'args': [json.dumps(a) for a in args],
        })

    def _require(self, testid: str) -> int:
        ids = self.find(testid)
        if not ids:
            raise ProtocolError(f'no element with data-testid={testid!r} on {self.path}')
        return ids[-1]

    # socket handlers (synchronous on purpose: see module docstring)

    def _accept_message(self, msg: Any) -> bool:
        self.messages_received += 1
        if isinstance(msg, dict) and '_id' in msg:
            message_id = msg.pop('_id')
            if message_id < self.next_message_id:
                self.duplicates_dropped += 1
                return False
            self.next_message_id = message_id + 1
        return True

    def _on_update(self, msg: dict[str, Any]) -> None:
        if not self._accept_message(msg):
            return
        changed: dict[int, Element | None] = {}
        new_ids: list[int] = []
        for key, element in msg.items():
            element_id = int(key)
            if element is None:
                self.elements.pop(element_id, None)
            else:
                if element_id not in self.elements:
                    new_ids.append(element_id)
                self.elements[element_id] = element
            changed[element_id] = element
        self._invalidate()
        for callback in self._callbacks:
            callback(self, changed, new_ids)
        self._changed.set()

    def _on_run_javascript(self, msg: dict[str, Any]) -> None:
        if not self._accept_message(msg):
            return
        code = msg.get('code', '')
        self.javascript.append(code[:200])
        del self.javascript[:-20]
        for callback in self._javascript_callbacks:
            callback(self, code)
        if msg.get('request_id'):  # the server awaits a result: answer at once so it never waits for a timeout
            self._spawn(self._emit('javascript_response',
                                   {'request_id': msg['request_id'], 'client_id': self.client_id, 'result': None}))
        self._changed.set()

    def _on_open(self, msg: dict[str, Any]) -> None:
        if not self._accept_message(msg):
            return
        self.navigations.append(urljoin(self.url, msg.get('path', '')))
        self._changed.set()

    def _on_notify(self, msg: dict[str, Any]) -> None:
        if self._accept_message(msg):
            self.notifications.append(msg)
            self._changed.set()

    def _on_other(self, msg: Any = None) -> None:
        self._accept_message(msg)

    def _on_disconnect(self, *reason: Any) -> None:
        if self._sio is not None:  # not a disconnect we asked for
            self.disconnect_reason = str(reason[0]) if reason else 'unknown'
            self.disconnected_at = time.time()
        self.disconnected = True
        self._changed.set()

    async def _ack_loop(self) -> None:
        while True:
            await asyncio.sleep(ACK_INTERVAL_SECONDS)
            if self.acked_message_id < self.next_message_id and self.connected:
                await self._emit('ack', {'client_id': self.client_id, 'next_message_id': self.next_message_id})
                self.acked_message_id = self.next_message_id

    async def _emit(self, event: str, data: dict[str, Any]) -> None:
        if self._sio is not None and self._sio.connected:
            try:
                await self._sio.emit(event, data)
            except Exception:
                pass

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # tree bookkeeping

    def _invalidate(self) -> None:
        self._parents = None
        self._testids = None

    def _parent_map(self) -> dict[int, int]:
        if self._parents is None:
            parents: dict[int, int] = {}
            for element_id, element in self.elements.items():
                for child in _child_ids(element):
                    parents[child] = element_id
            self._parents = parents
        return self._parents


def _child_ids(element: Element) -> list[int]:
    ids = list(element.get('children') or [])
    for slot in (element.get('slots') or {}).values():
        ids.extend(slot.get('ids') or [])
    return ids


def element_strings(element: Element) -> Iterable[str]:
    """Every string an element shows: its text and its string props (e.g. an ``ui.html``'s ``innerHTML``)."""
    text = element.get('text')
    if isinstance(text, str):
        yield text
    for value in (element.get('props') or {}).values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):  # data-driven elements, e.g. the chat transcript's ``messages``
            yield from (item['text'] for item in value if isinstance(item, dict) and isinstance(item.get('text'), str))
