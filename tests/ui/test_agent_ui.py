"""The agent desktop under NiceGUI's simulated User: login, status, offers, chat, ACW, extension, tabs."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.ui.helpers import (
    accepted_chat,
    choose,
    create_agent,
    elements,
    find,
    login,
    start_chat,
    status_is,
    wait_for,
)


@pytest.fixture
def ann() -> None:
    create_agent('ann', 'Ann Agent')


async def test_agent_pages_require_login(user: User) -> None:
    await user.open('/agent')
    await user.should_see('Log in')
    await user.open('/agent/contact/anything')
    await user.should_see('Log in')


async def test_wrong_password_is_refused(ann, user: User) -> None:
    await user.open('/agent/login')
    find(user, 'username').type('ann')
    find(user, 'password').type('not the password')
    find(user, 'login').click()
    await user.should_see('Wrong username or password.')
    await user.open('/agent')
    await user.should_see('Log in')


async def test_login_shows_the_desktop_offline(ann, user: User) -> None:
    await login(user)
    await user.should_see('Ann Agent')
    await status_is(user, 'Offline')
    await user.should_see('Demo website')
    await user.should_see('No contacts yet')


async def test_status_can_be_changed(ann, user: User) -> None:
    await login(user)
    choose(user, 'status-select', 'Available')
    await status_is(user, 'Available')
    choose(user, 'status-select', 'Break')
    await status_is(user, 'Break')


async def test_full_conversation_between_agent_and_customer(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await login(agent)
    choose(agent, 'status-select', 'Available')
    await start_chat(customer, name='Cara Customer', email='cara@example.com')
    await agent.should_see('Incoming chat')
    await agent.should_see('Cara Customer')
    find(agent, 'accept').click()
    await agent.should_see('cara@example.com')
    await agent.should_see('Hi Cara Customer! Welcome to our video contact centre.')
    await customer.should_see('Ann Agent joined the chat.')
    await customer.should_see('You are chatting with an agent')

    find(customer, 'reply').type('I need help with my card')
    await agent.should_see('Customer is typing…')
    find(customer, 'send').click()
    await agent.should_see('I need help with my card')
    find(agent, 'agent-reply').type('Sure, let me look')
    await customer.should_see('Agent is typing…')
    find(agent, 'agent-send').click()
    await customer.should_see('Sure, let me look')

    find(agent, 'end-contact').click()
    await customer.should_see('The agent ended the chat.')
    await customer.should_see('This chat has ended')
    assert not elements(customer, 'reply')
    await agent.should_see('After contact work')
    find(agent, 'clear-contact').click()
    await agent.should_see('No contact selected')
    await agent.should_see('No contacts yet')


async def test_customer_ending_puts_the_contact_in_after_contact_work(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer)
    await agent.should_see('Connected')
    find(customer, 'end-chat').click()
    await agent.should_see('The customer left the chat.')
    await agent.should_see('After contact work')
    assert not elements(agent, 'agent-reply')


async def test_reject_sets_rejected_until_a_status_is_chosen(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await login(agent)
    choose(agent, 'status-select', 'Available')
    await start_chat(customer)
    (await wait_for(agent, 'reject')).click()
    await status_is(agent, 'Rejected')
    await agent.should_see('You rejected a contact. Choose a status to continue.')
    choose(agent, 'status-select', 'Available')
    await wait_for(agent, 'accept')


@pytest.mark.vce_settings(offer_timeout_seconds=2.0)
async def test_an_unanswered_offer_times_out_to_missed(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await login(agent)
    choose(agent, 'status-select', 'Available')
    await start_chat(customer)
    await agent.should_see('Incoming chat')
    await status_is(agent, 'Missed')
    await agent.should_see('You did not answer a contact. Choose a status to continue.')
    assert not elements(agent, 'offer')
    await customer.should_see('Connecting you to an agent…')


async def test_contact_view_shows_attributes_and_the_extension_panel(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer, email='cara@example.com')
    await agent.should_see('Customer 360')
    await agent.should_see('Email: cara@example.com')
    await agent.should_see('Handled by Ann Agent')
    table = find(agent, 'attributes').elements.pop()
    assert isinstance(table, ui.table)
    assert {'key': 'customerEmailAddress', 'value': 'cara@example.com'} in table.rows


async def test_unknown_contact_id_shows_a_clear_message(ann, user: User) -> None:
    await login(user)
    await user.open('/agent/contact/does-not-exist')
    await user.should_see('No such contact on your desktop.')


async def test_logout_is_refused_with_open_contacts(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer)
    await agent.should_see('Connected')
    find(agent, 'logout').click()
    await agent.should_see('You have 1 open contact. End and clear them before logging out.')
    await agent.should_see('My contacts')
    (await wait_for(agent, 'end-contact')).click()
    (await wait_for(agent, 'clear-contact')).click()
    await agent.should_see('No contact selected')
    find(agent, 'logout').click()
    await agent.should_see('Log in')
    await agent.open('/agent')
    await agent.should_see('Log in')


async def test_a_second_tab_takes_over_the_desktop(ann, user: User) -> None:
    await login(user)
    first = user.client
    await user.open('/agent')  # a second tab of the same agent (same browser session)
    await user.should_see('My contacts')
    with first:
        dialogs = [e for e in first.layout.descendants() if isinstance(e, ui.dialog)]
    assert any(d.value for d in dialogs), 'the first tab is told it was taken over'


async def test_dark_mode_is_remembered(ann, user: User) -> None:
    await login(user)
    find(user, 'dark-mode').click()
    await user.open('/agent')
    await user.should_see('My contacts')
    assert any(isinstance(e, ui.dark_mode) and e.value for e in user.client.layout.descendants())


async def test_repeated_wrong_passwords_lock_the_login(ann, user: User) -> None:
    await user.open('/agent/login')
    find(user, 'username').type('ann')
    for _ in range(5):
        find(user, 'password').clear().type('wrong password')
        find(user, 'login').click()
        await user.should_see('Wrong username or password.')
        elements(user, 'login-error')[0].set_text('')
    find(user, 'password').clear().type('agent-password')
    find(user, 'login').click()
    await user.should_see('Too many failed logins from your network. Try again in 15 minutes.')
