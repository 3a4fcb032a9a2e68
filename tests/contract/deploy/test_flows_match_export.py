"""The flows in the template are what `vce flows export` writes for the same instance, queue and flow ids."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from tests.contract.deploy.stacks import INSTANCE_ARN, QUEUE_ARN, Synthesized
from vce.cli import app

FLOW_IDS = {'VideoCallEscalationChat': '22222222-3333-4444-8555-666666666666',
            'VideoCallEscalationQueue': '33333333-4444-4555-8666-777777777777',
            'VideoCallEscalationVoice': '55555555-6666-4777-8888-999999999999',
            'VideoCallEscalationVoiceQueue': '44444444-5555-4666-8777-888888888888'}
FLOW_VARIABLES = {'VideoCallEscalationChat': 'VCE_CONNECT_CHAT_FLOW_ID',
                  'VideoCallEscalationQueue': 'VCE_CONNECT_QUEUE_FLOW_ID',
                  'VideoCallEscalationVoiceQueue': 'VCE_CONNECT_VOICE_QUEUE_FLOW_ID'}


def resolved(value: Any, flow_arns: dict[str, str]) -> str:
    """A Content value with each flow's ``Fn::GetAtt [Flow…, ContactFlowArn]`` given its ARN."""
    if isinstance(value, str):
        return value
    if 'Fn::Join' in value:
        separator, parts = value['Fn::Join']
        return separator.join(resolved(part, flow_arns) for part in parts)
    logical, attribute = value['Fn::GetAtt']
    assert attribute == 'ContactFlowArn'
    return flow_arns[logical]


def test_the_templates_flows_equal_vce_flows_export(existing_instance: Synthesized, moto, monkeypatch, tmp_path):
    flows = existing_instance.resources('AWS::Connect::ContactFlow')
    by_name = {flow['Properties']['Name']: (logical, flow['Properties']) for logical, flow in flows.items()}
    assert set(by_name) == set(FLOW_IDS)  # the four flows of contact_flows/
    arns = {logical: f'{INSTANCE_ARN}/contact-flow/{FLOW_IDS[name]}' for name, (logical, _) in by_name.items()}
    monkeypatch.setenv('VCE_CONNECT_INSTANCE_ARN', INSTANCE_ARN)
    monkeypatch.setenv('VCE_CONNECT_QUEUE_ARN', QUEUE_ARN)
    for name, variable in FLOW_VARIABLES.items():
        monkeypatch.setenv(variable, FLOW_IDS[name])
    result = CliRunner().invoke(app, ['flows', 'export', '--out', str(tmp_path / 'flows')])
    assert result.exit_code == 0, result.output
    for name, (_, properties) in by_name.items():
        exported = (tmp_path / 'flows' / f'{name}.json').read_text(encoding='utf-8')
        assert resolved(properties['Content'], arns) == exported, name
        assert properties['InstanceArn'] == INSTANCE_ARN and properties['State'] == 'ACTIVE'
    kinds = {name: properties['Type'] for name, (_, properties) in by_name.items()}
    assert kinds == {'VideoCallEscalationChat': 'CONTACT_FLOW', 'VideoCallEscalationVoice': 'CONTACT_FLOW',
                     'VideoCallEscalationQueue': 'CUSTOMER_QUEUE', 'VideoCallEscalationVoiceQueue': 'CUSTOMER_QUEUE'}
    assert json.loads(resolved(by_name['VideoCallEscalationChat'][1]['Content'], arns))
