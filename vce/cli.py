"""The ``vce`` command: run the product, manage local agents, check flows."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from backend.domain.errors import DataFileUnusable, DomainError
from backend.settings import BootstrapSettings, Settings
from backend.settings.value_types import validation_problems
from vce import agents_cmd, configure_cmd, deploy_cmd, doctor_cmd, flows_export_cmd, table_cmd
from vce.data_location import data_location
from vce.log_format import configure_logging

app = typer.Typer(help='Video Call Escalation: contact-centre chat that upgrades to video.', no_args_is_help=True,
                  rich_markup_mode=None)  # plain help: rich's tables cut long option names at 80 columns
agents_app = typer.Typer(help='Local agent accounts (argon2-hashed passwords).', no_args_is_help=True,
                         rich_markup_mode=None)
flows_app = typer.Typer(help='Amazon Connect flow-language files.', no_args_is_help=True, rich_markup_mode=None)
app.add_typer(agents_app, name='agents')
app.add_typer(flows_app, name='flows')
configure_cmd.register(app)
doctor_cmd.register(app)
table_cmd.register(app)
deploy_cmd.register(app)
flows_export_cmd.register(flows_app)

if TYPE_CHECKING:
    from agent_ui.extensions import DesktopExtensions

DEMO_AGENT = ('demo', 'Demo Agent', 'demo-agent-pass')


def main() -> None:
    app()


@app.command()
def demo(port: Annotated[int, typer.Option(help='HTTP port')] = 8080,
         host: Annotated[str, typer.Option(help='Interface to listen on')] = '127.0.0.1',
         fresh: Annotated[bool, typer.Option(
             '--fresh', help='Start from an empty demo: delete the data folder\'s database first (chats, agents, '
                             'references; the demo agent is made again).')] = False) -> None:
    """Run local mode with a demo agent account (created if missing) and print the URLs and login."""
    start_demo(port=port, host=host, fresh=fresh)


def start_demo(*, port: int = 8080, host: str = '127.0.0.1', fresh: bool = False,
               extensions: DesktopExtensions | None = None) -> None:
    """``vce demo``, also for a team's own entry point with desktop extensions (``examples/customer_360.py``)."""
    settings = _settings(demo=True, port=port, host=host)
    from vce.web import hold_data_folder

    _refuse_to_start(lambda: ensure_port_free(host, port))  # before anything is printed or changed
    _refuse_to_start(lambda: hold_data_folder(settings))  # no other process serves this folder (nor --fresh's files)
    if fresh:
        removed = remove_local_database(settings)
        typer.echo(f'Started afresh: removed {", ".join(removed) if removed else "nothing (no database yet)"}.')
    accounts = _accounts(settings, refusal='Refusing to start', announce=False)  # the banner says it
    username, display_name, password = DEMO_AGENT
    if not any(a.username == username for a in accounts.list_agents()):
        accounts.add_agent(username, display_name, password)
    typer.echo(demo_banner(settings, username, password))
    _serve(settings, extensions)


def demo_banner(settings: Settings, username: str, password: str) -> str:
    """The URLs and the demo login (also printed by ``examples/customer_360.py``)."""
    host = '127.0.0.1' if settings.host in ('0.0.0.0', '::') else settings.host
    base = f'http://{host}:{settings.port}'
    return (f'\n  Customer website: {base}/\n  Customer phone:   {base}/call\n  Agent desktop:    {base}/agent\n'
            f'  Agent login:      {username} / {password}\n'
            f'  (demo account; change its password with `vce agents passwd {username}`)\n'
            f'  Data folder:      {data_location(settings)}\n')


def ensure_port_free(host: str, port: int) -> None:
    """Refuse at once when the port is taken, rather than print the URLs and fail a moment later."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a closed socket's
        try:  # TIME_WAIT does not count as taken
            probe.bind((host, port))
        except OSError as error:
            raise DomainError(f'port {port} on {host} is taken ({error.strerror}): another vce demo, or another '
                              f'program; choose another with --port') from None


def remove_local_database(settings: Settings) -> list[str]:
    """The database file and SQLite's companions (write-ahead log, shared memory); the lock file stays (held)."""
    database = settings.database_path
    removed = []
    for path in (database, database.with_name(f'{database.name}-wal'), database.with_name(f'{database.name}-shm')):
        if path.exists():
            path.unlink()
            removed.append(path.name)
    return removed


def _refuse_to_start(action: Callable[[], object]) -> None:
    try:
        action()
    except DomainError as error:
        typer.echo(f'Refusing to start: {error}', err=True)
        raise typer.Exit(2) from None


@app.command()
def serve() -> None:
    """Run with the settings from VCE_* environment variables / .env (refuses the demo storage secret)."""
    _serve(_settings())


@agents_app.command('add')
def agents_add(username: str,
               name: Annotated[str, typer.Option('--name', help='Name shown to customers')],
               password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                                     envvar='VCE_NEW_AGENT_PASSWORD',
                                                     help='aws mode: the Connect CCP password')],
               email: Annotated[str, typer.Option(help='aws mode: the agent\'s email (Cognito login)')] = '',
               role: Annotated[str, typer.Option(help='agent, or supervisor (also reaches the recordings)')] = 'agent'
               ) -> None:
    """Create an agent: a local account, or in aws mode (VCE_MODE=aws) a Connect user and a Cognito user."""
    if role not in ('agent', 'supervisor'):
        typer.echo(f'--role must be agent or supervisor, not {role!r}', err=True)
        raise typer.Exit(2)
    if BootstrapSettings().mode == 'aws':
        agents_cmd.add_aws_agent(username, name, email, password, role=role)
        return
    agent = _run(lambda: _accounts(_settings(demo=True)).add_agent(username, name, password, role))
    typer.echo(f'Created {agent.role.value} {agent.username} ({agent.display_name}).')


@agents_app.command('role')
def agents_role(username: str,
                role: Annotated[str, typer.Argument(help='agent, or supervisor (also reaches the recordings)')]
                ) -> None:
    """Change a local account's role (it applies at the account's next page load)."""
    _run(lambda: _accounts(_settings(demo=True)).set_role(username, role))
    typer.echo(f'{username} is now a {role}.')


@agents_app.command('list')
def agents_list() -> None:
    """List local agent accounts."""
    agents = _accounts(_settings(demo=True)).list_agents()
    if not agents:
        typer.echo('No agents yet. Create one with: vce agents add USERNAME --name "Full Name"')
    for agent in agents:
        typer.echo(f'{agent.username:20} {agent.display_name:30} {agent.role.value:11} {agent.status.value}')


@agents_app.command('passwd')
def agents_passwd(username: str,
                  password: Annotated[str, typer.Option(prompt='New password', hide_input=True,
                                                        confirmation_prompt=True, envvar='VCE_NEW_AGENT_PASSWORD')]
                  ) -> None:
    """Change a local agent's password."""
    _run(lambda: _accounts(_settings(demo=True)).change_password(username, password))
    typer.echo(f'Password changed for {username}.')


@flows_app.command('check')
def flows_check(files: Annotated[list[Path], typer.Argument(help='Flow JSON files')],
                handler: Annotated[list[str] | None, typer.Option(
                    '--handler', help='An action type your Python flow extensions handle '
                    '(ConnectParticipantWithLexBot, ShowView); repeat for several.')] = None) -> None:
    """Validate flow-language files offline, exactly as the engine does before loading them."""
    from backend.flows import check_flow_files
    from backend.flows.action_specs import HANDLER_ACTION_TYPES

    unknown = sorted(set(handler or ()) - set(HANDLER_ACTION_TYPES))
    if unknown:
        typer.echo(f'--handler takes {", ".join(HANDLER_ACTION_TYPES)}, not {", ".join(unknown)}', err=True)
        raise typer.Exit(2)
    problems = check_flow_files(files, handled_types=frozenset(handler or ()))
    for problem in problems:
        typer.echo(f'  - {problem}', err=True)
    if problems:
        typer.echo(f'INVALID: {len(problems)} problem(s) in {len(files)} file(s).', err=True)
        raise typer.Exit(1)
    typer.echo(f'OK: {len(files)} flow file(s) valid.')


def _settings(**overrides: object) -> Settings:
    from backend.bootstrap import load_settings

    try:
        return load_settings(**overrides)
    except ValidationError as error:
        for problem in validation_problems(error):
            typer.echo(f'Configuration error: {problem}', err=True)
        raise typer.Exit(2) from None
    except DomainError as error:  # aws mode: missing or bad values in SSM / the environment, SSM unreadable
        typer.echo(f'Configuration error: {error}', err=True)
        raise typer.Exit(2) from None


def _accounts(settings: Settings, refusal: str = 'Error', announce: bool = True):  # type: ignore[no-untyped-def]
    """The accounts on the local data file, then which folder that is (on stderr: the output stays the command's); a
    file that is no usable database is one line and exit code 2, like the other start-up refusals (the file is left
    as it is)."""
    from backend.bootstrap import build_accounts

    try:
        accounts = build_accounts(settings)
    except DataFileUnusable as error:
        typer.echo(f'{refusal}: {error}', err=True)
        raise typer.Exit(2) from None
    if announce:
        typer.echo(f'Data folder: {data_location(settings)}', err=True)
    return accounts


def _run(action):  # type: ignore[no-untyped-def]
    try:
        return action()
    except DomainError as error:
        typer.echo(f'Error: {error}', err=True)
        raise typer.Exit(1) from None


def _serve(settings: Settings, extensions: DesktopExtensions | None = None) -> None:
    configure_logging(settings)
    from backend.flows import InvalidFlowError
    from vce.web import run

    try:
        run(settings, extensions)
    except (InvalidFlowError, NotImplementedError, DomainError) as error:
        typer.echo(f'Refusing to start: {error}', err=True)
        raise typer.Exit(2) from None


if __name__ in {'__main__', '__mp_main__'}:
    main()
