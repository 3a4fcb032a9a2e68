"""One client flooding the customer pages (docs/security/flood.md), under NiceGUI's simulated User: every User
comes from the same address (127.0.0.1), i.e. from one client network."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import Client
from nicegui.testing import User

from tests.ui.helpers import elements, fill_and_start, find, start_chat

LIMIT_TEXT = 'Too many chat requests from your network. Please try again in 10 minutes.'


def page_gone(page: User | Client) -> None:
    """The browser tab closed, navigated away or lost its network: the page's socket disconnects for good."""
    client = page.client if isinstance(page, User) else page
    assert client is not None
    for socket_id in list(client._socket_to_document_id):
        client.handle_disconnect(socket_id)


@pytest.mark.vce_settings(chat_start_limit=2)
async def test_a_network_over_the_chat_start_limit_is_told_and_no_chat_starts(create_user) -> None:
    first, second, third = create_user(), create_user(), create_user()  # three tabs, one network
    await start_chat(first, name='Cara')
    await start_chat(second, name='Carl')

    await fill_and_start(third, name='Cleo', email='cleo@example.com', reference='')

    await third.should_see(LIMIT_TEXT)
    await third.should_not_see('Welcome to our video contact centre.')
    assert elements(third, 'start-chat'), 'the form stays, filled in, for a later try'


@pytest.mark.vce_settings(chat_start_limit=100, chat_open_limit=1)
async def test_a_network_with_too_many_open_chats_is_told(create_user) -> None:
    first, second = create_user(), create_user()
    await start_chat(first, name='Cara')

    await fill_and_start(second, name='Carl', email='carl@example.com', reference='')

    await second.should_see('Too many chats open from your network. Please try again in a few minutes.')
    await second.should_not_see('Welcome to our video contact centre.')


@pytest.mark.vce_settings(call_start_limit=1)
async def test_a_network_over_the_call_limit_is_told_on_the_phone_page(create_user) -> None:
    first, second = create_user(), create_user()
    for user in (first, second):
        await user.open('/call')
        await user.should_see('Call us')
        find(user, 'caller-name').type('Vic Caller')
        find(user, 'call').click()
    await first.should_see('Calling Example Bank…')

    await second.should_see('Too many calls from your network. Please try again in 10 minutes.')
    await second.should_not_see('Calling Example Bank…')


@pytest.mark.vce_settings(customer_disconnect_grace_seconds=0.5)
async def test_a_chat_whose_page_has_gone_ends_and_frees_the_queue(create_user) -> None:
    gone, next_customer = create_user(), create_user()
    await start_chat(gone, name='Gail')
    await gone.should_see('You are number 1 in the queue.', retries=50)

    page_gone(gone)

    await gone.should_see('This chat has ended')  # the page's elements still follow the contact on the server
    await start_chat(next_customer, name='Nora')
    await next_customer.should_see('You are number 1 in the queue.')  # the abandoned chat holds no place


@pytest.mark.vce_settings(customer_disconnect_grace_seconds=1)
async def test_a_reload_within_the_grace_keeps_the_chat(user: User) -> None:
    await start_chat(user, name='Cara')
    page_gone(user)
    await user.open('/')  # the reload: a new page of the same tab connects
    await asyncio.sleep(1.5)  # the old page's grace has run out meanwhile

    await user.should_see('Hi Cara! Welcome to our video contact centre.')
    await user.should_see('Connecting you to an agent…')
    find(user, 'reply').type('Still here')
    find(user, 'send').click()
    await user.should_see('Still here')


@pytest.mark.vce_settings(customer_disconnect_grace_seconds=0.5)
async def test_a_call_whose_page_has_gone_hangs_up(user: User) -> None:
    await user.open('/call')
    await user.should_see('Call us')
    find(user, 'caller-name').type('Vic Caller')
    find(user, 'call').click()
    await user.should_see('Calling Example Bank…')

    page_gone(user)

    await user.should_see('Call ended')


@pytest.mark.vce_settings(customer_disconnect_grace_seconds=0.5)
async def test_going_from_the_chat_to_the_phone_page_in_the_same_tab_keeps_the_chat(user: User) -> None:
    await start_chat(user, name='Cara')
    website = user.client
    assert website is not None
    await user.open('/call')  # the header's "Call us" link: another page of the same tab
    await user.should_see('Call us')
    page_gone(website)
    await asyncio.sleep(1.0)  # the website page has been gone longer than the grace

    await user.open('/')  # and back
    await user.should_see('Hi Cara! Welcome to our video contact centre.')
    await user.should_see('Connecting you to an agent…')
