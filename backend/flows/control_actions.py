"""Flow-control actions: branching, loops, waits, hours of operation, metrics, flow attributes, other flows.

Each handler follows its Amazon Connect flow-language page (``action_specs.SPECS[...].doc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.flows.action_specs import MAX_LOOP_COUNT, MAX_WAIT_SECONDS, WAIT_COMPLETED
from backend.flows.host import FlowActionError
from backend.flows.model import NO_MATCHING_ERROR, Action
from backend.flows.run_state import FlowOutcome, FlowRun, Step, condition_target
from backend.flows.values import OPERATORS, as_text, lookup_value, resolve

NO_MATCHING_CONDITION = 'NoMatchingCondition'
# CheckMetricData's MetricType -> where the engine's metrics keep it
METRIC_PATHS = {
    'NumberOfAgentsAvailable': '$.Agents.Available.Count',
    'NumberOfAgentsOnline': '$.Agents.Online.Count',
    'NumberOfAgentsStaffed': '$.Agents.Staffed.Count',
    'OldestContactInQueueAgeSeconds': '$.Queue.OldestContactAge',
    'NumberOfContactsInQueue': '$.Queue.Size',
}


async def update_logging(run: FlowRun, action: Action) -> Step:
    run.host.set_logging(action.parameters['FlowLoggingBehavior'] == 'Enabled')
    return action.next_action


def branch(action: Action, value: str, data: Mapping[str, Any]) -> str:
    """The first condition that holds for ``value``, else the NoMatchingCondition error."""
    for condition in action.conditions:
        if OPERATORS[condition.operator](value, resolve(condition.operand, data)):
            return condition.next_action
    raise FlowActionError(NO_MATCHING_CONDITION, f'{value!r} matched no condition')


async def compare(run: FlowRun, action: Action) -> Step:
    data = run.data()
    return branch(action, resolve(action.parameters['ComparisonValue'], data), data)


async def loop(run: FlowRun, action: Action) -> Step:
    count = run.whole_number(action, 'LoopCount', 0, MAX_LOOP_COUNT)
    done = run.loop_counts.get(action.identifier, 0)
    if done < count:
        run.loop_counts[action.identifier] = done + 1
        return condition_target(action, 'ContinueLooping')
    run.loop_counts[action.identifier] = 0
    return condition_target(action, 'DoneLooping')


async def wait(run: FlowRun, action: Action) -> Step:
    """Wait "is supported only by the chat channel": a call takes the Error branch, as in Connect. The events
    (CustomerReturned, BotParticipantDisconnected) never happen locally, so the wait always completes."""
    if run.data().get('Channel') != 'CHAT':
        raise FlowActionError(NO_MATCHING_ERROR, 'Wait is supported only by the chat channel')
    key = 'TimeoutSeconds' if 'TimeoutSeconds' in action.parameters else 'TimeLimitSeconds'
    await run.host.wait(run.whole_number(action, key, 1, MAX_WAIT_SECONDS))
    run.steps_since_wait = 0
    return condition_target(action, WAIT_COMPLETED) or action.next_action


async def check_hours(run: FlowRun, action: Action) -> Step:
    ref = run.optional_value(action, 'HoursOfOperationId')
    is_open = run.host.in_hours(ref or None)
    return condition_target(action, 'True' if is_open else 'False')


async def get_metrics(run: FlowRun, action: Action) -> Step:
    queue_id = run.required_value(action, 'QueueId') if 'QueueId' in action.parameters else None
    agent_id = run.required_value(action, 'AgentId') if 'AgentId' in action.parameters else None
    run.host.load_metrics(queue_id=queue_id, agent_id=agent_id)
    return action.next_action


async def check_metric(run: FlowRun, action: Action) -> Step:
    queue_id = run.required_value(action, 'QueueId') if 'QueueId' in action.parameters else None
    agent_id = run.required_value(action, 'AgentId') if 'AgentId' in action.parameters else None
    metrics = run.host.read_metrics(queue_id=queue_id, agent_id=agent_id)
    value = as_text(lookup_value(metrics, METRIC_PATHS[action.parameters['MetricType']]))
    return branch(action, value, run.data())


async def update_flow_attributes(run: FlowRun, action: Action) -> Step:
    data = run.data()
    run.flow_attributes.update({name: resolve(entry['Value'], data)
                                for name, entry in action.parameters['FlowAttributes'].items()})
    return action.next_action


async def transfer_to_flow(run: FlowRun, action: Action) -> Step:
    return run.switch_to(run.host.flow(run.required_value(action, 'ContactFlowId')))


async def invoke_module(run: FlowRun, action: Action) -> Step:
    module = run.host.flow(run.required_value(action, 'FlowModuleId'))
    return run.enter_module(module, action.next_action)


async def end_module(run: FlowRun, action: Action) -> Step:
    """Back to the flow that invoked the module, at the invoke action's NextAction; a module run on its own ends."""
    if not run.modules:
        return FlowOutcome.ENDED
    back = run.modules.pop()
    run.flow, run.loop_counts = back.flow, back.loop_counts
    return back.next_action


async def end_flow(run: FlowRun, action: Action) -> Step:
    return FlowOutcome.ENDED
