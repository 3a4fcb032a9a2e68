"""``vce configure``: the aws-mode parameters in SSM Parameter Store, asked for or given as ``--name value``.

The options are generated from the parameter tree (``backend.settings.parameters``), so adding a parameter there
adds its option, prompt, help line and start-up check (the check is its Settings field's).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from backend import bootstrap
from backend.domain.errors import DomainError, InvalidInput
from backend.settings.parameters import (
    BY_NAME,
    BY_SETTING,
    PARAMETERS,
    InvalidValues,
    Parameter,
    check_all,
    clean,
    effective,
    is_active,
    missing_required,
)
from vce import aws_access

MASK = '********'


def register(app: typer.Typer) -> None:
    app.command('configure', help=HELP)(_command())


HELP = ('Store the aws-mode settings in SSM Parameter Store (secrets as SecureStrings). Without parameter options '
        'it asks for each value, showing the current one (Enter keeps it, "-" clears an optional one); with '
        '--name value options it changes only those. A child parameter counts only when its parent has the value '
        'it names. Nothing is written when any value is bad.')


def configure(values: Mapping[str, str], *, show: bool, delete_all: bool, yes: bool, region: str | None,
              path: str | None) -> None:
    """The command's work; ``values`` maps parameter names to the values given as options."""
    region, path = aws_access.region_and_path(region, path)
    store = bootstrap.ssm_parameter_store(region, path)
    try:
        current = store.load()
        if show:
            _show(current, path, region)
        elif delete_all:
            _delete_all(store, current, region, yes)
        else:
            answers = _non_interactive(current, values) if values else _interactive(current)
            _save(store, current, answers, region)
    except InvalidValues:
        raise
    except DomainError as error:
        raise aws_access.fail(error) from None


def _non_interactive(current: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    given = {name: _read_stdin() if value == '-' and BY_NAME[name].secret else value
             for name, value in given.items()}
    return {**current, **clean(given)}


def _read_stdin() -> str:
    """One line from stdin, so a secret need not be typed on the command line (shell history)."""
    return sys.stdin.readline().rstrip('\r\n')


def _interactive(current: Mapping[str, str]) -> dict[str, str]:
    answers = dict(current)
    typer.echo('Enter keeps the value in brackets; "-" clears an optional value.')
    for parameter in PARAMETERS:
        if is_active(parameter, answers):
            answers[parameter.name] = _ask(parameter, answers.get(parameter.name, ''))
    return answers


def _ask(parameter: Parameter, current: str) -> str:
    label = f'{parameter.option} ({parameter.describe()}): {parameter.help}'
    if parameter.choices:
        label += f' [{"/".join(parameter.choices)}]'
    while True:
        if parameter.secret:
            answer = typer.prompt(label + (f' [{MASK}]' if current else ''), default='', show_default=False,
                                  hide_input=True)
            answer = answer or current
        else:
            shown = current or parameter.default
            answer = typer.prompt(label, default=shown, show_default=bool(shown))
        if answer == '-' and not parameter.required:
            return ''
        if not answer and not parameter.default:
            if not parameter.required:
                return ''
            typer.echo(f'  {parameter.option} is required.')
            continue
        try:
            return parameter.check(answer or parameter.default)
        except InvalidInput as error:
            typer.echo(f'  {error}')


def _save(store: Any, current: Mapping[str, str], answers: Mapping[str, str], region: str) -> None:
    kept = {name: value for name, value in answers.items() if value}
    check_all(kept, region)
    changes = {name: answers.get(name, '') for name in BY_NAME if answers.get(name, '') != current.get(name, '')}
    secret = {p.name for p in PARAMETERS if p.secret}
    store.save(changes, previous=current, secret=secret)
    if changes:
        names = ', '.join(f'{name} (cleared)' if not value else name for name, value in changes.items())
        typer.echo(f'Saved {len(changes)} parameter(s) under {store.path} in {region}: {names}')
    else:
        typer.echo(f'No changes under {store.path} in {region}.')
    missing = missing_required(kept)
    if missing:
        typer.echo('Still missing before aws mode can start: '
                   + ', '.join(f'--{p.option}' for p in missing), err=True)


def _show(current: Mapping[str, str], path: str, region: str) -> None:
    typer.echo(f'SSM parameters under {path} in {region}:')
    for parameter in PARAMETERS:
        value = current.get(parameter.name, '')
        shown = (MASK if value and parameter.secret else value) or effective(parameter, current)
        if not is_active(parameter, current):
            note = f'not used: {parameter.parent} is not {parameter.when}'
        elif not value and parameter.required and not parameter.default:
            note = 'MISSING (required)'
        elif not value:
            note = 'default' if parameter.default else 'not set'
        else:
            note = ''
        typer.echo(f'  {parameter.name:30} {shown or "-"}' + (f'   ({note})' if note else ''))
    for name in sorted(set(current) - set(BY_NAME)):
        typer.echo(f'  {name:30} (not a parameter of this version)')


def _delete_all(store: Any, current: Mapping[str, str], region: str, yes: bool) -> None:
    if not current:
        typer.echo(f'Nothing stored under {store.path} in {region}.')
        return
    typer.echo(f'{len(current)} parameter(s) under {store.path} in {region}: {", ".join(sorted(current))}')
    if not yes and not typer.confirm('Delete all of them?', default=False):
        typer.echo('Nothing deleted.')
        raise typer.Exit(1)
    deleted = store.delete_all()
    typer.echo(f'Deleted {len(deleted)} parameter(s) under {store.path}.')


def _command() -> Any:
    """A typer command function whose signature has one option per parameter of the tree."""
    fixed = [
        _option('show', bool, typer.Option('--show', help='Print the stored values (secrets masked) and exit.'),
                False),
        _option('delete_all', bool, typer.Option('--delete-all', help='Delete every parameter under the '
                                                 'hierarchy (asks first).'), False),
        _option('yes', bool, typer.Option('--yes', '-y', help='Do not ask before --delete-all.'), False),
        _option('region', str | None, typer.Option('--region', help='AWS region of SSM and Connect (default: '
                                                   'VCE_AWS_REGION).'), None),
        _option('path', str | None, typer.Option('--path', help='SSM hierarchy (default: VCE_SSM_PATH or '
                                                 '/VideoCallEscalation/).'), None),
    ]
    params = fixed + [
        _option(p.setting, str | None, typer.Option(
            f'--{p.option}', help=f'{p.help} [{p.describe()}]' + (' ("-" reads it from stdin)' if p.secret else ''),
            rich_help_panel='Parameters'), None)
        for p in PARAMETERS]

    def command(**kwargs: Any) -> None:
        given = {BY_SETTING[setting].name: value for setting, value in kwargs.items()
                 if setting in BY_SETTING and value is not None}
        if given and (kwargs['show'] or kwargs['delete_all']):
            raise aws_access.fail(InvalidInput('--show and --delete-all take no parameter values'), 2)
        try:
            configure(given, show=kwargs['show'], delete_all=kwargs['delete_all'], yes=kwargs['yes'],
                      region=kwargs['region'], path=kwargs['path'])
        except InvalidValues as error:
            typer.echo('Nothing was written:', err=True)
            for problem in error.problems:
                typer.echo(f'  - {problem}', err=True)
            raise typer.Exit(1) from None

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {param.name: param.annotation for param in params}
    command.__doc__ = HELP
    return command


def _option(name: str, kind: Any, info: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, info])
