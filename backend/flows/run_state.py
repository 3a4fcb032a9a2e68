"""One run of a flow: the host, the flow being run (it changes on TransferToFlow and in flow modules) and the run's
own data ($.External, $.FlowAttributes, stored input, bot and view results), which the contact does not keep."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

from backend.flows.host import FlowActionError, FlowHost
from backend.flows.model import NO_MATCHING_ERROR, Action, Flow
from backend.flows.values import resolve

_WHOLE_NUMBER_RE = re.compile(r'[0-9]+')


class FlowOutcome(enum.Enum):
    """How a run ended; the engine decides what happens to the contact next."""

    QUEUED = 'queued'
    DISCONNECTED = 'disconnected'
    ENDED = 'ended'
    FAILED = 'failed'


Step = str | FlowOutcome | None  # the next action, a final outcome, or "no transition to follow"


@dataclass(frozen=True)
class ModuleReturn:
    """Where EndFlowModuleExecution goes back to: the invoking flow and the invoke action's NextAction."""

    flow: Flow
    next_action: str | None
    loop_counts: dict[str, int]


@dataclass
class FlowRun:
    """Per-run state: the host, loop counters, the busy-loop guard and the run's flow data."""

    flow: Flow
    host: FlowHost
    loop_counts: dict[str, int] = field(default_factory=dict)
    steps_since_wait: int = 0
    external: dict[str, Any] = field(default_factory=dict)
    flow_attributes: dict[str, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    modules: list[ModuleReturn] = field(default_factory=list)

    def data(self) -> dict[str, Any]:
        """The contact's flow data plus what only this run knows."""
        data = dict(self.host.flow_data())
        data['External'] = self.external
        data['FlowAttributes'] = self.flow_attributes
        data.update(self.results)
        return data

    def value(self, action: Action, key: str) -> str:
        return resolve(action.parameters[key], self.data())

    def optional_value(self, action: Action, key: str) -> str | None:
        return self.value(action, key) if key in action.parameters else None

    def required_value(self, action: Action, key: str) -> str:
        """A value the host must match; a JSONPath that resolves to nothing is a NoMatchingError."""
        value = self.value(action, key)
        if not value:
            raise FlowActionError(NO_MATCHING_ERROR, f'{key} {action.parameters[key]!r} resolved to an empty value')
        return value

    def whole_number(self, action: Action, key: str, low: int, high: int) -> int:
        """Dynamic numbers are only known at run time; out of range is a NoMatchingError like in Connect."""
        value = self.value(action, key).strip()
        if not _WHOLE_NUMBER_RE.fullmatch(value) or not low <= int(value) <= high:
            raise FlowActionError(
                NO_MATCHING_ERROR, f'{key} must be a whole number from {low} to {high}, got {value!r}'
            )
        return int(value)

    def switch_to(self, flow: Flow) -> str:
        """Continue in another flow from its beginning (TransferToFlow); flow attributes stay with the old flow."""
        self.flow, self.loop_counts, self.flow_attributes = flow, {}, {}
        return flow.start_action

    def enter_module(self, module: Flow, next_action: str | None) -> str:
        self.modules.append(ModuleReturn(self.flow, next_action, self.loop_counts))
        self.flow, self.loop_counts = module, {}
        return module.start_action


def condition_target(action: Action, result: str) -> str | None:
    """The first Equals condition on ``result``."""
    return next((c.next_action for c in action.conditions if c.operator == 'Equals' and c.operand == result), None)
