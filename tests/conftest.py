"""Fixtures for every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope='session', autouse=True)
def _data_folder_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Without VCE_DATA_DIR local mode uses the user's data folder (backend/settings/data_folder.py): a test that
    does not choose its own folder gets one of this run instead, never the home folder's. Narrower fixtures (every UI
    test, the CLI tests) and the server-starting harnesses still set their own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('VCE_DATA_DIR', str(tmp_path_factory.mktemp('vce-data')))
        yield
