"""The one DynamoDB table of aws mode: its definition, ``ensure_table`` (create it, turn TTL on) and ``table_problems``.

Tests, ``vce doctor`` and the deployment use these, so the key schema is written down in one place.
The layout of the items is described in ``docs/aws/dynamodb.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_TABLE_NAME = 'VideoCallEscalation'
PARTITION_KEY = 'PK'
SORT_KEY = 'SK'
TTL_ATTRIBUTE = 'expiresAt'  # epoch seconds (integer); DynamoDB deletes expired items lazily, so reads check it too
OPEN_CONTACTS_INDEX = 'GSI1'  # sparse: only open contacts carry GSI1PK/GSI1SK
INDEX_PARTITION_KEY = 'GSI1PK'
INDEX_SORT_KEY = 'GSI1SK'
WAIT_DELAY_SECONDS = 2
WAIT_MAX_ATTEMPTS = 60


@dataclass(frozen=True, slots=True)
class TableStatus:
    created: bool
    ttl_turned_on: bool


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable parameters: string PK/SK, on-demand billing, one sparse index for the open contacts."""
    return {
        'TableName': table_name,
        'AttributeDefinitions': [
            {'AttributeName': name, 'AttributeType': 'S'}
            for name in (PARTITION_KEY, SORT_KEY, INDEX_PARTITION_KEY, INDEX_SORT_KEY)
        ],
        'KeySchema': [
            {'AttributeName': PARTITION_KEY, 'KeyType': 'HASH'},
            {'AttributeName': SORT_KEY, 'KeyType': 'RANGE'},
        ],
        'GlobalSecondaryIndexes': [{
            'IndexName': OPEN_CONTACTS_INDEX,
            'KeySchema': [
                {'AttributeName': INDEX_PARTITION_KEY, 'KeyType': 'HASH'},
                {'AttributeName': INDEX_SORT_KEY, 'KeyType': 'RANGE'},
            ],
            'Projection': {'ProjectionType': 'ALL'},
        }],
        'BillingMode': 'PAY_PER_REQUEST',
    }


def ensure_table(client: Any, table_name: str = DEFAULT_TABLE_NAME) -> TableStatus:
    """Create the table if it is missing, wait until it is active and make sure TTL is on; safe to run again."""
    created = False
    try:
        client.describe_table(TableName=table_name)
    except ClientError as error:
        if error.response.get('Error', {}).get('Code') != 'ResourceNotFoundException':
            raise
        client.create_table(**table_definition(table_name))
        created = True
    client.get_waiter('table_exists').wait(
        TableName=table_name, WaiterConfig={'Delay': WAIT_DELAY_SECONDS, 'MaxAttempts': WAIT_MAX_ATTEMPTS})
    ttl = client.describe_time_to_live(TableName=table_name).get('TimeToLiveDescription', {})
    ttl_turned_on = False
    if ttl.get('TimeToLiveStatus') not in ('ENABLED', 'ENABLING'):
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification={
            'Enabled': True, 'AttributeName': TTL_ATTRIBUTE})
        ttl_turned_on = True
    return TableStatus(created=created, ttl_turned_on=ttl_turned_on)


def table_problems(client: Any, table_name: str = DEFAULT_TABLE_NAME) -> list[str]:
    """What is wrong with the table, each with its fix (empty when it is ready); for ``vce doctor``."""
    helper = '`vce create-table`'
    try:
        table = client.describe_table(TableName=table_name)['Table']
        ttl = client.describe_time_to_live(TableName=table_name).get('TimeToLiveDescription', {})
    except ClientError as error:
        code = error.response.get('Error', {}).get('Code', 'Unknown')
        if code == 'ResourceNotFoundException':
            return [f'DynamoDB table {table_name!r} does not exist in this region: create it with {helper}, or set '
                    f'the right table name and region.']
        return [f'DynamoDB table {table_name!r} cannot be described ({code}): allow dynamodb:DescribeTable and '
                f'dynamodb:DescribeTimeToLive on it.']
    except BotoCoreError as error:
        return [f'DynamoDB is not reachable ({type(error).__name__}: {error}).']
    problems = []
    keys = {k['AttributeName']: k['KeyType'] for k in table.get('KeySchema', [])}
    if keys != {PARTITION_KEY: 'HASH', SORT_KEY: 'RANGE'}:
        problems.append(f'DynamoDB table {table_name!r} must have the keys {PARTITION_KEY} (partition) and '
                        f'{SORT_KEY} (sort); it has {keys}. Use a new table name.')
    indexes = {index['IndexName']: index for index in table.get('GlobalSecondaryIndexes', [])}
    index_keys = {k['AttributeName']: k['KeyType'] for k in indexes.get(OPEN_CONTACTS_INDEX, {}).get('KeySchema', [])}
    if index_keys != {INDEX_PARTITION_KEY: 'HASH', INDEX_SORT_KEY: 'RANGE'}:
        problems.append(f'DynamoDB table {table_name!r} needs the index {OPEN_CONTACTS_INDEX} on '
                        f'{INDEX_PARTITION_KEY}/{INDEX_SORT_KEY} (projection ALL): add it with UpdateTable.')
    if table.get('TableStatus') not in ('ACTIVE', 'UPDATING'):
        problems.append(f'DynamoDB table {table_name!r} is {table.get("TableStatus")}: wait until it is ACTIVE.')
    if ttl.get('TimeToLiveStatus') not in ('ENABLED', 'ENABLING') or ttl.get('AttributeName') != TTL_ATTRIBUTE:
        problems.append(f'DynamoDB table {table_name!r} does not have TTL on the attribute {TTL_ATTRIBUTE!r}: '
                        f'turn it on with {helper} (expired items are ignored either way, but never deleted).')
    return problems
