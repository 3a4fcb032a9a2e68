"""Reading the Dockerfile and the .dockerignore where no Docker daemon exists: the instructions (continuation lines
joined), and the build context the .dockerignore leaves (the subset of its syntax the file uses)."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from backend.settings import PROJECT_ROOT

DOCKERFILE = PROJECT_ROOT / 'Dockerfile'
DOCKERIGNORE = PROJECT_ROOT / '.dockerignore'


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: str  # the FROM ... AS name it belongs to ('' before the first FROM)

    def exec_form(self) -> list[str]:
        """The JSON-array form's words (CMD, ENTRYPOINT, HEALTHCHECK's CMD)."""
        text = self.arguments
        if self.keyword == 'HEALTHCHECK':
            text = text[text.index(' CMD ') + len(' CMD '):]
        words = json.loads(text)
        assert isinstance(words, list) and all(isinstance(word, str) for word in words)
        return words


def instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    lines, current = [], ''
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith('#')):
            continue
        if line.endswith('\\'):
            current += line[:-1].strip() + ' '
            continue
        lines.append(current + line)
        current = ''
    found, stage = [], ''
    for line in lines:
        keyword, _, arguments = line.partition(' ')
        if keyword.upper() == 'FROM':
            stage = arguments.split(' AS ')[-1].strip() if ' AS ' in arguments else ''
        found.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return found


def ignore_patterns(path: Path = DOCKERIGNORE) -> list[str]:
    patterns = [line.strip() for line in path.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith('#')]
    assert not any(p.startswith('!') for p in patterns), 'exceptions are not modelled here'
    return patterns


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether the path, or a folder it is in, matches a pattern (a matched folder leaves out all it holds)."""
    parts = relative.split('/')
    return any(_matches('/'.join(parts[:end]), patterns) for end in range(1, len(parts) + 1))


def _matches(relative: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.rstrip('/')
        if pattern.startswith('**/'):
            tail = pattern[3:]
            if fnmatch.fnmatch(relative, tail) or fnmatch.fnmatch(relative, f'*/{tail}'):
                return True
        elif fnmatch.fnmatch(relative, pattern):
            return True
    return False


def copy_build_context(target: Path, source: Path = PROJECT_ROOT) -> list[str]:
    """Copy what ``docker build`` would send from ``source`` to ``target``; the copied files' relative paths."""
    patterns, copied = ignore_patterns(), []
    for folder, folders, files in os.walk(source):
        here = Path(folder).relative_to(source)
        folders[:] = [name for name in folders if not ignored((here / name).as_posix(), patterns)]
        for name in files:
            relative = (here / name).as_posix()
            if not ignored(relative, patterns):
                (target / here).mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, target / relative)
                copied.append(relative)
    return copied
