"""Local agent accounts: create, list, change password, authenticate (argon2 hashes, never plain text)."""

from __future__ import annotations

import logging
import time
import uuid

from backend.domain.errors import InvalidInput, NotFound
from backend.domain.model import Agent
from backend.domain.validation import check_password, clean_name, clean_username
from backend.ports import AgentStore, PasswordHasher

log = logging.getLogger('vce.accounts')


class AccountService:
    def __init__(self, store: AgentStore, hasher: PasswordHasher, standard_queue: str) -> None:
        self._store, self._hasher, self._standard_queue = store, hasher, standard_queue
        self._dummy_hash = hasher.hash(uuid.uuid4().hex)

    def add_agent(self, username: str, display_name: str, password: str) -> Agent:
        username = clean_username(username)
        display_name = clean_name(display_name)
        check_password(password)
        if self._store.get_agent(username) is not None:
            raise InvalidInput(f'An agent named {username!r} already exists.')
        agent = Agent(username=username, display_name=display_name, agent_id=str(uuid.uuid4()),
                      password_hash=self._hasher.hash(password), routing_queues=(self._standard_queue,),
                      status_since=time.time())
        self._store.add_agent(agent)
        log.info('agent.created agent=%s', username)
        return agent

    def list_agents(self) -> list[Agent]:
        return self._store.list_agents()

    def change_password(self, username: str, password: str) -> None:
        username = clean_username(username)
        check_password(password)
        if self._store.get_agent(username) is None:
            raise NotFound(f'No agent named {username!r}.')
        self._store.set_password_hash(username, self._hasher.hash(password))
        log.info('agent.password_changed agent=%s', username)

    def authenticate(self, username: str, password: str) -> Agent | None:
        """The agent for these credentials, or None; unknown users cost the same time as wrong passwords."""
        agent = self._store.get_agent((username or '').strip().lower())
        if agent is None:
            self._hasher.verify(self._dummy_hash, password or '')
            return None
        return agent if self._hasher.verify(agent.password_hash, password or '') else None
