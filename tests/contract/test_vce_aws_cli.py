"""`vce configure`, `vce doctor` and `vce flows export` end to end through typer's CliRunner (moto + Stubber)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from typer.testing import CliRunner

from backend import bootstrap
from backend.adapters.aws.doctor.service_checks import PROBE_MEETING_ID
from backend.adapters.aws.ssm_parameters import SsmParameters
from tests.contract.aws_config_fixtures import (
    CHAT_FLOW_ID,
    FULL,
    INSTANCE_ARN,
    INSTANCE_ID,
    QUEUE_ARN,
    QUEUE_FLOW_ID,
    REGION,
    SECRET,
    WEBSITE,
)
from vce.cli import app

PATH = '/VideoCallEscalation/'
runner = CliRunner()


def stored() -> dict[str, str]:
    return SsmParameters(boto3.client('ssm', region_name=REGION), PATH).load()


def configure(*args: str, input: str | None = None) -> Any:
    return runner.invoke(app, ['configure', *args], input=input)


def full_options(values: dict[str, str] = FULL) -> list[str]:
    from backend.settings.parameters import BY_NAME

    return [item for name, value in values.items() for item in (f'--{BY_NAME[name].option}', value)]


# --- vce configure -------------------------------------------------------------------------------------------------

INTERACTIVE_ANSWERS = [
    'ftp://not-connect',  # refused, asked again
    'https://example-bank.my.connect.aws',
    INSTANCE_ARN,
    CHAT_FLOW_ID,
    '',  # connect-queue-flow-id: optional, left empty
    '',  # connect-voice-queue-flow-id: optional, left empty
    QUEUE_ARN,
    'eu-west-2',  # chime media region (default us-east-1)
    '',  # dynamodb table: keep the default
    WEBSITE,
    SECRET,  # hidden input
    '',  # ccp-login-mode: default popup
    'local',  # agent-login-mode: local, so no OIDC questions
    '',  # connect-agent-routing-profile-arn: optional, left empty
    '',  # connect-agent-security-profile-arn: optional, left empty
    '',  # recording-bucket: optional, left empty
]


def test_interactive_asks_each_value_checks_it_and_skips_children_of_unchosen_parents(moto):
    result = configure(input='\n'.join(INTERACTIVE_ANSWERS) + '\n')
    assert result.exit_code == 0, result.output
    assert "'ftp://not-connect' is not an https URL" in result.output
    assert 'oidc-discovery-url' not in result.output and 'connect-federation-role-arn' not in result.output
    assert SECRET not in result.output
    values = stored()
    assert values['connectInstanceURL'] == 'https://example-bank.my.connect.aws'
    assert values['agentLoginMode'] == 'local' and values['dynamodbTableName'] == 'VideoCallEscalation'
    assert values['storageSecret'] == SECRET and 'connectQueueFlowId' not in values
    assert 'Still missing' not in result.output


def test_interactive_shows_the_current_values_and_enter_keeps_them(moto):
    configure(input='\n'.join(INTERACTIVE_ANSWERS) + '\n')
    before = stored()
    result = configure(input='\n' * 20)
    assert result.exit_code == 0, result.output
    assert '[https://example-bank.my.connect.aws]' in result.output and '[********]' in result.output
    assert SECRET not in result.output
    assert 'No changes under /VideoCallEscalation/' in result.output
    assert stored() == before


def test_interactive_asks_the_children_of_a_chosen_parent(moto):
    answers = [*INTERACTIVE_ANSWERS[1:-5], 'federated', '', 'oidc', FULL['oidcDiscoveryURL'], 'client-1', '', '',
               '', '', '']  # the last three: the agents' Connect profiles and the recording bucket, optional
    result = configure(input='\n'.join(answers) + '\n')
    assert result.exit_code == 0, result.output
    assert 'connect-federation-role-arn' in result.output and 'oidc-client-secret' in result.output
    values = stored()
    assert values['ccpLoginMode'] == 'federated' and values['oidcClientId'] == 'client-1'
    assert 'connectFederationRoleARN' not in values and 'oidcClientSecret' not in values


def test_a_required_value_cannot_be_left_empty(moto):
    result = configure(input='\n' + '\n'.join(INTERACTIVE_ANSWERS[1:]) + '\n')
    assert 'connect-instance-url is required.' in result.output
    assert result.exit_code == 0


def test_non_interactive_sets_only_the_given_values_and_says_what_is_still_missing(moto):
    result = configure('--connect-instance-arn', INSTANCE_ARN, '--chime-media-region', 'EU-WEST-2')
    assert result.exit_code == 0, result.output
    assert 'Saved 2 parameter(s) under /VideoCallEscalation/ in eu-west-2' in result.output
    assert 'Still missing before aws mode can start: --connect-instance-url' in result.output
    assert stored() == {'connectInstanceARN': INSTANCE_ARN, 'chimeMediaRegion': 'eu-west-2'}


def test_nothing_is_written_when_any_value_is_bad(moto):
    configure('--connect-instance-arn', INSTANCE_ARN)
    result = configure('--website-url', WEBSITE, '--connect-basic-queue-arn', 'arn:nope', '--ccp-login-mode', 'saml')
    assert result.exit_code == 1
    assert 'Nothing was written:' in result.output
    assert "connectBasicQueueARN (--connect-basic-queue-arn): 'arn:nope' is not an Amazon Connect queue ARN" in \
        result.output
    assert "ccpLoginMode (--ccp-login-mode): 'saml' is not one of: popup, federated" in result.output
    assert stored() == {'connectInstanceARN': INSTANCE_ARN}


def test_values_that_do_not_fit_together_are_refused(moto):
    result = configure('--region', 'us-east-1', '--connect-instance-arn', INSTANCE_ARN)
    assert result.exit_code == 1
    assert 'connectInstanceARN is in region eu-west-2 but this configuration is for region us-east-1' in result.output


def test_a_secret_can_come_from_stdin_and_show_masks_it(moto):
    result = configure('--storage-secret', '-', '--oidc-client-secret', 'x-client-secret', input=f'{SECRET}\n')
    assert result.exit_code == 0, result.output
    assert stored()['storageSecret'] == SECRET
    shown = configure('--show')
    assert shown.exit_code == 0
    assert SECRET not in shown.output and 'x-client-secret' not in shown.output
    assert 'storageSecret                  ********' in shown.output
    assert 'connectInstanceURL             -   (MISSING (required))' in shown.output
    assert 'dynamodbTableName              VideoCallEscalation   (default)' in shown.output
    assert 'connectFederationRoleARN       -   (not used: ccpLoginMode is not federated)' in shown.output


def test_delete_all_asks_first(moto):
    configure(*full_options())
    refused = configure('--delete-all', input='n\n')
    assert refused.exit_code == 1 and 'Nothing deleted.' in refused.output
    assert stored() == FULL
    result = configure('--delete-all', '--yes')
    assert result.exit_code == 0 and f'Deleted {len(FULL)} parameter(s)' in result.output
    assert stored() == {}


def test_ssm_access_denied_is_a_clear_error(aws_env, monkeypatch):
    client = boto3.client('ssm', region_name=REGION)
    stub = Stubber(client)
    stub.add_client_error('get_parameters_by_path', service_error_code='AccessDeniedException',
                          service_message='User is not authorized', http_status_code=400)
    stub.activate()
    monkeypatch.setattr(bootstrap, 'aws_client', lambda service, region: client)
    result = configure('--show')
    assert result.exit_code == 1
    assert 'Error: ssm:GetParametersByPath failed: AccessDeniedException: User is not authorized' in result.output


def test_serve_in_aws_mode_lists_every_missing_value(moto, monkeypatch):
    configure('--connect-instance-arn', INSTANCE_ARN)
    monkeypatch.setenv('VCE_MODE', 'aws')
    result = runner.invoke(app, ['serve'])
    assert result.exit_code == 2
    assert 'Configuration error: aws mode needs 7 more setting(s)' in result.output
    assert 'websiteURL' in result.output and 'VCE_WEBSITE_URL' in result.output


# --- vce doctor ----------------------------------------------------------------------------------------------------

def green_aws(monkeypatch: pytest.MonkeyPatch) -> dict[str, Stubber]:
    """Full configuration in SSM, table and Cognito client in moto, Connect and Chime answering through Stubbers."""
    cognito = boto3.client('cognito-idp', region_name=REGION)
    pool = cognito.create_user_pool(PoolName='agents')['UserPool']['Id']
    app_client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName='agent-desktop', CallbackURLs=[f'{WEBSITE}/auth/callback'],
        LogoutURLs=[f'{WEBSITE}/'], AllowedOAuthFlows=['code'], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=['openid', 'email', 'profile'])['UserPoolClient']
    dynamodb = boto3.client('dynamodb', region_name=REGION)
    dynamodb.create_table(TableName='VideoCallEscalation', BillingMode='PAY_PER_REQUEST',
                          KeySchema=[{'AttributeName': 'PK', 'KeyType': 'HASH'}],
                          AttributeDefinitions=[{'AttributeName': 'PK', 'AttributeType': 'S'}])
    dynamodb.update_time_to_live(TableName='VideoCallEscalation',
                                 TimeToLiveSpecification={'Enabled': True, 'AttributeName': 'expiresAt'})
    values = {**FULL, 'oidcClientId': app_client['ClientId'],
              'oidcDiscoveryURL': f'https://cognito-idp.{REGION}.amazonaws.com/{pool}/.well-known/openid-configuration'}
    assert configure(*full_options(values)).exit_code == 0
    clients = {name: boto3.client(name, region_name=REGION) for name in ('connect', 'chime-sdk-meetings')}
    stubs = {name: Stubber(client) for name, client in clients.items()}
    connect = stubs['connect']
    connect.add_response('describe_instance', {'Instance': {
        'Id': INSTANCE_ID, 'InstanceAlias': 'example-bank', 'InstanceStatus': 'ACTIVE',
        'IdentityManagementType': 'CONNECT_MANAGED', 'InstanceAccessUrl': FULL['connectInstanceURL']}})
    connect.add_response('describe_contact_flow', {'ContactFlow': {
        'Name': 'VideoCallEscalationChat', 'Type': 'CONTACT_FLOW', 'State': 'ACTIVE', 'Status': 'PUBLISHED'}})
    connect.add_response('describe_contact_flow', {'ContactFlow': {
        'Name': 'VideoCallEscalationQueue', 'Type': 'CUSTOMER_QUEUE', 'State': 'ACTIVE', 'Status': 'PUBLISHED'}})
    connect.add_response('describe_contact_flow', {'ContactFlow': {
        'Name': 'VideoCallEscalationVoiceQueue', 'Type': 'CUSTOMER_QUEUE', 'State': 'ACTIVE', 'Status': 'PUBLISHED'}})
    connect.add_response('describe_queue', {'Queue': {'Name': 'BasicQueue', 'Status': 'ENABLED'}})
    connect.add_response('list_approved_origins', {'Origins': [WEBSITE]})
    stubs['chime-sdk-meetings'].add_client_error('get_meeting', service_error_code='NotFoundException',
                                                 http_status_code=404, expected_params={'MeetingId': PROBE_MEETING_ID})
    for stub in stubs.values():
        stub.activate()
    monkeypatch.setattr(bootstrap, 'aws_client', lambda service, region: clients.get(service) or boto3.client(
        service, region_name=region))
    monkeypatch.setenv('COLUMNS', '400')
    return stubs


def test_doctor_all_green(moto, monkeypatch):
    stubs = green_aws(monkeypatch)
    result = runner.invoke(app, ['doctor'])
    assert result.exit_code == 0, result.output
    assert result.output.count('✔ ok') == 12 and 'FAIL' not in result.output
    assert 'All checks passed.' in result.output
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def test_doctor_red_rows_carry_the_fix_and_exit_non_zero(moto, monkeypatch):
    green_aws(monkeypatch)
    configure('--website-url', 'https://new-site.example.com')
    result = runner.invoke(app, ['doctor'])
    assert result.exit_code == 1
    assert 'https://new-site.example.com is not among the approved origins' in result.output
    assert 'Add origin https://new-site.example.com' in result.output
    assert 'check(s) failed: approved origins, cognito app client' in result.output


# --- vce flows export ----------------------------------------------------------------------------------------------

def test_export_writes_import_ready_files(moto, tmp_path):
    configure(*full_options())
    result = runner.invoke(app, ['flows', 'export', '--out', str(tmp_path / 'out')])
    assert result.exit_code == 0, result.output
    assert f'Wrote 4 flow file(s) for {INSTANCE_ARN}' in result.output
    chat = (tmp_path / 'out' / 'VideoCallEscalationChat.json').read_text()
    assert f'{INSTANCE_ARN}/contact-flow/{QUEUE_FLOW_ID}' in chat and QUEUE_ARN in chat and 'ACCOUNT_ID' not in chat


def test_export_without_the_ids_it_needs_writes_nothing(moto, tmp_path):
    configure('--connect-instance-arn', INSTANCE_ARN)
    result = runner.invoke(app, ['flows', 'export', '--out', str(tmp_path / 'out')])
    assert result.exit_code == 1
    assert 'connectBasicQueueARN is not configured: vce configure --connect-basic-queue-arn VALUE' in result.output
    configure('--connect-basic-queue-arn', QUEUE_ARN)
    result = runner.invoke(app, ['flows', 'export', '--out', str(tmp_path / 'out')])
    assert result.exit_code == 1 and 'Nothing was written:' in result.output and 'connectQueueFlowId' in result.output
    assert not (tmp_path / 'out').exists()


def test_export_create_or_update_creates_the_flows_and_prints_their_ids(moto, monkeypatch, tmp_path):
    configure('--connect-instance-arn', INSTANCE_ARN, '--connect-basic-queue-arn', QUEUE_ARN)
    connect = boto3.client('connect', region_name=REGION)
    new_queue_flow, new_chat_flow = '77777777-7777-4777-8777-777777777777', '88888888-8888-4888-8888-888888888888'
    with Stubber(connect) as stub:
        stub.add_response('list_contact_flows', {'ContactFlowSummaryList': []})
        stub.add_response('create_contact_flow', {'ContactFlowId': new_queue_flow,
                                                  'ContactFlowArn': f'{INSTANCE_ARN}/contact-flow/{new_queue_flow}'},
                          {'InstanceId': INSTANCE_ID, 'Name': 'VideoCallEscalationQueue', 'Type': 'CUSTOMER_QUEUE',
                           'Content': ANY, 'Status': 'PUBLISHED', 'Description': ANY})
        stub.add_response('create_contact_flow', {'ContactFlowId': new_chat_flow,
                                                  'ContactFlowArn': f'{INSTANCE_ARN}/contact-flow/{new_chat_flow}'})
        new_voice_queue_flow = '66666666-6666-4666-8666-666666666666'
        stub.add_response('create_contact_flow', {'ContactFlowId': new_voice_queue_flow,
                                                  'ContactFlowArn': f'{INSTANCE_ARN}/contact-flow/'
                                                                    f'{new_voice_queue_flow}'},
                          {'InstanceId': INSTANCE_ID, 'Name': 'VideoCallEscalationVoiceQueue',
                           'Type': 'CUSTOMER_QUEUE', 'Content': ANY, 'Status': 'PUBLISHED', 'Description': ANY})
        new_voice_flow = '99999999-9999-4999-8999-999999999999'
        stub.add_response('create_contact_flow', {'ContactFlowId': new_voice_flow,
                                                  'ContactFlowArn': f'{INSTANCE_ARN}/contact-flow/{new_voice_flow}'})
        monkeypatch.setattr(bootstrap, 'aws_client', lambda service, region: connect if service == 'connect' else
                            boto3.client(service, region_name=region))
        result = runner.invoke(app, ['flows', 'export', '--create-or-update', '--out', str(tmp_path / 'out')])
        stub.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    assert f'Created VideoCallEscalationQueue ({new_queue_flow})' in result.output
    assert (f'vce configure --connect-queue-flow-id {new_queue_flow} --connect-default-contact-flow-id '
            f'{new_chat_flow}') in result.output
    chat = json.loads((tmp_path / 'out' / 'VideoCallEscalationChat.json').read_text())
    assert f'contact-flow/{new_queue_flow}' in json.dumps(chat)


def test_create_table_creates_it_with_ttl_and_is_safe_to_run_again(moto):
    first = runner.invoke(app, ['create-table', '--region', REGION])
    assert first.exit_code == 0, first.output
    assert f'DynamoDB table VideoCallEscalation in {REGION}: created, TTL turned on.' in first.output
    client = boto3.client('dynamodb', region_name=REGION)
    assert client.describe_time_to_live(TableName='VideoCallEscalation')['TimeToLiveDescription'][
        'TimeToLiveStatus'] == 'ENABLED'
    again = runner.invoke(app, ['create-table', '--region', REGION])
    assert again.exit_code == 0 and 'already there.' in again.output


def test_create_table_says_what_failed(moto, monkeypatch):
    client = boto3.client('dynamodb', region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error('describe_table', service_error_code='AccessDeniedException',
                              service_message='not authorized', http_status_code=403)
        monkeypatch.setattr(bootstrap, 'aws_client', lambda service, region: client if service == 'dynamodb' else
                            boto3.client(service, region_name=region))
        result = runner.invoke(app, ['create-table', '--region', REGION])
    assert result.exit_code == 1
    assert 'dynamodb:CreateTable' in result.output and 'AccessDenied' in result.output


def test_a_bad_region_or_path_stops_every_aws_command_before_it_calls_aws(aws_env, monkeypatch):
    monkeypatch.setattr(bootstrap, 'aws_client', lambda service, region: pytest.fail('an AWS client was made'))
    for command in (['configure', '--show'], ['doctor'], ['create-table'], ['flows', 'export']):
        option = runner.invoke(app, [*command, '--region', 'europe'])
        assert option.exit_code == 2
        assert "Error: 'europe' is not an AWS region code; it looks like eu-west-2 or us-east-1" in option.output
    monkeypatch.setenv('VCE_SSM_PATH', '/aws/vce')
    variable = runner.invoke(app, ['doctor'])
    assert variable.exit_code == 2
    assert "Error: VCE_SSM_PATH: '/aws/vce' is not a usable SSM hierarchy" in variable.output
    monkeypatch.setenv('VCE_MODE', 'aws')
    monkeypatch.setenv('VCE_AWS_REGION', 'europe')
    serve = runner.invoke(app, ['serve'])
    assert serve.exit_code == 2
    assert "Configuration error: VCE_AWS_REGION: 'europe' is not an AWS region code" in serve.output
