"""`vce doctor --pilot` offline, end to end through the CLI: the doctor's checks, then the live smoke test against a
fake Connect instance (``fake_connect_instance.py``: our flow files run by our interpreter, the Participant Service
and its websocket, Chime SDK meetings) with DynamoDB, SSM, STS and Cognito in moto. Every verdict is checked, and a
fake that behaves otherwise (no position loaded, a username for AgentId) turns the right rows red.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from backend import bootstrap
from backend.adapters.aws.pilot import ROWS
from backend.settings import PROJECT_ROOT
from tests.contract.aws_config_fixtures import (
    ACCOUNT,
    CHAT_FLOW_ID,
    FULL,
    INSTANCE_ARN,
    QUEUE_ARN,
    QUEUE_FLOW_ID,
    REGION,
    VOICE_QUEUE_FLOW_ID,
    WEBSITE,
)
from tests.contract.fake_connect import AwsError
from tests.contract.fake_connect_instance import FakeConnectInstance, User
from tests.contract.test_vce_aws_cli import configure, full_options
from vce.cli import app

ANN_ID = '1a1a1a1a-1111-4111-8111-111111111111'
ROLE_ARN = f'arn:aws:iam::{ACCOUNT}:role/ConnectFederation'
PILOT = ['doctor', '--pilot', '--pilot-agent', 'ann', '--pilot-timeout', '5', '--pilot-heartbeat', '0.1']
runner = CliRunner()


def configured_aws() -> None:
    """aws mode's configuration in SSM (federated CCP login), the table and the Cognito client, all in moto."""
    from backend.adapters.aws.dynamo_table import ensure_table

    cognito = boto3.client('cognito-idp', region_name=REGION)
    pool = cognito.create_user_pool(PoolName='agents')['UserPool']['Id']
    app_client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName='agent-desktop', CallbackURLs=[f'{WEBSITE}/auth/callback'],
        LogoutURLs=[f'{WEBSITE}/'], AllowedOAuthFlows=['code'], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=['openid', 'email', 'profile'])['UserPoolClient']
    ensure_table(boto3.client('dynamodb', region_name=REGION), 'VideoCallEscalation')
    values = {**FULL, 'oidcClientId': app_client['ClientId'], 'ccpLoginMode': 'federated',
              'connectFederationRoleARN': ROLE_ARN,
              'oidcDiscoveryURL': f'https://cognito-idp.{REGION}.amazonaws.com/{pool}/.well-known/openid-configuration'}
    assert configure(*full_options(values)).exit_code == 0


@pytest.fixture
def sign_ins(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Mapping[str, str]]]:
    """The browser's POST to /auth/sign-in, answered as Connect would accept it (the one non-AWS-API call)."""
    posted: list[tuple[str, Mapping[str, str]]] = []

    def post(url: str, form: Mapping[str, str]) -> tuple[int, Mapping[str, str]]:
        posted.append((url, dict(form)))
        return 302, {'Location': 'https://example-bank.my.connect.aws/ccp-v2/', 'Set-Cookie': 'lily-auth=x'}

    monkeypatch.setattr('backend.adapters.aws.pilot.sign_in.post_sign_in', post)
    return posted


def instance(**options: Any) -> FakeConnectInstance:
    return FakeConnectInstance(instance_arn=INSTANCE_ARN, chat_flow_id=CHAT_FLOW_ID, queue_flow_id=QUEUE_FLOW_ID,
                               voice_queue_flow_id=VOICE_QUEUE_FLOW_ID, basic_queue_arn=QUEUE_ARN,
                               users=[User(ANN_ID, 'ann', 'Ann')], website=WEBSITE, region=REGION, **options)


@pytest.fixture
def wired(moto: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    configured_aws()
    monkeypatch.setenv('COLUMNS', '400')
    yield


def use(fake: FakeConnectInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake answers Connect, the Participant Service and Chime; moto the rest (every client from bootstrap)."""
    def client(service: str, region: str) -> Any:
        return fake.clients.get(service) or boto3.client(service, region_name=region)  # type: ignore[call-overload]

    def client_as(service: str, region: str, credentials: Mapping[str, Any]) -> Any:
        caller = boto3.client('sts', region_name=region, aws_access_key_id=credentials['AccessKeyId'],
                              aws_secret_access_key=credentials['SecretAccessKey'],
                              aws_session_token=credentials['SessionToken']).get_caller_identity()
        return fake.client_as(caller['Arn'].rsplit('/', 1)[-1])  # the role session name

    monkeypatch.setattr(bootstrap, 'aws_client', client)
    monkeypatch.setattr(bootstrap, 'aws_client_as', client_as)


def verdicts(output: str) -> dict[str, str]:
    """Row id -> verdict, read from the pilot's table."""
    found = {}
    for line in output.splitlines():
        match = re.match(r'\s*│\s*([A-Z]+-\d+)\s*│.*?│\s*([✔✘–])', line)
        if match:
            found[match[1]] = {'✔': 'holds', '✘': 'broken', '–': 'not tried'}[match[2]]
    return found


def test_the_pilot_runs_offline_end_to_end_and_every_assumption_holds(wired, monkeypatch, sign_ins) -> None:
    with instance() as fake:
        use(fake, monkeypatch)
        result = runner.invoke(app, PILOT)
    assert result.exit_code == 0, result.output
    assert 'All checks passed.' in result.output and 'No assumption broken.' in result.output
    assert verdicts(result.output) == dict.fromkeys(ROWS, 'holds'), result.output
    # what the pilot did is what the product does: the reference chat routed by ann's user id, priority 1
    routed = [c for c in fake.contacts.values() if c.attributes.get('videoRouteToAgent')]
    assert [(c.attributes['videoRouteToAgent'], c.queue, c.priority) for c in routed] == [
        (ANN_ID, f'agent/{ANN_ID}', 1)]
    assert all(c.ended for c in fake.contacts.values()) and fake.meetings == {}  # nothing left behind
    [(url, form)] = sign_ins
    assert url == 'https://example-bank.my.connect.aws/auth/sign-in'
    assert set(form) == {'credentials', 'destination'} and 'federated-access-token' in form['credentials']


def test_connect_loading_no_position_breaks_flow_4_only(wired, monkeypatch, sign_ins) -> None:
    """The designer's contact-level option unticked: the queue flow says the plain waiting line."""
    with instance(positions=False) as fake:
        use(fake, monkeypatch)
        result = runner.invoke(app, PILOT)
    assert result.exit_code == 1
    found = verdicts(result.output)
    assert found.pop('FLOW-4') == 'broken' and set(found.values()) == {'holds'}, result.output
    assert 'Connect loaded no position' in result.output
    assert '1 assumption(s) broken: FLOW-4' in result.output


def test_routing_by_username_would_break_flow_3(wired, monkeypatch, sign_ins) -> None:
    """If the server set videoRouteToAgent to the username (the old behaviour), Connect's AgentId refuses it."""
    with instance() as fake:
        use(fake, monkeypatch)
        monkeypatch.setattr('backend.adapters.aws.connect_users.ConnectUserDirectory.get_agent', _agent_with_username)
        result = runner.invoke(app, PILOT)
    found = verdicts(result.output)
    assert found['FLOW-3'] == 'broken', result.output


def _agent_with_username(self: Any, username: str) -> Any:
    """The Connect user as an agent whose routing id is its username: what aws mode did before."""
    from backend.domain.model import Agent

    user = self.user(username)
    return None if user is None else Agent(username=user.username, display_name=user.display_name,
                                           agent_id=user.username, password_hash='', routing_queues=())


def test_a_probe_that_breaks_stops_only_itself(wired, monkeypatch, sign_ins) -> None:
    """Chime refuses the meeting: CHIME-1 is broken with AWS's answer, CHIME-2 not reached, the rest still run."""
    with instance() as fake:
        use(fake, monkeypatch)

        def refused(**_: Any) -> dict[str, Any]:
            raise AwsError('ForbiddenException', 403, 'not allowed to create meetings')

        monkeypatch.setattr(fake, 'create_meeting_with_attendees', refused)
        result = runner.invoke(app, PILOT)
    found = verdicts(result.output)
    assert (found.pop('CHIME-1'), found.pop('CHIME-2')) == ('broken', 'not tried'), result.output
    assert set(found.values()) == {'holds'} and 'ForbiddenException' in result.output
    assert result.exit_code == 1


def test_popup_login_leaves_the_federation_rows_not_tried(wired, monkeypatch, sign_ins) -> None:
    configure('--ccp-login-mode', 'popup')
    with instance(identity='CONNECT_MANAGED') as fake:
        use(fake, monkeypatch)
        result = runner.invoke(app, PILOT)
    assert result.exit_code == 0, result.output
    found = verdicts(result.output)
    assert (found['FED-1'], found['FED-2']) == ('not tried', 'not tried') and sign_ins == []
    assert 'ccpLoginMode is popup' in result.output



def test_every_pilot_row_is_a_row_of_the_register() -> None:
    register = (PROJECT_ROOT / 'docs' / 'aws' / 'fidelity.md').read_text()
    rows = dict(re.findall(r'^\| \*\*([A-Z]+-\d+)\*\* \|(.*)\|$', register, re.MULTILINE))
    assert set(ROWS) <= set(rows), sorted(set(ROWS) - set(rows))
    judged_by = {row: cells.rsplit('|', 1)[-1] for row, cells in rows.items()}
    assert {row for row, judge in judged_by.items() if judge.strip().startswith('pilot')} == set(ROWS)
