"""aws mode's recordings metadata and the supervisors' audit log, in the one DynamoDB table (docs/aws/dynamodb.md).

Items:

* ``RECORDING#<id>`` / ``RECORDING``: the recording (``body``: JSON), in the sparse index GSI1 under ``RECORDINGS``
  with the start time as sort key: the supervisors' list, newest first, and the retention sweep's oldest first.
* ``CONTACT#<contact id>`` / ``RECORDING#<start>#<id>``: a pointer, for a contact's recordings.
* ``RECORDINGS_UNFINISHED`` / ``<id>``: while the recording is not finished, for the sweeps after a restart.
* ``RECORDING_AUDIT`` / ``<time>#<uuid>``: one audit entry; never expires (the audit log outlives recordings).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from backend.adapters.aws import dynamo_items as items
from backend.adapters.aws.dynamo_table import INDEX_PARTITION_KEY, INDEX_SORT_KEY, OPEN_CONTACTS_INDEX
from backend.adapters.recording_codec import audit_from_json, audit_to_json, recording_from_json, recording_to_json
from backend.domain.errors import StoreUnavailable
from backend.domain.recording import AuditEntry, Recording, RecordingQuery, RecordingState
from backend.ports import RecordingStore

RECORDINGS_PK = 'RECORDINGS'
UNFINISHED_PK = 'RECORDINGS_UNFINISHED'
AUDIT_PK = 'RECORDING_AUDIT'
RECORDING_SK = 'RECORDING'
FINISHED = {RecordingState.READY, RecordingState.FAILED, RecordingState.DECLINED}
PAGE_LIMIT = 200


def _time_key(at: float) -> str:
    return f'{at:017.6f}'


def recording_key(recording_id: str) -> dict[str, Any]:
    return items.key(f'RECORDING#{recording_id}', RECORDING_SK)


class DynamoRecordingStore(RecordingStore):
    def __init__(self, client: Any, table_name: str) -> None:
        self._client, self.table_name = client, table_name

    def save_recording(self, recording: Recording) -> None:
        started = _time_key(recording.started_at)
        self._call('put_item', Item={**recording_key(recording.recording_id), **items.encode({
            'type': 'recording', 'contactId': recording.contact_id, 'state': recording.state.value,
            'body': json.dumps(recording_to_json(recording)), INDEX_PARTITION_KEY: RECORDINGS_PK,
            INDEX_SORT_KEY: f'{started}#{recording.recording_id}'})})
        pointer = items.key(items.contact_pk(recording.contact_id), f'RECORDING#{started}#{recording.recording_id}')
        self._call('put_item', Item={**pointer, **items.encode({'type': 'recordingPointer',
                                                                'recordingId': recording.recording_id})})
        unfinished = items.key(UNFINISHED_PK, recording.recording_id)
        if recording.state in FINISHED:
            self._call('delete_item', Key=unfinished)
        else:
            self._call('put_item', Item={**unfinished, **items.encode({'type': 'recordingUnfinished'})})

    def get_recording(self, recording_id: str) -> Recording | None:
        item = self._call('get_item', Key=recording_key(recording_id), ConsistentRead=True).get('Item')
        return _recording(items.decode(item)) if item else None

    def recordings_for_contact(self, contact_id: str) -> list[Recording]:
        pointers = self._query(KeyConditionExpression='PK = :pk AND begins_with(SK, :prefix)',
                               ExpressionAttributeValues={':pk': items.value(items.contact_pk(contact_id)),
                                                          ':prefix': items.value('RECORDING#')}, ConsistentRead=True)
        found = (self.get_recording(p['recordingId']) for p in pointers)
        return [r for r in found if r is not None]

    def list_recordings(self, query: RecordingQuery) -> list[Recording]:
        found: list[Recording] = []
        params: dict[str, Any] = {'IndexName': OPEN_CONTACTS_INDEX, 'KeyConditionExpression': '#pk = :pk',
                                  'ExpressionAttributeNames': {'#pk': INDEX_PARTITION_KEY},
                                  'ExpressionAttributeValues': {':pk': items.value(RECORDINGS_PK)},
                                  'ScanIndexForward': False, 'Limit': PAGE_LIMIT}
        while len(found) < query.limit:
            response = self._call('query', **params)
            found += [r for r in (_recording(items.decode(i)) for i in response.get('Items', [])) if query.matches(r)]
            if 'LastEvaluatedKey' not in response:
                break
            params['ExclusiveStartKey'] = response['LastEvaluatedKey']
        return found[:query.limit]

    def unfinished_recordings(self) -> list[Recording]:
        ids = [i['SK'] for i in self._query(KeyConditionExpression='PK = :pk',
                                           ExpressionAttributeValues={':pk': items.value(UNFINISHED_PK)})]
        return [r for r in (self.get_recording(i) for i in ids) if r is not None]

    def recordings_started_before(self, before: float) -> list[Recording]:
        return [_recording(v) for v in self._query(
            IndexName=OPEN_CONTACTS_INDEX, KeyConditionExpression='#pk = :pk AND #sk < :before',
            ExpressionAttributeNames={'#pk': INDEX_PARTITION_KEY, '#sk': INDEX_SORT_KEY},
            ExpressionAttributeValues={':pk': items.value(RECORDINGS_PK), ':before': items.value(_time_key(before))})]

    def delete_recording(self, recording_id: str) -> None:
        recording = self.get_recording(recording_id)
        if recording is None:
            return
        self._call('delete_item', Key=items.key(items.contact_pk(recording.contact_id),
                                                f'RECORDING#{_time_key(recording.started_at)}#{recording_id}'))
        self._call('delete_item', Key=items.key(UNFINISHED_PK, recording_id))
        self._call('delete_item', Key=recording_key(recording_id))

    def add_audit_entry(self, entry: AuditEntry) -> None:
        self._call('put_item', Item={**items.key(AUDIT_PK, f'{_time_key(entry.at)}#{uuid.uuid4()}'),
                                     **items.encode({'type': 'recordingAudit',
                                                     'body': json.dumps(audit_to_json(entry))})})

    def audit_entries(self, limit: int) -> list[AuditEntry]:
        response = self._call('query', KeyConditionExpression='PK = :pk',
                              ExpressionAttributeValues={':pk': items.value(AUDIT_PK)}, ScanIndexForward=False,
                              Limit=limit)
        return [audit_from_json(json.loads(items.decode(i)['body'])) for i in response.get('Items', [])]

    def _query(self, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            response = self._call('query', **params)
            found += [items.decode(i) for i in response.get('Items', [])]
            if 'LastEvaluatedKey' not in response:
                return found
            params['ExclusiveStartKey'] = response['LastEvaluatedKey']

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self._client, operation)(TableName=self.table_name, **params)
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f'DynamoDB {operation} on table {self.table_name!r} failed: {error}') from error
        return result


def _recording(values: dict[str, Any]) -> Recording:
    return recording_from_json(json.loads(values['body']))
