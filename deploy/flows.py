"""The flows as ``AWS::Connect::ContactFlow`` resources, their content rendered by ``vce flows export``'s own code.

``backend/flows/export.py`` replaces the placeholder ARNs with real ones and validates the result. Here the real
ARNs are CloudFormation values (the queue and the other flows are made in the same deployment), so the flows are
rendered with marker ARNs of the right shape first, and each marker is then swapped for its CloudFormation value;
CDK turns the text into one ``Fn::Join``. A test resolves that join and compares it with ``vce flows export``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import aws_connect as connect
from constructs import Construct

from backend.flows.export import SourceFlow, Targets, read_flows, render

MARKER_INSTANCE_ARN = 'arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-0000000f10a5'
MARKER_QUEUE_ARN = f'{MARKER_INSTANCE_ARN}/queue/00000000-0000-4000-8000-00000000a0e0'
BASIC_QUEUE = 'BasicQueue'  # the placeholder name the flow files use for the queue of chats without a reference


def marker_flow_id(index: int) -> str:
    return f'00000000-0000-4000-8000-{index:012d}'


def contact_flows(scope: Construct, *, flows_dir: Path, instance_arn: str, queue_arn: str
                  ) -> dict[str, connect.CfnContactFlow]:
    """One resource per flow file, published, in dependency order; returns them by flow name (the file stem)."""
    flows = read_flows(sorted(flows_dir.glob('*.json')))
    markers = {flow.name: marker_flow_id(index) for index, flow in enumerate(flows, start=1)}
    made: dict[str, connect.CfnContactFlow] = {}
    for flow in flows:
        content = cloudformation_content(flow, markers, {name: made[name].attr_contact_flow_arn for name in made},
                                         queue_arn=queue_arn)
        made[flow.name] = connect.CfnContactFlow(
            scope, f'Flow{flow.name}', instance_arn=instance_arn, name=flow.name, type=flow.connect_type,
            content=content, state='ACTIVE', description=f'{flow.name} (contact_flows/{flow.name}.json)')
    return made


def cloudformation_content(flow: SourceFlow, markers: Mapping[str, str], flow_arns: Mapping[str, str], *,
                           queue_arn: str) -> str:
    """The flow's JSON as ``vce flows export`` renders it, with the marker ARNs replaced by the given values."""
    text = render(flow, Targets(MARKER_INSTANCE_ARN, {BASIC_QUEUE: MARKER_QUEUE_ARN}, markers))
    for name in flow.depends_on:
        text = text.replace(f'{MARKER_INSTANCE_ARN}/contact-flow/{markers[name]}', flow_arns[name])
    text = text.replace(MARKER_QUEUE_ARN, queue_arn)
    if MARKER_INSTANCE_ARN in text:  # a placeholder kind the export learnt later: refuse rather than ship a marker
        raise ValueError(f'{flow.name}: a marker ARN is left in the rendered flow')
    return text
