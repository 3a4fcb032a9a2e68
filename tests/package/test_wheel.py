"""The package a user installs: built from the build context the Dockerfile sees (its .dockerignore applied) with
the image's own build script (sdist, then the wheel from that sdist), installed into a fresh venv with the image's
own install script (the aws extra, no dev extra), then ``vce demo`` started from an empty folder on a free port:
the customer page, its element scripts, the vendored bundles and the flows must all be there, from the wheel alone.

pip may use the machine's cache and the package registry; the server only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.settings import PROJECT_ROOT
from tests.package.container_files import copy_build_context, instructions

pytestmark = pytest.mark.package
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
START_TIMEOUT_SECONDS = 90  # a bound on waiting, not a measurement
BUNDLES = ('amazon-chime-sdk/chime-sdk.min.js', 'amazon-connect-streams/connect-streams.min.js')
FLOWS = ('VideoCallEscalationChat', 'VideoCallEscalationQueue', 'VideoCallEscalationVoice',
         'VideoCallEscalationVoiceQueue')


@dataclass(frozen=True)
class Installed:
    context: list[str]
    sdist: Path
    wheel: Path
    venv: Path


def _clean_env(**extra: str) -> dict[str, str]:
    """No VCE_*, NICEGUI_* or test-runner variables, no virtualenv of ours: as a user's shell would be."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('VCE_', 'NICEGUI_', 'PYTEST_', 'VIRTUAL_ENV', 'PYTHON'))}
    env.update(extra)
    return env


@pytest.fixture(scope='module')
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp('package')
    context, dist, venv = root / 'context', root / 'dist', root / 'venv'
    copied = copy_build_context(context)
    for script, arguments in (('build.sh', [str(dist)]), ('install.sh', [str(venv), str(dist)])):
        result = subprocess.run(['sh', str(context / 'scripts' / 'package' / script), *arguments], cwd=context,
                                env=_clean_env(PYTHON=sys.executable), capture_output=True, text=True, check=False)
        assert result.returncode == 0, f'{script}:\n{result.stdout}\n{result.stderr}'
    (sdist,) = dist.glob('video_call_escalation-*.tar.gz')
    (wheel,) = dist.glob('video_call_escalation-*-py3-none-any.whl')
    return Installed(copied, sdist, wheel, venv)


def test_the_build_context_is_the_code_and_its_files_only(installed):
    top = {path.split('/')[0] for path in installed.context}
    assert {'pyproject.toml', 'setup.py', 'README.md', 'backend', 'vce', 'vce_resources', 'contact_flows',
            'assets', 'scripts'} <= top
    assert not top & {'tests', 'benchmarks', 'docs', '.git', '.venv', 'var', 'deploy', 'examples'}
    assert not [path for path in installed.context if 'node_modules' in path or '__pycache__' in path]


def test_the_sdist_and_the_wheel_carry_the_flows_and_the_assets(installed):
    with tarfile.open(installed.sdist) as sdist:
        in_sdist = {name.split('/', 1)[1] for name in sdist.getnames() if '/' in name}
    with zipfile.ZipFile(installed.wheel) as wheel:
        in_wheel = set(wheel.namelist())
    for flow in FLOWS:
        assert f'contact_flows/{flow}.json' in in_sdist and f'vce_resources/contact_flows/{flow}.json' in in_wheel
    assert 'vce_resources/contact_flows/README.md' in in_wheel
    for vendor in ('amazon-chime-sdk', 'amazon-connect-streams'):
        for name in ('VERSION', 'LICENSE', 'SHA256SUMS'):
            assert f'assets/vendor/{vendor}/{name}' in in_sdist
            assert f'vce_resources/assets/vendor/{vendor}/{name}' in in_wheel
    for bundle in BUNDLES:
        assert f'vce_resources/assets/vendor/{bundle}' in in_wheel
    assert 'vce_resources/assets/audio/ring.wav' in in_wheel
    for script in ('ui_common/meeting/meeting.js', 'agent_ui/connect_desktop/connect_ccp/connect_ccp.js',
                   'customer_ui/link_fragment.js', 'ui_common/script_loader.js'):
        assert script in in_wheel
    outside = ('tests/', 'assets/', 'contact_flows/', 'vce_resources/assets/js-src')
    assert not [name for name in in_wheel if name.startswith(outside)]


def test_the_venv_has_the_aws_extra_and_no_dev_tools(installed):
    python = str(installed.venv / 'bin' / 'python')
    probe = ('import importlib.util as u; print(*[bool(u.find_spec(m)) for m in '
             '("boto3", "websockets", "authlib", "platformdirs", "pytest", "playwright", "moto", "mypy")])')
    result = subprocess.run([python, '-c', probe], capture_output=True, text=True, check=True, env=_clean_env())
    assert result.stdout.split() == ['True'] * 4 + ['False'] * 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@dataclass
class Demo:
    base_url: str
    port: int
    folder: Path
    data_home: Path
    process: subprocess.Popen[str]
    stdout: Path
    stderr: Path

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with NO_PROXY.open(self.base_url + path, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@pytest.fixture(scope='module')
def demo(installed, tmp_path_factory) -> Iterator[Demo]:
    """``vce demo`` from an empty folder, without VCE_DATA_DIR (so the platform's data folder: XDG_DATA_HOME here),
    with JSON logs."""
    root = tmp_path_factory.mktemp('demo')
    folder, data_home = root / 'somewhere', root / 'xdg'
    folder.mkdir()
    port = _free_port()
    stdout, stderr = root / 'stdout.txt', root / 'stderr.txt'
    with stdout.open('w') as out, stderr.open('w') as err:
        process = subprocess.Popen([str(installed.venv / 'bin' / 'vce'), 'demo', '--port', str(port)], cwd=folder,
                                   env=_clean_env(XDG_DATA_HOME=str(data_home), VCE_LOG_FORMAT='json'),
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True)
    server = Demo(f'http://127.0.0.1:{port}', port, folder, data_home, process, stdout, stderr)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            assert process.poll() is None, f'vce demo exited: {stderr.read_text()}'
            try:
                if server.get('/healthz')[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f'vce demo did not answer: {stderr.read_text()}'
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_demo_serves_the_customer_page_and_every_script_it_names(demo):
    status, page = demo.get('/')
    assert status == 200 and b'Example Bank' in page
    scripts = sorted(set(re.findall(r'"(/_nicegui/[^"]+\.(?:js|mjs|css))"', page.decode())))
    assert any(s.endswith('/link_fragment.js') for s in scripts)  # an element of ours, from the wheel
    assert any(s.endswith('/meeting_media.js') for s in scripts)
    assert [(s, demo.get(s)[0]) for s in scripts if demo.get(s)[0] != 200] == []
    assert demo.get('/call')[0] == 200


@pytest.mark.parametrize('bundle', BUNDLES)
def test_the_vendored_bundles_are_served_as_pinned(demo, bundle):
    status, body = demo.get(f'/assets/vendor/{bundle}')
    assert status == 200
    sums = (PROJECT_ROOT / 'assets' / 'vendor' / bundle.split('/')[0] / 'SHA256SUMS').read_text()
    assert hashlib.sha256(body).hexdigest() in sums


def test_the_ring_tone_health_and_readiness_answer(demo):
    assert demo.get('/assets/audio/ring.wav') == (200, (PROJECT_ROOT / 'assets' / 'audio' / 'ring.wav').read_bytes())
    assert json.loads(demo.get('/healthz')[1]) == {'status': 'ok', 'mode': 'local'}
    assert json.loads(demo.get('/readyz')[1]) == {'status': 'ready', 'mode': 'local'}


def test_the_flows_loaded_and_the_data_went_to_the_platform_folder(demo, installed):
    data = demo.data_home / 'video-call-escalation'
    banner = demo.stdout.read_text()
    assert f'Data folder:      {data} (the default; set VCE_DATA_DIR to use another)' in banner
    assert (data / 'vce.sqlite3').is_file() and list(demo.folder.iterdir()) in ([], [demo.folder / '.nicegui'])
    logged = [json.loads(line) for line in demo.stderr.read_text().splitlines()]  # every line is JSON
    events = {entry.get('event') for entry in logged}
    assert {'server.starting', 'engine.started'} <= events  # the engine starts only once the flows validated
    elsewhere = demo.folder / 'sub'
    elsewhere.mkdir(exist_ok=True)
    listed = subprocess.run([str(installed.venv / 'bin' / 'vce'), 'agents', 'list'], cwd=elsewhere,
                            env=_clean_env(XDG_DATA_HOME=str(demo.data_home)), capture_output=True, text=True,
                            check=False)
    assert listed.returncode == 0 and listed.stdout.split()[:2] == ['demo', 'Demo'], listed.stderr


def test_the_images_health_check_command_passes_against_the_server(demo, installed):
    (check,) = [i for i in instructions() if i.keyword == 'HEALTHCHECK']
    words = check.exec_form()
    assert words[0] == 'python'
    result = subprocess.run([str(installed.venv / 'bin' / 'python'), *words[1:]], capture_output=True, text=True,
                            env=_clean_env(VCE_PORT=str(demo.port)), check=False, timeout=30)
    assert result.returncode == 0, result.stderr
    refused = subprocess.run([str(installed.venv / 'bin' / 'python'), *words[1:]], capture_output=True, text=True,
                             env=_clean_env(VCE_PORT=str(_free_port())), check=False, timeout=30)
    assert refused.returncode != 0
