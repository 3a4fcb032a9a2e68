"""Which local agent account a verified email belongs to: an operator-kept mapping, checked against the store.

An explicit mapping (VCE_OIDC_AGENT_EMAILS) rather than a guess from the email: local usernames are not emails,
and deriving one from the other would let anyone whose provider vouches for a look-alike address in.
"""

from __future__ import annotations

from collections.abc import Mapping

from backend.ports import AgentDirectory, AgentLookup


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively here: providers differ in the case they return."""
    return email.strip().lower()


class MappedAgentDirectory(AgentDirectory):
    def __init__(self, store: AgentLookup, email_to_username: Mapping[str, str]) -> None:
        self._store = store
        self._usernames = {normalise_email(email): username.strip().lower()
                           for email, username in email_to_username.items()}

    def find_username(self, email: str) -> str | None:
        username = self._usernames.get(normalise_email(email))
        if username is None or self._store.get_agent(username) is None:
            return None
        return username
