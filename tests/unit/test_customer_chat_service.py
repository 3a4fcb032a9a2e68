"""Customer chat use cases: every bad input gets a clear message and changes nothing."""

from __future__ import annotations

import pytest

from backend.domain.errors import InvalidInput
from backend.domain.model import ContactState
from backend.domain.validation import MAX_MESSAGE_LENGTH, MAX_NAME_LENGTH
from tests.unit.engine_fixtures import Refs, chat_service, make_engine, settle

KEY = 'tab-0123456789abcdef'


@pytest.fixture
async def chat():
    engine, store, bus = make_engine()
    await engine.start()
    yield chat_service(engine, store, bus, Refs({'24681357': 'ann'})), store
    await engine.stop()


@pytest.mark.parametrize(('name', 'email', 'reference', 'message'), [
    ('', 'a@example.com', '', 'Please enter your name.'),
    ('   ', 'a@example.com', '', 'Please enter your name.'),
    ('x' * (MAX_NAME_LENGTH + 1), 'a@example.com', '', 'Please keep your name to 64 characters or fewer.'),
    ('Ann', '', '', 'Please enter your email address.'),
    ('Ann', 'not-an-email', '', 'Please enter a valid email address'),
    ('Ann', 'ann@@example.com', '', 'Please enter a valid email address'),
    ('Ann', 'ann@example', '', 'Please enter a valid email address'),
    ('Ann', 'a@example.com', '12ab', 'A reference is the 8-digit number your agent gave you.'),
    ('Ann', 'a@example.com', '２４６８１３５７', 'A reference is the 8-digit number your agent gave you.'),  # fullwidth
    ('Ann', 'a@example.com', '2468\u06f13\u06f157', 'A reference is the 8-digit number your agent gave you.'),
])
async def test_bad_start_input_is_refused_and_nothing_starts(chat, name, email, reference, message):
    service, store = chat
    with pytest.raises(InvalidInput, match=message.replace('.', r'\.')):
        await service.start_chat(KEY, name=name, email=email, reference=reference)
    assert service.current_contact(KEY) is None
    assert store.open_contacts() == []


async def test_start_whitelists_attributes_and_binds_the_session(chat):
    service, _ = chat
    contact = await service.start_chat(KEY, name='  Ann   Lee ', email='Ann@Example.COM')
    assert contact.customer_name == 'Ann Lee'
    assert contact.customer_email == 'Ann@example.com'
    assert set(contact.attributes) == {'customerName', 'customerEmailAddress'}
    assert service.current_contact(KEY).contact_id == contact.contact_id
    assert service.current_contact('tab-another-tab-0000') is None


async def test_double_submit_resumes_the_running_chat(chat):
    service, store = chat
    first = await service.start_chat(KEY, name='Ann', email='a@example.com')
    second = await service.start_chat(KEY, name='Ann', email='a@example.com')
    assert first.contact_id == second.contact_id
    assert len(store.open_contacts()) == 1


async def test_a_redeemed_reference_routes_to_the_agent(chat):
    service, _ = chat
    contact = await service.start_chat(KEY, name='Ann', email='a@example.com', reference='2468 1357')
    assert contact.attributes['videoRouteToAgent'] == 'id-ann'  # the agent's id: what Connect's AgentId takes
    assert contact.attributes['videoReferenceId'] == '24681357'


@pytest.mark.parametrize(('text', 'message'), [
    ('', 'Type a message before sending.'),
    ('   \n ', 'Type a message before sending.'),
    ('x' * (MAX_MESSAGE_LENGTH + 1), 'Messages can be at most 1024 characters'),
])
async def test_bad_messages_are_refused_and_not_stored(chat, text, message):
    service, _ = chat
    await service.start_chat(KEY, name='Ann', email='a@example.com')
    await settle()
    before = service.transcript(KEY)
    with pytest.raises(InvalidInput, match=message):
        await service.send(KEY, text)
    assert service.transcript(KEY) == before


async def test_a_message_of_exactly_the_limit_is_accepted(chat):
    service, _ = chat
    await service.start_chat(KEY, name='Ann', email='a@example.com')
    message = await service.send(KEY, 'y' * MAX_MESSAGE_LENGTH)
    assert len(message.text) == MAX_MESSAGE_LENGTH


async def test_sending_without_a_chat_is_refused(chat):
    service, _ = chat
    with pytest.raises(InvalidInput, match=r'Start a chat first\.'):
        await service.send(KEY, 'hello')


async def test_a_short_session_key_is_refused(chat):
    service, _ = chat
    with pytest.raises(InvalidInput, match='reload'):
        await service.start_chat('short', name='Ann', email='a@example.com')


async def test_ending_then_starting_again_opens_a_new_chat(chat):
    service, _ = chat
    first = await service.start_chat(KEY, name='Ann', email='a@example.com')
    await service.end_chat(KEY)
    assert service.current_contact(KEY).state is ContactState.ENDED
    second = await service.start_chat(KEY, name='Ann', email='a@example.com')
    assert second.contact_id != first.contact_id
