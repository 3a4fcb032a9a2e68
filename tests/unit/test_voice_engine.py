"""Phone calls in the local engine: the voice flow, routing rules between calls and chats, hang-up and End call."""

from __future__ import annotations

import asyncio

import pytest

from backend.domain.errors import NotAllowed
from backend.domain.model import AgentStatus, Channel, ContactState, MessageKind, ParticipantRole
from backend.events import TypingStarted, contact_topic
from tests.unit.engine_fixtures import Refs, add_agent, chat_service, make_engine, settle, tab

GREETING = 'Hi Vic! Thank you for calling our video contact centre. Please hold while we connect you to an agent.'


async def call(engine, name='Vic'):
    contact = await engine.start_call(name=name, attributes={'customerName': name})
    await settle()
    return engine.contact(contact.contact_id)


async def chat(engine, store, bus, name='Cara', reference='', routes=None):
    service = chat_service(engine, store, bus, Refs(routes))
    contact = await service.start_chat(tab(), name=name, email='cara@example.com',
                                       reference=reference)
    await settle()
    return engine.contact(contact.contact_id)


def answer(engine, username, expected):
    offer = engine.offer_for(username)
    assert offer is not None and offer[0].contact_id == expected.contact_id, offer
    return engine.accept(username, expected.contact_id)


async def test_a_call_runs_the_voice_flow_into_the_standard_queue(centre):
    engine, _, _ = centre
    contact = await call(engine)
    assert contact.channel is Channel.VOICE and contact.customer_email == ''
    assert contact.state is ContactState.QUEUED and contact.queue_id == 'BasicQueue' and contact.priority == 5
    # calls wait in their own customer queue flow: the chats' one uses Wait, which Connect runs only on chats
    assert contact.customer_queue_flow.endswith('/contact-flow/VideoCallEscalationVoiceQueue')
    prompts = engine.transcript(contact.contact_id)
    assert [m.role for m in prompts] == [ParticipantRole.SYSTEM] * 2
    assert prompts[0].text == GREETING and prompts[0].kind is MessageKind.MESSAGE
    assert prompts[1].text.startswith('You are number 1 in the queue.')  # looped until the next refresh


async def test_a_call_without_its_flow_refuses_to_start():
    with pytest.raises(KeyError):
        make_engine(inbound_voice_flow='NoSuchFlow')


async def test_a_call_is_offered_and_answered_like_a_chat(centre):
    engine, _, _ = centre
    contact = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    connected = answer(engine, 'ann', contact)
    assert connected.state is ContactState.CONNECTED and connected.agent_username == 'ann'
    last = engine.transcript(contact.contact_id)[-1]
    assert last.text == 'Ann Agent answered the call.' and last.kind is MessageKind.EVENT


async def test_calls_are_routed_by_priority_then_age_like_chats(centre):
    engine, _, _ = centre
    older, newer = await call(engine, 'Older'), await call(engine, 'Newer')
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', older)
    engine.end_contact('ann', older.contact_id)
    engine.clear_contact('ann', older.contact_id)
    answer(engine, 'ann', newer)


async def test_a_live_call_is_exclusive(centre):
    engine, store, bus = centre
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', phone)
    waiting_chat = await chat(engine, store, bus)
    second_call = await call(engine, 'Second')
    assert engine.offer_for('ann') is None  # chat_concurrency is 2, yet nothing rings during a call
    assert engine.contact(waiting_chat.contact_id).state is ContactState.QUEUED
    assert engine.contact(second_call.contact_id).state is ContactState.QUEUED
    engine.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine.offer_for('bob')[0].contact_id == waiting_chat.contact_id  # others take them meanwhile


async def test_a_ringing_call_blocks_other_offers(centre):
    engine, store, bus = centre
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    assert engine.offer_for('ann')[0].contact_id == phone.contact_id
    waiting_chat = await chat(engine, store, bus)
    assert engine.offer_for('ann')[0].contact_id == phone.contact_id
    engine.reject('ann', phone.contact_id)
    assert engine.agent('ann').status is AgentStatus.REJECTED
    assert engine.contact(phone.contact_id).state is ContactState.QUEUED
    engine.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine.offer_for('bob')[0].contact_id == phone.contact_id  # the call kept its place, ahead of the chat
    assert engine.contact(waiting_chat.contact_id).state is ContactState.QUEUED


async def test_ending_a_call_offers_the_waiting_priority_one_chat_at_once(centre):
    engine, store, bus = centre
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', phone)
    older = await chat(engine, store, bus, name='Older')
    routed = await chat(engine, store, bus, name='Routed', reference='24681357', routes={'24681357': 'ann'})
    assert routed.priority == 1 and routed.queue_id == 'agent/id-ann'
    assert engine.offer_for('ann') is None
    engine.end_contact('ann', phone.contact_id)  # the call is in after-contact work, not cleared
    assert engine.contact(phone.contact_id).state is ContactState.AFTER_CONTACT_WORK
    assert engine.offer_for('ann')[0].contact_id == routed.contact_id  # ahead of the older priority-5 chat
    engine.accept('ann', routed.contact_id)
    assert engine.offer_for('ann')[0].contact_id == older.contact_id  # chat capacity 2 counts only chats


async def test_a_call_in_after_contact_work_blocks_only_the_next_call(centre):
    engine, store, bus = centre
    first = await call(engine, 'First')
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', first)
    second = await call(engine, 'Second')
    engine.end_contact('ann', first.contact_id)
    assert engine.offer_for('ann') is None  # voice capacity 1: the call in ACW still holds it
    waiting_chat = await chat(engine, store, bus)
    answer(engine, 'ann', waiting_chat)
    engine.end_contact('ann', waiting_chat.contact_id)
    engine.clear_contact('ann', waiting_chat.contact_id)
    assert engine.offer_for('ann') is None  # still only the call in after-contact work
    engine.clear_contact('ann', first.contact_id)
    assert engine.offer_for('ann')[0].contact_id == second.contact_id


async def test_a_call_is_not_offered_to_an_agent_with_a_connected_chat(centre):
    engine, store, bus = centre
    talking = await chat(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', talking)
    phone = await call(engine)
    assert engine.offer_for('ann') is None  # room for another chat, but a call needs an agent with nothing live
    second_chat = await chat(engine, store, bus, name='Dan')
    assert engine.offer_for('ann')[0].contact_id == second_chat.contact_id  # a later chat goes past the call
    engine.set_agent_status('bob', AgentStatus.AVAILABLE)
    assert engine.offer_for('bob')[0].contact_id == phone.contact_id


async def test_a_call_waits_for_an_agent_to_finish_their_chats(centre):
    engine, store, bus = centre
    talking = await chat(engine, store, bus)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', talking)
    phone = await call(engine)
    engine.end_contact('ann', talking.contact_id)
    assert engine.offer_for('ann')[0].contact_id == phone.contact_id  # a chat in ACW is not live


async def test_chat_messages_are_refused_on_calls(centre):
    engine, _, bus = centre
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', phone)
    before = engine.transcript(phone.contact_id)
    with pytest.raises(NotAllowed, match='phone call: chat messages cannot be sent'):
        await engine.customer_message(phone.contact_id, 'hello?')
    with pytest.raises(NotAllowed, match='phone call: chat messages cannot be sent'):
        engine.agent_message('ann', phone.contact_id, 'hello?')
    typing = []
    bus.subscribe(contact_topic(phone.contact_id), lambda e: typing.append(e) if isinstance(e, TypingStarted) else 0)
    engine.customer_typing(phone.contact_id)
    engine.agent_typing('ann', phone.contact_id)
    assert typing == [] and engine.transcript(phone.contact_id) == before


async def test_the_customer_hanging_up_gives_after_contact_work(centre):
    engine, _, _ = centre
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', phone)
    await engine.customer_end(phone.contact_id)
    assert engine.contact(phone.contact_id).state is ContactState.AFTER_CONTACT_WORK
    assert engine.transcript(phone.contact_id)[-1].text == 'The customer hung up.'
    engine.clear_contact('ann', phone.contact_id)
    assert engine.contact(phone.contact_id).state is ContactState.ENDED


async def test_the_agent_ending_the_call_gives_after_contact_work(centre):
    engine, _, _ = centre
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', phone)
    engine.end_contact('ann', phone.contact_id)
    assert engine.contact(phone.contact_id).state is ContactState.AFTER_CONTACT_WORK
    assert engine.transcript(phone.contact_id)[-1].text == 'The agent ended the call.'


async def test_hanging_up_while_waiting_ends_the_call(centre):
    engine, _, _ = centre
    phone = await call(engine)
    await engine.customer_end(phone.contact_id)
    assert engine.contact(phone.contact_id).state is ContactState.ENDED
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    assert engine.offer_for('ann') is None


async def test_an_unanswered_call_goes_back_and_the_agent_is_missed():
    engine, store, _ = make_engine(offer_timeout=0.05)
    add_agent(store, 'ann')
    await engine.start()
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    assert engine.offer_for('ann') is not None
    await asyncio.sleep(0.1)
    assert engine.agent('ann').status is AgentStatus.MISSED
    assert engine.contact(phone.contact_id).state is ContactState.QUEUED
    await engine.stop()


async def test_a_connected_call_survives_a_restart(tmp_path):
    path = tmp_path / 'vce.sqlite3'
    engine, store, _ = make_engine(path)
    add_agent(store, 'ann')
    await engine.start()
    phone = await call(engine)
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    answer(engine, 'ann', phone)
    engine2, _, _ = make_engine(path)
    await engine2.start()
    restored = engine2.contact(phone.contact_id)
    assert restored.channel is Channel.VOICE and restored.state is ContactState.CONNECTED
    await engine2.stop()
    await engine.stop()
