"""Who is a supervisor: only signed-in staff whose role is ``supervisor``.

A local account's role is read from the store at every request, so a role taken away applies at once. An account
the store does not know (a Connect user signed in through OIDC, aws mode) has the role its login found in the ID
token's groups claim, kept in the session (agent_ui/login/oidc_login.py)."""

from __future__ import annotations

from nicegui import app

from backend.domain.model import Role
from backend.services.accounts import AccountService


def supervisor_username(accounts: AccountService) -> str | None:
    """The signed-in supervisor of this request's browser, or None (anonymous, or an agent)."""
    username = app.storage.user.get('username')
    if not isinstance(username, str) or not username:
        return None
    stored = accounts.role_of(username)
    role = stored.value if stored is not None else app.storage.user.get('role')
    return username if role == Role.SUPERVISOR.value else None
