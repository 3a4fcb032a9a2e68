"""Runs a validated :class:`Flow` against a :class:`FlowHost`, one action at a time.

The interpreter owns the flow language semantics (JSONPath values, conditions, error fallbacks, loop counters);
everything that touches the contact goes through the host, so this module never knows about queues or agents.
A run is a plain coroutine: the engine cancels its task (e.g. when a queued contact is answered) and the
``CancelledError`` propagates untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from backend.flows import contact_actions, control_actions, external_actions, participant_actions
from backend.flows.action_specs import HANDLER_ACTION_TYPES
from backend.flows.host import FlowActionError, FlowHost
from backend.flows.model import Action, Flow
from backend.flows.run_state import FlowOutcome, FlowRun, Step
from backend.flows.values import interpolate, lookup, resolve

__all__ = ['HANDLERS', 'MAX_ACTIONS_WITHOUT_WAIT', 'FlowOutcome', 'interpolate', 'lookup', 'resolve', 'run_flow']

logger = logging.getLogger(__name__)

MAX_ACTIONS_WITHOUT_WAIT = 1000

Handler = Callable[[FlowRun, Action], Awaitable[Step]]

HANDLERS: dict[str, Handler] = {
    'UpdateFlowLoggingBehavior': control_actions.update_logging,
    'MessageParticipant': participant_actions.message,
    'UpdateContactAttributes': contact_actions.update_attributes,
    'Compare': control_actions.compare,
    'UpdateContactRoutingBehavior': contact_actions.update_routing,
    'UpdateContactEventHooks': contact_actions.update_event_hooks,
    'UpdateContactTargetQueue': contact_actions.update_target_queue,
    'TransferContactToQueue': contact_actions.transfer,
    'GetMetricData': control_actions.get_metrics,
    'CheckMetricData': control_actions.check_metric,
    'Loop': control_actions.loop,
    'Wait': control_actions.wait,
    'DisconnectParticipant': participant_actions.disconnect,
    'EndFlowExecution': control_actions.end_flow,
    'CheckHoursOfOperation': control_actions.check_hours,
    'MessageParticipantIteratively': participant_actions.message_iteratively,
    'TransferToFlow': control_actions.transfer_to_flow,
    'InvokeFlowModule': control_actions.invoke_module,
    'EndFlowModuleExecution': control_actions.end_module,
    'GetParticipantInput': participant_actions.get_input,
    'UpdateContactRecordingBehavior': contact_actions.update_recording,
    'UpdateContactTextToSpeechVoice': contact_actions.update_voice,
    'InvokeLambdaFunction': external_actions.invoke_lambda,
    'UpdateFlowAttributes': control_actions.update_flow_attributes,
    'TagContact': contact_actions.tag_contact,
    'UpdateContactData': contact_actions.update_contact_data,
}
# cloud-only types, run only when a Python handler is registered for them (the validator refuses them otherwise)
EXTENSION_HANDLERS: dict[str, Handler] = {action_type: external_actions.run_extension
                                          for action_type in HANDLER_ACTION_TYPES}


async def _execute(run: FlowRun, action: Action) -> Step:
    """Run one action, turning a FlowActionError into its Errors transition (or FAILED)."""
    handler = HANDLERS.get(action.type) or EXTENSION_HANDLERS[action.type]
    try:
        return await handler(run, action)
    except FlowActionError as error:
        target = action.error_target(error.error_type)
        if target is None:
            logger.error(
                'flow %s: action %r (%s) failed with unhandled %s', run.flow.name, action.identifier, action.type, error
            )
            return FlowOutcome.FAILED
        logger.debug('flow %s: action %r (%s): %s -> %r', run.flow.name, action.identifier, action.type, error, target)
        return target


async def run_flow(flow: Flow, host: FlowHost) -> FlowOutcome:
    """Run ``flow`` from its StartAction until it queues, disconnects, ends or fails.

    Unexpected exceptions from the host are logged and end the run as FAILED, so a bug cannot leave the engine
    waiting on a dead task; cancellation is not an ``Exception`` and so always propagates.
    """
    run = FlowRun(flow, host)
    identifier = flow.start_action
    while True:
        if run.steps_since_wait >= MAX_ACTIONS_WITHOUT_WAIT:
            logger.error(
                'flow %s: %d actions ran without a Wait; stopping at %r (busy loop?)',
                flow.name,
                run.steps_since_wait,
                identifier,
            )
            return FlowOutcome.FAILED
        run.steps_since_wait += 1
        try:
            action = run.flow.action(identifier)
            logger.debug('flow %s: action %r (%s)', run.flow.name, identifier, action.type)
            step = await _execute(run, action)
        except Exception:
            logger.exception('flow %s: action %r crashed', run.flow.name, identifier)
            return FlowOutcome.FAILED
        if isinstance(step, FlowOutcome):
            return step
        if step is None:
            logger.error('flow %s: action %r (%s) has no transition to follow', run.flow.name, identifier,
                         action.type)
            return FlowOutcome.FAILED
        identifier = step
