"""Contact actions: attributes, routing, queues, event hooks, and the contact data kept for later features
(recording behaviour, text-to-speech voice, tags, contact data)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from backend.flows.model import Action, thaw
from backend.flows.run_state import FlowOutcome, FlowRun, Step
from backend.flows.values import resolve

CUSTOMER_QUEUE = 'CustomerQueue'


async def update_attributes(run: FlowRun, action: Action) -> Step:
    data = run.data()
    run.host.set_attributes({key: resolve(value, data) for key, value in action.parameters['Attributes'].items()})
    return action.next_action


async def update_routing(run: FlowRun, action: Action) -> Step:
    """A priority (lower is routed first), or a queue time adjustment (a contact that seems to have waited longer
    is routed first)."""
    if 'QueuePriority' in action.parameters:
        run.host.set_priority(int(action.parameters['QueuePriority']))
    else:
        run.host.update_contact('Routing', {'QueueTimeAdjustmentSeconds': int(action.parameters[
            'QueueTimeAdjustmentSeconds'])})
    return action.next_action


async def update_event_hooks(run: FlowRun, action: Action) -> Step:
    data = run.data()
    for hook, ref in action.parameters['EventHooks'].items():
        if hook == CUSTOMER_QUEUE:
            run.host.set_customer_queue_flow(resolve(ref, data))
        else:
            run.host.set_event_hook(hook, resolve(ref, data))
    return action.next_action


async def update_target_queue(run: FlowRun, action: Action) -> Step:
    if 'AgentId' in action.parameters:
        run.host.set_target_queue(agent_id=run.required_value(action, 'AgentId'))
    else:
        run.host.set_target_queue(queue_id=run.required_value(action, 'QueueId'))
    return action.next_action


async def transfer(run: FlowRun, action: Action) -> Step:
    run.host.transfer_to_queue()
    return FlowOutcome.QUEUED


def _kept(section: str, key: str | None = None) -> Callable[[FlowRun, Action], Awaitable[Step]]:
    """An action whose parameters (or the ``key`` one), JSONPaths resolved, are kept on the contact."""

    async def keep(run: FlowRun, action: Action) -> Step:
        data = run.data()
        source: Any = thaw(action.parameters[key] if key else action.parameters)
        run.host.update_contact(section, {name: resolve(value, data) if isinstance(value, str) else value
                                          for name, value in source.items()})
        return action.next_action

    return keep


update_recording = _kept('RecordingBehavior')
update_voice = _kept('TextToSpeechVoice')
tag_contact = _kept('Tags', 'Tags')
update_contact_data = _kept('ContactData')
