"""Customers' chat messages stored by a writer thread, many per transaction (group commit), each acknowledged only
once it is durable.

Every message used to commit on the event loop, one transaction each, and every few hundred commits SQLite's
checkpoint copied the write-ahead log into the file, on the loop as well. Now the loop queues the message and
awaits it; the writer thread takes whatever is queued, stores it in one transaction, and hands the stored messages
back to the loop in commit order. There, each message's ``on_stored`` runs (the engine publishes it) and then its
future resolves (the customer's send returns): nothing is shown or acknowledged before it is in the file, so an
acknowledged message survives ``kill -9`` as before.

Messages the loop stores itself (the agent's, the flows', the events) are stored inside ``ordered()``: meanwhile the
writer commits nothing, and what it committed earlier is delivered first, so every message of a contact is published
in the order of its sequence number (a transcript drops a message numbered below one it already shows).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from backend.adapters.local.sqlite_store import MessageDraft, SqliteStore
from backend.domain.model import Message

log = logging.getLogger('vce.engine')

MAX_BATCH = 500  # messages per transaction; more wait for the next one
IDLE_SECONDS = 5.0  # the thread ends when nothing was queued for this long (and starts again with the next message)


@dataclass(slots=True)
class _Pending:
    draft: MessageDraft
    future: asyncio.Future[Message]
    on_stored: Callable[[Message], None]


class MessageWriter:
    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._done: collections.deque[tuple[_Pending, Message | Exception]] = collections.deque()
        self._order = threading.RLock()  # held while committing a batch, or a message stored on the loop
        self._thread_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    async def append(self, draft: MessageDraft, on_stored: Callable[[Message], None]) -> Message:
        """Store ``draft``; once it is committed, run ``on_stored`` on the loop (in commit order, even if the caller
        was cancelled meanwhile), then return the stored message."""
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        with self._thread_lock:
            if self._closed:
                raise RuntimeError('the message writer is closed')
            self._queue.put(_Pending(draft, future, on_stored))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name='vce-message-writer', daemon=True)
                self._thread.start()
        return await future

    @contextmanager
    def ordered(self) -> Iterator[None]:
        """Around storing and publishing a message on the loop: the writer waits, earlier commits go out first."""
        with self._order:
            self.deliver()
            yield

    def deliver(self) -> None:
        """On the loop: run ``on_stored`` and resolve the futures of everything committed so far, in commit order."""
        while self._done:
            pending, outcome = self._done.popleft()
            if isinstance(outcome, Exception):
                if not pending.future.done():
                    pending.future.set_exception(outcome)
                continue
            try:
                pending.on_stored(outcome)
            except Exception:
                log.exception('message.publish_failed contact=%s', outcome.contact_id)
            if not pending.future.done():
                pending.future.set_result(outcome)

    def close(self) -> None:
        """Store what is queued, stop the thread, deliver what it committed (call on the loop)."""
        with self._thread_lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join()
        self.deliver()

    # the writer thread

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if not batch:
                return
            with self._order:
                try:
                    outcomes: list[Message] | list[Exception] = self._store.append_messages([p.draft for p in batch])
                except Exception as error:  # the transaction rolled back: none of the batch is stored
                    log.exception('message.store_failed messages=%d', len(batch))
                    outcomes = [error] * len(batch)
                self._done.extend(zip(batch, outcomes, strict=True))
            try:
                batch[0].future.get_loop().call_soon_threadsafe(self.deliver)
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                pass

    def _next_batch(self) -> list[_Pending]:
        """Everything queued (up to MAX_BATCH), waiting for the first; empty when the thread should end."""
        try:
            first = self._queue.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            with self._thread_lock:
                if self._queue.empty():
                    self._thread = None
                    return []
            first = self._queue.get()
        if first is None:
            return []
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:  # close(): store this batch, then stop
                self._queue.put(None)
                break
            batch.append(item)
        return batch
