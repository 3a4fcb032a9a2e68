"""``vce agents add`` in aws mode: the agent's Connect user and Cognito user, made together (or neither)."""

from __future__ import annotations

import typer

from backend import bootstrap
from backend.domain.errors import DomainError
from vce import aws_access


def add_aws_agent(username: str, name: str, email: str, password: str, *, role: str = 'agent') -> None:
    if not email:
        raise aws_access.fail('aws mode needs --email: the agent signs in to the desktop with it (Cognito) and the '
                              'login finds the Connect user by it', 2)
    region, path = aws_access.region_and_path(None, None)
    values, _ = aws_access.configured_values(region, path)
    try:
        created = bootstrap.add_aws_agent(values, region, username=username, display_name=name,
                                          email=email.strip().lower(), password=password,
                                          supervisor=role == 'supervisor')
    except DomainError as error:
        raise aws_access.fail(error) from None
    typer.echo(f'Created agent {created.username} ({name}): Connect user {created.connect_user_id}, Cognito user '
               f'{created.email} (Cognito emails a temporary password; the desktop asks for a new one and MFA)'
               + (f', in the Cognito group {created.group}.' if created.group else '.'))
