"""/readyz (the store answers) beside /healthz (the process answers), on the real app."""

from __future__ import annotations

from nicegui.testing import User

from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import StoreUnavailable


async def test_ready_when_the_store_answers(user: User) -> None:
    response = await user.http_client.get('/readyz')
    assert response.status_code == 200
    assert response.json() == {'status': 'ready', 'mode': 'local'}


async def test_not_ready_with_the_reason_while_liveness_stays_ok(user: User, monkeypatch) -> None:
    def refuse(store: SqliteStore) -> None:
        raise StoreUnavailable('SQLite read failed: OperationalError')

    monkeypatch.setattr(SqliteStore, 'ping', refuse)
    response = await user.http_client.get('/readyz')
    assert response.status_code == 503
    assert response.json() == {'status': 'unavailable', 'reason': 'SQLite read failed: OperationalError'}
    assert (await user.http_client.get('/healthz')).status_code == 200
