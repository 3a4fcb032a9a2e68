"""The local contact-centre engine: flows, queues, routing order, capacity, offers, lifecycle, restart."""

from __future__ import annotations

import asyncio

import pytest

from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import AgentStatus, ContactState, MessageKind, ParticipantRole
from backend.events import AgentChanged, ContactChanged, MessageAdded, agent_topic, contact_topic
from tests.unit.engine_fixtures import Refs, add_agent, chat_service, make_engine, settle, tab


async def start(engine, store, bus, name='Cara', refs=None, reference='', email='cara@example.com'):
    chat = chat_service(engine, store, bus, refs)
    key = tab()
    contact = await chat.start_chat(key, name=name, email=email, reference=reference)
    await settle()
    return chat, key, engine.contact(contact.contact_id)


async def test_chat_runs_the_inbound_flow_into_the_standard_queue(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus)
    assert contact.state is ContactState.QUEUED
    assert contact.queue_id == 'BasicQueue'
    assert contact.priority == 5
    assert contact.attributes['videoRecordingAutoStartEnabled'] == 'false'
    texts = [m.text for m in chat.transcript(key)]
    assert texts[0] == 'Hi Cara! Welcome to our video contact centre.'
    assert texts[1].startswith('You are number 1 in the queue.')


async def test_queue_position_counts_contacts_ahead(centre):
    engine, store, bus = centre
    await start(engine, store, bus, name='First')
    chat, key, _ = await start(engine, store, bus, name='Second')
    assert chat.transcript(key)[1].text.startswith('You are number 2 in the queue.')


async def test_available_agent_is_offered_and_accepting_connects(centre):
    engine, store, bus = centre
    events = []
    bus.subscribe(agent_topic('ann'), events.append)
    chat, key, contact = await start(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    offer = engine.offer_for('ann')
    assert offer is not None and offer[0].contact_id == contact.contact_id
    assert any(isinstance(e, ContactChanged) and e.offer_expires_at for e in events)
    engine.accept('ann', contact.contact_id)
    assert engine.contact(contact.contact_id).state is ContactState.CONNECTED
    assert chat.transcript(key)[-1].text == 'Ann Agent joined the chat.'
    assert chat.transcript(key)[-1].kind is MessageKind.EVENT


async def test_routing_prefers_priority_then_age(centre):
    engine, store, bus = centre
    _, _, older = await start(engine, store, bus, name='Older')
    _, _, newer = await start(engine, store, bus, name='Newer')
    _, _, urgent = await start(engine, store, bus, name='Urgent', refs=Refs({'12345678': 'ann'}),
                               reference='12345678')
    assert urgent.priority == 1 and urgent.queue_id == 'agent/id-ann'
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    order = []
    for _ in range(3):
        offered = engine.offer_for('ann')[0]
        order.append(offered.customer_name)
        engine.accept('ann', offered.contact_id)
        engine.end_contact('ann', offered.contact_id)
        engine.clear_contact('ann', offered.contact_id)
    assert order == ['Urgent', 'Older', 'Newer']
    assert {older.contact_id, newer.contact_id, urgent.contact_id} == {c.contact_id for c in [older, newer, urgent]}


async def test_personal_queue_is_offered_only_to_its_agent(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus, refs=Refs({'87654321': 'bob'}), reference='87654321')
    assert 'validated' in chat.transcript(key)[1].text
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    assert engine.offer_for('ann') is None
    engine.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine.offer_for('bob')[0].contact_id == contact.contact_id


async def test_invalid_reference_apologises_and_disconnects(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus, reference='11112222')
    assert contact.state is ContactState.ENDED
    assert contact.attributes['videoReferenceId'] == 'error'
    assert any('not valid' in m.text for m in chat.transcript(key))


async def test_capacity_limits_concurrent_chats():
    engine, store, bus = make_engine(chat_concurrency=2)
    add_agent(store, 'ann')
    await engine.start()
    contacts = [(await start(engine, store, bus, name=f'C{i}'))[2] for i in range(3)]
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    for _ in range(2):
        engine.accept('ann', engine.offer_for('ann')[0].contact_id)
    assert engine.offer_for('ann') is None  # at capacity: the third waits
    assert engine.contact(contacts[2].contact_id).state is ContactState.QUEUED
    first = contacts[0].contact_id
    engine.end_contact('ann', first)
    assert engine.offer_for('ann') is None  # after-contact work still counts against capacity
    engine.clear_contact('ann', first)
    assert engine.offer_for('ann')[0].contact_id == contacts[2].contact_id
    await engine.stop()


async def test_offer_timeout_requeues_and_marks_agent_missed():
    engine, store, bus = make_engine(offer_timeout=0.05)
    add_agent(store, 'ann')
    add_agent(store, 'bob')
    await engine.start()
    _, _, contact = await start(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    assert engine.offer_for('ann') is not None
    await asyncio.sleep(0.1)
    assert engine.agent('ann').status is AgentStatus.MISSED
    assert engine.contact(contact.contact_id).state is ContactState.QUEUED
    assert engine.offer_for('ann') is None
    with pytest.raises(NotAllowed):
        engine.accept('ann', contact.contact_id)
    engine.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine.offer_for('bob')[0].contact_id == contact.contact_id
    await engine.stop()


async def test_missed_and_rejected_are_not_selectable(centre):
    engine, _, _ = centre
    with pytest.raises(NotAllowed):
        engine.set_agent_status('ann', AgentStatus.MISSED)


async def test_reject_requeues_keeping_place_and_marks_rejected(centre):
    engine, store, bus = centre
    _, _, first = await start(engine, store, bus, name='First')
    await start(engine, store, bus, name='Second')
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.reject('ann', engine.offer_for('ann')[0].contact_id)
    assert engine.agent('ann').status is AgentStatus.REJECTED
    engine.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine.offer_for('bob')[0].contact_id == first.contact_id  # still first in line


async def test_going_on_break_withdraws_the_offer(centre):
    engine, store, bus = centre
    _, _, contact = await start(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.set_agent_status('ann', AgentStatus.BREAK)
    assert engine.offer_for('ann') is None
    assert engine.contact(contact.contact_id).state is ContactState.QUEUED


async def test_messages_flow_both_ways_and_are_stored_before_returning(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus)
    seen = []
    bus.subscribe(contact_topic(contact.contact_id), seen.append)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    sent = await chat.send(key, '<b>not bold</b>')
    assert store.transcript(contact.contact_id)[-1] == sent  # durable before acknowledged
    assert sent.text == '<b>not bold</b>' and sent.role is ParticipantRole.CUSTOMER
    reply = engine.agent_message('ann', contact.contact_id, 'Hello Cara')
    assert reply.display_name == 'Ann Agent'
    assert [e.message.text for e in seen if isinstance(e, MessageAdded)][-2:] == ['<b>not bold</b>', 'Hello Cara']
    assert [m.seq for m in chat.transcript(key)] == list(range(1, len(chat.transcript(key)) + 1))


async def test_other_agents_cannot_touch_a_contact(centre):
    engine, store, bus = centre
    _, _, contact = await start(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    with pytest.raises(NotFound):
        engine.agent_message('bob', contact.contact_id, 'hi')
    with pytest.raises(NotFound):
        engine.end_contact('bob', contact.contact_id)
    with pytest.raises(NotFound):
        engine.agent_message('ann', 'no-such-contact', 'hi')


async def test_customer_leaving_a_connected_chat_gives_after_contact_work(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    await chat.end_chat(key)
    assert engine.contact(contact.contact_id).state is ContactState.AFTER_CONTACT_WORK
    with pytest.raises(NotAllowed):
        engine.agent_message('ann', contact.contact_id, 'still there?')
    with pytest.raises(NotAllowed):
        await chat.send(key, 'hello?')
    engine.clear_contact('ann', contact.contact_id)
    assert engine.contact(contact.contact_id).state is ContactState.ENDED
    assert engine.agent_contacts('ann') == []


async def test_customer_leaving_while_queued_ends_the_contact(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus)
    await chat.end_chat(key)
    assert engine.contact(contact.contact_id).state is ContactState.ENDED
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    assert engine.offer_for('ann') is None


async def test_agent_ending_tells_the_customer(centre):
    engine, store, bus = centre
    chat, key, contact = await start(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    with pytest.raises(NotAllowed):
        engine.clear_contact('ann', contact.contact_id)
    engine.end_contact('ann', contact.contact_id)
    assert chat.transcript(key)[-1].text == 'The agent ended the chat.'
    assert chat.current_contact(key).state is ContactState.AFTER_CONTACT_WORK


async def test_status_changes_are_published(centre):
    engine, _, bus = centre
    events = []
    bus.subscribe(agent_topic('ann'), events.append)
    engine.set_agent_status('ann', AgentStatus.BREAK)
    assert [e.agent.status for e in events if isinstance(e, AgentChanged)] == [AgentStatus.BREAK]


async def test_queue_at_capacity_tells_the_customer_and_disconnects():
    engine, store, bus = make_engine(queue_max_contacts=1)
    await engine.start()
    await start(engine, store, bus, name='First')
    chat, key, contact = await start(engine, store, bus, name='Second')
    assert contact.state is ContactState.ENDED
    assert any('queue is full' in m.text for m in chat.transcript(key))
    await engine.stop()


async def test_restart_resumes_every_open_contact(tmp_path):
    path = tmp_path / 'vce.sqlite3'
    engine, store, bus = make_engine(path)
    add_agent(store, 'ann')
    add_agent(store, 'bob')
    await engine.start()
    chat, key, talking = await start(engine, store, bus, name='Talking')
    _, _, offered = await start(engine, store, bus, name='Offered')
    _, _, waiting = await start(engine, store, bus, name='Waiting')
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', talking.contact_id)
    await chat.send(key, 'before the crash')
    assert engine.offer_for('ann')[0].contact_id == offered.contact_id
    history = [m.text for m in chat.transcript(key)]
    # simulate kill -9: the old engine just vanishes (no stop, no close)

    engine2, store2, bus2 = make_engine(path)
    await engine2.start()
    await settle()
    assert engine2.contact(talking.contact_id).state is ContactState.CONNECTED
    assert [m.text for m in engine2.transcript(talking.contact_id)] == history
    # the unanswered offer went back to its queue and routing carries on
    assert engine2.contact(waiting.contact_id).state is ContactState.QUEUED
    offer = engine2.offer_for('ann')
    assert offer is not None and offer[0].contact_id == offered.contact_id
    engine2.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine2.offer_for('bob')[0].contact_id == waiting.contact_id
    engine2.agent_message('ann', talking.contact_id, 'after the restart')
    chat2 = chat_service(engine2, store2, bus2)
    assert chat2.current_contact(key).contact_id == talking.contact_id  # the tab's session survived
    assert chat2.transcript(key)[-1].text == 'after the restart'
    await engine2.stop()
    await engine.stop()


async def test_one_dispatch_gives_each_ready_agent_the_best_contact_it_may_take(tmp_path):
    path = tmp_path / 'vce.sqlite3'
    engine, store, bus = make_engine(path, chat_concurrency=2)
    for username in ('ann', 'bob', 'cid'):
        add_agent(store, username)
    await engine.start()
    for name in ('First', 'Second'):
        await start(engine, store, bus, name=name)
    await start(engine, store, bus, name='For Bob', refs=Refs({'12345678': 'bob'}), reference='12345678')
    _, _, third = await start(engine, store, bus, name='Third')
    for username in ('cid', 'ann', 'bob'):  # cid has been Available the longest
        engine.set_agent_status(username, AgentStatus.AVAILABLE)
    # a restart puts the offered contacts back in their queues, and one dispatch routes them all again
    engine2, _, _ = make_engine(path, chat_concurrency=2)
    await engine2.start()
    offered = {username: engine2.offer_for(username)[0].customer_name for username in ('ann', 'bob', 'cid')}
    assert offered == {'cid': 'First', 'ann': 'Second', 'bob': 'For Bob'}  # priority 1, but only in bob's queue
    assert engine2.contact(third.contact_id).state is ContactState.QUEUED  # each agent gets one offer at a time
    await engine2.stop()
    await engine.stop()
