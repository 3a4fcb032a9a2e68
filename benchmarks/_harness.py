"""Shared pieces of the load tests: run ``vce demo`` in a temp dir, create agents, read /proc, summarise numbers."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CHILD_ENV_BLOCKLIST = ('PYTEST_CURRENT_TEST', 'NICEGUI_USER_SIMULATION')
CLK_TCK = os.sysconf('SC_CLK_TCK')
PAGE_SIZE = os.sysconf('SC_PAGE_SIZE')


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def child_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_BLOCKLIST}
    env['VCE_DATA_DIR'] = str(data_dir)
    env.pop('VCE_STORAGE_SECRET', None)  # `vce demo` uses the demo secret
    env.update(extra or {})
    return env


@dataclass
class Server:
    """One ``vce demo`` process on 127.0.0.1, cwd = its own temp dir (so ``.nicegui/`` lands there)."""

    port: int = 0
    env: dict[str, str] = field(default_factory=dict)
    keep_dir: bool = False
    workdir: Path = field(init=False)
    process: subprocess.Popen[bytes] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix='vce-bench-'))

    @property
    def data_dir(self) -> Path:
        return self.workdir / 'var'

    @property
    def base_url(self) -> str:
        return f'http://127.0.0.1:{self.port}'

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def add_agents(self, usernames: Iterable[tuple[str, str]], password: str) -> float:
        """Create agents with the real CLI command (``vce agents add``), all in one interpreter to save start-up time.

        Returns the seconds it took.
        """
        pairs = list(usernames)
        script = (
            'import sys\n'
            'from vce.cli import app\n'
            'pairs = [line.split("\\t", 1) for line in sys.stdin.read().splitlines() if line]\n'
            'for username, name in pairs:\n'
            '    app(["agents", "add", username, "--name", name], standalone_mode=False)\n'
        )
        started = time.monotonic()
        workers = max(1, min(os.cpu_count() or 1, 4, len(pairs)))
        env = child_env(self.data_dir, {'VCE_NEW_AGENT_PASSWORD': password})
        if pairs:  # the first call creates the database, then the rest run in parallel (argon2 is slow by design)
            subprocess.run([PYTHON, '-c', script], input=f'{pairs[0][0]}\t{pairs[0][1]}'.encode(), cwd=self.workdir,
                           env=env, check=True, stdout=subprocess.DEVNULL, timeout=600)
        chunks = [pairs[1:][i::workers] for i in range(workers)]
        chunks = [chunk for chunk in chunks if chunk]
        procs = [subprocess.Popen([PYTHON, '-c', script], stdin=subprocess.PIPE, cwd=self.workdir, env=env,
                                  stdout=subprocess.DEVNULL) for _ in chunks]
        for proc, chunk in zip(procs, chunks, strict=True):
            proc.communicate('\n'.join(f'{u}\t{n}' for u, n in chunk).encode(), timeout=600)
            if proc.returncode:
                raise RuntimeError(f'vce agents add failed with {proc.returncode}')
        return time.monotonic() - started

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.workdir / 'server.log', 'wb')
        self.process = subprocess.Popen(
            [PYTHON, '-m', 'vce.cli', 'demo', '--port', str(self.port), '--host', '127.0.0.1'],
            cwd=self.workdir, env=child_env(self.data_dir, self.env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'server exited with {self.process.returncode}; see {self.workdir}/server.log')
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                with urllib.request.urlopen(f'{self.base_url}/healthz', timeout=2) as response:
                    if response.status == 200:
                        return
            time.sleep(0.2)
        raise TimeoutError(f'server not healthy within {timeout} s; see {self.workdir}/server.log')

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if not self.keep_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        path = self.workdir / 'server.log'
        return '\n'.join(path.read_text(errors='replace').splitlines()[-lines:]) if path.exists() else ''


@contextlib.contextmanager
def running_server(port: int, env: dict[str, str], keep_dir: bool = False) -> Iterator[Server]:
    server = Server(port=port, env=env, keep_dir=keep_dir)
    try:
        yield server
    finally:
        server.stop()


# /proc readings


@dataclass(frozen=True)
class ProcSample:
    wall: float
    cpu_seconds: float  # utime + stime
    rss_mb: float
    hwm_mb: float


def proc_sample(pid: int) -> ProcSample:
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    # fields[0] is field 3 (state); utime / stime are fields 14 / 15
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    rss = hwm = 0.0
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1]) / 1024
            elif line.startswith('VmHWM:'):
                hwm = int(line.split()[1]) / 1024
    return ProcSample(time.monotonic(), cpu, rss, hwm)


def system_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat, summed over all cores."""
    with open('/proc/stat') as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return total - idle, total


def system_busy_cores(first: tuple[float, float], last: tuple[float, float], seconds: float) -> float:
    """Cores' worth of CPU the whole machine used between two ``system_cpu()`` readings (100 % = one core)."""
    return 100.0 * (last[0] - first[0]) / CLK_TCK / seconds if seconds > 0 else 0.0


GC_PROBE_DIR = Path(__file__).resolve().parent / '_gcprobe'


def gc_probe_env(log_path: Path) -> dict[str, str]:
    """Environment that loads ``_gcprobe/sitecustomize.py`` into the server (logs GC pauses >= 5 ms)."""
    existing = os.environ.get('PYTHONPATH', '')
    return {'PYTHONPATH': str(GC_PROBE_DIR) + (os.pathsep + existing if existing else ''),
            'VCE_BENCH_GC_LOG': str(log_path)}


def read_gc_log(path: Path, start: float, end: float) -> dict[str, object]:
    """Summarise the GC probe's pauses between two unix times."""
    pauses: list[tuple[float, int, float]] = []
    tracked: list[int] = []
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and start <= float(parts[0]) <= end:
                pauses.append((float(parts[0]), int(parts[1]), float(parts[2])))
                if len(parts) >= 6 and int(parts[5]) >= 0:
                    tracked.append(int(parts[5]))
    by_gen: dict[int, list[float]] = {}
    for _, gen, ms in pauses:
        by_gen.setdefault(gen, []).append(ms)
    return {
        'pauses_ge_5ms': len(pauses),
        'total_ms': round(sum(ms for _, _, ms in pauses), 1),
        'by_generation': {g: {'count': len(v), 'max_ms': max(v), 'total_ms': round(sum(v), 1)}
                          for g, v in sorted(by_gen.items())},
        'longest': sorted(pauses, key=lambda p: -p[2])[:10],
        'gen2_tracked_objects_max': max(tracked, default=None),
    }


def start_py_spy(pid: int, out: Path, seconds: float, rate: int = 100) -> subprocess.Popen[bytes] | None:
    """Sample the server with py-spy (if installed next to this interpreter) for ``seconds``; raw collapsed stacks."""
    exe = Path(PYTHON).with_name('py-spy')
    if not exe.exists():
        print(f'py-spy not found at {exe}; skipping the profile', file=sys.stderr)
        return None
    return subprocess.Popen([str(exe), 'record', '-p', str(pid), '-o', str(out), '--format', 'raw',
                             '-r', str(rate), '-d', str(int(seconds)), '--nonblocking'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_percent(first: ProcSample, last: ProcSample) -> float:
    wall = last.wall - first.wall
    return 100.0 * (last.cpu_seconds - first.cpu_seconds) / wall if wall > 0 else 0.0


# numbers


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of unsorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def fmt(value: float | None, digits: int = 1) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Rows of (metric, value, target / note)."""
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f'\n{title}\n' + '-' * (width + vwidth + 40))
    for metric, value, note in rows:
        print(f'{metric:<{width}}  {value:>{vwidth}}  {note}')


def measure_and_publish(server: Server, measure: Callable[[], dict[str, object]],
                        report: Callable[[dict[str, object]], None], json_path: Path | None) -> int:
    """Run ``measure``, always stop the server (showing its log on failure), then report; the exit status."""
    try:
        result = measure()
    except BaseException:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()
    publish(result, report, json_path)
    return 0


def publish(result: dict[str, object], report: Callable[[dict[str, object]], None], json_path: Path | None) -> None:
    """Print the report and, when asked, write the raw result as JSON."""
    report(result)
    if json_path:
        json_path.write_text(json.dumps(result, indent=2, default=str))
        print(f'\nresults written to {json_path}')
