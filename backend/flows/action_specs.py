"""What each Amazon Connect flow-language action type accepts, per its page in the Amazon Connect flow-language
reference (https://docs.aws.amazon.com/connect/latest/APIReference/<page>.html; ``ActionSpec.doc`` names the page).

A type is one of three kinds:

- ``engine``: the local engine runs it;
- ``handler``: it needs a service the engine cannot reach offline (Amazon Lex, agent workspace views), so it runs
  only when a Python handler is registered for it (``backend.flows.extensions.FlowExtensions``);
- ``connect``: valid flow language that only a real Amazon Connect instance can run; refused with the reason.

Parameters and transitions follow the documentation; where Connect's own flow designer exports more than the
reference lists (``TimeLimitSeconds`` on Wait, ``EventHooksConfiguration``, ``NoMatchingError`` on blocks whose
page lists no errors), the export wins, because those are the files users bring.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.flows.model import COMPARISON_OPERATORS, NO_MATCHING_ERROR, looks_like_json_path
from backend.flows.parameter_checks import (
    PROMPT_KEYS,
    Say,
    check_object,
    check_prompt,
    check_static_choice,
    check_string_map,
    check_value,
    check_whole_number,
    exactly_one,
    json_type,
)

NO_MATCHING_CONDITION = 'NoMatchingCondition'
NUMBER_OPERATORS = frozenset(op for op in COMPARISON_OPERATORS if op.startswith('Number'))
LOOP_RESULTS = ('ContinueLooping', 'DoneLooping')
WAIT_COMPLETED = 'WaitCompleted'
WAIT_EVENTS = ('CustomerReturned', 'BotParticipantDisconnected')
MESSAGES_INTERRUPTED = 'MessagesInterrupted'
MAX_WAIT_SECONDS = 604800
MAX_LOOP_COUNT = 100
MAX_INPUT_SECONDS = 180
MAX_LAMBDA_SECONDS = {'SYNCHRONOUS': 8, 'ASYNCHRONOUS': 60}
EVENT_HOOKS = ('AgentHold', 'AgentWhisper', 'CustomerHold', 'CustomerQueue', 'CustomerRemaining', 'CustomerWhisper',
               'DefaultAgentUI', 'DisconnectAgentUI', 'PauseContact', 'ResumeContact')
METRIC_TYPES = ('NumberOfAgentsAvailable', 'NumberOfAgentsStaffed', 'NumberOfAgentsOnline',
                'OldestContactInQueueAgeSeconds', 'NumberOfContactsInQueue')
DTMF_KEYS = frozenset('0123456789*#')

Conditions = list[tuple[str, str]]
ConditionRule = Callable[[Mapping[str, Any], Conditions, int, Say], None]


@dataclass(frozen=True)
class ActionSpec:
    """What one action type accepts.

    ``conditions`` checks ``Transitions.Conditions`` (None: the type has no results, so no conditions);
    ``errors`` are the ErrorTypes the type can raise; ``terminal`` types end the flow (``Transitions`` is ``{}``);
    ``may_stop`` types may have no way on at all (a queue flow's endless message loop).
    """

    doc: str
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    check: Callable[[Mapping[str, Any], Say], None] | None = None
    conditions: ConditionRule | None = None
    errors: frozenset[str] = frozenset({NO_MATCHING_ERROR})
    terminal: bool = False
    may_stop: bool = False
    support: str = 'engine'
    reason: str = ''


# --- condition rules ---------------------------------------------------------------------------------------------


def _any_conditions(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    """Compare: any operator; at least one condition."""
    if not count:
        say('Compare needs at least one condition')


def _equals_only(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    """Results such as a bot's intent or a view's action: Equals on any static value."""
    if any(operator != 'Equals' for operator, _ in conditions):
        say('conditions support only the Equals operator')


def _exact_results(*results: str, label: str) -> ConditionRule:
    def rule(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
        if count != len(results) or sorted(conditions) != sorted(('Equals', result) for result in results):
            say(f'{label} needs exactly {len(results)} conditions: '
                + ' and '.join(f'Equals {result}' for result in results))

    return rule


def _loop_conditions(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    if count != 2 or sorted(conditions) != sorted(('Equals', result) for result in LOOP_RESULTS):
        say('Loop needs exactly two conditions: Equals ContinueLooping and Equals DoneLooping')


def _wait_conditions(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    raw_events = params.get('Events')
    events: list[Any] = raw_events if isinstance(raw_events, list) else []
    allowed = {WAIT_COMPLETED, *events}
    if any(operator != 'Equals' or operand not in allowed for operator, operand in conditions):
        say(f'Wait conditions must be Equals {" or Equals ".join(sorted(allowed))} '
            '(WaitCompleted, or an event listed in Events)')
    missing = sorted(set(events) - {operand for _, operand in conditions})
    if missing:
        say(f'every event in Events needs its condition; missing: {", ".join(missing)}')


def _interrupt_conditions(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    if any(condition != ('Equals', MESSAGES_INTERRUPTED) for condition in conditions):
        say('MessageParticipantIteratively conditions support only Equals MessagesInterrupted')


def _input_conditions(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    if params.get('StoreInput') == 'True':
        if count:
            say('with StoreInput True there is no result to compare, so no Conditions')
        return
    for operator, operand in conditions:
        if operator != 'Equals' or operand not in DTMF_KEYS:
            say(f'conditions must be Equals with a single key 0-9, * or #, got {operator} {operand!r}')


def _metric_conditions(params: Mapping[str, Any], conditions: Conditions, count: int, say: Say) -> None:
    if str(params.get('MetricType', '')).startswith('NumberOfAgents'):
        if any(condition != ('NumberGreaterThan', '0') for condition in conditions):
            say('agent-count metrics support only the condition NumberGreaterThan 0')
    elif any(operator != 'Equals' and operator not in NUMBER_OPERATORS for operator, _ in conditions):
        say('conditions support only Equals and the Number operators')


# --- parameter rules ---------------------------------------------------------------------------------------------


def _logging(params: Mapping[str, Any], say: Say) -> None:
    value = params.get('FlowLoggingBehavior')
    if 'FlowLoggingBehavior' in params and value not in ('Enabled', 'Disabled'):
        say(f"parameter 'FlowLoggingBehavior' must be 'Enabled' or 'Disabled', got {value!r}")


def _message(params: Mapping[str, Any], say: Say) -> None:
    check_prompt(say, params, required=True)


def _attributes(params: Mapping[str, Any], say: Say) -> None:
    if 'Attributes' in params:
        check_string_map(say, 'Attributes', params['Attributes'])
    target = params.get('TargetContact')
    if 'TargetContact' in params and target != 'Current':
        say(f"parameter 'TargetContact' must be 'Current' (no related contacts locally), got {target!r}")


def _compare(params: Mapping[str, Any], say: Say) -> None:
    value = params.get('ComparisonValue')
    if 'ComparisonValue' not in params:
        return
    if looks_like_json_path(value):
        check_value(say, 'ComparisonValue', value)
    else:
        say(f"parameter 'ComparisonValue' must be a JSONPath such as $.Attributes.name, got {value!r}")


def _routing(params: Mapping[str, Any], say: Say) -> None:
    exactly_one(say, params, ('QueuePriority', 'QueueTimeAdjustmentSeconds'))
    adjustment = params.get('QueueTimeAdjustmentSeconds')
    if 'QueueTimeAdjustmentSeconds' in params and (
            not isinstance(adjustment, str) or not re.fullmatch(r'[+-]?[0-9]+', adjustment)):
        say(f"parameter 'QueueTimeAdjustmentSeconds' must be a static whole number of seconds, got {adjustment!r}")
    priority = params.get('QueuePriority')
    if 'QueuePriority' in params:
        if not isinstance(priority, str) or not priority.isdigit() or int(priority) < 1:
            say(f"parameter 'QueuePriority' must be a static whole number >= 1, got {priority!r}")


def _event_hooks(params: Mapping[str, Any], say: Say) -> None:
    hooks = params.get('EventHooks')
    if 'EventHooks' in params:
        if not isinstance(hooks, dict) or len(hooks) != 1:
            say("parameter 'EventHooks' must be an object with exactly one hook")
        else:
            for key, value in hooks.items():
                if key not in EVENT_HOOKS:
                    say(f'event hook {key!r} is not an Amazon Connect event hook ({", ".join(EVENT_HOOKS)})')
                else:
                    check_value(say, f'EventHooks.{key}', value)
    config: Any = params.get('EventHooksConfiguration')
    if 'EventHooksConfiguration' in params and check_object(say, 'EventHooksConfiguration', config):
        for key, value in config.items():
            if key not in EVENT_HOOKS:
                say(f'EventHooksConfiguration names {key!r}, which is not an Amazon Connect event hook')
            elif not isinstance(value, dict):
                say(f"parameter 'EventHooksConfiguration.{key}' must be an object, got {json_type(value)}")


def _queue_or_agent(params: Mapping[str, Any], say: Say, *, required: bool) -> None:
    present = [key for key in ('QueueId', 'AgentId') if key in params]
    if len(present) == 2:
        say('QueueId and AgentId cannot be used together')
    elif required and not present:
        say('needs exactly one of QueueId or AgentId')
    for key in present:
        check_value(say, key, params[key])


def _target_queue(params: Mapping[str, Any], say: Say) -> None:
    _queue_or_agent(params, say, required=True)


def _metrics(params: Mapping[str, Any], say: Say) -> None:
    _queue_or_agent(params, say, required=False)
    channel = params.get('QueueChannel')
    if 'QueueChannel' in params and not looks_like_json_path(channel) and channel not in ('Voice', 'Chat'):
        say(f"parameter 'QueueChannel' must be 'Voice', 'Chat' or a JSONPath, got {channel!r}")
    elif looks_like_json_path(channel):
        check_value(say, 'QueueChannel', channel)


def _check_metric(params: Mapping[str, Any], say: Say) -> None:
    _queue_or_agent(params, say, required=False)
    if 'MetricType' in params:
        check_static_choice(say, 'MetricType', params['MetricType'], METRIC_TYPES)


def _loop(params: Mapping[str, Any], say: Say) -> None:
    if 'LoopCount' in params:
        check_whole_number(say, 'LoopCount', params['LoopCount'], 0, MAX_LOOP_COUNT)


def _wait(params: Mapping[str, Any], say: Say) -> None:
    present = [key for key in ('TimeoutSeconds', 'TimeLimitSeconds') if key in params]
    if not present:
        say("missing required parameter 'TimeoutSeconds'")
    elif len(present) == 2:
        say('takes one of TimeoutSeconds or TimeLimitSeconds (the name Connect exports), not both')
    for key in present:
        check_whole_number(say, key, params[key], 1, MAX_WAIT_SECONDS)
    events = params.get('Events')
    if 'Events' in params:
        if not isinstance(events, list) or any(event not in WAIT_EVENTS for event in events):
            say(f"parameter 'Events' must be a static list of {' and '.join(WAIT_EVENTS)}, got {events!r}")


def _hours(params: Mapping[str, Any], say: Say) -> None:
    if 'HoursOfOperationId' in params:
        check_value(say, 'HoursOfOperationId', params['HoursOfOperationId'])


def _iterative_messages(params: Mapping[str, Any], say: Say) -> None:
    messages = params.get('Messages')
    if 'Messages' in params:
        if not isinstance(messages, list) or not messages:
            say("parameter 'Messages' must be a non-empty list")
        else:
            for index, entry in enumerate(messages):
                if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in PROMPT_KEYS:
                    say(f'Messages[{index}] must be an object with exactly one of {", ".join(PROMPT_KEYS)}')
                else:
                    check_prompt(_prefixed(say, f'Messages[{index}]: '), entry, required=True)
    if 'InterruptFrequencySeconds' in params:
        check_whole_number(say, 'InterruptFrequencySeconds', params['InterruptFrequencySeconds'], 1, MAX_WAIT_SECONDS,
                           dynamic=False)
    if 'ContinueMessagingDuringInterrupt' in params:
        check_static_choice(say, 'ContinueMessagingDuringInterrupt', params['ContinueMessagingDuringInterrupt'],
                            ('true', 'false'))


def _prefixed(say: Say, prefix: str) -> Say:
    return lambda text: say(prefix + text)


def _flow_ref(key: str) -> Callable[[Mapping[str, Any], Say], None]:
    def check(params: Mapping[str, Any], say: Say) -> None:
        if key in params:
            check_value(say, key, params[key])

    return check


def _participant_input(params: Mapping[str, Any], say: Say) -> None:
    check_prompt(say, params, required=False)
    if 'InputTimeLimitSeconds' in params:
        check_whole_number(say, 'InputTimeLimitSeconds', params['InputTimeLimitSeconds'], 1, MAX_INPUT_SECONDS,
                           dynamic=False)
    store = params.get('StoreInput', 'False')
    check_static_choice(say, 'StoreInput', store, ('True', 'False'))
    validation = params.get('InputValidation')
    if store == 'True' and validation is None:
        say("StoreInput True needs InputValidation (PhoneNumberValidation or CustomValidation)")
    elif store != 'True' and validation is not None:
        say('InputValidation is only for StoreInput True')
    if validation is not None and check_object(say, 'InputValidation', validation):
        _input_validation(validation, say)
    if 'InputEncryption' in params and not (isinstance(validation, dict) and 'CustomValidation' in validation):
        say('InputEncryption needs InputValidation.CustomValidation')
    dtmf = params.get('DTMFConfiguration')
    if dtmf is not None and check_object(say, 'DTMFConfiguration', dtmf):
        for key in sorted(dtmf.keys() - {'InputTerminationSequence', 'DisableCancelKey'}):
            say(f'unknown DTMFConfiguration key {key!r} (allowed: DisableCancelKey, InputTerminationSequence)')
        sequence = dtmf.get('InputTerminationSequence')
        if sequence is not None and (not isinstance(sequence, str) or not 1 <= len(sequence) <= 5
                                     or set(sequence) - DTMF_KEYS):
            say(f"DTMFConfiguration.InputTerminationSequence must be 1 to 5 keys, got {sequence!r}")
        if 'DisableCancelKey' in dtmf:
            check_static_choice(say, 'DTMFConfiguration.DisableCancelKey', dtmf['DisableCancelKey'],
                                ('True', 'False'))


def _input_validation(validation: Mapping[str, Any], say: Say) -> None:
    kinds = exactly_one(say, validation, ('PhoneNumberValidation', 'CustomValidation'))
    if 'PhoneNumberValidation' in kinds and check_object(say, 'InputValidation.PhoneNumberValidation',
                                                         validation['PhoneNumberValidation']):
        phone = validation['PhoneNumberValidation']
        check_static_choice(say, 'PhoneNumberValidation.NumberFormat', phone.get('NumberFormat'), ('Local', 'E164'))
        if phone.get('NumberFormat') == 'Local':
            code = phone.get('CountryCode')
            if not isinstance(code, str) or len(code) != 2 or not code.isalpha():
                say(f"PhoneNumberValidation.CountryCode must be a two-letter country code, got {code!r}")
    if 'CustomValidation' in kinds and check_object(say, 'InputValidation.CustomValidation',
                                                    validation['CustomValidation']):
        check_whole_number(say, 'CustomValidation.MaximumLength',
                           validation['CustomValidation'].get('MaximumLength'), 1, 128, dynamic=False)


def _recording(params: Mapping[str, Any], say: Say) -> None:
    behaviour: Any = params.get('RecordingBehavior')
    if 'RecordingBehavior' in params and check_object(say, 'RecordingBehavior', behaviour):
        recorded = behaviour.get('RecordedParticipants')
        if not isinstance(recorded, list) or any(who not in ('Agent', 'Customer') for who in recorded):
            say(f"RecordingBehavior.RecordedParticipants must be a list of 'Agent' and 'Customer', got {recorded!r}")
    if 'AnalyticsBehavior' in params:
        check_object(say, 'AnalyticsBehavior', params['AnalyticsBehavior'])


def _voice(params: Mapping[str, Any], say: Say) -> None:
    voice = params.get('TextToSpeechVoice')
    if 'TextToSpeechVoice' in params and (not isinstance(voice, str) or not voice or looks_like_json_path(voice)):
        say(f"parameter 'TextToSpeechVoice' must be a static Amazon Polly voice name, got {voice!r}")
    for key in ('TextToSpeechEngine', 'TextToSpeechStyle'):
        if key in params and not isinstance(params[key], str):
            say(f'parameter {key!r} must be a string, got {json_type(params[key])}')


def _lambda(params: Mapping[str, Any], say: Say) -> None:
    if 'LambdaFunctionARN' in params:
        check_value(say, 'LambdaFunctionARN', params['LambdaFunctionARN'])
    kind = params.get('InvocationType', 'SYNCHRONOUS')
    check_static_choice(say, 'InvocationType', kind, tuple(MAX_LAMBDA_SECONDS))
    if 'InvocationTimeLimitSeconds' in params:
        check_whole_number(say, 'InvocationTimeLimitSeconds', params['InvocationTimeLimitSeconds'], 1,
                           MAX_LAMBDA_SECONDS.get(kind, 8), dynamic=False)
    if 'LambdaInvocationAttributes' in params:
        check_string_map(say, 'LambdaInvocationAttributes', params['LambdaInvocationAttributes'])
    validation: Any = params.get('ResponseValidation')
    if 'ResponseValidation' in params and check_object(say, 'ResponseValidation', validation):
        check_static_choice(say, 'ResponseValidation.ResponseType', validation.get('ResponseType'),
                            ('STRING_MAP', 'JSON'))


def _flow_attributes(params: Mapping[str, Any], say: Say) -> None:
    attributes = params.get('FlowAttributes')
    if 'FlowAttributes' not in params:
        return
    if not isinstance(attributes, dict) or not attributes:
        say("parameter 'FlowAttributes' must be a non-empty object")
        return
    for name, entry in attributes.items():
        if not isinstance(entry, dict) or 'Value' not in entry:
            say(f"FlowAttributes.{name} must be an object with a Value, got {entry!r}")
        else:
            check_value(say, f'FlowAttributes.{name}.Value', entry['Value'], allow_empty=True)


def _tags(params: Mapping[str, Any], say: Say) -> None:
    if 'Tags' in params:
        check_string_map(say, 'Tags', params['Tags'], allow_empty_values=False)


def _contact_data(params: Mapping[str, Any], say: Say) -> None:
    if not params:
        say('needs at least one contact data value')
    for key, value in params.items():
        check_value(say, key, value, allow_empty=True)


# --- the specs ---------------------------------------------------------------------------------------------------


def _spec(doc: str, required: Iterable[str] = (), optional: Iterable[str] = (), check: Any = None, *,
          conditions: ConditionRule | None = None, errors: Iterable[str] = (NO_MATCHING_ERROR,),
          **more: Any) -> ActionSpec:
    return ActionSpec(doc, frozenset(required), frozenset(optional), check, conditions, frozenset(errors), **more)


def _connect_only(doc: str, reason: str) -> ActionSpec:
    return ActionSpec(doc, support='connect', reason=reason)


SPECS: dict[str, ActionSpec] = {
    'UpdateFlowLoggingBehavior': _spec('flow-control-actions-updateflowloggingbehavior', ['FlowLoggingBehavior'],
                                       check=_logging, errors=[]),
    'MessageParticipant': _spec('participant-actions-messageparticipant', [], PROMPT_KEYS, _message),
    'UpdateContactAttributes': _spec('contact-actions-updatecontactattributes', ['Attributes'], ['TargetContact'],
                                     _attributes),
    'Compare': _spec('flow-control-actions-compare', ['ComparisonValue'], [], _compare, conditions=_any_conditions,
                     errors=[NO_MATCHING_CONDITION, NO_MATCHING_ERROR]),
    'UpdateContactRoutingBehavior': _spec('contact-actions-updatecontactroutingbehavior', [],
                                          ['QueuePriority', 'QueueTimeAdjustmentSeconds'], _routing, errors=[]),
    'UpdateContactEventHooks': _spec('contact-actions-updatecontacteventhooks', ['EventHooks'],
                                     ['EventHooksConfiguration'], _event_hooks),
    'UpdateContactTargetQueue': _spec('contact-actions-updatecontacttargetqueue', [], ['QueueId', 'AgentId'],
                                      _target_queue),
    'TransferContactToQueue': _spec('contact-actions-transfercontacttoqueue',
                                    errors=['QueueAtCapacity', NO_MATCHING_ERROR], may_stop=True),
    'GetMetricData': _spec('flow-control-actions-getmetricdata', [], ['QueueId', 'AgentId', 'QueueChannel'],
                           _metrics),
    'CheckMetricData': _spec('flow-control-actions-checkmetricdata', ['MetricType'], ['QueueId', 'AgentId'],
                             _check_metric, conditions=_metric_conditions,
                             errors=[NO_MATCHING_ERROR, NO_MATCHING_CONDITION]),
    'Loop': _spec('flow-control-actions-loop', ['LoopCount'], [], _loop, conditions=_loop_conditions, errors=[]),
    'Wait': _spec('flow-control-actions-wait', [], ['TimeoutSeconds', 'TimeLimitSeconds', 'Events'], _wait,
                  conditions=_wait_conditions, errors=[NO_MATCHING_ERROR, 'ParticipantNotFound']),
    'DisconnectParticipant': _spec('participant-actions-disconnectparticipant', errors=[], terminal=True),
    'EndFlowExecution': _spec('flow-control-actions-endflowexecution', errors=[], terminal=True),
    'CheckHoursOfOperation': _spec('flow-control-actions-checkhoursofoperation', [], ['HoursOfOperationId'], _hours,
                                   conditions=_exact_results('True', 'False', label='CheckHoursOfOperation')),
    'MessageParticipantIteratively': _spec(
        'participant-actions-messageparticipantiteratively', ['Messages'],
        ['InterruptFrequencySeconds', 'ContinueMessagingDuringInterrupt'], _iterative_messages,
        conditions=_interrupt_conditions, may_stop=True),
    'TransferToFlow': _spec('flow-control-actions-transfertoflow', ['ContactFlowId'], [], _flow_ref('ContactFlowId')),
    'InvokeFlowModule': _spec('flow-language-actions-invoke-flow-module', ['FlowModuleId'], [],
                              _flow_ref('FlowModuleId')),
    'EndFlowModuleExecution': _spec('endflowmoduleexecution', errors=[], terminal=True),
    'GetParticipantInput': _spec(
        'participant-actions-getparticipantinput', ['InputTimeLimitSeconds'],
        [*PROMPT_KEYS, 'StoreInput', 'InputValidation', 'InputEncryption', 'DTMFConfiguration'], _participant_input,
        conditions=_input_conditions,
        errors=[NO_MATCHING_ERROR, NO_MATCHING_CONDITION, 'InputTimeLimitExceeded', 'InvalidPhoneNumber']),
    'UpdateContactRecordingBehavior': _spec('contact-actions-updatecontactrecordingbehavior', ['RecordingBehavior'],
                                            ['AnalyticsBehavior'], _recording, errors=[NO_MATCHING_ERROR]),
    'UpdateContactTextToSpeechVoice': _spec('contact-actions-updatecontacttexttospeechvoice', ['TextToSpeechVoice'],
                                            ['TextToSpeechEngine', 'TextToSpeechStyle'], _voice),
    'InvokeLambdaFunction': _spec(
        'interactions-invokelambdafunction', ['LambdaFunctionARN', 'InvocationTimeLimitSeconds'],
        ['InvocationType', 'LambdaInvocationAttributes', 'ResponseValidation'], _lambda),
    'UpdateFlowAttributes': _spec('flow-control-actions-updateflowattributes', ['FlowAttributes'], [],
                                  _flow_attributes),
    'TagContact': _spec('contact-actions-tagcontact', ['Tags'], [], _tags),
    'UpdateContactData': _spec('contact-actions-updatecontactdata', [],
                               ['CustomerId', 'LanguageCode', 'Name', 'Description', 'WisdomSessionArn'],
                               _contact_data),
    'ConnectParticipantWithLexBot': _spec(
        'participant-actions-connectparticipantwithlexbot', [],
        [*PROMPT_KEYS, 'LexBot', 'LexV2Bot', 'LexSessionAttributes', 'LexInitializationData', 'LexTimeoutSeconds'],
        conditions=_equals_only, errors=[NO_MATCHING_ERROR, NO_MATCHING_CONDITION, 'InputTimeLimitExceeded'],
        support='handler',
        reason='it talks to an Amazon Lex bot, which the local engine cannot reach offline'),
    'ShowView': _spec(
        'participant-actions-showview', ['ViewResource'],
        ['InvocationTimeLimitSeconds', 'ViewData', 'SensitiveDataConfiguration'], conditions=_equals_only,
        errors=[NO_MATCHING_ERROR, NO_MATCHING_CONDITION, 'TimeLimitExceeded'], support='handler',
        reason='it shows an agent workspace view (step-by-step guide), which the local agent desktop does not have'),
    'UpdateContactMediaStreamingBehavior': _connect_only(
        'contact-actions-updatecontactmediastreamingbehavior',
        'it streams the call audio to Amazon Kinesis Video Streams, which the local engine has no equivalent of'),
    'CreateCallbackContact': _connect_only(
        'interactions-createcallbackcontact', 'callbacks dial the customer back over the phone network'),
    'UpdateContactCallbackNumber': _connect_only(
        'contact-actions-updatecontactcallbacknumber', 'callbacks dial the customer back over the phone network'),
    'CreateCustomerProfile': _connect_only(
        'interactions-createcustomerprofile', 'it writes to Amazon Connect Customer Profiles'),
    'GetCustomerProfile': _connect_only(
        'interactions-getcustomerprofile', 'it reads Amazon Connect Customer Profiles'),
    'UpdateCustomerProfile': _connect_only(
        'interactions-updatecustomerprofile', 'it writes to Amazon Connect Customer Profiles'),
    'CreateCase': _connect_only('createcase', 'it writes to Amazon Connect Cases'),
    'GetCase': _connect_only('getcase', 'it reads Amazon Connect Cases'),
    'UpdateCase': _connect_only('updatecase', 'it writes to Amazon Connect Cases'),
    'CreateWisdomSession': _connect_only('createwisdomsession', 'it starts an Amazon Q in Connect session'),
    # the page documents the type as UpdateRoutingCriteria; Connect's designer exports UpdateContactRoutingCriteria
    'UpdateContactRoutingCriteria': _connect_only(
        'flow-control-actions-updateroutingcriteria',
        'routing criteria need agent proficiencies, which local agents do not have'),
    'UpdateRoutingCriteria': _connect_only(
        'flow-control-actions-updateroutingcriteria',
        'routing criteria need agent proficiencies, which local agents do not have'),
    'TransferParticipantToThirdParty': _connect_only(
        'participant-actions-transferparticipanttothirdparty', 'it dials an external phone number'),
    'CreateTask': _connect_only('createtask', 'the local engine has no task channel'),
    'DequeueContactAndTransferToQueue': _connect_only(
        'contact-actions-dequeuecontactandtransfertoqueue', 'queue-to-queue transfers are not modelled locally'),
    'TransferContactToAgent': _connect_only(
        'contact-actions-transfercontacttoagent', 'agent transfer flows are not modelled locally'),
}

SUPPORTED_ACTION_TYPES = tuple(sorted(name for name, spec in SPECS.items() if spec.support == 'engine'))
HANDLER_ACTION_TYPES = tuple(sorted(name for name, spec in SPECS.items() if spec.support == 'handler'))
DOC_BASE = 'https://docs.aws.amazon.com/connect/latest/APIReference/'


def doc_url(action_type: str) -> str:
    """The Amazon Connect flow-language page of an action type."""
    return f'{DOC_BASE}{SPECS[action_type].doc}.html'
