"""Validator rules (one test per rule, asserting the message a flow author will read) and the file loader."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from backend.flows.loader import (
    FlowLibrary,
    check_flow_file,
    check_flow_files,
    flow_name_for_ref,
    load_flow_file,
    load_flow_library,
)
from backend.flows.model import Flow
from backend.flows.validation import SUPPORTED_ACTION_TYPES, InvalidFlowError, check_flow, parse_flow
from tests.unit.flows.fake_host import DISCONNECT, END, action, flow_json, message

CONTACT_FLOWS = Path(__file__).resolve().parents[3] / 'contact_flows'
QUEUE_FLOW_ARN = 'arn:aws:connect:REGION:ACCOUNT_ID:instance/INSTANCE_ID/contact-flow/VideoCallEscalationQueue'


def problems_of(*actions: dict[str, Any], start: str | None = None) -> list[str]:
    return check_flow(flow_json(*copy.deepcopy(actions), start=start), name='T')


def single_problem(*actions: dict[str, Any], start: str | None = None) -> str:
    problems = problems_of(*actions, start=start)
    assert len(problems) == 1, problems
    return problems[0]


def with_params(action_type: str, parameters: dict[str, Any], **transitions: Any) -> list[str]:
    """Problems of a one-action flow whose action goes on to END."""
    if not transitions and action_type not in ('DisconnectParticipant', 'EndFlowExecution'):
        transitions = {'next_action': 'end'}
    return problems_of(action('a', action_type, parameters, **transitions), END)


# --- the real files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize('name', ['VideoCallEscalationChat', 'VideoCallEscalationQueue'])
def test_real_flow_files_are_valid(name: str) -> None:
    assert check_flow_file(CONTACT_FLOWS / f'{name}.json') == []


def test_real_flow_library_loads_with_cross_references() -> None:
    library = load_flow_library(CONTACT_FLOWS)
    assert library.names == ('VideoCallEscalationChat', 'VideoCallEscalationQueue', 'VideoCallEscalationVoice',
                             'VideoCallEscalationVoiceQueue')
    assert library.get(QUEUE_FLOW_ARN).name == 'VideoCallEscalationQueue'
    assert check_flow_files(sorted(CONTACT_FLOWS.glob('*.json'))) == []


def test_minimal_flow_is_valid_and_parses() -> None:
    data = flow_json(message('greet', 'hi'), END)
    assert check_flow(data, name='T') == []
    flow = parse_flow(data, name='T')
    assert isinstance(flow, Flow)
    assert flow.start_action == 'greet'
    assert flow.action('greet').next_action == 'end'
    assert flow.action('greet').parameters['Text'] == 'hi'


def test_parsed_flow_is_immutable() -> None:
    flow = parse_flow(
        flow_json(action('set', 'UpdateContactAttributes', {'Attributes': {'a': 'b'}}, next_action='end'), END),
        name='T',
    )
    with pytest.raises(TypeError):
        flow.action('set').parameters['Attributes']['a'] = 'changed'  # type: ignore[index]
    with pytest.raises(TypeError):
        flow.actions['new'] = flow.action('end')  # type: ignore[index]


# --- document-level rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize('data', [[], 'flow', None, 42])
def test_not_a_json_object(data: object) -> None:
    assert check_flow(data, name='T') == [f'T: a flow must be a JSON object, got {_describe(data)}']


def _describe(data: object) -> str:
    return {list: 'a list', str: 'a string', type(None): 'null', int: 'a number'}[type(data)]


@pytest.mark.parametrize('version', ['2019-10-31', None, 20191030])
def test_wrong_version(version: object) -> None:
    data = flow_json(END)
    data['Version'] = version
    assert check_flow(data, name='T') == [f"T: Version must be '2019-10-30', got {version!r}"]


def test_missing_start_action() -> None:
    data = flow_json(END)
    del data['StartAction']
    assert check_flow(data, name='T')[0] == 'T: StartAction is missing'


def test_unknown_start_action() -> None:
    assert "T: StartAction 'nope' is not the Identifier of any action" in problems_of(END, start='nope')


@pytest.mark.parametrize('actions', [[], {}, None, 'end'])
def test_actions_must_be_a_non_empty_list(actions: object) -> None:
    data = flow_json(END)
    data['Actions'] = actions
    assert 'T: Actions must be a non-empty list' in check_flow(data, name='T')


def test_too_many_actions() -> None:
    chain = [message(f'm{index}', 'hi', next_action=f'm{index + 1}') for index in range(250)]
    chain.append(action('m250', 'EndFlowExecution'))
    assert problems_of(*chain) == ['T: too many actions: 251 (at most 250)']


def test_at_most_250_actions_is_fine() -> None:
    chain = [message(f'm{index}', 'hi', next_action=f'm{index + 1}') for index in range(249)]
    chain.append(action('m249', 'EndFlowExecution'))
    assert problems_of(*chain) == []


def test_action_must_be_an_object() -> None:
    data = flow_json(END)
    data['Actions'].append('oops')
    assert check_flow(data, name='T') == ['T: Actions[1] must be an object, got a string']


# --- identifiers ------------------------------------------------------------------------------------------------


def test_duplicate_identifier() -> None:
    problem = single_problem(message('end', 'hi'), END)
    assert problem == "T: action 'end' (EndFlowExecution): duplicate Identifier (also used by Actions[0])"


def test_empty_identifier() -> None:
    problems = problems_of(message('greet', 'hi'), action('', 'EndFlowExecution'))
    assert "T: Actions[1] (EndFlowExecution): Identifier must be a non-empty string, got ''" in problems


def test_identifier_too_long() -> None:
    long_id = 'x' * 51
    problem = single_problem(message('greet', 'hi', next_action=long_id), action(long_id, 'EndFlowExecution'))
    assert problem.endswith('Identifier is 51 characters long (at most 50)')


def test_identifier_of_50_characters_is_fine() -> None:
    ok_id = 'x' * 50
    assert problems_of(message('greet', 'hi', next_action=ok_id), action(ok_id, 'EndFlowExecution')) == []


@pytest.mark.parametrize('char', list('%:(\\/)=$,;[]{}'))
def test_identifier_with_forbidden_character(char: str) -> None:
    bad_id = f'end{char}here'
    problem = single_problem(message('greet', 'hi', next_action=bad_id), action(bad_id, 'EndFlowExecution'))
    assert problem == f'T: action {bad_id!r} (EndFlowExecution): Identifier contains forbidden characters: {char}'


def test_reserved_identifier() -> None:
    problem = single_problem(
        message('greet', 'hi', next_action='constructor'), action('constructor', 'EndFlowExecution')
    )
    assert problem.endswith("Identifier 'constructor' is reserved")


# --- action types and parameters --------------------------------------------------------------------------------


def test_unknown_action_type_lists_supported_types() -> None:
    problem = single_problem(action('mars', 'PlayPromptOnMars', next_action='end'), END)
    assert problem.startswith("T: action 'mars' (PlayPromptOnMars): unknown action type 'PlayPromptOnMars'")
    for supported in SUPPORTED_ACTION_TYPES:
        assert supported in problem


def test_parameters_must_be_an_object() -> None:
    bad = message('greet', 'hi')
    bad['Parameters'] = ['Text']
    assert single_problem(bad, END).endswith('Parameters must be an object, got a list')


def test_transitions_must_be_an_object() -> None:
    bad = message('greet', 'hi')
    bad['Transitions'] = None
    assert 'Transitions must be an object, got null' in problems_of(bad, END)[0]


@pytest.mark.parametrize(
    ('action_type', 'parameter'),
    [
        ('UpdateFlowLoggingBehavior', 'FlowLoggingBehavior'),
        ('UpdateContactAttributes', 'Attributes'),
        ('Compare', 'ComparisonValue'),
        ('UpdateContactEventHooks', 'EventHooks'),
        ('Loop', 'LoopCount'),
        ('Wait', 'TimeoutSeconds'),
    ],
)
def test_missing_required_parameter(action_type: str, parameter: str) -> None:
    problems = with_params(action_type, {})
    assert f"T: action 'a' ({action_type}): missing required parameter {parameter!r}" in problems


def test_unknown_parameter() -> None:
    problem = single_problem(
        action(
            'a', 'UpdateFlowLoggingBehavior', {'FlowLoggingBehavior': 'Enabled', 'Colour': 'red'}, next_action='end'
        ),
        END,
    )
    assert (
        problem
        == "T: action 'a' (UpdateFlowLoggingBehavior): unknown parameter 'Colour' (allowed: FlowLoggingBehavior)"
    )


def test_parameter_on_parameterless_type() -> None:
    problems = with_params('DisconnectParticipant', {'Reason': 'bye'})
    assert (
        "T: action 'a' (DisconnectParticipant): unknown parameter 'Reason' (this type takes no parameters)" in problems
    )


@pytest.mark.parametrize(
    'parameters',
    [
        {'PromptId': 'arn:prompt'},
        {'SSML': '<speak>hi</speak>'},
        {'Media': {'Uri': 's3://bucket/hello.wav', 'SourceType': 'S3', 'MediaType': 'Audio'}},
    ],
)
def test_message_participant_voice_prompts_are_flow_language(parameters: dict[str, Any]) -> None:
    # MessageParticipant's page allows PromptId, SSML and Media (voice only: the engine takes the Error branch on
    # a chat, see test_interpreter); a flow is not refused for them, because the same flow also serves calls.
    assert with_params('MessageParticipant', parameters) == []


def test_message_participant_media_must_be_s3_audio() -> None:
    problems = with_params('MessageParticipant', {'Media': {'Uri': 'x', 'SourceType': 'HTTP', 'MediaType': 'Video'}})
    assert problems == [
        "T: action 'a' (MessageParticipant): parameter 'Media.SourceType' must be 'S3', got 'HTTP'",
        "T: action 'a' (MessageParticipant): parameter 'Media.MediaType' must be 'Audio', got 'Video'",
    ]


@pytest.mark.parametrize('parameters', [{}, {'Text': 'hi', 'SSML': '<speak>hi</speak>'}])
def test_message_participant_needs_exactly_one_prompt(parameters: dict[str, str]) -> None:
    problems = with_params('MessageParticipant', parameters)
    assert any('needs exactly one of Text or PromptId or SSML' in problem for problem in problems)


def test_message_participant_empty_text() -> None:
    assert "parameter 'Text' must be a non-empty string" in with_params('MessageParticipant', {'Text': '  '})[0]


@pytest.mark.parametrize('value', ['On', 'enabled', '$.Attributes.logging'])
def test_flow_logging_behavior_value(value: str) -> None:
    problems = with_params('UpdateFlowLoggingBehavior', {'FlowLoggingBehavior': value})
    assert problems == [
        f"T: action 'a' (UpdateFlowLoggingBehavior): parameter 'FlowLoggingBehavior' must be 'Enabled' or 'Disabled', "
        f'got {value!r}'
    ]


@pytest.mark.parametrize('count', ['101', '-1', 'three', '1.5', ''])
def test_loop_count_range(count: str) -> None:
    loop = action(
        'a',
        'Loop',
        {'LoopCount': count},
        conditions=[('Equals', 'ContinueLooping', 'a'), ('Equals', 'DoneLooping', 'end')],
    )
    problem = single_problem(loop, END)
    assert problem == (
        f"T: action 'a' (Loop): parameter 'LoopCount' must be a whole number from 0 to 100 or a JSONPath, got {count!r}"
    )


@pytest.mark.parametrize('priority', ['0', '-1', 'high', '$.Attributes.priority', ''])
def test_queue_priority_must_be_static_integer_at_least_one(priority: str) -> None:
    problems = with_params('UpdateContactRoutingBehavior', {'QueuePriority': priority})
    assert problems == [
        f"T: action 'a' (UpdateContactRoutingBehavior): parameter 'QueuePriority' must be a static whole number >= 1, "
        f'got {priority!r}'
    ]


def test_queue_time_adjustment_is_a_static_whole_number() -> None:
    # UpdateContactRoutingBehavior's page: "Must be statically defined and a valid integer value"; the engine routes
    # the contact as if it had waited that much longer (test_engine_flow_features)
    assert with_params('UpdateContactRoutingBehavior', {'QueueTimeAdjustmentSeconds': '600'}) == []
    problems = with_params('UpdateContactRoutingBehavior', {'QueueTimeAdjustmentSeconds': '$.Attributes.wait'})
    assert problems == [
        "T: action 'a' (UpdateContactRoutingBehavior): parameter 'QueueTimeAdjustmentSeconds' must be a static whole "
        "number of seconds, got '$.Attributes.wait'"
    ]


def test_routing_behavior_needs_exactly_one_option() -> None:
    problems = with_params('UpdateContactRoutingBehavior', {'QueuePriority': '1', 'QueueTimeAdjustmentSeconds': '30'})
    assert any('needs exactly one of QueuePriority or QueueTimeAdjustmentSeconds' in problem for problem in problems)


@pytest.mark.parametrize('timeout', ['0', '604801', 'soon', '-5'])
def test_wait_timeout_range(timeout: str) -> None:
    wait = action('a', 'Wait', {'TimeoutSeconds': timeout}, conditions=[('Equals', 'WaitCompleted', 'end')])
    assert single_problem(wait, END).endswith(
        f"parameter 'TimeoutSeconds' must be a whole number from 1 to 604800 or a JSONPath, got {timeout!r}"
    )


@pytest.mark.parametrize('timeout', ['1', '604800', '$.Attributes.timeout'])
def test_wait_timeout_valid(timeout: str) -> None:
    wait = action('a', 'Wait', {'TimeoutSeconds': timeout}, conditions=[('Equals', 'WaitCompleted', 'end')])
    assert problems_of(wait, END) == []


@pytest.mark.parametrize('action_type', ['UpdateContactTargetQueue', 'GetMetricData'])
def test_queue_id_and_agent_id_together(action_type: str) -> None:
    problems = with_params(action_type, {'QueueId': 'BasicQueue', 'AgentId': 'ann'})
    assert problems == [f"T: action 'a' ({action_type}): QueueId and AgentId cannot be used together"]


def test_target_queue_needs_queue_or_agent() -> None:
    assert with_params('UpdateContactTargetQueue', {}) == [
        "T: action 'a' (UpdateContactTargetQueue): needs exactly one of QueueId or AgentId"
    ]


@pytest.mark.parametrize('path', ['$.', '$.a..b', '$.Attributes.', '$.Attributes.-name', '$.Attributes.my-', '$.a b'])
def test_malformed_json_path(path: str) -> None:
    problems = with_params('UpdateContactAttributes', {'Attributes': {'copy': path}})
    assert problems == [
        f"T: action 'a' (UpdateContactAttributes): parameter 'Attributes.copy' is a malformed JSONPath: {path!r}"
    ]


@pytest.mark.parametrize('path', ['$.Attributes.my-name', '$.FlowAttributes.acme-exampleFunction'])
def test_attribute_keys_may_hold_dashes(path: str) -> None:
    # "Attribute keys can include only alphanumeric, dash, and underscore characters" (UpdateContactAttributes API)
    assert with_params('UpdateContactAttributes', {'Attributes': {'copy': path}}) == []


def test_malformed_json_path_in_target_queue() -> None:
    assert with_params('UpdateContactTargetQueue', {'AgentId': '$.'}) == [
        "T: action 'a' (UpdateContactTargetQueue): parameter 'AgentId' is a malformed JSONPath: '$.'"
    ]


def test_compare_value_must_be_a_json_path() -> None:
    compare = action('a', 'Compare', {'ComparisonValue': 'static'}, conditions=[('Equals', 'x', 'end')])
    assert single_problem(compare, END).endswith(
        "parameter 'ComparisonValue' must be a JSONPath such as $.Attributes.name, got 'static'"
    )


def test_event_hook_that_connect_does_not_have() -> None:
    problems = with_params('UpdateContactEventHooks', {'EventHooks': {'CustomerLunch': QUEUE_FLOW_ARN}})
    assert problems == [
        "T: action 'a' (UpdateContactEventHooks): event hook 'CustomerLunch' is not an Amazon Connect event hook "
        '(AgentHold, AgentWhisper, CustomerHold, CustomerQueue, CustomerRemaining, CustomerWhisper, DefaultAgentUI, '
        'DisconnectAgentUI, PauseContact, ResumeContact)'
    ]


@pytest.mark.parametrize('hook', ['CustomerHold', 'AgentWhisper', 'CustomerWhisper'])
def test_every_connect_event_hook_is_flow_language(hook: str) -> None:
    # UpdateContactEventHooks' page lists them all; the engine keeps them (it runs only the CustomerQueue one)
    assert with_params('UpdateContactEventHooks', {'EventHooks': {hook: QUEUE_FLOW_ARN}}) == []


def test_event_hooks_configuration_as_connect_exports_it() -> None:
    parameters = {'EventHooks': {'AgentWhisper': QUEUE_FLOW_ARN},
                  'EventHooksConfiguration': {'AgentWhisper': {'DisableExecution': 'false'}}}
    assert with_params('UpdateContactEventHooks', parameters) == []
    parameters['EventHooksConfiguration'] = {'Nope': {}}
    assert with_params('UpdateContactEventHooks', parameters) == [
        "T: action 'a' (UpdateContactEventHooks): EventHooksConfiguration names 'Nope', which is not an Amazon "
        'Connect event hook'
    ]


def test_attribute_values_must_be_strings() -> None:
    problems = with_params('UpdateContactAttributes', {'Attributes': {'count': 3}})
    assert problems == [
        "T: action 'a' (UpdateContactAttributes): parameter 'Attributes.count' must be a string, got a number"
    ]


# --- transitions ------------------------------------------------------------------------------------------------


def test_dangling_next_action() -> None:
    problem = single_problem(message('greet', 'hi', next_action='nope'), start='greet')
    assert problem == "T: action 'greet' (MessageParticipant): transition to unknown action 'nope'"


def test_dangling_transition_message_uses_flow_name() -> None:
    data = flow_json(message('greet', 'hi', next_action='nope'))
    with pytest.raises(InvalidFlowError) as caught:
        parse_flow(data, name='VideoCallEscalationChat')
    assert (
        str(caught.value)
        == "VideoCallEscalationChat: action 'greet' (MessageParticipant): transition to unknown action 'nope'"
    )


def test_dangling_condition_and_error_targets() -> None:
    compare = action(
        'a',
        'Compare',
        {'ComparisonValue': '$.Attributes.x'},
        conditions=[('Equals', '1', 'gone')],
        errors={'NoMatchingCondition': 'lost'},
    )
    problems = problems_of(compare)
    assert "T: action 'a' (Compare): transition to unknown action 'gone'" in problems
    assert "T: action 'a' (Compare): transition to unknown action 'lost'" in problems


def test_unknown_operator() -> None:
    compare = action('a', 'Compare', {'ComparisonValue': '$.Attributes.x'}, conditions=[('GreaterThan', '1', 'end')])
    problem = single_problem(compare, END)
    assert problem.startswith("T: action 'a' (Compare): unknown operator 'GreaterThan' (supported: Equals, ")


def test_number_operator_needs_a_number() -> None:
    compare = action(
        'a', 'Compare', {'ComparisonValue': '$.Attributes.x'}, conditions=[('NumberLessThan', 'ten', 'end')]
    )
    assert single_problem(compare, END).endswith("condition NumberLessThan needs a number, got 'ten'")


def test_compare_needs_a_condition() -> None:
    compare = action('a', 'Compare', {'ComparisonValue': '$.Attributes.x'}, errors={'NoMatchingCondition': 'end'})
    assert single_problem(compare, END).endswith('Compare needs at least one condition')


def test_compare_may_carry_a_next_action() -> None:
    # "Transitions ... must have the following fields: NextAction, Errors, Conditions" (flow-language-actions):
    # every Compare the Connect designer exports carries one
    compare = action(
        'a', 'Compare', {'ComparisonValue': '$.Attributes.x'}, next_action='end', conditions=[('Equals', 'x', 'end')]
    )
    assert problems_of(compare, END) == []


def test_loop_may_carry_a_next_action() -> None:
    loop = action('a', 'Loop', {'LoopCount': '2'}, next_action='end',
                  conditions=[('Equals', 'ContinueLooping', 'a'), ('Equals', 'DoneLooping', 'end')])
    assert problems_of(loop, END) == []


@pytest.mark.parametrize(
    'conditions',
    [
        [('Equals', 'ContinueLooping', 'end')],
        [('Equals', 'ContinueLooping', 'a'), ('Equals', 'Done', 'end')],
        [('Equals', 'ContinueLooping', 'a'), ('Equals', 'DoneLooping', 'end'), ('Equals', 'DoneLooping', 'end')],
        [('TextContains', 'ContinueLooping', 'a'), ('Equals', 'DoneLooping', 'end')],
    ],
)
def test_loop_condition_rules(conditions: list[tuple[str, str, str]]) -> None:
    loop = action('a', 'Loop', {'LoopCount': '2'}, conditions=conditions)
    assert single_problem(loop, END) == (
        "T: action 'a' (Loop): Loop needs exactly two conditions: Equals ContinueLooping and Equals DoneLooping"
    )


@pytest.mark.parametrize(
    'conditions',
    [[('Equals', 'CustomerReturned', 'end')], [('TextContains', 'WaitCompleted', 'end')]],
)
def test_wait_condition_rules(conditions: list[tuple[str, str, str]]) -> None:
    wait = action('a', 'Wait', {'TimeoutSeconds': '20'}, conditions=conditions)
    assert single_problem(wait, END).endswith(
        'Wait conditions must be Equals WaitCompleted (WaitCompleted, or an event listed in Events)'
    )


def test_wait_as_connect_exports_it() -> None:
    wait = action('a', 'Wait', {'TimeLimitSeconds': '900', 'Events': ['CustomerReturned']}, next_action='end',
                  conditions=[('Equals', 'WaitCompleted', 'end'), ('Equals', 'CustomerReturned', 'end')],
                  errors={'NoMatchingError': 'end'})
    assert problems_of(wait, END) == []


def test_wait_events_need_their_conditions() -> None:
    wait = action('a', 'Wait', {'TimeoutSeconds': '9', 'Events': ['CustomerReturned']},
                  conditions=[('Equals', 'WaitCompleted', 'end')])
    assert single_problem(wait, END).endswith('every event in Events needs its condition; missing: CustomerReturned')


def test_transfer_to_queue_without_parameters_key() -> None:
    # Connect's own default queue-transfer flow leaves Parameters out of TransferContactToQueue
    transfer = action('transfer', 'TransferContactToQueue', next_action='end', errors={'QueueAtCapacity': 'end'})
    del transfer['Parameters']
    assert problems_of(transfer, END) == []


def test_conditions_on_a_type_without_results() -> None:
    bad = message('a', 'hi', conditions=[('Equals', 'x', 'end')])
    assert (
        single_problem(bad, END) == "T: action 'a' (MessageParticipant): MessageParticipant does not support Conditions"
    )


def test_error_type_the_action_never_raises() -> None:
    bad = action(
        'a',
        'UpdateContactRoutingBehavior',
        {'QueuePriority': '1'},
        next_action='end',
        errors={'NoMatchingError': 'end'},
    )
    assert single_problem(bad, END).endswith(
        "UpdateContactRoutingBehavior never raises error type 'NoMatchingError' (it raises no errors)"
    )


def test_duplicate_error_type() -> None:
    bad = message('a', 'hi')
    bad['Transitions']['Errors'] = [{'ErrorType': 'NoMatchingError', 'NextAction': 'end'}] * 2
    assert single_problem(bad, END).endswith("duplicate error type 'NoMatchingError'")


@pytest.mark.parametrize('terminal', ['DisconnectParticipant', 'EndFlowExecution'])
def test_terminal_action_with_transitions(terminal: str) -> None:
    problem = single_problem(message('greet', 'hi', next_action='stop'), action('stop', terminal, next_action='greet'))
    assert problem == f"T: action 'stop' ({terminal}): a terminal action must have empty Transitions ({{}})"


def test_non_terminal_action_without_a_way_on() -> None:
    problem = single_problem(message('greet', 'hi', next_action=None))
    assert problem == (
        "T: action 'greet' (MessageParticipant): no way on: "
        'a non-terminal action needs a NextAction, Conditions or Errors'
    )


def test_transfer_to_queue_needs_no_next_action() -> None:
    assert problems_of(action('transfer', 'TransferContactToQueue')) == []


def test_unknown_transitions_key() -> None:
    bad = message('greet', 'hi')
    bad['Transitions']['Otherwise'] = 'end'
    assert single_problem(bad, END).endswith("unknown Transitions key 'Otherwise'")


def test_unreachable_action() -> None:
    problem = single_problem(message('greet', 'hi'), END, DISCONNECT)
    assert problem == "T: action 'bye' (DisconnectParticipant): unreachable from StartAction"


def test_every_problem_is_reported() -> None:
    problems = problems_of(
        message('greet', '', next_action='nope'),
        action('loop', 'Loop', {'LoopCount': '500'}, next_action='end'),
        END,
    )
    assert len(problems) >= 5
    assert all(problem.startswith('T: ') for problem in problems)


def test_parse_flow_raises_with_every_problem() -> None:
    data = flow_json(message('greet', 'hi', next_action='nope'), DISCONNECT)
    with pytest.raises(InvalidFlowError) as caught:
        parse_flow(data, name='T')
    assert caught.value.name == 'T'
    assert str(caught.value).splitlines() == list(caught.value.problems)
    assert len(caught.value.problems) == 2


# --- loader -----------------------------------------------------------------------------------------------------


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding='utf-8')
    return path


def test_load_flow_file_names_the_flow_after_the_file(tmp_path: Path) -> None:
    flow = load_flow_file(_write(tmp_path / 'Hello.json', flow_json(message('greet', 'hi'), END)))
    assert flow.name == 'Hello'


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidFlowError) as caught:
        load_flow_file(tmp_path / 'Missing.json')
    assert str(caught.value).startswith('Missing: cannot read ')
    assert 'No such file or directory' in str(caught.value)


def test_load_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / 'Broken.json'
    path.write_text('{"Version": "2019-10-30",\n  "Actions": [}', encoding='utf-8')
    with pytest.raises(InvalidFlowError) as caught:
        load_flow_file(path)
    assert str(caught.value).startswith(f'Broken: invalid JSON in {path} at line 2 column')


def test_load_invalid_flow_lists_problems(tmp_path: Path) -> None:
    path = _write(tmp_path / 'Bad.json', flow_json(message('greet', 'hi', next_action='nope')))
    with pytest.raises(InvalidFlowError) as caught:
        load_flow_file(path)
    assert str(caught.value) == "Bad: action 'greet' (MessageParticipant): transition to unknown action 'nope'"


def test_check_flow_file_reports_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / 'Broken.json'
    path.write_text('not json', encoding='utf-8')
    assert check_flow_file(path)[0].startswith('Broken: invalid JSON')
    assert check_flow_file(tmp_path / 'Missing.json')[0].startswith('Missing: cannot read')


def _hook_flow(ref: str) -> dict[str, Any]:
    hook = action('hook', 'UpdateContactEventHooks', {'EventHooks': {'CustomerQueue': ref}}, next_action='end')
    return flow_json(hook, END)


def test_library_resolves_by_name_and_arn(tmp_path: Path) -> None:
    _write(tmp_path / 'Inbound.json', _hook_flow('arn:aws:connect:R:A:instance/I/contact-flow/Waiting'))
    _write(tmp_path / 'Waiting.json', flow_json(END))
    (tmp_path / 'notes.txt').write_text('ignored', encoding='utf-8')
    library = load_flow_library(tmp_path)
    assert isinstance(library, FlowLibrary)
    assert library.names == ('Inbound', 'Waiting')
    assert library.get('Waiting') is library.get('arn:aws:connect:R:A:instance/I/contact-flow/Waiting')
    assert 'Inbound' in library
    assert len(library) == 2
    with pytest.raises(KeyError):
        library.get('arn:aws:connect:R:A:instance/I/contact-flow/Nope')


def test_library_rejects_unknown_customer_queue_flow(tmp_path: Path) -> None:
    _write(tmp_path / 'Inbound.json', _hook_flow('arn:aws:connect:R:A:instance/I/contact-flow/Nope'))
    with pytest.raises(InvalidFlowError) as caught:
        load_flow_library(tmp_path)
    assert str(caught.value) == (
        "Inbound: action 'hook' (UpdateContactEventHooks): customer queue flow "
        "'arn:aws:connect:R:A:instance/I/contact-flow/Nope' is not in the flow library (known flows: Inbound)"
    )


def test_library_reports_problems_of_every_file(tmp_path: Path) -> None:
    _write(tmp_path / 'A.json', flow_json(message('greet', 'hi', next_action='nope')))
    (tmp_path / 'B.json').write_text('{', encoding='utf-8')
    with pytest.raises(InvalidFlowError) as caught:
        load_flow_library(tmp_path)
    lines = str(caught.value).splitlines()
    assert [line.split(':')[0] for line in lines] == ['A', 'B']


def test_library_of_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidFlowError, match='not a directory'):
        load_flow_library(tmp_path / 'nope')


def test_check_flow_files_checks_cross_references(tmp_path: Path) -> None:
    inbound = _write(tmp_path / 'Inbound.json', _hook_flow('Waiting'))
    waiting = _write(tmp_path / 'Waiting.json', flow_json(END))
    assert check_flow_files([inbound, waiting]) == []
    assert 'is not in the flow library' in check_flow_files([inbound])[0]


@pytest.mark.parametrize(
    ('ref', 'name'),
    [
        ('VideoCallEscalationQueue', 'VideoCallEscalationQueue'),
        (QUEUE_FLOW_ARN, 'VideoCallEscalationQueue'),
        ('arn:aws:connect:eu-west-2:123:instance/abc/contact-flow/abc-123/', 'abc-123'),
    ],
)
def test_flow_name_for_ref(ref: str, name: str) -> None:
    assert flow_name_for_ref(ref) == name


# --- the types real-world flows use (one rule each, from the type's flow-language page) --------------------------


def test_check_hours_needs_exactly_true_and_false() -> None:
    check = action('a', 'CheckHoursOfOperation', {}, conditions=[('Equals', 'True', 'end')])
    assert single_problem(check, END).endswith(
        'CheckHoursOfOperation needs exactly 2 conditions: Equals True and Equals False')


def test_looped_prompts_may_loop_for_good() -> None:
    # Connect's default customer queue flow: Loop prompts without interrupt and no transitions at all
    loop = action('a', 'MessageParticipantIteratively', {'Messages': [{'Text': 'Please hold'}]})
    assert problems_of(loop) == []


def test_looped_prompts_conditions_and_messages() -> None:
    loop = action('a', 'MessageParticipantIteratively', {'Messages': [{'Text': 'hi', 'SSML': 'x'}]},
                  conditions=[('Equals', 'Done', 'end')])
    problems = problems_of(loop, END)
    assert "T: action 'a' (MessageParticipantIteratively): Messages[0] must be an object with exactly one of " \
           'Text, PromptId, SSML, Media' in problems
    assert "T: action 'a' (MessageParticipantIteratively): MessageParticipantIteratively conditions support only " \
           'Equals MessagesInterrupted' in problems


@pytest.mark.parametrize(
    ('parameters', 'conditions', 'problem'),
    [
        ({'StoreInput': 'True', 'InputTimeLimitSeconds': '5'}, [],
         'StoreInput True needs InputValidation (PhoneNumberValidation or CustomValidation)'),
        ({'StoreInput': 'False', 'InputTimeLimitSeconds': '5'}, [('Equals', '12', 'end')],
         "conditions must be Equals with a single key 0-9, * or #, got Equals '12'"),
        ({'StoreInput': 'True', 'InputTimeLimitSeconds': '5',
          'InputValidation': {'CustomValidation': {'MaximumLength': '4'}}}, [('Equals', '1', 'end')],
         'with StoreInput True there is no result to compare, so no Conditions'),
        ({'InputTimeLimitSeconds': '0'}, [], "parameter 'InputTimeLimitSeconds' must be a whole number from 1 to 180 "
                                            "(static), got '0'"),
    ],
)
def test_get_participant_input_rules(parameters: dict[str, Any], conditions: list[Any], problem: str) -> None:
    ask = action('a', 'GetParticipantInput', parameters, next_action='end', conditions=conditions)
    assert single_problem(ask, END).endswith(problem)


@pytest.mark.parametrize(
    ('parameters', 'problem'),
    [
        ({'LambdaFunctionARN': 'arn:f', 'InvocationTimeLimitSeconds': '9'},
         "parameter 'InvocationTimeLimitSeconds' must be a whole number from 1 to 8 (static), got '9'"),
        ({'LambdaFunctionARN': 'arn:f', 'InvocationTimeLimitSeconds': '3',
          'ResponseValidation': {'ResponseType': 'XML'}},
         "parameter 'ResponseValidation.ResponseType' must be 'STRING_MAP' or 'JSON', got 'XML'"),
    ],
)
def test_invoke_lambda_function_rules(parameters: dict[str, Any], problem: str) -> None:
    assert with_params('InvokeLambdaFunction', parameters)[0].endswith(problem)


def test_invoke_lambda_function_takes_no_conditions() -> None:
    invoke = action('a', 'InvokeLambdaFunction', {'LambdaFunctionARN': 'arn:f', 'InvocationTimeLimitSeconds': '3'},
                    conditions=[('Equals', 'x', 'end')])
    assert single_problem(invoke, END).endswith('InvokeLambdaFunction does not support Conditions')


@pytest.mark.parametrize('action_type', ['ConnectParticipantWithLexBot', 'ShowView'])
def test_cloud_only_actions_need_a_registered_handler(action_type: str) -> None:
    parameters = {'LexV2Bot': {'AliasArn': 'arn:bot'}} if action_type != 'ShowView' else {
        'ViewResource': {'Id': 'form'}}
    bot = action('a', action_type, parameters, next_action='end')
    problem = single_problem(bot, END)
    assert f'{action_type} cannot run offline:' in problem and 'register a Python handler for it' in problem
    assert check_flow(flow_json(bot, END), name='T', handled_types={action_type}) == []


def test_actions_only_connect_runs_say_why() -> None:
    stream = action('a', 'UpdateContactMediaStreamingBehavior', {'MediaStreamingState': 'Enabled'}, next_action='end')
    assert single_problem(stream, END) == (
        "T: action 'a' (UpdateContactMediaStreamingBehavior): UpdateContactMediaStreamingBehavior runs only in "
        'Amazon Connect: it streams the call audio to Amazon Kinesis Video Streams, which the local engine has no '
        'equivalent of')
