"""Exact AWS API calls per escalation and per ad-hoc redemption, counted by ``benchmarks/aws_calls.py``'s hook.

Behaviour, not time: each figure is the number of API calls aws mode makes (botocore ``before-call``), with
DynamoDB in moto and Connect / Participant Service / Chime as model-validated fakes. A change that adds a call to the
customer's waiting path fails here; the reasons for every remaining call are in ``docs/aws/calls.md``.
"""

from __future__ import annotations

from collections import Counter

import pytest
from moto import mock_aws

from benchmarks.aws_calls import run


def waits(rows: list[tuple[str, str, Counter[str]]]) -> dict[str, dict[str, int]]:
    return {name: dict(counted) for name, path, counted in rows if path == 'customer waits'}


@pytest.fixture
async def counted(monkeypatch: pytest.MonkeyPatch):
    for name in ('AWS_PROFILE', 'AWS_ENDPOINT_URL'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'testing')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'testing')
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')
    with mock_aws():
        yield await run()


async def test_calls_on_the_customers_waiting_path(counted) -> None:
    escalation, redemption = counted
    assert waits(escalation) == {
        'customer starts chat (until the page shows the chat)': {  # + the chat-start limits (docs/security/flood.md)
            'GetItem': 1, 'UpdateItem': 1, 'Query': 1, 'StartChatContact': 1, 'CreateParticipantConnection': 1,
            'PutItem': 1, 'TransactWriteItems': 1},
        "video signal reaches the customer (agent's chat message)": {'GetItem': 1},
        'customer gets join data (+ names for the tiles)': {},  # answered from the marker check's read
        'customer ends the chat': {'DisconnectParticipant': 1, 'TransactWriteItems': 1},  # + the open-chat lease
    }
    assert waits(redemption) == {'customer starts chat with the reference': {
        'UpdateItem': 3, 'GetItem': 1, 'Query': 1, 'StartChatContact': 1, 'CreateParticipantConnection': 1,
        'PutItem': 1, 'TransactWriteItems': 1}}


async def test_calls_in_total(counted) -> None:
    escalation, redemption = counted
    assert sum(sum(c.values()) for _, _, c in escalation) == 25
    assert sum(sum(c.values()) for _, _, c in redemption) == 12
    background = {name: dict(c) for name, path, c in escalation if path != 'customer waits'}
    assert background['chat connects (socket subscribed, catch-up)'] == {'GetTranscript': 1}
    assert background['participant record writes (one per state change)'] == {'PutItem': 3}
    assert background['agent starts video (first time: Connect user looked up)'] == {
        'SearchUsers': 1, 'DescribeUser': 1, 'DescribeContact': 1, 'GetItem': 1, 'CreateMeetingWithAttendees': 1,
        'TransactWriteItems': 1, 'UpdateContactAttributes': 1}
