"""The session → contact cache: trusted only while the contact is open; the store stays the truth otherwise."""

from __future__ import annotations

import dataclasses

from backend.domain.model import Contact, ContactState
from backend.services.session_bindings import SessionBindings


class CountingStore:
    """The two binding methods of ``ContactStore``, counting reads."""

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}
        self.reads = 0

    def bind_session(self, session_hash: str, contact_id: str) -> None:
        self.bindings[session_hash] = contact_id

    def contact_for_session(self, session_hash: str) -> str | None:
        self.reads += 1
        return self.bindings.get(session_hash)


def contacts(**states: ContactState) -> dict[str, Contact]:
    return {cid: Contact(contact_id=cid, customer_name='Ann', customer_email='a@example.com', initiated_at=0.0,
                         state=state) for cid, state in states.items()}


def test_a_binding_this_process_wrote_is_read_without_the_store_while_the_chat_is_open():
    store, known = CountingStore(), contacts(c1=ContactState.QUEUED)
    bindings = SessionBindings(store)
    bindings.bind('s1', 'c1')
    assert store.bindings == {'s1': 'c1'}  # written through
    for _ in range(5):
        assert bindings.contact('s1', known.get).contact_id == 'c1'
    assert store.reads == 0


def test_a_binding_read_once_is_remembered():
    store, known = CountingStore(), contacts(c1=ContactState.CONNECTED)
    store.bindings['s1'] = 'c1'  # bound by another process (e.g. before a restart)
    bindings = SessionBindings(store)
    assert bindings.contact('s1', known.get).contact_id == 'c1'
    assert bindings.contact('s1', known.get).contact_id == 'c1'
    assert store.reads == 1


def test_a_session_without_a_binding_is_always_asked_of_the_store():
    store = CountingStore()
    bindings = SessionBindings(store)
    assert bindings.contact('s1', {}.get) is None
    assert bindings.contact('s1', {}.get) is None
    assert store.reads == 2


def test_an_ended_chat_makes_the_store_answer_again():
    """After a failover another process may have started a new chat for this session: the store must say so."""
    store, known = CountingStore(), contacts(c1=ContactState.CONNECTED, c2=ContactState.QUEUED)
    bindings = SessionBindings(store)
    bindings.bind('s1', 'c1')
    known['c1'] = dataclasses.replace(known['c1'], state=ContactState.AFTER_CONTACT_WORK)
    store.bindings['s1'] = 'c2'  # the other process's new chat
    assert bindings.contact('s1', known.get).contact_id == 'c2'
    assert bindings.contact('s1', known.get).contact_id == 'c2'
    assert store.reads == 1  # c2 is open: cached again


def test_a_contact_this_process_cannot_find_makes_the_store_answer_again():
    store = CountingStore()
    bindings = SessionBindings(store)
    bindings.bind('s1', 'gone')
    assert bindings.contact('s1', {}.get) is None
    assert store.reads == 1


def test_the_cache_is_bounded():
    store, known = CountingStore(), contacts(c1=ContactState.QUEUED, c2=ContactState.QUEUED)
    bindings = SessionBindings(store, limit=1)
    bindings.bind('s1', 'c1')
    bindings.bind('s2', 'c2')
    assert bindings.contact('s1', known.get).contact_id == 'c1'
    assert store.reads == 1  # s1 had been dropped
