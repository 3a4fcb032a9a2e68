"""UI tests run the real app (SQLite in a temp dir) under NiceGUI's simulated User."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch, request) -> None:
    """Give every test its own database; ``@pytest.mark.vce_settings(key=value)`` overrides settings."""
    monkeypatch.setenv('VCE_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('VCE_OFFER_TIMEOUT_SECONDS', '20')
    # the simulated browser talks plain http to http://test, where a Secure cookie would not come back; the tests of
    # Secure cookies set it back to '' (derived from the public URL) or 'true' (tests/ui/test_security_headers.py)
    monkeypatch.setenv('VCE_SECURE_COOKIES', 'false')
    for marker in request.node.iter_markers('vce_settings'):
        for key, value in marker.kwargs.items():
            monkeypatch.setenv(f'VCE_{key.upper()}', str(value))


@pytest.fixture(autouse=True)
def _patient_should_see(monkeypatch) -> None:
    """Wait up to 5 s (not NiceGUI's 0.3 s) for pushed updates: CI machines are noisy; a pass returns at once."""
    from nicegui.testing import User

    original = User.should_see

    async def should_see(self, *args, retries: int = 50, **kwargs):  # type: ignore[no-untyped-def]
        return await original(self, *args, retries=retries, **kwargs)

    monkeypatch.setattr(User, 'should_see', should_see)
