"""Session-scoped synths: the first one starts node (a few seconds), the others reuse it."""

from __future__ import annotations

import pytest

from tests.contract.deploy.stacks import EXISTING_INSTANCE, NEW_INSTANCE, Synthesized, synthesized


@pytest.fixture(scope='session')
def new_instance(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesized(NEW_INSTANCE, tmp_path_factory.mktemp('new') / 'cdk.out')


@pytest.fixture(scope='session')
def existing_instance(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    return synthesized(EXISTING_INSTANCE, tmp_path_factory.mktemp('existing') / 'cdk.out')


@pytest.fixture(scope='session', params=['new', 'existing'])
def each_stack(request: pytest.FixtureRequest) -> Synthesized:
    return request.getfixturevalue(f'{request.param}_instance')
