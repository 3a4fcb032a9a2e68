"""The `vce` command: agents and flow checking (serving is covered by the e2e tests)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from backend.bootstrap import build_services
from backend.flows import InvalidFlowError
from backend.settings import PROJECT_ROOT, Settings
from vce.cli import app

runner = CliRunner()
FLOWS = sorted(str(p) for p in (PROJECT_ROOT / 'contact_flows').glob('*.json'))


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv('VCE_DATA_DIR', str(tmp_path / 'data'))


def test_agents_add_list_and_passwd():
    result = runner.invoke(app, ['agents', 'add', 'ann', '--name', 'Ann Smith'], input='s3cret-pass\ns3cret-pass\n')
    assert result.exit_code == 0, result.output
    assert 'Created agent ann (Ann Smith).' in result.output
    listing = runner.invoke(app, ['agents', 'list'])
    assert 'ann' in listing.output and 'Ann Smith' in listing.output and 'Offline' in listing.output
    result = runner.invoke(app, ['agents', 'passwd', 'ann'], input='n3w-password\nn3w-password\n')
    assert result.exit_code == 0 and 'Password changed for ann.' in result.output
    accounts = build_services(Settings(demo=True)).accounts
    assert accounts.authenticate('ann', 'n3w-password') is not None
    assert accounts.authenticate('ann', 's3cret-pass') is None


def test_agents_add_refuses_bad_input_with_a_clear_message():
    result = runner.invoke(app, ['agents', 'add', 'ann', '--name', 'Ann'], input='short\nshort\n')
    assert result.exit_code == 1
    assert 'Passwords need at least 8 characters.' in result.output
    assert 'No agents yet' in runner.invoke(app, ['agents', 'list']).output
    result = runner.invoke(app, ['agents', 'passwd', 'nobody'], input='whatever123\nwhatever123\n')
    assert result.exit_code == 1 and "No agent named 'nobody'." in result.output


def test_flows_check_accepts_the_shipped_flows():
    result = runner.invoke(app, ['flows', 'check', *FLOWS])
    assert result.exit_code == 0, result.output
    assert 'OK: 4 flow file(s) valid.' in result.output


def test_flows_check_reports_every_problem(tmp_path):
    flow = json.loads((PROJECT_ROOT / 'contact_flows' / 'VideoCallEscalationChat.json').read_text())
    flow['Actions'][0]['Type'] = 'PlayPromptOnMars'
    broken = tmp_path / 'Broken.json'
    broken.write_text(json.dumps(flow))
    result = runner.invoke(app, ['flows', 'check', str(broken)])
    assert result.exit_code == 1
    assert "unknown action type 'PlayPromptOnMars'" in result.output
    assert 'INVALID' in result.output


def test_flows_check_accepts_lex_only_with_a_declared_handler(tmp_path):
    flow = {'Version': '2019-10-30', 'StartAction': 'bot', 'Actions': [
        {'Identifier': 'bot', 'Type': 'ConnectParticipantWithLexBot', 'Parameters': {'LexV2Bot': {'AliasArn': 'arn:x'}},
         'Transitions': {'NextAction': 'end'}},
        {'Identifier': 'end', 'Type': 'DisconnectParticipant', 'Parameters': {}, 'Transitions': {}}]}
    bot = tmp_path / 'Bot.json'
    bot.write_text(json.dumps(flow))
    refused = runner.invoke(app, ['flows', 'check', str(bot)])
    assert refused.exit_code == 1 and 'ConnectParticipantWithLexBot cannot run offline' in refused.output
    accepted = runner.invoke(app, ['flows', 'check', '--handler', 'ConnectParticipantWithLexBot', str(bot)])
    assert accepted.exit_code == 0, accepted.output
    wrong = runner.invoke(app, ['flows', 'check', '--handler', 'Compare', str(bot)])
    assert wrong.exit_code == 2 and 'not Compare' in wrong.output


def test_the_engine_refuses_an_invalid_flow_with_the_same_message(tmp_path, monkeypatch):
    flows = tmp_path / 'flows'
    flows.mkdir()
    for path in FLOWS:
        shutil.copy(path, flows)
    chat = flows / 'VideoCallEscalationChat.json'
    flow = json.loads(chat.read_text())
    flow['Actions'][0]['Transitions']['NextAction'] = 'nowhere'
    chat.write_text(json.dumps(flow))
    checked = runner.invoke(app, ['flows', 'check', str(chat), str(flows / 'VideoCallEscalationQueue.json')])
    monkeypatch.setenv('VCE_FLOWS_DIR', str(flows))
    with pytest.raises(InvalidFlowError) as refused:
        build_services(Settings(demo=True))
    assert "transition to unknown action 'nowhere'" in str(refused.value)
    assert "transition to unknown action 'nowhere'" in checked.output


def test_serve_refuses_the_demo_secret(monkeypatch):
    monkeypatch.delenv('VCE_STORAGE_SECRET', raising=False)
    result = runner.invoke(app, ['serve'])
    assert result.exit_code == 2
    assert 'VCE_STORAGE_SECRET is still the built-in demo value' in result.output


def test_serve_in_aws_mode_builds_the_aws_services(monkeypatch, tmp_path):
    """`vce serve` with VCE_MODE=aws reads SSM (moto, empty), takes the env values and builds aws mode's services
    (the web server itself is replaced: the e2e tests serve)."""
    from moto import mock_aws

    instance = 'arn:aws:connect:us-east-1:123456789012:instance/0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
    complete = {'MODE': 'aws', 'STORAGE_SECRET': 'a-real-secret-of-enough-length', 'WEBSITE_URL': 'https://x.example',
                'CONNECT_INSTANCE_URL': 'https://x.my.connect.aws', 'CONNECT_INSTANCE_ARN': instance,
                'CONNECT_CHAT_FLOW_ID': '22222222-3333-4444-8555-666666666666', 'LOGIN_MODE': 'local',
                'CONNECT_QUEUE_ARN': f'{instance}/queue/11111111-2222-4333-8444-555555555555'}
    for name, value in complete.items():  # aws mode reads SSM (moto, empty) first; env vars give every value
        monkeypatch.setenv(f'VCE_{name}', value)
    for name, value in {'AWS_ACCESS_KEY_ID': 'x', 'AWS_SECRET_ACCESS_KEY': 'x', 'AWS_EC2_METADATA_DISABLED': 'true',
                        'AWS_CONFIG_FILE': str(tmp_path / 'none'), 'AWS_SHARED_CREDENTIALS_FILE': str(tmp_path / 'none')
                        }.items():
        monkeypatch.setenv(name, value)
    built = []
    monkeypatch.setattr('vce.web.run', lambda settings, *extensions: built.append(build_services(settings)))
    with mock_aws():
        result = runner.invoke(app, ['serve'])
    assert result.exit_code == 0, result.output
    services = built[0]
    assert services.settings.mode == 'aws'
    assert services.agent_desk is None and services.voice is None  # the local engine's parts do not exist
    assert services.meetings.backend == 'chime'  # aws mode's default meeting back end
    assert services.ccp_login is not None and services.ccp_login.setup.ccp_url == 'https://x.my.connect.aws/ccp-v2/'

    monkeypatch.delenv('VCE_CONNECT_CHAT_FLOW_ID')
    with mock_aws():
        result = runner.invoke(app, ['serve'])
    assert result.exit_code == 2
    assert 'connectDefaultContactFlowId' in result.output or 'VCE_CONNECT_CHAT_FLOW_ID' in result.output


@pytest.mark.parametrize(('username', 'name', 'message'), [
    ('ann', 'Ann\u202e Smith', 'Error: Your name contains an invisible text-direction control (U+202E).'),
    ('ann', '\u200b', 'Error: Your name contains an invisible formatting character (U+200B).'),
    ('ann\u200b', 'Ann Smith', 'Error: Usernames use 1-64 lower-case letters'),
])
def test_agents_add_refuses_hidden_characters_in_names(username, name, message):
    result = runner.invoke(app, ['agents', 'add', username, '--name', name], input='s3cret-pass\ns3cret-pass\n')
    assert result.exit_code == 1
    assert message in result.output
    assert 'No agents yet' in runner.invoke(app, ['agents', 'list']).output
