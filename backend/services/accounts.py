"""Local agent accounts: create, list, change password, check a password, and the password login with its limits
(argon2 hashes, never plain text)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from backend.domain.errors import InvalidInput, NotFound
from backend.domain.model import Agent, Role
from backend.domain.validation import check_password, clean_name, clean_username
from backend.ports import AgentStore, PasswordHasher
from backend.services.login_throttle import LoginThrottle

log = logging.getLogger('vce.accounts')

MISSING_CREDENTIALS_TEXT = 'Enter your username and password.'
SUSPECT_CHECKS_AT_ONCE = 2  # password checks from networks that already failed on the account, per process


class AccountService:
    def __init__(self, store: AgentStore, hasher: PasswordHasher, standard_queue: str, *,
                 throttle: LoginThrottle | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._store, self._hasher, self._standard_queue = store, hasher, standard_queue
        self._throttle, self._sleep = throttle, sleep
        self._suspect_lane = asyncio.Semaphore(SUSPECT_CHECKS_AT_ONCE)
        self._dummy_hash = hasher.hash(uuid.uuid4().hex)

    def add_agent(self, username: str, display_name: str, password: str, role: Role | str = Role.AGENT) -> Agent:
        role = _role(role)
        username = clean_username(username)
        display_name = clean_name(display_name)
        check_password(password)
        if self._store.get_agent(username) is not None:
            raise InvalidInput(f'An agent named {username!r} already exists.')
        agent = Agent(username=username, display_name=display_name, agent_id=str(uuid.uuid4()),
                      password_hash=self._hasher.hash(password), routing_queues=(self._standard_queue,),
                      status_since=time.time(), role=role)
        self._store.add_agent(agent)
        log.info('agent.created agent=%s role=%s', username, role.value)
        return agent

    def role_of(self, username: str) -> Role | None:
        """The account's role, or None when this store has no such account (e.g. a Connect user in aws mode)."""
        agent = self._store.get_agent(username.strip().lower()) if isinstance(username, str) else None
        return agent.role if agent is not None else None

    def set_role(self, username: str, role: Role | str) -> None:
        role = _role(role)
        username = clean_username(username)
        if self._store.get_agent(username) is None:
            raise NotFound(f'No agent named {username!r}.')
        self._store.set_agent_role(username, role)
        log.info('agent.role_changed agent=%s role=%s', username, role.value)

    def list_agents(self) -> list[Agent]:
        return self._store.list_agents()

    def change_password(self, username: str, password: str) -> None:
        username = clean_username(username)
        check_password(password)
        if self._store.get_agent(username) is None:
            raise NotFound(f'No agent named {username!r}.')
        self._store.set_password_hash(username, self._hasher.hash(password))
        log.info('agent.password_changed agent=%s', username)

    async def login(self, username: str, password: str, client_address: str) -> Agent | None:
        """The password login of the agent desktop: the agent, or None for wrong credentials; ``RateLimited`` when
        the client's network is over a limit (services/login_throttle.py). The account's slow-down is waited out
        without blocking the event loop, and argon2 runs in a worker thread.

        Password checks cost CPU (argon2), so a crowd of guessers could make the agent's own check queue behind
        theirs. Checks from a network that already failed on this account take turns (``SUSPECT_CHECKS_AT_ONCE``);
        a network that has not failed, like the agent's, goes straight to a worker thread."""
        if self._throttle is None:
            raise RuntimeError('The password login needs a LoginThrottle (backend.bootstrap builds one).')
        if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
            raise InvalidInput(MISSING_CREDENTIALS_TEXT)  # an empty field, or a hostile socket's non-text value
        ticket = self._throttle.admit(username, client_address)
        try:
            if ticket.delay_seconds > 0:
                await self._sleep(ticket.delay_seconds)
            async with self._suspect_lane if ticket.suspect else contextlib.nullcontext():
                agent = await asyncio.to_thread(self.authenticate, username, password)
        except BaseException:
            self._throttle.abandon(ticket)
            raise
        if agent is None:
            self._throttle.failed(ticket)
        else:
            self._throttle.succeeded(ticket)
        return agent

    def authenticate(self, username: str, password: str) -> Agent | None:
        """The agent for these credentials, or None; unknown users cost the same time as wrong passwords.

        This is the bare check, without limits: the login page goes through :meth:`login`."""
        key = username.strip().lower() if isinstance(username, str) else ''
        password = password if isinstance(password, str) else ''
        agent = self._store.get_agent(key) if key else None
        if agent is None:
            self._hasher.verify(self._dummy_hash, password)
        elif self._hasher.verify(agent.password_hash, password):
            return agent
        return None


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f'{value!r} is not a role: use one of {", ".join(r.value for r in Role)}.') from None
