"""What the pilot concludes about each assumption: holds, broken, or not tried (and why), with the evidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from backend.adapters.aws.pilot.rows import ROWS


class Verdict(Enum):
    HOLDS = 'holds'
    BROKEN = 'broken'
    NOT_TRIED = 'not tried'


@dataclass(frozen=True)
class Finding:
    row: str  # a docs/aws/fidelity.md row id
    verdict: Verdict
    evidence: str

    @property
    def assumption(self) -> str:
        return ROWS[self.row]


class Findings:
    """One finding per row; a row is decided once (the first verdict stands), undecided rows are "not tried"."""

    def __init__(self) -> None:
        self._found: dict[str, Finding] = {}

    def holds(self, row: str, evidence: str) -> None:
        self._decide(row, Verdict.HOLDS, evidence)

    def broken(self, row: str, evidence: str) -> None:
        self._decide(row, Verdict.BROKEN, evidence)

    def check(self, row: str, ok: bool, evidence: str) -> bool:
        self._decide(row, Verdict.HOLDS if ok else Verdict.BROKEN, evidence)
        return ok

    def not_tried(self, rows: Iterable[str], reason: str) -> None:
        for row in rows:
            self._decide(row, Verdict.NOT_TRIED, reason)

    def decided(self, row: str) -> bool:
        return row in self._found

    def all(self) -> list[Finding]:
        return [self._found.get(row) or Finding(row, Verdict.NOT_TRIED, 'an earlier step failed first')
                for row in ROWS]

    def _decide(self, row: str, verdict: Verdict, evidence: str) -> None:
        if row not in ROWS:
            raise KeyError(f'{row} is not a row of docs/aws/fidelity.md')
        self._found.setdefault(row, Finding(row, verdict, evidence))
