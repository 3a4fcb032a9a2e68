"""Creating/updating the flows in Connect (botocore Stubber: every request and response checked against the model)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from backend.adapters.aws.connect_flows import ConnectFlowPublisher
from backend.adapters.aws.error_messages import AwsCallFailed
from backend.flows.export import Targets, read_flows, render
from backend.settings import PROJECT_ROOT
from tests.contract.aws_config_fixtures import INSTANCE_ARN, INSTANCE_ID, QUEUE_ARN

# the publishing mechanics, on the two flows the chat needs (the voice flow publishes the same way)
FLOWS = read_flows([PROJECT_ROOT / 'contact_flows' / f'{name}.json'
                    for name in ('VideoCallEscalationQueue', 'VideoCallEscalationChat')])
NEW_QUEUE_FLOW = '44444444-5555-4666-8777-888888888888'
NEW_CHAT_FLOW = '55555555-6666-4777-8888-999999999999'
LIST_PARAMS = {'InstanceId': INSTANCE_ID, 'ContactFlowTypes': ['CONTACT_FLOW', 'CUSTOMER_QUEUE']}


def flow_arn(flow_id: str) -> str:
    return f'{INSTANCE_ARN}/contact-flow/{flow_id}'


def content_for(flow: Any, ids: dict[str, str]) -> str:
    return render(flow, Targets(INSTANCE_ARN, {'BasicQueue': QUEUE_ARN}, ids))


def summary(name: str, flow_id: str, flow_type: str) -> dict[str, Any]:
    return {'Id': flow_id, 'Arn': flow_arn(flow_id), 'Name': name, 'ContactFlowType': flow_type,
            'ContactFlowState': 'ACTIVE', 'ContactFlowStatus': 'PUBLISHED'}


@pytest.fixture
def connect(aws_env) -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client('connect', region_name='eu-west-2')
    with Stubber(client) as stub:
        yield client, stub


def test_creates_the_queue_flow_first_then_the_chat_flow_that_names_it(connect):
    client, stub = connect
    stub.add_response('list_contact_flows', {'ContactFlowSummaryList': []}, LIST_PARAMS)
    stub.add_response('create_contact_flow', {'ContactFlowId': NEW_QUEUE_FLOW, 'ContactFlowArn': flow_arn(
        NEW_QUEUE_FLOW)}, {'InstanceId': INSTANCE_ID, 'Name': 'VideoCallEscalationQueue', 'Type': 'CUSTOMER_QUEUE',
                           'Content': ANY, 'Status': 'PUBLISHED', 'Description': ANY})
    sent: dict[str, Any] = {}
    client.meta.events.register('provide-client-params.connect.CreateContactFlow',
                                lambda params, **_: sent.update({params['Name']: params['Content']}))
    stub.add_response('create_contact_flow', {'ContactFlowId': NEW_CHAT_FLOW, 'ContactFlowArn': flow_arn(
        NEW_CHAT_FLOW)}, {'InstanceId': INSTANCE_ID, 'Name': 'VideoCallEscalationChat', 'Type': 'CONTACT_FLOW',
                          'Content': ANY, 'Status': 'PUBLISHED', 'Description': ANY})
    changes = ConnectFlowPublisher(client, INSTANCE_ID).publish(FLOWS, content_for)
    stub.assert_no_pending_responses()
    assert [(c.name, c.action, c.flow_id) for c in changes] == [
        ('VideoCallEscalationQueue', 'created', NEW_QUEUE_FLOW), ('VideoCallEscalationChat', 'created', NEW_CHAT_FLOW)]
    chat = json.loads(sent['VideoCallEscalationChat'])
    hook = next(a for a in chat['Actions'] if a['Identifier'] == 'set-customer-queue-flow')
    assert hook['Parameters']['EventHooks']['CustomerQueue'] == flow_arn(NEW_QUEUE_FLOW)


def test_existing_flows_get_new_content(connect):
    client, stub = connect
    stub.add_response('list_contact_flows', {'ContactFlowSummaryList': [
        summary('VideoCallEscalationChat', NEW_CHAT_FLOW, 'CONTACT_FLOW'),
        summary('VideoCallEscalationQueue', NEW_QUEUE_FLOW, 'CUSTOMER_QUEUE'),
        summary('Default agent whisper', '66666666-6666-4666-8666-666666666666', 'CONTACT_FLOW')]}, LIST_PARAMS)
    for flow_id in (NEW_QUEUE_FLOW, NEW_CHAT_FLOW):
        stub.add_response('describe_contact_flow', {'ContactFlow': {'Id': flow_id, 'Content': '{"old": true}'}},
                          {'InstanceId': INSTANCE_ID, 'ContactFlowId': flow_id})
        stub.add_response('update_contact_flow_content', {},
                          {'InstanceId': INSTANCE_ID, 'ContactFlowId': flow_id, 'Content': ANY})
    changes = ConnectFlowPublisher(client, INSTANCE_ID).publish(FLOWS, content_for)
    stub.assert_no_pending_responses()
    assert [(c.name, c.action) for c in changes] == [('VideoCallEscalationQueue', 'updated'),
                                                     ('VideoCallEscalationChat', 'updated')]


def test_a_refused_flow_undoes_the_ones_before_it_and_shows_connects_problems(connect):
    client, stub = connect
    stub.add_response('list_contact_flows', {'ContactFlowSummaryList': []}, LIST_PARAMS)
    stub.add_response('create_contact_flow', {'ContactFlowId': NEW_QUEUE_FLOW, 'ContactFlowArn': flow_arn(
        NEW_QUEUE_FLOW)})
    stub.add_client_error('create_contact_flow', service_error_code='InvalidContactFlowException',
                          service_message='The flow is not valid.', http_status_code=400,
                          modeled_fields={'problems': [{'message': 'Queue not found: BasicQueue'}]})
    stub.add_response('delete_contact_flow', {}, {'InstanceId': INSTANCE_ID, 'ContactFlowId': NEW_QUEUE_FLOW})
    with pytest.raises(AwsCallFailed) as raised:
        ConnectFlowPublisher(client, INSTANCE_ID).publish(FLOWS, content_for)
    stub.assert_no_pending_responses()
    message = str(raised.value)
    assert message.startswith('VideoCallEscalationChat: connect:CreateContactFlow failed: InvalidContactFlowException')
    assert 'Connect found: Queue not found: BasicQueue' in message
    assert 'the flows done before it were undone' in message


def test_a_failed_update_puts_the_old_content_back(connect):
    client, stub = connect
    stub.add_response('list_contact_flows', {'ContactFlowSummaryList': [
        summary('VideoCallEscalationQueue', NEW_QUEUE_FLOW, 'CUSTOMER_QUEUE'),
        summary('VideoCallEscalationChat', NEW_CHAT_FLOW, 'CONTACT_FLOW')]}, LIST_PARAMS)
    stub.add_response('describe_contact_flow', {'ContactFlow': {'Id': NEW_QUEUE_FLOW, 'Content': '{"old": 1}'}})
    stub.add_response('update_contact_flow_content', {})
    stub.add_response('describe_contact_flow', {'ContactFlow': {'Id': NEW_CHAT_FLOW, 'Content': '{"old": 2}'}})
    stub.add_client_error('update_contact_flow_content', service_error_code='AccessDeniedException',
                          service_message='not authorized', http_status_code=403)
    stub.add_response('update_contact_flow_content', {}, {'InstanceId': INSTANCE_ID, 'ContactFlowId': NEW_QUEUE_FLOW,
                                                          'Content': '{"old": 1}'})
    with pytest.raises(AwsCallFailed) as raised:
        ConnectFlowPublisher(client, INSTANCE_ID).publish(FLOWS, content_for)
    stub.assert_no_pending_responses()
    assert raised.value.access_denied
    assert 'permission for connect:UpdateContactFlowContent' in str(raised.value)


def test_a_same_named_flow_of_another_type_is_refused(connect):
    client, stub = connect
    stub.add_response('list_contact_flows', {'ContactFlowSummaryList': [
        summary('VideoCallEscalationQueue', NEW_QUEUE_FLOW, 'CONTACT_FLOW')]}, LIST_PARAMS)
    with pytest.raises(AwsCallFailed, match='exists with type CONTACT_FLOW, not CUSTOMER_QUEUE'):
        ConnectFlowPublisher(client, INSTANCE_ID).publish(FLOWS, content_for)


def test_throttling_on_listing_is_a_clear_message(connect):
    client, stub = connect
    stub.add_client_error('list_contact_flows', service_error_code='ThrottlingException', service_message='Rate',
                          http_status_code=429)
    with pytest.raises(AwsCallFailed, match='connect:ListContactFlows failed: ThrottlingException: Rate'):
        ConnectFlowPublisher(client, INSTANCE_ID).publish(FLOWS, content_for)
