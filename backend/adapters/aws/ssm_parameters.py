"""The configuration hierarchy in SSM Parameter Store: read it, write changes all-or-nothing, delete it.

Parameters sit directly under the hierarchy path (``/VideoCallEscalation/connectInstanceURL``); secrets are
SecureStrings (the account's default ``aws/ssm`` key). SSM has no transactions, so a failed write undoes the writes
before it (old values put back, new ones deleted) before the error is raised.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import Any

from backend.adapters.aws.error_messages import AWS_ERRORS, AwsCallFailed, describe

log = logging.getLogger('vce.aws.ssm')

DELETE_BATCH = 10  # DeleteParameters' limit per call


class SsmParameters:
    """Read and write one hierarchy of parameters; names passed in and out are relative to the path."""

    def __init__(self, client: Any, path: str) -> None:
        self._client = client
        self.path = path if path.endswith('/') else path + '/'

    def full_name(self, name: str) -> str:
        return self.path + name

    def load(self) -> dict[str, str]:
        """Every parameter directly under the path, decrypted (needs ssm:GetParametersByPath and kms:Decrypt)."""
        values: dict[str, str] = {}
        try:
            pages = self._client.get_paginator('get_parameters_by_path').paginate(
                Path=self.path.rstrip('/'), Recursive=False, WithDecryption=True)
            for page in pages:
                for parameter in page.get('Parameters', []):
                    values[parameter['Name'].removeprefix(self.path)] = parameter['Value']
        except AWS_ERRORS as error:
            raise describe('ssm:GetParametersByPath', error) from error
        return values

    def save(self, changes: Mapping[str, str], *, previous: Mapping[str, str], secret: Collection[str]) -> None:
        """Put every changed value (empty value = delete the parameter); on any failure undo and raise."""
        done: list[str] = []
        for name, value in changes.items():
            if value == previous.get(name, ''):
                continue
            try:
                self._put_or_delete(name, value, name in secret)
            except AwsCallFailed as error:
                undo_problems = self._undo(done, previous, secret)
                note = (' Nothing was changed: the values written before it were restored.' if not undo_problems
                        else ' Restoring the earlier values also failed, check them with `vce configure --show`: '
                        + '; '.join(undo_problems))
                raise AwsCallFailed(f'{error}.{note}', operation=error.operation, code=error.code) from error
            done.append(name)
        log.info('ssm.saved path=%s names=%s', self.path, ','.join(done))

    def delete_all(self) -> list[str]:
        """Delete every parameter directly under the path; returns the names deleted."""
        names = sorted(self.load())
        for start in range(0, len(names), DELETE_BATCH):
            batch = [self.full_name(name) for name in names[start:start + DELETE_BATCH]]
            try:
                self._client.delete_parameters(Names=batch)
            except AWS_ERRORS as error:
                raise describe('ssm:DeleteParameters', error) from error
        return names

    # internals

    def _put_or_delete(self, name: str, value: str, secure: bool) -> None:
        if value == '':
            try:
                self._client.delete_parameter(Name=self.full_name(name))
            except AWS_ERRORS as error:
                failure = describe('ssm:DeleteParameter', error)
                if failure.code != 'ParameterNotFound':
                    raise failure from error
            return
        try:
            self._client.put_parameter(Name=self.full_name(name), Value=value, Overwrite=True,
                                       Type='SecureString' if secure else 'String', Tier='Standard')
        except AWS_ERRORS as error:
            raise describe('ssm:PutParameter', error) from error

    def _undo(self, done: list[str], previous: Mapping[str, str], secret: Collection[str]) -> list[str]:
        problems = []
        for name in reversed(done):
            try:
                self._put_or_delete(name, previous.get(name, ''), name in secret)
            except AwsCallFailed as error:
                problems.append(f'{name}: {error}')
        return problems
