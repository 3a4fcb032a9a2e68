"""One client must not be able to fill the queue (docs/security/flood.md): chat and call starts are limited per client
network, each network may hold only so many open at once, and a chat or call whose page has gone ends after a grace
period. The real engine, flows and SQLite store throughout; the composition root where the settings matter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.adapters.local.sqlite_store import SqliteStore
from backend.bootstrap import build_call_limits, build_chat_limits, build_services
from backend.domain.errors import RateLimited
from backend.domain.model import AgentStatus, ContactState
from backend.services.bundle import Services
from backend.services.customer_chat import CustomerChatService
from backend.services.rate_limits import NetworkKeys, NetworkRateLimiter, RateLimit
from backend.services.start_limits import StartLimits, StartPolicy
from backend.settings import Settings
from tests.unit.engine_fixtures import settle, tab

HOME = '203.0.113.7'  # one household's address
NEIGHBOUR = '198.51.100.20'
EMAIL = 'cara@example.com'
SECRET = b'unit-test-network-secret-0123456789'


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ManualSleep:
    """``asyncio.sleep`` that returns only when the test says time has run out."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self._pending: list[asyncio.Future[None]] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        future = asyncio.get_running_loop().create_future()
        self._pending.append(future)
        await future

    async def run_out(self) -> None:
        await settle()  # timers started just now reach their sleep first
        pending, self._pending = self._pending, []
        for future in pending:
            if not future.done():
                future.set_result(None)
        await settle(40)


@pytest.fixture
async def services(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Services]:
    """The product's services from the composition root; ``@pytest.mark.vce_settings(...)`` sets their settings."""
    values: dict[str, object] = {}
    for marker in request.node.iter_markers('vce_settings'):
        values.update(marker.kwargs)
    built = build_services(Settings(demo=True, data_dir=tmp_path / 'data', **values))  # type: ignore[arg-type]
    built.accounts.add_agent('ann', 'Ann Agent', 'long enough')
    await built.start()
    yield built
    await built.stop()


async def start(chat: CustomerChatService, address: str, key: str | None = None, name: str = 'Cara') -> str:
    contact = await chat.start_chat(key or tab(), name=name, email=EMAIL, client_address=address)
    return contact.contact_id


def queued(services: Services) -> list[str]:
    """The contacts waiting in a queue, as the database holds them (read like another process would)."""
    reader = SqliteStore(services.settings.database_path)
    try:
        return [c.contact_id for c in reader.open_contacts() if c.state is ContactState.QUEUED]
    finally:
        reader.close()


# the rate limit


@pytest.mark.vce_settings(chat_start_limit=3, chat_open_limit=100)
async def test_one_network_starts_only_the_limit_of_chats_and_is_told_when_to_come_back(services):
    chat = services.customer_chat
    started = [await start(chat, HOME) for _ in range(3)]
    refused_tab = tab()

    with pytest.raises(RateLimited, match=r'^Too many chat requests from your network\. '
                                          r'Please try again in 10 minutes\.$'):
        await start(chat, HOME, refused_tab)

    await settle()
    assert chat.current_contact(refused_tab) is None  # no chat started, nothing bound to the tab
    assert sorted(queued(services)) == sorted(started)
    assert await start(chat, NEIGHBOUR)  # another network is unaffected


async def test_the_defaults_let_a_household_start_a_few_chats_but_not_a_flood(services):
    chat = services.customer_chat
    settings = services.settings
    assert (settings.chat_start_limit, settings.chat_start_window_seconds, settings.chat_open_limit) == (10, 600, 10)
    assert (settings.call_start_limit, settings.call_start_window_seconds, settings.call_open_limit) == (10, 600, 10)
    assert settings.customer_disconnect_grace_seconds == 120

    for _ in range(10):
        await start(chat, HOME)
    with pytest.raises(RateLimited):
        await start(chat, HOME)
    await settle()
    assert len(queued(services)) == 10


@pytest.mark.vce_settings(chat_start_limit=2)
async def test_a_double_submit_resumes_the_running_chat_and_does_not_count(services):
    chat = services.customer_chat
    key = tab()
    first = await start(chat, HOME, key)
    for _ in range(5):
        assert await start(chat, HOME, key) == first

    await start(chat, HOME)  # the second start of this network
    with pytest.raises(RateLimited):
        await start(chat, HOME)


@pytest.mark.vce_settings(chat_start_limit=1)
async def test_an_ipv6_subscriber_is_one_network_across_its_64(services):
    chat = services.customer_chat
    await start(chat, '2001:db8:1:2::1')
    with pytest.raises(RateLimited):
        await start(chat, '2001:db8:1:2:ffff:ffff:ffff:9')
    await start(chat, '2001:db8:1:3::1')


@pytest.mark.vce_settings(chat_start_limit=1, call_start_limit=1, reference_redeem_limit=1)
async def test_each_limit_has_its_own_budget(services):
    chat, voice = services.customer_chat, services.voice
    assert voice is not None
    await start(chat, HOME)
    with pytest.raises(RateLimited, match='chat requests'):
        await start(chat, HOME)

    await voice.start_call(tab(), 'Vic', client_address=HOME)  # the call budget is untouched by the chats
    with pytest.raises(RateLimited, match=r'^Too many calls from your network'):
        await voice.start_call(tab(), 'Vic', client_address=HOME)

    assert services.references.redeem('12345678', EMAIL, HOME) is None  # nor the reference budget


async def test_the_window_rolls_over_and_every_refused_attempt_counts(tmp_path):
    clock, store = Clock(), SqliteStore(tmp_path / 'vce.sqlite3')
    limits = limits_on(store, clock, limit=2, window=600)
    for _ in range(2):
        limits.admit(HOME)
    clock.now += 300
    for _ in range(2):
        with pytest.raises(RateLimited):
            limits.admit(HOME)  # refused, and counted: hammering keeps a network out
    clock.now += 301
    with pytest.raises(RateLimited):
        limits.admit(HOME)  # the first two have left the window, the refused ones have not
    clock.now += 601
    limits.admit(HOME)  # quiet for a whole window: welcome back
    store.close()


async def test_processes_on_one_store_share_the_limit(tmp_path):
    """Two servers on one database (or one DynamoDB table) count together (the store suite covers DynamoDB)."""
    clock = Clock()
    one, two = SqliteStore(tmp_path / 'vce.sqlite3'), SqliteStore(tmp_path / 'vce.sqlite3')
    first, second = limits_on(one, clock, limit=3), limits_on(two, clock, limit=3)
    first.admit(HOME)
    second.admit(HOME)
    first.admit(HOME)
    with pytest.raises(RateLimited):
        second.admit(HOME)
    one.close()
    two.close()


# the cap on open chats


@pytest.mark.vce_settings(chat_start_limit=100, chat_open_limit=2)
async def test_a_network_holds_only_so_many_open_chats_and_gets_a_place_back_when_one_ends(services):
    chat = services.customer_chat
    keys = [tab(), tab()]
    for key in keys:
        await start(chat, HOME, key)

    with pytest.raises(RateLimited, match=r'^Too many chats open from your network\. Please try again in a few '):
        await start(chat, HOME)
    await start(chat, NEIGHBOUR)

    await chat.end_chat(keys[0])
    await settle()
    await start(chat, HOME)  # the ended chat's place is free again


@pytest.mark.vce_settings(chat_start_limit=100, chat_open_limit=1)
async def test_a_chat_the_agent_ends_frees_its_place(services):
    chat, desk = services.customer_chat, services.agent_desk
    assert desk is not None
    contact_id = await start(chat, HOME)
    await settle()
    desk.load_agent('ann')
    desk.set_status('ann', AgentStatus.AVAILABLE)
    desk.accept('ann', contact_id)
    with pytest.raises(RateLimited):
        await start(chat, HOME)

    desk.end_contact('ann', contact_id)  # after-contact work: the customer's side is over
    await settle()
    await start(chat, HOME)


async def test_the_open_chats_outlive_a_restart_and_expire_if_nobody_ends_them(tmp_path):
    clock = Clock()
    store = SqliteStore(tmp_path / 'vce.sqlite3')
    limits = limits_on(store, clock, limit=100, open_limit=1, lease_seconds=3_600)
    limits.started(limits.admit(HOME), 'contact-1')
    store.close()

    store = SqliteStore(tmp_path / 'vce.sqlite3')  # a restarted server still counts the open chat
    limits = limits_on(store, clock, limit=100, open_limit=1, lease_seconds=3_600)
    with pytest.raises(RateLimited):
        limits.admit(HOME)
    clock.now += 3_600  # a server that died holding it caps the network no longer than the lease
    limits.started(limits.admit(HOME), 'contact-2')
    assert rows(tmp_path / 'vce.sqlite3', 'leases') == 1  # the expired lease was pruned
    store.close()


# abandoned pages


@pytest.fixture
async def abandoning(services) -> AsyncIterator[tuple[Services, ManualSleep]]:
    """The composed services, with the grace period run out by hand."""
    sleep = ManualSleep()
    for service in (services.customer_chat, services.voice):
        presence = service._presence.pages  # type: ignore[union-attr]
        presence._sleep = sleep
    yield services, sleep


async def test_a_waiting_chat_whose_page_has_gone_ends_after_the_grace(abandoning):
    services, sleep = abandoning
    chat = services.customer_chat
    key = tab()
    chat.page_connected(key, 'page-1')
    contact_id = await start(chat, HOME, key)
    await settle()
    assert queued(services) == [contact_id]

    chat.page_disconnected(key, 'page-1')
    await settle()
    assert chat.current_contact(key).state is ContactState.QUEUED  # not yet: the customer may be reloading
    await sleep.run_out()

    assert sleep.asked == [120]
    contact = chat.current_contact(key)
    assert contact.state is ContactState.ENDED and contact.end_reason == 'customer_ended'
    assert queued(services) == []  # its place in the queue is free, and its queue flow has stopped


async def test_a_reload_within_the_grace_keeps_the_chat(abandoning):
    services, sleep = abandoning
    chat = services.customer_chat
    key = tab()
    chat.page_connected(key, 'page-1')
    await start(chat, HOME, key)

    chat.page_disconnected(key, 'page-1')  # the old page goes …
    chat.page_connected(key, 'page-2')  # … and the reloaded one comes back in time
    await sleep.run_out()
    chat.page_connected(key, 'page-3')  # a second tab's page of the same session, then the first one closes
    chat.page_disconnected(key, 'page-2')
    await sleep.run_out()

    assert chat.current_contact(key).state is ContactState.QUEUED


async def test_a_page_back_on_another_server_process_keeps_the_chat(abandoning):
    """Behind a load balancer the reloaded page may land on another process: that process says so on the bus
    (``PagePresent``, by the session's hash), and this one stops waiting for the session instead of ending its chat."""
    from backend.events import PRESENCE_TOPIC, PagePresent
    from backend.services.session_bindings import session_hash

    services, sleep = abandoning
    chat = services.customer_chat
    key, other = tab(), tab()
    chat.page_connected(key, 'page-1')
    await start(chat, HOME, key)
    chat.page_connected(other, 'page-9')
    other_contact = await start(chat, NEIGHBOUR, other)
    chat.page_disconnected(key, 'page-1')
    chat.page_disconnected(other, 'page-9')
    await settle()

    chat._bus.publish(PRESENCE_TOPIC, PagePresent(session_hash(key)))  # what the other process's page says
    await sleep.run_out()

    assert chat.current_contact(key).state is ContactState.QUEUED
    assert chat._presence.pages.held == 0  # this process forgot the session: the other one watches it now
    assert chat.current_contact(other).state is ContactState.ENDED  # nobody came back for this one
    assert other_contact


async def test_a_reload_whose_old_page_leaves_late_keeps_the_chat(abandoning):
    services, sleep = abandoning
    chat = services.customer_chat
    key = tab()
    chat.page_connected(key, 'page-1')
    await start(chat, HOME, key)
    chat.page_connected(key, 'page-2')  # the new page connected before the old socket was reaped
    chat.page_disconnected(key, 'page-1')
    chat.page_disconnected(key, 'page-1')  # the old page deleted later: reported twice, counted once
    await sleep.run_out()
    assert chat.current_contact(key).state is ContactState.QUEUED


async def test_a_connected_chat_whose_page_has_gone_is_left_by_the_customer(abandoning):
    services, sleep = abandoning
    chat, desk = services.customer_chat, services.agent_desk
    assert desk is not None
    key = tab()
    chat.page_connected(key, 'page-1')
    contact_id = await start(chat, HOME, key)
    await settle()
    desk.load_agent('ann')
    desk.set_status('ann', AgentStatus.AVAILABLE)
    desk.accept('ann', contact_id)

    chat.page_disconnected(key, 'page-1')
    await sleep.run_out()

    assert chat.current_contact(key).state is ContactState.AFTER_CONTACT_WORK  # the agent wraps up, as usual
    assert chat.transcript(key)[-1].text == 'The customer left the chat.'


@pytest.mark.vce_settings(chat_start_limit=100, chat_open_limit=1)
async def test_an_abandoned_chat_gives_its_network_s_place_back(abandoning):
    services, sleep = abandoning
    chat = services.customer_chat
    key = tab()
    chat.page_connected(key, 'page-1')
    await start(chat, HOME, key)
    with pytest.raises(RateLimited):
        await start(chat, HOME)

    chat.page_disconnected(key, 'page-1')
    await sleep.run_out()
    await start(chat, HOME)


async def test_an_abandoned_call_is_hung_up_after_the_grace(abandoning):
    services, sleep = abandoning
    voice = services.voice
    assert voice is not None
    key, other = tab(), tab()
    voice.page_connected(key, 'phone-1')
    voice.page_connected(other, 'phone-2')
    call = await voice.start_call(key, 'Vic', client_address=HOME)
    staying = await voice.start_call(other, 'Val', client_address=NEIGHBOUR)

    voice.page_disconnected(key, 'phone-1')
    await sleep.run_out()

    assert voice.current_call(key).state is ContactState.ENDED
    assert voice.current_call(other).contact_id == staying.contact_id != call.contact_id
    assert voice.current_call(other).state is ContactState.QUEUED


async def test_pages_without_a_chat_cost_nothing_when_they_go(abandoning):
    services, sleep = abandoning
    chat = services.customer_chat
    for number in range(30):
        chat.page_connected(tab(), f'visitor-{number}')  # visitors who never open the chat
    keys = [tab() for _ in range(3)]
    for key in keys:
        chat.page_connected(key, key)
        chat.page_disconnected(key, key)
    chat.page_connected('short', 'page')  # a forged tab id: no chat can be bound to it
    chat.page_disconnected('short', 'page')
    await settle()
    assert sleep.asked == []  # no grace period, so no store read when they go
    presence = chat._presence.pages  # type: ignore[union-attr]
    assert presence.waiting == 0 and presence.held == 30  # only the pages still open are held
    assert all(chat.current_contact(key) is None for key in keys)


# helpers


def limits_on(store: SqliteStore, clock: Clock, *, limit: int, window: float = 600, open_limit: int = 100,
              lease_seconds: float = 3_600) -> StartLimits:
    keys = NetworkKeys(SECRET)
    return StartLimits(NetworkRateLimiter(store, keys, clock), store, keys,
                       StartPolicy(RateLimit('chat-start', limit, window, 'chat requests'), open_limit=open_limit,
                                   open_what='chats', lease_seconds=lease_seconds), clock)


def rows(db: Path, table: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as reader:
        (count,) = reader.execute(f'SELECT COUNT(*) FROM {table}').fetchone()
    return int(count)


def test_the_composition_root_gives_chats_and_calls_their_own_limits(tmp_path):
    settings = Settings(demo=True, data_dir=tmp_path, chat_start_limit=4, call_start_window_seconds=60)
    store = SqliteStore(':memory:')
    chat, call = build_chat_limits(settings, store, store), build_call_limits(settings, store, store)
    assert (chat.policy.rate.purpose, chat.policy.rate.limit, chat.policy.open_purpose) == ('chat-start', 4,
                                                                                           'chat-start/open')
    assert (call.policy.rate.purpose, call.policy.rate.window_seconds) == ('call-start', 60)
