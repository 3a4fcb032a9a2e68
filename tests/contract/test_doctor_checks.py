"""`vce doctor`'s checks one by one: Connect and Chime with botocore Stubber, STS/DynamoDB/Cognito with moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from backend.adapters.aws.doctor import CHECKS, CheckResult, DoctorContext, Status, run_checks
from backend.adapters.aws.doctor import connect_checks as cc
from backend.adapters.aws.doctor import service_checks as sc
from backend.settings import PROJECT_ROOT
from tests.contract.aws_config_fixtures import (
    ACCOUNT,
    CHAT_FLOW_ID,
    FULL,
    INSTANCE_ARN,
    INSTANCE_ID,
    QUEUE_FLOW_ID,
    QUEUE_ID,
    REGION,
    VOICE_QUEUE_FLOW_ID,
    WEBSITE,
)

ACCESS_URL = 'https://example-bank.my.connect.aws'


class Clients:
    """Stubbed connect / chime-sdk-meetings clients; every other service is a plain client (moto when active)."""

    def __init__(self) -> None:
        self.stubbed = {name: boto3.client(name, region_name=REGION) for name in ('connect', 'chime-sdk-meetings')}
        self.stubs = {name: Stubber(client) for name, client in self.stubbed.items()}
        for stub in self.stubs.values():
            stub.activate()

    def __call__(self, service: str, region: str) -> Any:
        return self.stubbed.get(service) or boto3.client(service, region_name=region)


@pytest.fixture
def clients(aws_env) -> Iterator[Clients]:
    made = Clients()
    yield made
    for stub in made.stubs.values():
        stub.assert_no_pending_responses()


def context(clients: Clients, **values: str) -> DoctorContext:
    return DoctorContext({**FULL, **values}, REGION, [], clients)


def instance(**changes: Any) -> dict[str, Any]:
    return {'Instance': {'Id': INSTANCE_ID, 'Arn': INSTANCE_ARN, 'IdentityManagementType': 'CONNECT_MANAGED',
                         'InstanceAlias': 'example-bank', 'InstanceStatus': 'ACTIVE', 'InstanceAccessUrl': ACCESS_URL,
                         **changes}}


def flow(flow_id: str, flow_type: str, **changes: Any) -> dict[str, Any]:
    return {'ContactFlow': {'Id': flow_id, 'Name': 'VideoCallEscalation', 'Type': flow_type, 'State': 'ACTIVE',
                            'Status': 'PUBLISHED', **changes}}


def connect_stub(clients: Clients) -> Stubber:
    return clients.stubs['connect']


# --- Connect -------------------------------------------------------------------------------------------------------

def test_instance_active_at_the_configured_url(clients):
    connect_stub(clients).add_response('describe_instance', instance(), {'InstanceId': INSTANCE_ID})
    result = cc.check_instance(context(clients))
    assert result.status is Status.OK and 'example-bank is ACTIVE' in result.detail


def test_instance_url_may_be_the_legacy_awsapps_form(clients):
    connect_stub(clients).add_response('describe_instance', instance())
    result = cc.check_instance(context(clients, connectInstanceURL='https://example-bank.awsapps.com/connect'))
    assert result.status is Status.OK


@pytest.mark.parametrize(('response', 'values', 'detail', 'fix'), [
    (instance(InstanceStatus='CREATION_FAILED', StatusReason={'Message': 'quota'}), {}, 'is CREATION_FAILED: quota',
     'Wait for the instance'),
    (instance(), {'connectInstanceURL': 'https://other.my.connect.aws'}, 'but the instance is at',
     f'vce configure --connect-instance-url {ACCESS_URL}'),
    (instance(), {'ccpLoginMode': 'federated'}, 'GetFederationToken needs SAML', '--ccp-login-mode popup'),
])
def test_instance_problems_are_red_with_a_fix(clients, response, values, detail, fix):
    connect_stub(clients).add_response('describe_instance', response)
    result = cc.check_instance(context(clients, **values))
    assert result.status is Status.FAIL
    assert detail in result.detail and fix in result.fix


def test_published_flows_of_the_right_type_are_green(clients):
    stub = connect_stub(clients)
    stub.add_response('describe_contact_flow', flow(CHAT_FLOW_ID, 'CONTACT_FLOW'),
                      {'InstanceId': INSTANCE_ID, 'ContactFlowId': CHAT_FLOW_ID})
    stub.add_response('describe_contact_flow', flow(QUEUE_FLOW_ID, 'CUSTOMER_QUEUE'),
                      {'InstanceId': INSTANCE_ID, 'ContactFlowId': QUEUE_FLOW_ID})
    assert cc.check_chat_flow(context(clients)).status is Status.OK
    assert cc.check_queue_flow(context(clients)).status is Status.OK


@pytest.mark.parametrize(('error', 'response', 'detail'), [
    ('ContactFlowNotPublishedException', None, 'is saved but not published'),
    ('ResourceNotFoundException', None, f'no flow with id {CHAT_FLOW_ID}'),
    (None, flow(CHAT_FLOW_ID, 'CUSTOMER_QUEUE'), 'is not a CONTACT_FLOW flow'),
    (None, flow(CHAT_FLOW_ID, 'CONTACT_FLOW', State='ARCHIVED'), 'must be ACTIVE and PUBLISHED'),
])
def test_flow_problems_are_red(clients, error, response, detail):
    stub = connect_stub(clients)
    if error:
        stub.add_client_error('describe_contact_flow', service_error_code=error, http_status_code=400)
    else:
        stub.add_response('describe_contact_flow', response)
    result = cc.check_chat_flow(context(clients))
    assert result.status is Status.FAIL and detail in result.detail and result.fix


def shipped_queue_flow() -> dict[str, Any]:
    return json.loads((PROJECT_ROOT / 'contact_flows' / 'VideoCallEscalationQueue.json').read_text())


def test_the_published_shipped_queue_flow_checks_the_position_before_telling_it(clients):
    connect_stub(clients).add_response('describe_contact_flow', flow(
        QUEUE_FLOW_ID, 'CUSTOMER_QUEUE', Content=json.dumps(shipped_queue_flow())))
    assert cc.check_queue_flow(context(clients)).status is Status.OK


def test_a_published_queue_flow_that_tells_an_unchecked_position_is_red(clients):
    """GetMetricData selects no contact-level metric in its documented parameters, so the position may be empty."""
    unguarded = shipped_queue_flow()
    unguarded['Actions'] = [a for a in unguarded['Actions'] if a['Identifier'] != 'check-position-known']
    unguarded['Actions'][0]['Transitions']['NextAction'] = 'position-in-queue-message'
    connect_stub(clients).add_response('describe_contact_flow', flow(
        QUEUE_FLOW_ID, 'CUSTOMER_QUEUE', Content=json.dumps(unguarded)))
    result = cc.check_queue_flow(context(clients))
    assert result.status is Status.FAIL
    assert 'position-in-queue-message (from get-queue-metrics)' in result.detail
    assert 'vce flows export --create-or-update' in result.fix


def test_the_published_shipped_voice_queue_flow_checks_the_position_and_may_be_left_out(clients):
    voice = json.loads((PROJECT_ROOT / 'contact_flows' / 'VideoCallEscalationVoiceQueue.json').read_text())
    connect_stub(clients).add_response('describe_contact_flow', flow(
        VOICE_QUEUE_FLOW_ID, 'CUSTOMER_QUEUE', Content=json.dumps(voice)),
        {'InstanceId': INSTANCE_ID, 'ContactFlowId': VOICE_QUEUE_FLOW_ID})
    assert cc.check_voice_queue_flow(context(clients)).status is Status.OK
    assert cc.check_voice_queue_flow(context(clients, connectVoiceQueueFlowId='')).status is Status.SKIP
    voice['Actions'][0]['Transitions']['NextAction'] = 'position-in-queue-prompt'  # the check bypassed
    connect_stub(clients).add_response('describe_contact_flow', flow(
        VOICE_QUEUE_FLOW_ID, 'CUSTOMER_QUEUE', Content=json.dumps(voice)))
    result = cc.check_voice_queue_flow(context(clients))
    assert result.status is Status.FAIL and 'position-in-queue-prompt (from get-queue-metrics)' in result.detail


def test_an_unconfigured_flow_id_is_red_without_a_call(clients):
    result = cc.check_queue_flow(context(clients, connectQueueFlowId=''))
    assert result.status is Status.FAIL and 'vce flows export --create-or-update' in result.fix


def test_queue(clients):
    stub = connect_stub(clients)
    stub.add_response('describe_queue', {'Queue': {'Name': 'BasicQueue', 'QueueId': QUEUE_ID, 'Status': 'ENABLED'}},
                      {'InstanceId': INSTANCE_ID, 'QueueId': QUEUE_ID})
    stub.add_response('describe_queue', {'Queue': {'Name': 'BasicQueue', 'Status': 'DISABLED'}})
    stub.add_client_error('describe_queue', service_error_code='ResourceNotFoundException', http_status_code=404)
    assert cc.check_queue(context(clients)).status is Status.OK
    assert 'is DISABLED' in cc.check_queue(context(clients)).detail
    missing = cc.check_queue(context(clients))
    assert missing.status is Status.FAIL and '--connect-basic-queue-arn' in missing.fix


def test_approved_origins_must_include_the_website(clients):
    stub = connect_stub(clients)
    stub.add_response('list_approved_origins', {'Origins': ['https://other.example.com'], 'NextToken': 'page2'},
                      {'InstanceId': INSTANCE_ID})
    stub.add_response('list_approved_origins', {'Origins': [f'{WEBSITE}/']},
                      {'InstanceId': INSTANCE_ID, 'NextToken': 'page2'})
    assert cc.check_approved_origins(context(clients)).status is Status.OK
    stub.add_response('list_approved_origins', {'Origins': ['https://other.example.com']})
    result = cc.check_approved_origins(context(clients))
    assert result.status is Status.FAIL
    assert f'--origin {WEBSITE}' in result.fix and 'https://other.example.com' in result.detail


# --- Chime ---------------------------------------------------------------------------------------------------------

def test_chime_not_found_means_the_call_is_allowed(clients):
    clients.stubs['chime-sdk-meetings'].add_client_error(
        'get_meeting', service_error_code='NotFoundException', http_status_code=404,
        expected_params={'MeetingId': sc.PROBE_MEETING_ID})
    assert sc.check_chime(context(clients)).status is Status.OK


def test_chime_forbidden_is_red_with_the_actions_to_allow(clients):
    clients.stubs['chime-sdk-meetings'].add_client_error('get_meeting', service_error_code='ForbiddenException',
                                                         service_message='not authorized', http_status_code=403)
    result = sc.check_chime(context(clients))
    assert result.status is Status.FAIL and 'chime:CreateMeetingWithAttendees' in result.fix


# --- STS, region, configuration ------------------------------------------------------------------------------------

def test_credentials_and_account(clients, moto):
    assert sc.check_credentials(context(clients)).detail.startswith(f'account {ACCOUNT} as arn:aws:sts::')
    other = INSTANCE_ARN.replace(ACCOUNT, '999999999999')
    result = sc.check_credentials(context(clients, connectInstanceARN=other))
    assert result.status is Status.FAIL and 'instance is in account 999999999999' in result.detail


def test_region(clients):
    assert sc.check_region(context(clients)).status is Status.OK
    assert 'has no Amazon Connect' in sc.check_region(DoctorContext(FULL, 'eu-north-1', [], clients)).detail
    mismatch = sc.check_region(DoctorContext(FULL, 'us-east-1', [], clients))
    assert mismatch.status is Status.FAIL and mismatch.fix == 'export VCE_AWS_REGION=eu-west-2'


def test_configuration_lists_problems_and_missing_values(clients):
    assert sc.check_configuration(context(clients)).status is Status.OK
    result = sc.check_configuration(DoctorContext({'agentLoginMode': 'local'}, REGION, ['x is bad'], clients))
    assert result.status is Status.FAIL and result.detail.startswith('x is bad; connectInstanceURL is missing')
    assert '--website-url VALUE' in result.fix and '--oidc-client-id' not in result.fix


# --- DynamoDB ------------------------------------------------------------------------------------------------------

def make_table(ttl: bool) -> None:
    dynamodb = boto3.client('dynamodb', region_name=REGION)
    dynamodb.create_table(TableName='VideoCallEscalation', BillingMode='PAY_PER_REQUEST',
                          KeySchema=[{'AttributeName': 'PK', 'KeyType': 'HASH'},
                                     {'AttributeName': 'SK', 'KeyType': 'RANGE'}],
                          AttributeDefinitions=[{'AttributeName': 'PK', 'AttributeType': 'S'},
                                                {'AttributeName': 'SK', 'AttributeType': 'S'}])
    if ttl:
        dynamodb.update_time_to_live(TableName='VideoCallEscalation', TimeToLiveSpecification={
            'Enabled': True, 'AttributeName': 'expiresAt'})


def test_table_missing_then_without_ttl_then_ready(clients, moto):
    assert 'no table VideoCallEscalation' in sc.check_table(context(clients)).detail
    make_table(ttl=False)
    no_ttl = sc.check_table(context(clients))
    assert no_ttl.status is Status.FAIL and 'update-time-to-live' in no_ttl.fix
    boto3.client('dynamodb', region_name=REGION).update_time_to_live(
        TableName='VideoCallEscalation', TimeToLiveSpecification={'Enabled': True, 'AttributeName': 'expiresAt'})
    ready = sc.check_table(context(clients))
    assert ready.status is Status.OK and 'time to live on expiresAt' in ready.detail


# --- Cognito -------------------------------------------------------------------------------------------------------

def make_pool_client(**settings: Any) -> dict[str, str]:
    cognito = boto3.client('cognito-idp', region_name=REGION)
    pool = cognito.create_user_pool(PoolName='VideoCallEscalation-UserPool')['UserPool']['Id']
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName='agent-desktop', **settings)
    return {'oidcDiscoveryURL': f'https://cognito-idp.{REGION}.amazonaws.com/{pool}/.well-known/openid-configuration',
            'oidcClientId': client['UserPoolClient']['ClientId']}


def test_cognito_client_with_our_urls_and_the_code_grant(clients, moto):
    values = make_pool_client(CallbackURLs=[f'{WEBSITE}/auth/callback'], LogoutURLs=[f'{WEBSITE}/agent'],
                              AllowedOAuthFlows=['code'], AllowedOAuthFlowsUserPoolClient=True,
                              AllowedOAuthScopes=['openid', 'email', 'profile'], SupportedIdentityProviders=['COGNITO'])
    result = sc.check_cognito_client(context(clients, **values))
    assert result.status is Status.OK, result.detail


def test_cognito_client_problems_are_listed(clients, moto):
    values = make_pool_client(CallbackURLs=['https://elsewhere.example.com/cb'], AllowedOAuthFlows=['implicit'],
                              AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthScopes=['openid'],
                              SupportedIdentityProviders=['COGNITO'])
    result = sc.check_cognito_client(context(clients, **values))
    assert result.status is Status.FAIL
    for problem in (f'no callback URL on {WEBSITE}', f'no sign-out URL on {WEBSITE}',
                    'authorization code grant is not enabled', 'scopes not allowed: email, profile'):
        assert problem in result.detail


def test_cognito_check_is_skipped_for_other_providers_and_local_login(clients):
    other = sc.check_cognito_client(context(clients, oidcDiscoveryURL='https://login.example.com/.well-known/'
                                            'openid-configuration'))
    assert other.status is Status.SKIP and 'not Cognito' in other.detail
    assert sc.check_cognito_client(context(clients, agentLoginMode='local')).status is Status.SKIP


# --- the runner ----------------------------------------------------------------------------------------------------

def test_without_working_credentials_the_aws_checks_are_skipped(clients):
    bad = boto3.client('sts', region_name=REGION)
    stub = Stubber(bad)
    stub.add_client_error('get_caller_identity', service_error_code='InvalidClientTokenId', http_status_code=403)
    stub.activate()
    ctx = DoctorContext(FULL, REGION, [], lambda service, region: bad if service == 'sts' else clients(service, region))
    results = {r.name: r for r in run_checks(ctx)}
    assert [r.status for r in results.values()].count(Status.FAIL) == 1
    assert results['credentials'].status is Status.FAIL and 'AWS_PROFILE' in results['credentials'].fix
    assert results['configuration'].status is Status.OK and results['region'].status is Status.OK
    assert all(results[c.name].status is Status.SKIP for c in CHECKS if c.needs_aws and c.name != 'credentials')


def test_an_unexpected_aws_error_becomes_a_red_row(clients):
    def boom(ctx: DoctorContext) -> CheckResult:
        connect_stub(clients).add_client_error('describe_instance', service_error_code='AccessDeniedException',
                                               http_status_code=403)
        return cc.check_instance(ctx)

    results = run_checks(context(clients), [type(CHECKS[0])('connect instance', boom)])
    assert results[0].status is Status.FAIL
    assert results[0].fix == 'Allow connect:DescribeInstance in the IAM policy of the user or role running the server'
