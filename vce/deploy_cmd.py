"""``vce deploy`` and ``vce destroy``: aws mode in production from one config file (docs/aws/deploy.md).

``vce deploy`` synthesizes ``deploy/``'s stack (offline; ``--synth`` stops there and prints the template), deploys
it with the CDK toolkit, prints the customer and agent URLs and runs ``vce doctor`` against what it built (the
secrets read from Secrets Manager, as the service gets them). ``vce destroy`` deletes the stack, keeping the table
and the secrets when asked (their removal policy is switched first when it differs from what is deployed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from backend import bootstrap
from backend.domain.errors import DomainError
from vce import doctor_cmd
from vce.cdk_toolkit import CdkToolkit, ToolkitError

if TYPE_CHECKING:
    from deploy.config import DeployConfig

DEFAULT_CONFIG = Path('vce-deploy.toml')
SECRET_OUTPUTS = {'storage_secret': 'StorageSecretArn', 'oidc_client_secret': 'OidcClientSecretArn'}  # checked ones
ConfigOption = Annotated[Path, typer.Option('--config', help='The deployment config (see '
                                            'deploy/vce-deploy.example.toml).')]
OutOption = Annotated[Path, typer.Option('--out', help='Where the cloud assembly (cdk.out) is written.')]


def register(app: typer.Typer) -> None:
    app.command('deploy')(deploy)
    app.command('destroy')(destroy)


def toolkit(region: str) -> CdkToolkit:
    """The CDK CLI wrapper (tests replace this function)."""
    return CdkToolkit(region)


def deploy(config_path: ConfigOption = DEFAULT_CONFIG, out: OutOption = Path('cdk.out'),
           synth: Annotated[bool, typer.Option('--synth', help='Only write the CloudFormation template (offline, '
                                                'no credentials).')] = False,
           doctor: Annotated[bool, typer.Option(help='Run vce doctor against what was built.')] = True) -> None:
    """Build or update the whole aws-mode deployment in one command, then print its URLs."""
    config = _config(config_path)
    template = _synthesize(config, out)
    if synth:
        typer.echo(f'Wrote {template} (stack {config.stack_name}, region {config.region}); nothing was deployed.')
        return
    outputs_file = out / 'outputs.json'
    try:
        cdk = toolkit(config.region)
        cdk.bootstrap(out)
        cdk.deploy(out, config.stack_name, outputs_file)
    except ToolkitError as error:
        raise _fail(str(error)) from None
    outputs = _outputs(outputs_file, config.stack_name)
    typer.echo(f'\n  Customer website: {outputs["CustomerUrl"]}\n  Agent desktop:    {outputs["AgentUrl"]}\n'
               f'  Load balancer:    {outputs["LoadBalancerDnsName"]}\n  Settings:         SSM '
               f'{outputs["SsmPath"]} in {outputs["Region"]}\n')
    if doctor and not _doctor(outputs):
        raise typer.Exit(1)


def destroy(config_path: ConfigOption = DEFAULT_CONFIG, out: OutOption = Path('cdk.out'),
            retain_data: Annotated[bool | None, typer.Option(
                '--retain-data/--delete-data', help='Keep the DynamoDB table and the secrets, or delete them too '
                '(default: the config\'s retain_data).')] = None,
            yes: Annotated[bool, typer.Option('--yes', help='Do not ask for confirmation.')] = False) -> None:
    """Delete the deployment's stack and everything in it (the table and secrets only when not retained)."""
    config = _config(config_path)
    keep = config.retain_data if retain_data is None else retain_data
    kept = 'kept' if keep else 'DELETED'
    if not yes:
        typer.confirm(f'Delete stack {config.stack_name} in {config.region}? The table and the secrets are {kept}.',
                      abort=True)
    try:
        cdk = toolkit(config.region)
        if keep != config.retain_data:  # the removal policy is in the deployed template: change it first
            _synthesize(config.model_copy(update={'retain_data': keep}), out)
            cdk.deploy(out, config.stack_name, out / 'outputs.json')
        else:
            _synthesize(config, out)
        cdk.destroy(out, config.stack_name)
    except ToolkitError as error:
        raise _fail(str(error)) from None
    typer.echo(f'Deleted stack {config.stack_name}; the DynamoDB table and the secrets were {kept.lower()}.')


def _config(path: Path) -> DeployConfig:
    try:
        from deploy.config import DeployConfigError, load_config
    except ImportError:
        raise _fail('vce deploy needs the CDK libraries: pip install "video-call-escalation[deploy]"', 2) from None
    try:
        return load_config(path)
    except DeployConfigError as error:
        typer.echo(f'Error: {error.path} cannot be used:', err=True)
        for problem in error.problems:
            typer.echo(f'  - {problem}', err=True)
        raise typer.Exit(2) from None


def _synthesize(config: DeployConfig, out: Path) -> Path:
    from deploy.app import synthesize

    try:
        return synthesize(config, out).template
    except FileNotFoundError as error:
        raise _fail(str(error), 2) from None
    except RuntimeError as error:  # cdk-nag or CDK's own validation: the report says what
        raise _fail(f'the stack did not pass its checks: {str(error).strip()}') from None


def _outputs(path: Path, stack: str) -> dict[str, str]:
    try:
        outputs: dict[str, Any] = json.loads(path.read_text(encoding='utf-8'))[stack]
    except (OSError, ValueError, KeyError):
        raise _fail(f'the deployment finished but {path} has no outputs of {stack}') from None
    return {key: str(value) for key, value in outputs.items()}


def _doctor(outputs: dict[str, str]) -> bool:
    region, path = outputs['Region'], outputs['SsmPath']
    try:
        secrets = {setting: bootstrap.secret_value(region, outputs[key]) for setting, key in SECRET_OUTPUTS.items()}
    except DomainError as error:
        typer.echo(f'Could not read the secrets for the checks: {error}', err=True)
        return False
    return doctor_cmd.run_checks(region, path, secrets)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f'Error: {message}', err=True)
    return typer.Exit(code)
