"""Actions that call out of the flow: AWS Lambda functions and cloud-only actions, both answered locally by the
Python callables a team registers (``backend.flows.extensions``) through the host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.flows.extensions import ActionRequest
from backend.flows.host import FlowActionError
from backend.flows.model import NO_MATCHING_ERROR, Action, thaw
from backend.flows.run_state import FlowRun, Step
from backend.flows.values import lookup_value, resolve

NO_MATCHING_CONDITION = 'NoMatchingCondition'
# where a cloud-only action's result data lands in the flow data
RESULT_SECTIONS = {'ConnectParticipantWithLexBot': 'Lex', 'ShowView': 'Views'}
CONTACT_DATA_KEYS = ('Attributes', 'Channel', 'ContactId', 'CustomerEndpoint', 'InitialContactId', 'Queue',
                     'SystemEndpoint', 'LanguageCode', 'MediaStreams')


def _resolved(value: Any, data: Mapping[str, Any]) -> Any:
    """A parameter value with JSONPaths looked up (a path to an object gives the object, as Connect passes it)."""
    if isinstance(value, str):
        found = lookup_value(data, value) if value.startswith('$.') else None
        return thaw(found) if isinstance(found, Mapping | list | tuple) else resolve(value, data)
    if isinstance(value, Mapping):
        return {key: _resolved(item, data) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolved(item, data) for item in value]
    return value


def lambda_event(run: FlowRun, action: Action) -> dict[str, Any]:
    """The event Amazon Connect sends a Lambda function, so the same handler code runs here and in AWS."""
    data = run.data()
    contact = {key: thaw(data[key]) for key in CONTACT_DATA_KEYS if key in data}
    contact.setdefault('InitialContactId', data.get('ContactId', ''))
    parameters = _resolved(action.parameters.get('LambdaInvocationAttributes', {}), data)
    return {'Details': {'ContactData': contact, 'Parameters': parameters}, 'Name': 'ContactFlowEvent'}


def _checked_response(response: object, response_type: str) -> dict[str, Any]:
    """STRING_MAP (the default) needs a flat map of plain values; JSON takes any object."""
    if not isinstance(response, Mapping):
        raise FlowActionError(NO_MATCHING_ERROR, f'the function returned {type(response).__name__}, not an object')
    if response_type == 'STRING_MAP':
        nested = sorted(key for key, value in response.items() if isinstance(value, Mapping | list | tuple))
        if nested:
            raise FlowActionError(NO_MATCHING_ERROR, f'STRING_MAP response has nested values: {", ".join(nested)}')
    return dict(response)


async def invoke_lambda(run: FlowRun, action: Action) -> Step:
    """Results land in $.External (replacing the previous function's); errors and timeouts take the Error branch."""
    ref = run.required_value(action, 'LambdaFunctionARN')
    timeout = int(action.parameters['InvocationTimeLimitSeconds'])
    response = await run.host.invoke_function(ref, lambda_event(run, action), timeout)
    response_type = (action.parameters.get('ResponseValidation') or {}).get('ResponseType', 'STRING_MAP')
    run.external = _checked_response(response, response_type)
    run.steps_since_wait = 0
    return action.next_action


async def run_extension(run: FlowRun, action: Action) -> Step:
    """A cloud-only action answered by its registered handler: its data becomes flow data, its result is compared
    with the Conditions (no match: NoMatchingCondition), its error takes that Error branch."""
    data = run.data()
    request = ActionRequest(action.type, action.identifier, _resolved(action.parameters, data), data)
    result = await run.host.run_extension(request)
    run.steps_since_wait = 0
    if result.error:
        raise FlowActionError(result.error, f'{action.type} handler reported {result.error}')
    section = RESULT_SECTIONS.get(action.type)
    if section:
        run.results[section] = thaw(result.data)
    if not action.conditions:
        return action.next_action
    for condition in action.conditions:
        if condition.operator == 'Equals' and condition.operand == result.result:
            return condition.next_action
    raise FlowActionError(NO_MATCHING_CONDITION, f'{result.result!r} matched no condition')
