"""`vce serve`, `vce demo` and the `vce agents` commands on an unusable data file: one line on stderr naming the file,
the reason and what to do; exit code 2, like the other start-up refusals; the file untouched. Each command runs in
its own process (a temp VCE_DATA_DIR, a short timeout); only failing cases are run, so no server ever starts."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.data_file_cases import CASES, RUNNING_AS_ROOT

TIMEOUT_SECONDS = 60  # a refusal comes within a few seconds; a server that started anyway would hang until this

COMMANDS = {  # command line -> how the one line starts
    'serve': (['serve'], 'Refusing to start: '),
    'demo': (['demo', '--port', '18080'], 'Refusing to start: '),  # refused before it would listen
    'agents list': (['agents', 'list'], 'Error: '),
    'agents add': (['agents', 'add', 'ann', '--name', 'Ann Agent'], 'Error: '),
    'agents passwd': (['agents', 'passwd', 'ann'], 'Error: '),
}
EVERY_CASE = ('serve', 'demo', 'agents list')  # the other agents commands take the same path: tried on junk only


def environment(data_dir: Path) -> dict[str, str]:
    """This environment without any VCE_* or test-runner variables, plus the data folder and the secrets."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('VCE_', 'NICEGUI_', 'PYTEST_'))}
    env.update(VCE_DATA_DIR=str(data_dir), VCE_STORAGE_SECRET=secrets.token_urlsafe(32),
               VCE_NEW_AGENT_PASSWORD='long enough password')
    return env


@pytest.mark.parametrize('name', CASES)
def test_every_command_refuses_an_unusable_data_file_in_one_line(tmp_path, name) -> None:
    if name == 'unreadable' and RUNNING_AS_ROOT:
        pytest.skip('root reads any file')
    case = CASES[name]
    data_dir = tmp_path / 'data'
    data_dir.mkdir()
    path = data_dir / 'vce.sqlite3'
    case.make(path)
    before = path.read_bytes() if path.is_file() and name != 'unreadable' else None
    env = environment(data_dir)
    labels = list(COMMANDS) if name == 'junk' else EVERY_CASE
    running = {label: subprocess.Popen([sys.executable, '-m', 'vce.cli', *COMMANDS[label][0]], cwd=tmp_path, env=env,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
               for label in labels}
    results = {}
    try:
        for label, process in running.items():
            results[label] = (*process.communicate(timeout=TIMEOUT_SECONDS), process.returncode)
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    for label, (stdout, stderr, code) in results.items():
        prefix = COMMANDS[label][1]
        assert (code, stderr.splitlines(), stdout) == (2, [prefix + case.line(path)], ''), label
    if before is not None:
        assert path.read_bytes() == before
