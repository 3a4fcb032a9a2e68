"""The AWS CDK toolkit (the ``cdk`` CLI), installed from the npm registry into a cache folder when missing.

The CLI is a Node program that is not on PyPI; ``vce deploy`` installs ``aws-cdk@2`` once into
``~/.cache/video-call-escalation/cdk`` (``XDG_CACHE_HOME`` respected) and runs it with telemetry off. It only
publishes and deploys a cloud assembly that ``deploy.app`` already synthesized (``--app <cdk.out>``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLI_PACKAGE = 'aws-cdk@2'
Runner = Callable[[Sequence[str], Mapping[str, str]], int]  # (argv, environment) -> exit code


class ToolkitError(Exception):
    """The CDK CLI could not be installed or a command of it failed; the message says what to do."""


def cache_dir() -> Path:
    base = os.environ.get('XDG_CACHE_HOME') or str(Path.home() / '.cache')
    return Path(base) / 'video-call-escalation' / 'cdk'


def run_command(argv: Sequence[str], environment: Mapping[str, str]) -> int:
    return subprocess.run(list(argv), env=dict(environment), check=False).returncode


@dataclass
class CdkToolkit:
    """``cdk bootstrap``, ``cdk deploy`` and ``cdk destroy`` on a synthesized assembly, in one region."""

    region: str
    directory: Path = field(default_factory=cache_dir)
    run: Runner = run_command

    @property
    def executable(self) -> Path:
        return self.directory / 'node_modules' / '.bin' / 'cdk'

    def environment(self) -> dict[str, str]:
        return {**os.environ, 'CDK_DISABLE_CLI_TELEMETRY': 'true', 'AWS_REGION': self.region,
                'AWS_DEFAULT_REGION': self.region, 'JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION': '20'}

    def install(self) -> Path:
        """Install the CLI into the cache folder unless it is there; returns the ``cdk`` executable."""
        if self.executable.is_file():
            return self.executable
        npm = shutil.which('npm')
        if npm is None:
            raise ToolkitError('the AWS CDK CLI needs Node.js and npm: install them (e.g. apt-get install nodejs npm)')
        self.directory.mkdir(parents=True, exist_ok=True)
        code = self.run([npm, 'install', '--prefix', str(self.directory), '--no-audit', '--no-fund', CLI_PACKAGE],
                        self.environment())
        if code != 0 or not self.executable.is_file():
            raise ToolkitError(f'npm install {CLI_PACKAGE} into {self.directory} failed (exit {code})')
        return self.executable

    def bootstrap(self, assembly: Path) -> None:
        """The CDK's own bucket and image repository in the account and region (once; a no-op when present)."""
        self._cdk('bootstrap', '--app', str(assembly))

    def deploy(self, assembly: Path, stack: str, outputs_file: Path) -> None:
        self._cdk('deploy', '--app', str(assembly), '--require-approval', 'never', '--outputs-file',
                  str(outputs_file), stack)

    def destroy(self, assembly: Path, stack: str) -> None:
        self._cdk('destroy', '--app', str(assembly), '--force', stack)

    def _cdk(self, *arguments: str) -> None:
        code = self.run([str(self.install()), *arguments], self.environment())
        if code != 0:
            raise ToolkitError(f'cdk {arguments[0]} failed (exit {code}); its output above says why')
