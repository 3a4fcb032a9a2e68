"""``Store.ping`` (what /readyz asks) on both stores: a cheap read that passes on a working store and raises
StoreUnavailable with a short reason, naming no table, file or account, when the store cannot answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend.adapters.aws.dynamo_store import DynamoStore
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import StoreUnavailable
from tests.contract.dynamo_fixtures import CallCounter, moto_dynamodb, new_table


@pytest.fixture(scope='module')
def dynamodb_client() -> Iterator[Any]:
    with moto_dynamodb() as client:
        yield client


def test_sqlite_answers_and_a_closed_store_says_why_without_its_path(tmp_path):
    store = SqliteStore(tmp_path / 'private-name.sqlite3')
    store.ping()
    store.close()
    with pytest.raises(StoreUnavailable) as refused:
        store.ping()
    assert str(refused.value) == 'SQLite read failed: ProgrammingError'


def test_dynamodb_answers_with_one_get_item_and_writes_nothing(dynamodb_client):
    table = new_table(dynamodb_client)
    store = DynamoStore(table, client=dynamodb_client)
    with CallCounter(dynamodb_client).counting() as calls:
        store.ping()
    assert calls == {'GetItem': 1}
    assert dynamodb_client.scan(TableName=table)['Count'] == 0


def test_dynamodb_without_its_table_says_so_by_error_code_only(dynamodb_client, caplog):
    store = DynamoStore('vce-table-that-is-not-there', client=dynamodb_client)
    with pytest.raises(StoreUnavailable) as refused:
        store.ping()
    assert str(refused.value) == 'DynamoDB GetItem failed: ResourceNotFoundException'
    assert 'vce-table-that-is-not-there' in caplog.text  # the details are in the log, not in the answer


def test_dynamodb_unreachable_says_which_kind_of_failure(dynamodb_client):
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        def get_item(self, **params: Any) -> Any:
            raise EndpointConnectionError(endpoint_url='https://dynamodb.example.invalid')

    with pytest.raises(StoreUnavailable) as refused:
        DynamoStore('t', client=Unreachable()).ping()
    assert str(refused.value) == 'DynamoDB GetItem failed: EndpointConnectionError'
