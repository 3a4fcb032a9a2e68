"""The pieces of recording that need no engine: the contact's rules, consent records, upload slots, roles."""

from __future__ import annotations

import pytest

from backend.domain.errors import InvalidInput, NotFound
from backend.domain.model import Contact, Role
from backend.domain.recording import ConsentAnswer, ConsentPolicy, ConsentRecord, RecordingRules
from backend.services.recording_uploads import ChunkVerdict, UploadSlots


def contact(attributes: dict[str, str], flow_settings: dict | None = None) -> Contact:
    return Contact('c1', 'Cara', 'cara@example.com', 0.0, attributes=attributes, flow_settings=flow_settings or {})


def test_only_true_counts_in_any_case():
    assert RecordingRules.for_contact(contact({'videoRecordingAutoStartEnabled': ' True '})).auto_start
    assert not RecordingRules.for_contact(contact({'videoRecordingAutoStartEnabled': '1'})).auto_start
    assert not RecordingRules.for_contact(contact({})).allowed


def test_consent_is_one_readable_attribute():
    record = ConsentRecord(ConsentPolicy.REQUIRE, ConsentAnswer.ACCEPTED, 1_800_000_000.0)
    assert record.attribute_value() == 'accepted (require) 2027-01-15T08:00:00Z'


def test_upload_slots_take_each_chunk_once_and_in_order():
    slots = UploadSlots()
    token = slots.open('r1', 0, 'ann')
    verdict, slot = slots.check('r1', 0, 'ann', token, 0)
    assert verdict == ChunkVerdict.WRITE and slot is not None
    slots.written(slot, last=False)
    assert slots.check('r1', 0, 'ann', token, 0)[0] == ChunkVerdict.REPEAT
    assert slots.check('r1', 0, 'ann', token, 2)[0] == ChunkVerdict.REFUSE
    assert slots.check('r1', 0, 'ann', token + 'x', 1)[0] == ChunkVerdict.REFUSE
    assert slots.check('r1', 0, 'bob', token, 1)[0] == ChunkVerdict.REFUSE
    assert slots.check('r1', 1, 'ann', token, 0)[0] == ChunkVerdict.REFUSE
    slots.written(slot, last=True)
    assert slots.check('r1', 0, 'ann', token, 2)[0] == ChunkVerdict.REFUSE  # the last chunk closed it


def test_accounts_have_a_role(tmp_path):
    from backend.bootstrap import build_accounts
    from backend.settings import Settings

    accounts = build_accounts(Settings(demo=True, data_dir=tmp_path))
    assert accounts.add_agent('ann', 'Ann Agent', 'a-long-password').role is Role.AGENT
    assert accounts.add_agent('sue', 'Sue Super', 'a-long-password', 'supervisor').role is Role.SUPERVISOR
    assert (accounts.role_of('ann'), accounts.role_of('SUE'), accounts.role_of('nobody')) == (
        Role.AGENT, Role.SUPERVISOR, None)
    accounts.set_role('ann', Role.SUPERVISOR)
    assert accounts.role_of('ann') is Role.SUPERVISOR
    with pytest.raises(InvalidInput, match='not a role'):
        accounts.add_agent('bob', 'Bob', 'a-long-password', 'admin')
    with pytest.raises(NotFound):
        accounts.set_role('nobody', Role.AGENT)
