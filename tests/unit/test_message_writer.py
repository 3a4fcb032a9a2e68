"""Customers' messages are stored many per transaction by the writer thread: each one is in the file before its send
returns or anyone sees it, in sequence order with the messages the loop stores itself, and ``kill -9`` loses nothing
that was acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import AgentStatus, ParticipantRole
from backend.events import MessageAdded, contact_topic
from tests.unit.engine_fixtures import add_agent, chat_service, make_engine, settle, tab

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER_ACKS = 300
CHILD_SECONDS = 60  # the child gives up by itself if nobody kills it


async def connected_chat(engine, store, bus, name='Kim'):  # type: ignore[no-untyped-def]
    chat, key = chat_service(engine, store, bus), tab()
    contact = await chat.start_chat(key, name=name, email=f'{name.lower()}@example.com')
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    return chat, key, contact


def published(bus, contact_id: str) -> list:  # type: ignore[no-untyped-def]
    seen: list = []
    bus.subscribe(contact_topic(contact_id), lambda e: seen.append(e.message) if isinstance(e, MessageAdded) else None)
    return seen


def count_transactions(store: SqliteStore) -> list[int]:
    """The size of every batch the store is asked to write from now on."""
    sizes: list[int] = []
    original = store.append_messages

    def append_messages(drafts):  # type: ignore[no-untyped-def]
        sizes.append(len(drafts))
        return original(drafts)

    store.append_messages = append_messages  # type: ignore[method-assign]
    return sizes


async def test_a_send_returns_only_when_its_message_is_in_the_file(tmp_path) -> None:
    path = tmp_path / 'vce.sqlite3'
    engine, store, bus = make_engine(path)
    add_agent(store, 'ann')
    await engine.start()
    chat, key, contact = await connected_chat(engine, store, bus)
    seen = published(bus, contact.contact_id)
    sent = await chat.send(key, 'Is this stored?')
    other_connection = SqliteStore(path)  # what another process (or the next start) reads
    assert other_connection.transcript(contact.contact_id)[-1] == sent
    assert seen == [sent]
    other_connection.close()
    await engine.stop()


async def test_concurrent_sends_share_transactions_and_keep_each_chats_order() -> None:
    engine, store, bus = make_engine(chat_concurrency=3)
    add_agent(store, 'ann')
    await engine.start()
    chats = [await connected_chat(engine, store, bus, name) for name in ('Kim', 'Lou', 'Max')]
    seen = {contact.contact_id: published(bus, contact.contact_id) for _, _, contact in chats}
    sizes = count_transactions(store)

    returned = await asyncio.gather(*(chat.send(key, f'{contact.customer_name} {n}')
                                      for n in range(40) for chat, key, contact in chats))

    assert sum(sizes) == 120 and len(sizes) < 120  # group commit: fewer transactions than messages
    for chat, key, contact in chats:
        texts = [m.text for m in chat.transcript(key) if m.role is ParticipantRole.CUSTOMER]
        assert texts == [f'{contact.customer_name} {n}' for n in range(40)]
        stored = store.transcript(contact.contact_id)
        assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
        assert seen[contact.contact_id] == [m for m in stored if m.role is ParticipantRole.CUSTOMER]
    assert all(m in store.transcript(m.contact_id) for m in returned)
    await engine.stop()


async def test_messages_stored_on_the_loop_are_published_in_sequence_order_with_the_writers(centre) -> None:
    engine, store, bus = centre
    chat, key, contact = await connected_chat(engine, store, bus)
    seen = published(bus, contact.contact_id)
    sends = [asyncio.ensure_future(chat.send(key, f'customer {n}')) for n in range(30)]
    replies = []
    for n in range(10):  # the agent answers while customer messages are queued or being written
        await asyncio.sleep(0)
        replies.append(engine.agent_message('ann', contact.contact_id, f'agent {n}'))
    await asyncio.gather(*sends)
    seqs = [m.seq for m in seen]
    assert seqs == sorted(seqs) and len(seqs) == 40
    assert seen == [m for m in store.transcript(contact.contact_id) if m.seq >= seen[0].seq]
    assert [m.text for m in seen if m.role is ParticipantRole.AGENT] == [r.text for r in replies]


async def test_a_cancelled_send_is_still_published_once_stored(centre) -> None:
    engine, store, bus = centre
    chat, key, contact = await connected_chat(engine, store, bus)
    seen = published(bus, contact.contact_id)
    send = asyncio.ensure_future(chat.send(key, 'the page went away'))
    await asyncio.sleep(0)  # queued for the writer
    send.cancel()
    follow_up = await chat.send(key, 'next')
    assert [m.text for m in seen] == ['the page went away', 'next']
    assert store.transcript(contact.contact_id)[-1] == follow_up


async def test_stop_stores_what_was_queued(tmp_path) -> None:
    path = tmp_path / 'vce.sqlite3'
    engine, store, bus = make_engine(path)
    add_agent(store, 'ann')
    await engine.start()
    chat, key, contact = await connected_chat(engine, store, bus)
    sends = [asyncio.ensure_future(chat.send(key, f'late {n}')) for n in range(20)]
    await asyncio.sleep(0)
    await engine.stop()
    assert [m.text for m in SqliteStore(path).transcript(contact.contact_id)][-20:] == [f'late {n}' for n in range(20)]
    returned = await asyncio.wait_for(asyncio.gather(*sends), 5)  # and every send got its answer
    assert [m.text for m in returned] == [f'late {n}' for n in range(20)]


CHILD = '''
import asyncio, sys
from backend.domain.model import AgentStatus
from tests.unit.engine_fixtures import add_agent, chat_service, make_engine, settle, tab

async def main(path: str, seconds: float) -> None:
    engine, store, bus = make_engine(path)
    add_agent(store, 'ann')
    await engine.start()
    chat, key = chat_service(engine, store, bus), tab()
    contact = await chat.start_chat(key, name='Kim', email='kim@example.com')
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    print('contact', contact.contact_id, flush=True)

    async def send(n: int) -> None:
        await chat.send(key, f'message {n}')
        print('acked', n, flush=True)  # the send returned: the customer's page would clear the box now

    deadline = asyncio.get_running_loop().time() + seconds
    n = 0
    while asyncio.get_running_loop().time() < deadline:  # bursts of concurrent sends until killed
        await asyncio.gather(*(send(n + i) for i in range(25)))
        n += 25

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
'''


def test_kill_9_loses_no_acknowledged_message(tmp_path) -> None:
    path = tmp_path / 'vce.sqlite3'
    child = subprocess.Popen([sys.executable, '-c', CHILD, str(path), str(CHILD_SECONDS)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': str(ROOT)})
    watchdog = threading.Timer(CHILD_SECONDS + 30, child.kill)
    watchdog.start()
    acked: list[str] = []
    contact_id = ''
    try:
        assert child.stdout is not None
        for line in child.stdout:
            word, value = line.split()
            if word == 'contact':
                contact_id = value
            else:
                acked.append(f'message {value}')
                if len(acked) >= KILL_AFTER_ACKS:
                    os.kill(child.pid, signal.SIGKILL)  # mid-stream: more sends are queued or being written
                    break
    finally:
        child.kill()
        child.wait(timeout=30)
        watchdog.cancel()
    assert child.returncode == -signal.SIGKILL
    assert len(acked) >= KILL_AFTER_ACKS

    transcript = SqliteStore(path).transcript(contact_id)
    stored = [m for m in transcript if m.role is ParticipantRole.CUSTOMER]
    assert set(acked) <= {m.text for m in stored}  # everything acknowledged survived
    assert [m.seq for m in transcript] == list(range(1, len(transcript) + 1))
    numbers = [int(m.text.split()[1]) for m in stored]
    assert numbers == sorted(numbers)  # stored in the order they were sent
