"""``CustomerChannel`` on Amazon Connect: the customer's chat driven from Python, so the customer page is the same as
in local mode.

- ``start_chat``: StartChatContact in the configured flow (the server picks it; the attributes come already
  whitelisted from ``CustomerChatService``), then CreateParticipantConnection. The participant and connection tokens
  stay on the server (``ParticipantSessionStore``), so a page reload or a restart resumes the chat.
- The server holds one participant websocket per open chat (``ParticipantSocket``) and turns Connect's chat items
  into the events the local engine publishes on the ``EventBus`` (contact topic); after every (re)connection it
  catches up with GetTranscript, deduplicating by item id.
- ``customer_message`` → SendMessage, ``customer_typing`` → SendEvent (throttled), ``customer_end`` →
  DisconnectParticipant. An expired connection token is replaced (CreateParticipantConnection) and the call retried
  once; a refused participant token means the chat is over.
- The agent's "video started/ended" marker (``backend.domain.video_signal``) is believed only if the meeting store
  agrees; the customer sees a readable line instead.

Every method runs on the event loop; boto3 calls run in worker threads.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from backend.adapters.aws.backoff import Backoff
from backend.adapters.aws.chat_items import parse_item
from backend.adapters.aws.connect_chat_api import ConnectChatApi, ConnectionRejected, ParticipantConnection
from backend.adapters.aws.connect_chat_session import CHAT_ENDED_TEXT, ConnectChat
from backend.adapters.aws.participant_socket import HEARTBEAT_SECONDS, ParticipantSocket
from backend.domain.errors import NotAllowed, NotFound, ServiceUnavailable
from backend.domain.model import Contact, ContactState, Message, ParticipantSession
from backend.events import ALL_CONTACTS_TOPIC, ContactChanged, Event, EventBus, contact_topic
from backend.ports import CustomerChannel, MeetingStore, ParticipantSessionStore

log = logging.getLogger('vce.aws.connect_chat')

T = TypeVar('T')
DEFAULT_CHAT_MINUTES = 25 * 60  # Connect's default chat duration
EXPIRY_MARGIN_SECONDS = 5.0  # refresh a URL or token this long before Connect's stated expiry
ENDED_TEXT = 'This chat has ended. Start a new chat to talk to us again.'


@dataclass(frozen=True, slots=True)
class ConnectChatConfig:
    # at most one typing event per customer per interval: ChatJS's own throttle (TYPING_VALIDITY_TIME, 10 s), which
    # is what Connect's chat widget sends and the agent's CCP expects
    typing_interval_seconds: float = 10.0
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    ended_retention_seconds: float = 600.0  # an ended chat stays in memory this long (the page may still show it)


class ConnectCustomerChannel(CustomerChannel):
    def __init__(self, api: ConnectChatApi, bus: EventBus, sessions: ParticipantSessionStore, meetings: MeetingStore,
                 *, config: ConnectChatConfig | None = None, backoff: Backoff | None = None,
                 clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._api, self._bus, self._sessions, self._meetings = api, bus, sessions, meetings
        self._config = config or ConnectChatConfig()
        self._backoff = backoff or Backoff()
        self._clock, self._monotonic, self._sleep = clock, monotonic, sleep
        self._chats: dict[str, ConnectChat] = {}
        self._sockets: dict[str, ParticipantSocket] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._saves: set[asyncio.Task[None]] = set()  # participant-session writes under way (never cancelled)

    async def stop(self) -> None:
        """Close every participant websocket (the chats go on in Connect; a restart resumes them from the records,
        so the pending writes of those records finish first)."""
        await asyncio.gather(*list(self._saves), return_exceptions=True)
        await asyncio.gather(*(socket.stop() for socket in list(self._sockets.values())), return_exceptions=True)
        self._sockets.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # CustomerChannel

    async def start_chat(self, *, name: str, email: str, attributes: dict[str, str]) -> Contact:
        started = await asyncio.to_thread(self._api.start_chat_contact, display_name=name,
                                          attributes=dict(attributes), client_token=str(uuid.uuid4()))
        now = self._clock()
        contact = Contact(contact_id=started.contact_id, customer_name=name, customer_email=email, initiated_at=now,
                          state=ContactState.QUEUED, attributes=dict(attributes), enqueued_at=now)
        minutes = self._api.chat_duration_minutes or DEFAULT_CHAT_MINUTES
        chat = ConnectChat(ParticipantSession(contact, started.participant_id, started.participant_token,
                                              expires_at=now + minutes * 60), self._meetings, self._clock)
        try:
            await self._connection(chat, need_url=True)
        except ConnectionRejected as error:  # a brand-new participant refused: Connect ended the chat at once
            raise NotAllowed('We could not connect your chat. Please try again later.') from error
        except ServiceUnavailable as error:  # the contact exists now: keep it, the socket retries with backoff
            log.warning('participant.connect_deferred contact=%s detail=%s', chat.contact_id, error.detail)
        self._chats[chat.contact_id] = chat
        self._save(chat)
        log.info('contact.initiated contact=%s channel=CHAT backend=connect', chat.contact_id)
        self._start_socket(chat)
        return chat.snapshot()

    async def customer_message(self, contact_id: str, text: str) -> Message:
        chat = self._open_chat(contact_id)
        client_token = str(uuid.uuid4())  # the same on a retry after a refreshed connection: sent at most once
        message_id, created_at = await self._call(chat, lambda token: self._api.send_message(token, text,
                                                                                             client_token))
        message, events = chat.add_own_message(message_id, text, created_at)
        self._publish(chat, events)
        return message

    def customer_typing(self, contact_id: str) -> None:
        chat = self._chats.get(contact_id)
        if chat is None or chat.contact.state is not ContactState.CONNECTED:
            return  # nobody to see it
        now = self._monotonic()
        if now - chat.last_typing_sent < self._config.typing_interval_seconds:
            return
        chat.last_typing_sent = now
        self._spawn(self._send_typing(chat))

    async def customer_end(self, contact_id: str) -> None:
        chat = self._chats.get(contact_id) or self._resume(contact_id)
        if chat is None or chat.is_ended:
            return
        chat.customer_leaving = True  # the socket may bring Connect's "chat ended" before the call returns
        try:
            await self._call(chat, self._api.disconnect_participant)
        except NotAllowed:
            return  # it had ended already
        finally:
            chat.customer_leaving = chat.is_ended
        self._finish(chat, chat.customer_left())

    def contact(self, contact_id: str) -> Contact | None:
        chat = self._chats.get(contact_id) or self._resume(contact_id)
        return chat.snapshot() if chat else None

    def transcript(self, contact_id: str) -> list[Message]:
        """What this server has seen; after a restart the catch-up (GetTranscript) publishes the rest as it comes."""
        chat = self._chats.get(contact_id) or self._resume(contact_id)
        return list(chat.messages) if chat else []

    async def drain(self) -> None:
        """Wait for the background work started so far (typing events, participant-session writes)."""
        await asyncio.gather(*list(self._tasks), *list(self._saves), return_exceptions=True)

    # measurements (tests and benchmarks)

    @property
    def api_calls(self) -> dict[str, int]:
        return dict(self._api.calls)

    def socket(self, contact_id: str) -> ParticipantSocket | None:
        return self._sockets.get(contact_id)

    # connection management

    async def _connection(self, chat: ConnectChat, *, need_url: bool = False,
                          rejected: ParticipantConnection | None = None) -> ParticipantConnection:
        """A usable connection: the current one, or a new one from CreateParticipantConnection (one at a time)."""
        async with chat.connection_lock:
            current = chat.connection
            if current is not None and current is not rejected and self._usable(current, need_url):
                return current
            connection = await asyncio.to_thread(self._api.create_participant_connection, chat.participant_token)
            chat.connection = connection
            if chat.contact_id in self._chats:
                self._save(chat)
            return connection

    def _usable(self, connection: ParticipantConnection, need_url: bool) -> bool:
        deadline = self._clock() + EXPIRY_MARGIN_SECONDS
        if connection.connection_expires_at <= deadline:
            return False
        return not need_url or (bool(connection.websocket_url) and connection.websocket_expires_at > deadline)

    async def _with_connection(self, chat: ConnectChat, call: Callable[[str], T]) -> T:
        """Run a Participant Service call; on a refused connection token get a new connection and retry once.

        Raises ``ConnectionRejected`` only when the participant token itself is refused (the chat is over).
        """
        connection = await self._connection(chat)
        try:
            return await asyncio.to_thread(call, connection.connection_token)
        except ConnectionRejected:
            log.info('participant.connection_refreshed contact=%s', chat.contact_id)
            connection = await self._connection(chat, rejected=connection)
            return await asyncio.to_thread(call, connection.connection_token)

    async def _call(self, chat: ConnectChat, call: Callable[[str], T]) -> T:
        """``_with_connection`` for the customer's actions: a chat that is over ends here and says so."""
        try:
            return await self._with_connection(chat, call)
        except ConnectionRejected as error:
            self._finish(chat, chat.end('participant_gone', CHAT_ENDED_TEXT))
            raise NotAllowed(ENDED_TEXT) from error

    # the websocket

    def _start_socket(self, chat: ConnectChat) -> None:
        if chat.is_ended or chat.contact_id in self._sockets:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (e.g. a CLI read): nothing to hold the socket

        async def open_url(fresh: bool) -> str:
            rejected = chat.connection if fresh else None
            return (await self._connection(chat, need_url=True, rejected=rejected)).websocket_url

        async def on_item(raw: dict[str, Any]) -> None:
            item = parse_item(raw, self._clock)
            if item is None or chat.is_ended:
                return
            try:
                events = chat.apply(item)
            except Exception:  # e.g. the meeting store failed: skip this item, keep the chat
                log.exception('participant.item_failed contact=%s', chat.contact_id)
                return
            self._finish_if_ended(chat, events)

        async def catch_up() -> None:
            try:
                items = await self._with_connection(chat, self._api.get_transcript)
            except Exception as error:  # ConnectionRejected propagates: the socket ends the chat
                if isinstance(error, ConnectionRejected):
                    raise
                log.warning('participant.catch_up_failed contact=%s error=%s', chat.contact_id, type(error).__name__)
                return
            for raw in items:
                await on_item(raw)

        async def gone() -> None:
            self._finish(chat, chat.end('participant_gone', CHAT_ENDED_TEXT))

        socket = ParticipantSocket(open_url=open_url, on_item=on_item, on_connected=catch_up, on_gone=gone,
                                   backoff=self._backoff, heartbeat_seconds=self._config.heartbeat_seconds,
                                   sleep=self._sleep, label=chat.contact_id)
        self._sockets[chat.contact_id] = socket
        socket.start()

    # state

    def _open_chat(self, contact_id: str) -> ConnectChat:
        chat = self._chats.get(contact_id) or self._resume(contact_id)
        if chat is None:
            raise NotFound('This chat has ended or does not exist.')
        if chat.is_ended:
            raise NotAllowed(ENDED_TEXT)
        return chat

    def _resume(self, contact_id: str) -> ConnectChat | None:
        """A chat this process does not hold (reload on another process, restart): from the store, socket and all."""
        session = self._sessions.participant_session(contact_id)
        if session is None:
            return None
        chat = ConnectChat(session, self._meetings, self._clock)
        self._chats[contact_id] = chat
        log.info('contact.resumed contact=%s state=%s', contact_id, chat.contact.state.value)
        if chat.is_ended:
            self._forget_later(chat)
        else:
            self._start_socket(chat)
        return chat

    def _finish_if_ended(self, chat: ConnectChat, events: list[Event]) -> None:
        if chat.is_ended and any(isinstance(e, ContactChanged) for e in events):
            self._finish(chat, events)
        else:
            self._publish(chat, events)

    def _finish(self, chat: ConnectChat, events: list[Event]) -> None:
        """Publish the end of a chat, stop its socket, keep it for a while and drop its credentials."""
        self._publish(chat, events)
        socket = self._sockets.pop(chat.contact_id, None)
        if socket is not None:
            socket.close()
        self._forget_later(chat)

    def _forget_later(self, chat: ConnectChat) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.call_later(self._config.ended_retention_seconds, self._forget, chat)

    def _forget(self, chat: ConnectChat) -> None:
        if self._chats.get(chat.contact_id) is chat:
            del self._chats[chat.contact_id]

    def _publish(self, chat: ConnectChat, events: list[Event]) -> None:
        if any(isinstance(event, ContactChanged) for event in events):
            self._save(chat)
        topic = contact_topic(chat.contact_id)
        for event in events:
            self._bus.publish(topic, event)
            if isinstance(event, ContactChanged):
                self._bus.publish(ALL_CONTACTS_TOPIC, event)

    def _save(self, chat: ConnectChat) -> None:
        """Store the chat as it is now, in a worker thread: the customer never waits for this write.

        Writes of one chat run one after another in the order asked (``asyncio.Lock`` is first come, first served),
        so the stored record is always the latest state. Without an event loop (a CLI read) it is written at once.
        """
        session = chat.to_session()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._write_session(chat.contact_id, session)
            return
        task = asyncio.get_running_loop().create_task(self._save_in_order(chat, session))
        self._saves.add(task)
        task.add_done_callback(self._saves.discard)

    async def _save_in_order(self, chat: ConnectChat, session: ParticipantSession) -> None:
        async with chat.save_lock:
            await asyncio.to_thread(self._write_session, chat.contact_id, session)

    def _write_session(self, contact_id: str, session: ParticipantSession) -> None:
        try:
            self._sessions.save_participant_session(session)
        except Exception:  # the chat goes on; only a later resume would miss this change
            log.exception('participant.save_failed contact=%s', contact_id)

    async def _send_typing(self, chat: ConnectChat) -> None:
        try:
            await self._with_connection(chat, self._api.send_typing)
        except Exception as error:  # typing is best effort
            log.info('participant.typing_failed contact=%s error=%s', chat.contact_id, type(error).__name__)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
