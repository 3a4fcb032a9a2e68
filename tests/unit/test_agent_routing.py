"""Routing a chat to one agent: flows take the agent's id or ARN (Connect's ``UpdateContactTargetQueue.AgentId``),
in the local engine as on Amazon Connect, and a redeemed reference gives the chat exactly that id."""

from __future__ import annotations

from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import ContactState
from backend.services.references import ReferenceService
from tests.unit.engine_fixtures import add_agent, agent_named, settle

SECRET = b'unit-test-reference-secret-0123456789'
EMAIL = 'zelda@example.org'
TECHNICAL_DIFFICULTIES = 'We are experiencing technical difficulties, please try again later!'
ARN = 'arn:aws:connect:eu-west-2:123456789012:instance/4b9c0a1e-7f3d-4c2b-9a8e-1d2c3b4a5f60/agent/'


async def routed(engine, route_to: str):  # type: ignore[no-untyped-def]
    contact = await engine.start_chat(name='Zelda', email=EMAIL, attributes={
        'customerName': 'Zelda', 'videoReferenceId': '12345678', 'videoRouteToAgent': route_to})
    await settle()
    return engine.contact(contact.contact_id)


async def test_the_agent_id_routes_to_the_personal_queue(centre) -> None:
    engine, _, _ = centre
    contact = await routed(engine, 'id-ann')
    assert (contact.state, contact.queue_id, contact.priority) == (ContactState.QUEUED, 'agent/id-ann', 1)


async def test_the_agent_arn_routes_to_the_personal_queue(centre) -> None:
    engine, _, _ = centre
    assert (await routed(engine, f'{ARN}id-bob')).queue_id == 'agent/id-bob'


async def test_a_username_routes_nowhere_as_on_connect(centre) -> None:
    """Connect's AgentId takes an id or ARN; a username takes the flow's Error branch there, so it does here too."""
    engine, store, _ = centre
    contact = await routed(engine, 'ann')
    assert contact.state is ContactState.ENDED
    assert store.transcript(contact.contact_id)[-1].text == TECHNICAL_DIFFICULTIES


async def test_an_agent_added_after_the_engine_started_is_found_by_its_id(centre) -> None:
    engine, store, _ = centre
    add_agent(store, 'cleo', 'Cleo Agent')
    assert (await routed(engine, 'id-cleo')).queue_id == 'agent/id-cleo'


class Agents:
    """An AgentLookup whose agents can leave."""

    def __init__(self, *usernames: str) -> None:
        self.agents = {name: agent_named(name) for name in usernames}

    def get_agent(self, username: str):  # type: ignore[no-untyped-def]
        return self.agents.get(username)


def test_redeem_gives_the_owner_with_the_id_flows_route_by() -> None:
    references = ReferenceService(SqliteStore(':memory:'), Agents('ann'), SECRET)
    created = references.create('ann', EMAIL)
    owner = references.redeem(created.reference, EMAIL, '203.0.113.7')
    assert owner is not None and (owner.username, owner.agent_id) == ('ann', 'id-ann')


def test_a_reference_whose_agent_left_routes_nowhere() -> None:
    agents = Agents('ann')
    references = ReferenceService(SqliteStore(':memory:'), agents, SECRET)
    created = references.create('ann', EMAIL)
    del agents.agents['ann']  # the account (or Connect user) was deleted since
    assert references.redeem(created.reference, EMAIL, '203.0.113.7') is None
