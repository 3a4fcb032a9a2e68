"""Requests that never open a socket (a crawler, a health probe, curl): a page ends quietly once it stops waiting for
its socket, and no request without a cookie leaves server-side storage behind (vce/user_storage_scope.py)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from nicegui import Client, app
from nicegui.storage import Storage
from nicegui.testing import User

ROUNDS = 20
PATHS = ('/', '/call', '/healthz', '/readyz')


@pytest.mark.vce_settings(page_connect_timeout_seconds=0.2)
async def test_cookieless_requests_leave_no_storage_no_pages_and_no_error(user: User,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await user.open('/')  # the app is up; this page and its socket stay
    storages = len(app.storage._users)
    files = set(Storage.path.glob('storage-*.json'))
    pages = set(Client.instances)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as probe:
        for _ in range(ROUNDS):
            for path in PATHS:
                probe.cookies.clear()
                response = await probe.get(path)
                assert response.status_code == 200, path

    for _ in range(100):  # each page gives up on its socket after 0.2 s
        if set(Client.instances) == pages:
            break
        await asyncio.sleep(0.05)
    assert set(Client.instances) == pages, 'every page without a socket has ended'
    assert len(app.storage._users) == storages, 'no user storage for requests that do not use it'
    assert set(Storage.path.glob('storage-*.json')) == files
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], 'ended quietly'
    assert len([r for r in caplog.records if r.getMessage().startswith('customer_page.no_socket')]) == 2 * ROUNDS
