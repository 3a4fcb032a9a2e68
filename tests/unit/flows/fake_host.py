"""A recording :class:`FlowHost` for interpreter tests (no engine, no clock, scripted failures), plus small
builders for flow JSON so each test shows only the actions it is about."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from backend.flows.host import FlowActionError
from backend.flows.model import FLOW_VERSION, Flow
from backend.flows.validation import parse_flow

WaitHook = Callable[[float, int], Awaitable[None]]


def action(
    identifier: str,
    action_type: str,
    parameters: dict[str, Any] | None = None,
    *,
    next_action: str | None = None,
    conditions: list[tuple[str, str, str]] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One action as flow JSON; ``conditions`` are ``(operator, operand, target)``, ``errors`` map type -> target."""
    transitions: dict[str, Any] = {}
    if next_action is not None:
        transitions['NextAction'] = next_action
    if conditions:
        transitions['Conditions'] = [
            {'NextAction': target, 'Condition': {'Operator': operator, 'Operands': [operand]}}
            for operator, operand, target in conditions
        ]
    if errors:
        transitions['Errors'] = [{'NextAction': target, 'ErrorType': error} for error, target in errors.items()]
    return {'Identifier': identifier, 'Type': action_type, 'Parameters': parameters or {}, 'Transitions': transitions}


def message(identifier: str, text: str, next_action: str | None = 'end', **kwargs: Any) -> dict[str, Any]:
    return action(identifier, 'MessageParticipant', {'Text': text}, next_action=next_action, **kwargs)


END = action('end', 'EndFlowExecution')
DISCONNECT = action('bye', 'DisconnectParticipant')


def flow_json(*actions: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    return {'Version': FLOW_VERSION, 'StartAction': start or actions[0]['Identifier'], 'Actions': list(actions)}


def build_flow(*actions: dict[str, Any], start: str | None = None, name: str = 'Test') -> Flow:
    """A validated Flow from actions (the first one starts unless ``start`` says otherwise)."""
    return parse_flow(flow_json(*actions, start=start), name=name)


def queue_metrics(position: int, *, size: int = 3, available_agents: int = 0) -> dict[str, Any]:
    """Metrics shaped like the engine's ``$.Metrics`` after GetMetricData."""
    return {
        'Contact': {'PositionInQueue': position},
        'Queue': {'Size': size, 'Name': 'BasicQueue'},
        'Agents': {'Available': {'Count': available_agents}},
    }


class FakeHost:
    """Records every call in order; ``fail()`` scripts FlowActionErrors per method, consumed one call at a time."""

    def __init__(
        self,
        attributes: dict[str, Any] | None = None,
        *,
        metrics: list[dict[str, Any]] | None = None,
        wait_hook: WaitHook | None = None,
        channel: str = 'CHAT',
        inputs: list[str | None] | None = None,
        flows: dict[str, Flow] | None = None,
        functions: dict[str, Any] | None = None,
        extensions: dict[str, Any] | None = None,
        open_hours: bool = True,
    ) -> None:
        self.data: dict[str, Any] = {
            'Attributes': dict(attributes or {}),
            'ContactId': 'contact-1',
            'Channel': channel,
            'Queue': {'Name': 'BasicQueue'},
        }
        self.inputs = list(inputs or [])
        self.flows = dict(flows or {})
        self.functions = dict(functions or {})
        self.extensions = dict(extensions or {})
        self.open_hours = open_hours
        self.contact_data: dict[str, Any] = {}
        self.metrics = list(metrics or [queue_metrics(1)])
        self.wait_hook = wait_hook
        self.calls: list[tuple[str, Any]] = []
        self._failures: dict[str, list[FlowActionError | BaseException]] = {}

    # --- scripting and inspection -----------------------------------------------------------------------------

    def fail(self, method: str, *errors: str | BaseException) -> FakeHost:
        """Make the next calls of ``method`` raise, in order: an error type string or any exception."""
        queued = [FlowActionError(error, 'scripted') if isinstance(error, str) else error for error in errors]
        self._failures.setdefault(method, []).extend(queued)
        return self

    def called(self, method: str) -> list[Any]:
        """The arguments of every call to ``method``."""
        return [argument for name, argument in self.calls if name == method]

    @property
    def messages(self) -> list[str]:
        return self.called('send_message')

    @property
    def method_names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _record(self, method: str, argument: Any = None) -> None:
        self.calls.append((method, argument))
        failures = self._failures.get(method)
        if failures:
            raise failures.pop(0)

    # --- FlowHost ---------------------------------------------------------------------------------------------

    def flow_data(self) -> dict[str, Any]:
        return self.data

    def set_attributes(self, values: dict[str, str]) -> None:
        self._record('set_attributes', dict(values))
        self.data['Attributes'].update(values)

    async def send_message(self, text: str) -> None:
        self._record('send_message', text)

    def set_logging(self, enabled: bool) -> None:
        self._record('set_logging', enabled)

    def set_priority(self, priority: int) -> None:
        self._record('set_priority', priority)

    def set_customer_queue_flow(self, flow_ref: str) -> None:
        self._record('set_customer_queue_flow', flow_ref)

    def set_target_queue(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        self._record('set_target_queue', {'queue_id': queue_id, 'agent_id': agent_id})

    def transfer_to_queue(self) -> None:
        self._record('transfer_to_queue')

    def load_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        self._record('load_metrics', {'queue_id': queue_id, 'agent_id': agent_id})
        self.data['Metrics'] = self.metrics.pop(0) if len(self.metrics) > 1 else self.metrics[0]

    async def wait(self, seconds: float) -> None:
        self._record('wait', seconds)
        if self.wait_hook is not None:
            await self.wait_hook(seconds, len(self.called('wait')))
        else:
            await asyncio.sleep(0)

    async def disconnect(self) -> None:
        self._record('disconnect')

    def set_event_hook(self, hook: str, flow_ref: str) -> None:
        self._record('set_event_hook', (hook, flow_ref))

    def read_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> dict[str, Any]:
        self._record('read_metrics', {'queue_id': queue_id, 'agent_id': agent_id})
        return self.metrics[0]

    def in_hours(self, hours_ref: str | None) -> bool:
        self._record('in_hours', hours_ref)
        return self.open_hours

    def flow(self, flow_ref: str) -> Flow:
        self._record('flow', flow_ref)
        name = flow_ref.rsplit('/', 1)[-1]
        if name not in self.flows:
            raise FlowActionError('NoMatchingError', f'no flow {flow_ref!r}')
        return self.flows[name]

    async def get_input(self, *, timeout: float, max_length: int, terminator: str) -> str | None:
        self._record('get_input', {'timeout': timeout, 'max_length': max_length, 'terminator': terminator})
        return self.inputs.pop(0) if self.inputs else None

    async def invoke_function(self, function_ref: str, event: dict[str, Any], timeout: float) -> Any:
        self._record('invoke_function', {'ref': function_ref, 'event': event, 'timeout': timeout})
        function = self.functions.get(function_ref)
        if function is None:
            raise FlowActionError('NoMatchingError', f'no function {function_ref!r}')
        return function(event)

    async def run_extension(self, request: Any) -> Any:
        self._record('run_extension', request)
        handler = self.extensions.get(request.action_type)
        if handler is None:
            raise FlowActionError('NoMatchingError', f'no handler for {request.action_type}')
        return await handler(request)

    def update_contact(self, section: str, values: Any) -> None:
        self._record('update_contact', (section, dict(values)))
        self.contact_data.setdefault(section, {}).update(values)
