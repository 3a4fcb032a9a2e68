"""A customer's chat belongs to the tab of the browser that started it: the tab id (which the socket URL carries, so
proxies log it) is not enough to see it, post into it or join its video (customer_ui/tab_session.py)."""

from __future__ import annotations

import asyncio

from nicegui.testing import User

from tests.ui.helpers import accepted_chat, create_agent, elements, find, start_chat, wait_for


async def test_another_browser_that_knows_the_tab_id_gets_nothing_of_the_chat(create_user) -> None:
    create_agent('ann', 'Ann Agent')
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer)
    find(customer, 'reply').type('My account number is 12345')
    find(customer, 'send').click()
    await customer.should_see('My account number is 12345')
    find(agent, 'start-video').click()
    await wait_for(customer, 'join-video')

    attacker = create_user()  # its own cookie jar: another browser
    attacker.tab_id = customer.tab_id  # read from a proxy log: ?client_id=…&tab_id=…
    await attacker.open('/')
    await pages_built()
    await attacker.should_not_see('My account number is 12345')
    await attacker.should_not_see('Welcome to our video contact centre.')
    assert not elements(attacker, 'join-video'), 'no Join prompt for the borrowed tab id'
    assert not elements(attacker, 'reply'), 'nothing to post into the chat with'
    find(attacker, 'launcher').click()
    await attacker.should_see('Start a video call')  # a fresh form: to this server it is a new visitor

    await customer.open('/')  # the customer's own reload still finds its chat and its call
    await customer.should_see('My account number is 12345')
    await wait_for(customer, 'join-video')


async def test_tabs_of_one_browser_keep_separate_chats_and_a_reload_keeps_its_own(user: User) -> None:
    await start_chat(user, name='Cara')
    find(user, 'reply').type('From the first tab')
    find(user, 'send').click()
    await user.should_see('From the first tab')

    second_tab = User(user.http_client)  # same cookies, its own tab id
    await second_tab.open('/')
    await pages_built()
    await second_tab.should_not_see('From the first tab')

    await user.open('/')  # a reload of the first tab
    await user.should_see('From the first tab')


async def test_another_browser_that_knows_the_tab_id_does_not_get_the_call(create_user) -> None:
    caller = create_user()
    await caller.open('/call')
    await caller.should_see('Call us')
    find(caller, 'caller-name').type('Vic Caller')
    find(caller, 'call').click()
    await caller.should_see('Calling Example Bank…')

    attacker = create_user()
    attacker.tab_id = caller.tab_id
    await attacker.open('/call')
    await pages_built()
    assert elements(attacker, 'call'), 'the dial pad of a new caller'
    await attacker.should_not_see('Calling Example Bank…')
    assert not elements(attacker, 'hang-up')


async def pages_built() -> None:
    """Wait until the pages have finished building: a page restores its tab's chat after its HTML has gone out, once
    its socket is there, so nothing can be said about what it does not show before then."""
    building = [task for task in asyncio.all_tasks() if task.get_name().startswith('wait for result of page')]
    if building:
        await asyncio.wait(building, timeout=10)
