"""Local agent accounts: create, list, change password, authenticate (argon2 hashes, never plain text)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from backend.domain.errors import InvalidInput, NotAllowed, NotFound
from backend.domain.model import Agent
from backend.domain.validation import check_password, clean_name, clean_username
from backend.ports import AgentStore, PasswordHasher

log = logging.getLogger('vce.accounts')


MAX_FAILED_LOGINS = 5
LOCKOUT_SECONDS = 300


class AccountService:
    def __init__(self, store: AgentStore, hasher: PasswordHasher, standard_queue: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._store, self._hasher, self._standard_queue, self._clock = store, hasher, standard_queue, clock
        self._dummy_hash = hasher.hash(uuid.uuid4().hex)
        self._failures: dict[str, list[float]] = {}

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
        """The agent for these credentials, or None; unknown users cost the same time as wrong passwords.

        After MAX_FAILED_LOGINS failures within LOCKOUT_SECONDS the account name is locked for the rest of that
        window (NotAllowed), so a password cannot be guessed online.
        """
        key = (username or '').strip().lower()
        now = self._clock()
        recent = [t for t in self._failures.get(key, []) if now - t < LOCKOUT_SECONDS]
        if len(recent) >= MAX_FAILED_LOGINS:
            minutes = max(1, round((LOCKOUT_SECONDS - (now - recent[0])) / 60))
            raise NotAllowed(f'Too many failed logins. Try again in {minutes} minute{"s" if minutes > 1 else ""}.')
        agent = self._store.get_agent(key)
        if agent is None:
            self._hasher.verify(self._dummy_hash, password or '')
        elif self._hasher.verify(agent.password_hash, password or ''):
            self._failures.pop(key, None)
            return agent
        self._failures[key] = [*recent, now]
        log.info('agent.login_failed failures=%d', len(recent) + 1)
        return None
