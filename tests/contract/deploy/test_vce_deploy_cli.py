"""`vce deploy`, `vce deploy --synth` and `vce destroy` through typer's CliRunner; the CDK CLI is a recording fake
(deploying needs an AWS account), the synth is real and offline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.contract.deploy.stacks import IMAGE
from vce import cdk_toolkit, deploy_cmd, doctor_cmd
from vce.cli import app

CONFIG = f'''
stack_name = "VceCli"
region = "eu-west-2"
site_domain = "video.example.com"
hosted_zone_name = "example.com"
hosted_zone_id = "Z0123456789ABCDEFGHIJ"
connect_instance = "new"
connect_instance_alias = "example-bank"
image = "{IMAGE}"
retain_data = true
agents = [{{ email = "ann@example.com", name = "Ann Smith" }}]
'''
OUTPUTS = {'CustomerUrl': 'https://video.example.com/', 'AgentUrl': 'https://video.example.com/agent',
           'LoadBalancerDnsName': 'VceCli-WebLB-1.eu-west-2.elb.amazonaws.com', 'Region': 'eu-west-2',
           'SsmPath': '/VideoCallEscalation/VceCli/', 'StorageSecretArn': 'arn:storage',
           'OidcClientSecretArn': 'arn:oidc', 'ReferenceSecretArn': 'arn:reference'}
runner = CliRunner()


class FakeToolkit:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def bootstrap(self, assembly: Path) -> None:
        self.calls.append(('bootstrap', str(assembly)))

    def deploy(self, assembly: Path, stack: str, outputs_file: Path) -> None:
        retention = json.loads((assembly / f'{stack}.template.json').read_text())['Outputs']['DataRetention']
        self.calls.append(('deploy', stack, retention['Value']))
        outputs_file.write_text(json.dumps({stack: OUTPUTS}))

    def destroy(self, assembly: Path, stack: str) -> None:
        self.calls.append(('destroy', stack))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'vce-deploy.toml').write_text(CONFIG)
    return tmp_path


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeToolkit:
    toolkit = FakeToolkit()
    monkeypatch.setattr(deploy_cmd, 'toolkit', lambda region: toolkit)
    return toolkit


def test_synth_writes_the_template_offline_without_credentials(workdir, monkeypatch):
    for name in [n for n in os.environ if n.startswith('AWS_')]:
        monkeypatch.delenv(name)
    result = runner.invoke(app, ['deploy', '--synth'])
    assert result.exit_code == 0, result.output
    template = workdir / 'cdk.out' / 'VceCli.template.json'
    assert f'Wrote {template}' in result.output.replace('\n', '') and 'nothing was deployed' in result.output
    resources = json.loads(template.read_text())['Resources']
    assert any(r['Type'] == 'AWS::ECS::Service' for r in resources.values())


def test_a_bad_config_lists_every_problem_and_deploys_nothing(workdir, fake):
    (workdir / 'vce-deploy.toml').write_text('region = "Europe"\nsite_domain = "https://x"\ncolour = "blue"\n')
    result = runner.invoke(app, ['deploy'])
    assert result.exit_code == 2
    assert "region: 'Europe' is not an AWS region code" in result.output
    assert "site_domain: 'https://x' is not a DNS name" in result.output
    assert 'colour: not a known setting' in result.output
    assert fake.calls == []


def test_a_config_without_image_needs_the_dockerfile(workdir, monkeypatch):
    (workdir / 'vce-deploy.toml').write_text(CONFIG.replace(f'image = "{IMAGE}"', ''))
    from deploy import stack

    monkeypatch.setattr(stack, 'REPOSITORY_ROOT', workdir)  # e.g. an installed package, away from a checkout
    result = runner.invoke(app, ['deploy', '--synth'])
    assert result.exit_code == 2 and 'no Dockerfile' in result.output and 'image =' in result.output


def test_without_image_the_checkouts_dockerfile_builds_it_from_what_dockerignore_leaves(workdir):
    (workdir / 'vce-deploy.toml').write_text(CONFIG.replace(f'image = "{IMAGE}"', ''))
    result = runner.invoke(app, ['deploy', '--synth'])
    assert result.exit_code == 0, result.output
    (context,) = [d for d in (workdir / 'cdk.out').iterdir() if d.name.startswith('asset.') and d.is_dir()
                  and (d / 'Dockerfile').is_file()]
    assert (context / 'pyproject.toml').is_file() and (context / 'backend' / 'bootstrap.py').is_file()
    assert not (context / 'tests').exists() and not (context / '.venv').exists() and not (context / '.git').exists()
    template = json.loads((workdir / 'cdk.out' / 'VceCli.template.json').read_text())
    policies = [resource['Properties']['PolicyDocument'] for name, resource in template['Resources'].items()
                if resource['Type'] == 'AWS::IAM::Policy' and 'ExecutionRole' in name]
    everywhere = [statement['Action'] for policy in policies for statement in policy['Statement']
                  if statement['Resource'] == '*']
    assert everywhere == ['ecr:GetAuthorizationToken']  # what the IAM5 acknowledgment in deploy/nag.py relies on


def test_deploy_bootstraps_deploys_prints_the_urls_and_checks_what_it_built(workdir, fake, monkeypatch):
    read: list[tuple[str, str]] = []
    checked: list[tuple[str, str, dict[str, Any]]] = []
    monkeypatch.setattr(deploy_cmd.bootstrap, 'secret_value', lambda region, arn: read.append((region, arn)) or
                        f'value-of-{arn}-0123456789')
    monkeypatch.setattr(doctor_cmd, 'run_checks', lambda region, path, secrets: checked.append(
        (region, path, secrets)) or True)
    result = runner.invoke(app, ['deploy'])
    assert result.exit_code == 0, result.output
    assert [call[0] for call in fake.calls] == ['bootstrap', 'deploy']
    assert 'Customer website: https://video.example.com/' in result.output
    assert 'Agent desktop:    https://video.example.com/agent' in result.output
    assert checked == [('eu-west-2', '/VideoCallEscalation/VceCli/', {
        'storage_secret': 'value-of-arn:storage-0123456789', 'oidc_client_secret': 'value-of-arn:oidc-0123456789'})]
    assert 'value-of' not in result.output  # secrets are never printed


def test_deploy_fails_when_the_checks_fail(workdir, fake, monkeypatch):
    monkeypatch.setattr(deploy_cmd.bootstrap, 'secret_value', lambda region, arn: 'x' * 32)
    monkeypatch.setattr(doctor_cmd, 'run_checks', lambda region, path, secrets: False)
    assert runner.invoke(app, ['deploy']).exit_code == 1


def test_destroy_keeps_the_data_as_configured(workdir, fake):
    result = runner.invoke(app, ['destroy', '--yes'])
    assert result.exit_code == 0, result.output
    assert fake.calls == [('destroy', 'VceCli')]
    assert 'the DynamoDB table and the secrets were kept' in result.output


def test_destroy_delete_data_switches_the_removal_policy_before_deleting(workdir, fake):
    result = runner.invoke(app, ['destroy', '--delete-data'], input='y\n')
    assert result.exit_code == 0, result.output
    assert 'The table and the secrets are DELETED' in result.output
    assert fake.calls == [('deploy', 'VceCli', 'delete'), ('destroy', 'VceCli')]


def test_destroy_asks_first(workdir, fake):
    result = runner.invoke(app, ['destroy'], input='n\n')
    assert result.exit_code == 1 and fake.calls == []


def test_the_cdk_cli_is_installed_once_from_npm_with_telemetry_off(tmp_path, monkeypatch):
    calls: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(cdk_toolkit.shutil, 'which', lambda name: '/usr/bin/npm')

    def run(argv, environment):
        calls.append((list(argv), dict(environment)))
        if argv[1] == 'install':
            executable = tmp_path / 'cdk' / 'node_modules' / '.bin' / 'cdk'
            executable.parent.mkdir(parents=True)
            executable.write_text('')
        return 0

    toolkit = cdk_toolkit.CdkToolkit('eu-west-2', directory=tmp_path / 'cdk', run=run)
    toolkit.bootstrap(Path('cdk.out'))
    toolkit.deploy(Path('cdk.out'), 'Vce', Path('cdk.out/outputs.json'))
    argvs = [argv for argv, _ in calls]
    assert argvs[0] == ['/usr/bin/npm', 'install', '--prefix', str(tmp_path / 'cdk'), '--no-audit', '--no-fund',
                        'aws-cdk@2']
    cdk = str(tmp_path / 'cdk' / 'node_modules' / '.bin' / 'cdk')
    assert argvs[1:] == [[cdk, 'bootstrap', '--app', 'cdk.out'],
                         [cdk, 'deploy', '--app', 'cdk.out', '--require-approval', 'never', '--outputs-file',
                          str(Path('cdk.out/outputs.json')), 'Vce']]
    assert all(env['CDK_DISABLE_CLI_TELEMETRY'] == 'true' and env['AWS_REGION'] == 'eu-west-2' for _, env in calls)


def test_a_failing_cdk_command_is_one_clear_error(tmp_path):
    (tmp_path / 'node_modules' / '.bin').mkdir(parents=True)
    (tmp_path / 'node_modules' / '.bin' / 'cdk').write_text('')
    toolkit = cdk_toolkit.CdkToolkit('eu-west-2', directory=tmp_path, run=lambda argv, env: 3)
    with pytest.raises(cdk_toolkit.ToolkitError, match='cdk destroy failed'):
        toolkit.destroy(Path('cdk.out'), 'Vce')
