"""Unit-test fixtures shared by the engine, voice and meeting tests."""

from __future__ import annotations

import pytest

from tests.unit.engine_fixtures import add_agent, make_engine


@pytest.fixture
async def centre():
    """A running local engine (in-memory store) with two offline agents, ann and bob."""
    engine, store, bus = make_engine()
    add_agent(store, 'ann', 'Ann Agent')
    add_agent(store, 'bob', 'Bob Agent')
    await engine.start()
    yield engine, store, bus
    await engine.stop()
