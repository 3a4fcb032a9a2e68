"""What a doctor check gets (the configuration and a way to get clients) and what it gives back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from backend.settings.parameters import BY_NAME, effective, is_active


class Status(Enum):
    OK = 'ok'
    FAIL = 'fail'
    SKIP = 'skip'


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str
    fix: str = ''

    @classmethod
    def ok(cls, name: str, detail: str) -> CheckResult:
        return cls(name, Status.OK, detail)

    @classmethod
    def fail(cls, name: str, detail: str, fix: str) -> CheckResult:
        return cls(name, Status.FAIL, detail, fix)

    @classmethod
    def skip(cls, name: str, detail: str) -> CheckResult:
        return cls(name, Status.SKIP, detail)


@dataclass
class DoctorContext:
    """The values in force (SSM overlaid by the environment), the problems found reading them, and clients."""

    values: Mapping[str, str]
    region: str
    problems: Sequence[str]
    client_factory: Callable[[str, str], Any]
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """The value in force, '' when the parameter is unset or switched off by its parent."""
        parameter = BY_NAME[name]
        return effective(parameter, self.values) if is_active(parameter, self.values) else ''

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self.client_factory(*key)
        return self._clients[key]
