"""Flow export: placeholder ARNs replaced from the configuration, validated, written all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.flows import InvalidFlowError, check_flow
from backend.flows.export import Targets, read_flows, render, render_all, write_all
from backend.settings import PROJECT_ROOT

INSTANCE = 'arn:aws:connect:eu-west-2:123456789012:instance/0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
QUEUE = f'{INSTANCE}/queue/11111111-2222-3333-4444-555555555555'
QUEUE_FLOW_ID = '99999999-8888-4777-8666-555555555555'
VOICE_QUEUE_FLOW_ID = '77777777-6666-4555-8444-333333333333'
TARGETS = Targets(INSTANCE, {'BasicQueue': QUEUE}, {'VideoCallEscalationQueue': QUEUE_FLOW_ID,
                                                    'VideoCallEscalationVoiceQueue': VOICE_QUEUE_FLOW_ID})
SHIPPED = sorted((PROJECT_ROOT / 'contact_flows').glob('*.json'))


def copy_flows(tmp_path: Path) -> Path:
    folder = tmp_path / 'flows'
    folder.mkdir()
    for path in SHIPPED:
        (folder / path.name).write_text(path.read_text())
    return folder


def test_flows_come_in_dependency_order_with_their_connect_types():
    flows = read_flows(SHIPPED)
    assert [(f.name, f.connect_type, f.depends_on) for f in flows] == [
        ('VideoCallEscalationQueue', 'CUSTOMER_QUEUE', ()),
        ('VideoCallEscalationChat', 'CONTACT_FLOW', ('VideoCallEscalationQueue',)),
        ('VideoCallEscalationVoiceQueue', 'CUSTOMER_QUEUE', ()),
        ('VideoCallEscalationVoice', 'CONTACT_FLOW', ('VideoCallEscalationVoiceQueue',)),
    ]


def test_every_placeholder_is_replaced_and_the_result_is_a_valid_flow():
    rendered = render_all(read_flows(SHIPPED), TARGETS)
    chat = json.loads(rendered['VideoCallEscalationChat'])
    text = rendered['VideoCallEscalationChat']
    assert 'REGION' not in text and 'ACCOUNT_ID' not in text and 'INSTANCE_ID' not in text
    actions = {a['Identifier']: a for a in chat['Actions']}
    queue_flow_arn = f'{INSTANCE}/contact-flow/{QUEUE_FLOW_ID}'
    assert actions['set-customer-queue-flow']['Parameters']['EventHooks']['CustomerQueue'] == queue_flow_arn
    assert actions['set-basic-queue']['Parameters']['QueueId'] == QUEUE
    assert chat['Metadata']['ActionMetadata']['set-customer-queue-flow']['contactFlow']['id'] == queue_flow_arn
    assert check_flow(chat, name='VideoCallEscalationChat') == []
    assert json.loads(rendered['VideoCallEscalationQueue']) == json.loads(SHIPPED[1].read_text())  # nothing to fill


def test_the_voice_flow_gets_its_own_queue_flow():
    rendered = render_all(read_flows(SHIPPED), TARGETS)
    voice = json.loads(rendered['VideoCallEscalationVoice'])
    hook = {a['Identifier']: a for a in voice['Actions']}['set-customer-queue-flow']
    assert hook['Parameters']['EventHooks']['CustomerQueue'] == f'{INSTANCE}/contact-flow/{VOICE_QUEUE_FLOW_ID}'
    voice_queue = json.loads(rendered['VideoCallEscalationVoiceQueue'])
    assert voice_queue['Metadata']['type'] == 'customerQueue'
    assert {a['Type'] for a in voice_queue['Actions']}.isdisjoint({'Wait'})  # Wait is chat-only in Connect
    with pytest.raises(InvalidFlowError, match='connectVoiceQueueFlowId'):
        render(read_flows(SHIPPED)[3], Targets(INSTANCE, {'BasicQueue': QUEUE}, {}))


def test_a_placeholder_without_value_is_refused_with_the_way_to_give_it():
    flows = read_flows(SHIPPED)
    with pytest.raises(InvalidFlowError) as raised:
        render(flows[1], Targets(INSTANCE, {}, {}))
    problems = raised.value.problems
    assert len(problems) == 2
    assert any('queue/BasicQueue' in p and '--connect-basic-queue-arn' in p for p in problems)
    assert any('contact-flow/VideoCallEscalationQueue' in p and 'connectQueueFlowId' in p for p in problems)


def test_invalid_flows_and_unknown_types_are_refused_before_anything_is_rendered(tmp_path):
    folder = copy_flows(tmp_path)
    chat = folder / 'VideoCallEscalationChat.json'
    data = json.loads(chat.read_text())
    data['Metadata']['type'] = 'agentWhisper'
    chat.write_text(json.dumps(data))
    with pytest.raises(InvalidFlowError, match=r"Metadata\.type 'agentWhisper' is not one of"):
        read_flows(folder.glob('*.json'))
    chat.write_text('{not json')
    with pytest.raises(InvalidFlowError, match='invalid JSON'):
        read_flows(folder.glob('*.json'))


def test_rendering_validates_the_result(tmp_path):
    flows = read_flows(SHIPPED)
    broken = Targets(INSTANCE, {'BasicQueue': QUEUE}, {'VideoCallEscalationQueue': QUEUE_FLOW_ID})
    data = json.loads(json.dumps(flows[1].data))
    data['Actions'][0]['Transitions']['NextAction'] = 'nowhere'
    with pytest.raises(InvalidFlowError, match="unknown action 'nowhere'"):
        render(type(flows[1])(flows[1].name, flows[1].connect_type, flows[1].depends_on, data), broken)


def test_files_are_written_all_or_nothing(tmp_path, monkeypatch):
    rendered = render_all(read_flows(SHIPPED), TARGETS)
    out = tmp_path / 'out'
    written = write_all(rendered, out)
    assert sorted(p.name for p in out.iterdir()) == ['VideoCallEscalationChat.json', 'VideoCallEscalationQueue.json',
                                                            'VideoCallEscalationVoice.json',
                                                            'VideoCallEscalationVoiceQueue.json']
    assert json.loads(written[0].read_text())

    second = tmp_path / 'second'
    original = Path.write_text
    calls = []

    def failing_write(self: Path, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(self)
        if len(calls) == 2:
            raise OSError('disk full')
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, 'write_text', failing_write)
    with pytest.raises(OSError, match='disk full'):
        write_all(rendered, second)
    assert list(second.iterdir()) == []
