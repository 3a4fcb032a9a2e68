"""Amazon Connect users for aws mode: the ``AgentDirectory`` (verified email -> Connect username) and the Connect
user behind a username (its id, for the DescribeContact check, and its name, for the meeting roster).

Connect's ``SearchUsers`` cannot search by email (its string fields are the username, first and last name and a few
ids), so an email is found in two steps:

1. the usernames the email itself suggests, each looked up with ``SearchUsers`` (username, exact): the email as it is
   and with ``+`` replaced by ``_`` (the convention of the AWS sample this project re-implements, for SAML users whose
   Connect username is their email). Such a user is accepted only if its own email (``DescribeUser``) is empty or
   the same, so a username that merely looks like somebody's email does not let them in;
2. otherwise every user's email: ``ListUsers`` + one ``DescribeUser`` per user, built at most once per cache period
   (an instance with thousands of users should use the username convention instead: ``scan_emails=False``).

Answers (found and not found) are cached for ``cache_seconds``: a login costs nothing more after the first one, and
a user added in Connect is found within that time. The caches are ``cachetools.TTLCache``s of at most
``max_entries`` each, so names that were tried once (a typo, a guess) leave nothing behind for long. Each server
process has its own: they are only caches, Connect stays the truth. Blocking calls; callers run them off the event
loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import TTLCache

from backend.adapters.aws.error_messages import AWS_ERRORS, describe
from backend.domain.connect_arns import instance_id_of
from backend.domain.model import Agent
from backend.ports import AgentDirectory, AgentLookup

log = logging.getLogger('vce.aws.connect_users')

V = TypeVar('V')
DEFAULT_CACHE_SECONDS = 300.0
DEFAULT_MAX_ENTRIES = 10_000  # per cache (users, emails); the least recently used go first when full
PAGE_SIZE = 100
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class ConnectUser:
    user_id: str
    username: str
    display_name: str
    email: str


class ConnectUserDirectory(AgentLookup, AgentDirectory):
    """``AgentDirectory`` on the Connect instance's users, plus ``user(username)`` for the assigned-agent check."""

    def __init__(self, client: Any, *, instance_id: str, cache_seconds: float = DEFAULT_CACHE_SECONDS,
                 scan_emails: bool = True, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._client = client
        self.instance_id = instance_id_of(instance_id)
        self._cache_seconds, self._scan_emails, self._clock = cache_seconds, scan_emails, clock
        # username (lower case) -> user, email (lower case) -> username; None: Connect has none
        self._users: TTLCache[str, ConnectUser | None] = TTLCache(max_entries, cache_seconds, timer=clock)
        self._emails: TTLCache[str, str | None] = TTLCache(max_entries, cache_seconds, timer=clock)
        self._email_index: tuple[float, dict[str, str]] | None = None
        self._lock = threading.Lock()  # the caches are shared by worker threads

    # AgentDirectory

    def find_username(self, email: str) -> str | None:
        email = email.strip().lower()
        if not email:
            return None
        cached = self._cached(self._emails, email)
        if cached is not None:
            return cached[0]
        username = self._by_username_convention(email) or (self._by_email_scan(email) if self._scan_emails else None)
        self._remember(self._emails, email, username)
        log.info('connect.directory email_found=%s', username is not None)
        return username

    # the Connect user behind a username

    def user(self, username: str) -> ConnectUser | None:
        """The Connect user with exactly this username (case-insensitive, as Connect compares them), or None."""
        key = username.strip().lower()
        cached = self._cached(self._users, key)
        if cached is not None:
            return cached[0]
        user = self._search_username(username.strip())
        self._remember(self._users, key, user)
        return user

    def get_agent(self, username: str) -> Agent | None:
        """``AgentLookup``: the Connect user as an agent (ad-hoc references route to it; Connect keeps no password
        and no queues of ours, so those stay empty)."""
        user = self.user(username)
        if user is None:
            return None
        return Agent(username=user.username, display_name=user.display_name, agent_id=user.user_id, password_hash='',
                     routing_queues=())

    # internals

    def _by_username_convention(self, email: str) -> str | None:
        for candidate in dict.fromkeys((email, email.replace('+', '_'))):
            user = self.user(candidate)
            if user is not None and user.email.lower() in ('', email):
                return user.username
        return None

    def _by_email_scan(self, email: str) -> str | None:
        with self._lock:
            index = self._email_index
        if index is None or index[0] <= self._clock():
            emails: dict[str, str] = {}
            for summary in self._list_users():
                user = self._describe(summary['Id'])
                if user.email:
                    emails.setdefault(user.email.lower(), user.username)
            index = (self._clock() + self._cache_seconds, emails)
            with self._lock:
                self._email_index = index
        return index[1].get(email)

    def _search_username(self, username: str) -> ConnectUser | None:
        if not username:
            return None
        response = self._call('connect:SearchUsers', self._client.search_users, InstanceId=self.instance_id,
                              MaxResults=PAGE_SIZE, SearchCriteria={'StringCondition': {
                                  'FieldName': 'Username', 'Value': username, 'ComparisonType': 'EXACT'}})
        for found in response.get('Users', []):
            if str(found.get('Username', '')).lower() == username.lower():
                return self._describe(found['Id'])
        return None

    def _describe(self, user_id: str) -> ConnectUser:
        user = self._call('connect:DescribeUser', self._client.describe_user, InstanceId=self.instance_id,
                          UserId=user_id)['User']
        identity = user.get('IdentityInfo') or {}
        name = ' '.join(part for part in (identity.get('FirstName'), identity.get('LastName')) if part)
        return ConnectUser(user_id=user['Id'], username=user['Username'], display_name=name or user['Username'],
                           email=identity.get('Email') or '')

    def _list_users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = []
        params: dict[str, Any] = {'InstanceId': self.instance_id, 'MaxResults': PAGE_SIZE}
        while True:
            response = self._call('connect:ListUsers', self._client.list_users, **params)
            users += response.get('UserSummaryList', [])
            if not response.get('NextToken'):
                return users
            params['NextToken'] = response['NextToken']

    def _call(self, operation: str, method: Any, **params: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = method(**params)
            return result
        except AWS_ERRORS as error:
            raise describe(operation, error) from error

    def _cached(self, cache: TTLCache[str, V], key: str) -> tuple[V] | None:
        with self._lock:  # a TTLCache is not thread-safe
            value = cache.get(key, _MISSING)
        return None if value is _MISSING else (value,)  # type: ignore[return-value]

    def _remember(self, cache: TTLCache[str, V], key: str, value: V) -> None:
        with self._lock:
            cache[key] = value
