"""The actions real-world flows use, each against the recording fake host, with Connect's documented semantics."""

from __future__ import annotations

from typing import Any

import pytest

from backend.flows.extensions import ActionRequest, ActionResult
from backend.flows.interpreter import FlowOutcome, run_flow
from backend.flows.validation import parse_flow
from tests.unit.flows.fake_host import DISCONNECT, END, FakeHost, action, build_flow, flow_json, message, queue_metrics

HOURS = [('Equals', 'True', 'open'), ('Equals', 'False', 'closed')]


def open_closed() -> list[dict[str, Any]]:
    return [message('open', 'We are open', next_action='end'), message('closed', 'We are closed', next_action='end')]


# --- messages --------------------------------------------------------------------------------------------------


async def test_a_message_that_resolves_to_nothing_is_not_sent() -> None:
    host = FakeHost()
    host.data['Queue'] = {'Name': ''}  # before a working queue is set
    flow = build_flow(message('say-queue', '$.Queue.Name', next_action='end'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == []


@pytest.mark.parametrize(
    ('prompt', 'caption'),
    [
        ({'SSML': '<speak>Hello <break time="1s"/> $.Attributes.name</speak>'}, 'Hello Vic'),
        ({'PromptId': 'arn:aws:connect:r:1:instance/i/prompt/hold-music'}, '(recorded prompt: hold-music)'),
        ({'Media': {'Uri': 's3://b/greeting.wav', 'SourceType': 'S3', 'MediaType': 'Audio'}},
         '(recorded prompt: greeting.wav)'),
    ],
)
async def test_voice_prompts_become_captions_on_a_call(prompt: dict[str, Any], caption: str) -> None:
    host = FakeHost({'name': 'Vic'}, channel='VOICE')
    flow = build_flow(action('say', 'MessageParticipant', prompt, next_action='end'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == [caption]


async def test_voice_prompts_on_a_chat_take_the_error_branch() -> None:
    host = FakeHost()
    flow = build_flow(action('say', 'MessageParticipant', {'SSML': '<speak>hi</speak>'}, next_action='end',
                             errors={'NoMatchingError': 'bye'}), END, DISCONNECT)
    assert await run_flow(flow, host) is FlowOutcome.DISCONNECTED
    assert host.messages == []


# --- Wait and looped prompts: the channels Connect allows --------------------------------------------------------


async def test_wait_on_a_call_takes_the_error_branch() -> None:
    host = FakeHost(channel='VOICE')
    wait = action('wait', 'Wait', {'TimeLimitSeconds': '20'}, conditions=[('Equals', 'WaitCompleted', 'end')],
                  errors={'NoMatchingError': 'bye'})
    assert await run_flow(build_flow(wait, END, DISCONNECT), host) is FlowOutcome.DISCONNECTED
    assert host.called('wait') == []


async def test_wait_with_time_limit_seconds_as_connect_exports_it() -> None:
    host = FakeHost()
    wait = action('wait', 'Wait', {'TimeLimitSeconds': '900', 'Events': ['CustomerReturned']},
                  conditions=[('Equals', 'WaitCompleted', 'end'), ('Equals', 'CustomerReturned', 'bye')])
    assert await run_flow(build_flow(wait, END, DISCONNECT), host) is FlowOutcome.ENDED
    assert host.called('wait') == [900]


def loop_prompts(**parameters: Any) -> dict[str, Any]:
    params = {'Messages': [{'Text': 'Please hold'}, {'PromptId': 'arn:x/prompt/music'}], **parameters}
    return action('loop', 'MessageParticipantIteratively', params, next_action='end',
                  conditions=[('Equals', 'MessagesInterrupted', 'end')], errors={'NoMatchingError': 'bye'})


async def test_looped_prompts_play_then_interrupt_after_the_frequency() -> None:
    host = FakeHost(channel='VOICE')
    assert await run_flow(build_flow(loop_prompts(InterruptFrequencySeconds='30'), END, DISCONNECT),
                          host) is FlowOutcome.ENDED
    assert host.messages == ['Please hold', '(recorded prompt: music)']
    assert host.called('wait') == [30]


async def test_looped_prompts_on_a_chat_take_the_error_branch() -> None:
    host = FakeHost(channel='CHAT')
    assert await run_flow(build_flow(loop_prompts(InterruptFrequencySeconds='30'), END, DISCONNECT),
                          host) is FlowOutcome.DISCONNECTED
    assert host.messages == []


async def test_looped_prompts_without_interrupt_hold_until_the_contact_leaves() -> None:
    async def hang_up_on_the_third_wait(seconds: float, count: int) -> None:
        if count == 3:
            raise RuntimeError('caller hung up')

    host = FakeHost(channel='VOICE', wait_hook=hang_up_on_the_third_wait)
    assert await run_flow(build_flow(loop_prompts(), END, DISCONNECT), host) is FlowOutcome.FAILED
    assert len(host.called('wait')) == 3


# --- hours, metrics ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(('is_open', 'said'), [(True, 'We are open'), (False, 'We are closed')])
async def test_check_hours_of_operation_branches_on_true_or_false(is_open: bool, said: str) -> None:
    host = FakeHost(open_hours=is_open)
    check = action('hours', 'CheckHoursOfOperation', {'HoursOfOperationId': 'arn:x/operating-hours/Office'},
                   conditions=HOURS, errors={'NoMatchingError': 'end'})
    assert await run_flow(build_flow(check, *open_closed(), END), host) is FlowOutcome.ENDED
    assert host.messages == [said]
    assert host.called('in_hours') == ['arn:x/operating-hours/Office']


async def test_check_hours_without_an_id_uses_the_target_queue() -> None:
    host = FakeHost()
    check = action('hours', 'CheckHoursOfOperation', {}, conditions=HOURS, errors={'NoMatchingError': 'end'})
    await run_flow(build_flow(check, *open_closed(), END), host)
    assert host.called('in_hours') == [None]


@pytest.mark.parametrize(('available', 'said'), [(2, 'staffed'), (0, 'nobody')])
async def test_check_metric_data(available: int, said: str) -> None:
    host = FakeHost(metrics=[queue_metrics(1, available_agents=available)])
    check = action('check', 'CheckMetricData', {'MetricType': 'NumberOfAgentsAvailable'},
                   conditions=[('NumberGreaterThan', '0', 'staffed')], errors={'NoMatchingCondition': 'nobody'})
    flow = build_flow(check, message('staffed', 'staffed'), message('nobody', 'nobody'), END)
    await run_flow(flow, host)
    assert host.messages == [said]
    assert 'Metrics' not in host.data  # CheckMetricData does not publish $.Metrics


# --- other flows and modules ------------------------------------------------------------------------------------


async def test_transfer_to_flow_continues_at_the_other_flows_start_without_flow_attributes() -> None:
    other = build_flow(message('there', 'now in Other: [$.FlowAttributes.step]'), END, name='Other')
    host = FakeHost(flows={'Other': other})
    flow = build_flow(
        action('set', 'UpdateFlowAttributes', {'FlowAttributes': {'step': {'Value': 'one'}}}, next_action='go'),
        action('go', 'TransferToFlow', {'ContactFlowId': 'arn:x/contact-flow/Other'}, next_action='end',
               errors={'NoMatchingError': 'end'}),
        END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['now in Other: []']


async def test_a_flow_module_returns_to_the_invoking_action() -> None:
    module = build_flow(message('inside', 'in the module', next_action='done'),
                        action('done', 'EndFlowModuleExecution'), name='Module')
    host = FakeHost(flows={'Module': module})
    flow = build_flow(action('call', 'InvokeFlowModule', {'FlowModuleId': 'Module'}, next_action='after',
                             errors={'NoMatchingError': 'end'}),
                      message('after', 'back again'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['in the module', 'back again']


async def test_an_unknown_flow_takes_the_error_branch() -> None:
    host = FakeHost()
    flow = build_flow(action('go', 'TransferToFlow', {'ContactFlowId': 'Nope'}, next_action='end',
                             errors={'NoMatchingError': 'bye'}), END, DISCONNECT)
    assert await run_flow(flow, host) is FlowOutcome.DISCONNECTED


# --- customer input -------------------------------------------------------------------------------------------


def menu(**parameters: Any) -> dict[str, Any]:
    params = {'Text': 'Press 1 for sales, 2 for support', 'StoreInput': 'False', 'InputTimeLimitSeconds': '5',
              **parameters}
    return action('menu', 'GetParticipantInput', params, next_action='end',
                  conditions=[('Equals', '1', 'sales'), ('Equals', '2', 'support')],
                  errors={'InputTimeLimitExceeded': 'timeout', 'NoMatchingCondition': 'other',
                          'NoMatchingError': 'end'})


def menu_flow() -> Any:
    return build_flow(menu(), *(message(name, name) for name in ('sales', 'support', 'timeout', 'other')), END)


@pytest.mark.parametrize(('received', 'said'), [('1', 'sales'), ('2', 'support'), ('7', 'other'),
                                                (None, 'timeout')])
async def test_get_participant_input_menu(received: str | None, said: str) -> None:
    host = FakeHost(inputs=[received])
    assert await run_flow(menu_flow(), host) is FlowOutcome.ENDED
    assert host.messages == ['Press 1 for sales, 2 for support', said]
    assert host.called('get_input') == [{'timeout': 5, 'max_length': 1, 'terminator': '#'}]


async def test_stored_input_lands_in_stored_customer_input() -> None:
    host = FakeHost(inputs=['12345678'], channel='VOICE')
    ask = action('ask', 'GetParticipantInput',
                 {'Text': 'Your account number?', 'StoreInput': 'True', 'InputTimeLimitSeconds': '8',
                  'InputValidation': {'CustomValidation': {'MaximumLength': '10'}},
                  'DTMFConfiguration': {'InputTerminationSequence': '*'}},
                 next_action='say', errors={'NoMatchingError': 'end'})
    flow = build_flow(ask, message('say', 'You typed $.StoredCustomerInput'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages[-1] == 'You typed 12345678'
    assert host.called('get_input') == [{'timeout': 8, 'max_length': 10, 'terminator': '*'}]


@pytest.mark.parametrize(('received', 'said'), [('+442071234567', 'ok'), ('12', 'invalid'), (None, 'ok')])
async def test_stored_phone_number_is_validated(received: str | None, said: str) -> None:
    host = FakeHost(inputs=[received], channel='VOICE')
    ask = action('ask', 'GetParticipantInput',
                 {'StoreInput': 'True', 'InputTimeLimitSeconds': '6',
                  'InputValidation': {'PhoneNumberValidation': {'NumberFormat': 'E164'}}},
                 next_action='ok', errors={'InvalidPhoneNumber': 'invalid', 'NoMatchingError': 'end'})
    flow = build_flow(ask, message('ok', 'ok $.StoredCustomerInput'), message('invalid', 'invalid'), END)
    await run_flow(flow, host)
    assert host.messages[-1].split()[0] == said
    if received is None:
        assert host.messages[-1] == 'ok Timeout'  # "Stored customer input ... holds a value of Timeout"


# --- Lambda functions and cloud-only actions ----------------------------------------------------------------------

ARN = 'arn:aws:lambda:eu-west-2:111122223333:function:CustomerLookup'


def invoke(**parameters: Any) -> dict[str, Any]:
    params = {'LambdaFunctionARN': ARN, 'InvocationTimeLimitSeconds': '3',
              'LambdaInvocationAttributes': {'who': '$.Attributes.customerName', 'fixed': 'x'}, **parameters}
    return action('invoke', 'InvokeLambdaFunction', params, next_action='say', errors={'NoMatchingError': 'failed'})


async def test_invoke_lambda_function_gets_connects_event_and_fills_external() -> None:
    events: list[dict[str, Any]] = []

    def lookup(event: dict[str, Any]) -> dict[str, str]:
        events.append(event)
        return {'tier': 'gold'}

    host = FakeHost({'customerName': 'Ann'}, functions={ARN: lookup})
    flow = build_flow(invoke(), message('say', 'Tier $.External.tier'), message('failed', 'failed'), END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['Tier gold']
    [event] = events
    assert event['Name'] == 'ContactFlowEvent'
    assert event['Details']['Parameters'] == {'who': 'Ann', 'fixed': 'x'}
    assert event['Details']['ContactData']['Attributes'] == {'customerName': 'Ann'}
    assert event['Details']['ContactData']['ContactId'] == 'contact-1'
    assert host.called('invoke_function')[0]['timeout'] == 3


@pytest.mark.parametrize('response', [{'nested': {'a': 1}}, ['not', 'a', 'map'], 'text'])
async def test_a_response_that_is_not_a_string_map_takes_the_error_branch(response: Any) -> None:
    host = FakeHost(functions={ARN: lambda event: response})
    flow = build_flow(invoke(), message('say', 'said'), message('failed', 'failed'), END)
    await run_flow(flow, host)
    assert host.messages == ['failed']


async def test_a_json_response_may_nest() -> None:
    host = FakeHost(functions={ARN: lambda event: {'customer': {'tier': 'gold'}}})
    flow = build_flow(invoke(ResponseValidation={'ResponseType': 'JSON'}),
                      message('say', 'Tier $.External.customer.tier'), message('failed', 'failed'), END)
    await run_flow(flow, host)
    assert host.messages == ['Tier gold']


async def test_a_failing_function_takes_the_error_branch() -> None:
    host = FakeHost().fail('invoke_function', 'NoMatchingError')
    flow = build_flow(invoke(), message('say', 'said'), message('failed', 'failed'), END)
    await run_flow(flow, host)
    assert host.messages == ['failed']


async def test_a_lex_handler_result_picks_the_condition_and_fills_lex() -> None:
    async def bot(request: ActionRequest) -> ActionResult:
        assert request.parameters['LexV2Bot'] == {'AliasArn': 'arn:bot'}
        return ActionResult(result='CallIntent', data={'IntentName': 'CallIntent', 'Slots': {'day': 'Monday'}})

    host = FakeHost(extensions={'ConnectParticipantWithLexBot': bot})
    lex = action('lex', 'ConnectParticipantWithLexBot',
                 {'Text': 'How can I help?', 'LexV2Bot': {'AliasArn': 'arn:bot'}}, next_action='end',
                 conditions=[('Equals', 'CallIntent', 'call')],
                 errors={'NoMatchingCondition': 'end', 'NoMatchingError': 'end'})
    flow = parse_flow(flow_json(lex, message('call', 'Calling on $.Lex.Slots.day'), END), name='T',
                      handled_types={'ConnectParticipantWithLexBot'})
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.messages == ['Calling on Monday']


# --- contact data kept for later features -------------------------------------------------------------------------


async def test_recording_voice_tags_and_contact_data_are_kept_on_the_contact() -> None:
    host = FakeHost({'customerName': 'Ann'})
    flow = build_flow(
        action('rec', 'UpdateContactRecordingBehavior',
               {'RecordingBehavior': {'RecordedParticipants': ['Agent', 'Customer']}}, next_action='voice'),
        action('voice', 'UpdateContactTextToSpeechVoice', {'TextToSpeechVoice': 'Joanna',
                                                           'TextToSpeechEngine': 'Neural'}, next_action='tag'),
        action('tag', 'TagContact', {'Tags': {'who': '$.Attributes.customerName'}}, next_action='data'),
        action('data', 'UpdateContactData', {'LanguageCode': 'en-GB'}, next_action='end'),
        END)
    assert await run_flow(flow, host) is FlowOutcome.ENDED
    assert host.contact_data == {
        'RecordingBehavior': {'RecordingBehavior': {'RecordedParticipants': ['Agent', 'Customer']}},
        'TextToSpeechVoice': {'TextToSpeechVoice': 'Joanna', 'TextToSpeechEngine': 'Neural'},
        'Tags': {'who': 'Ann'},
        'ContactData': {'LanguageCode': 'en-GB'},
    }


async def test_other_event_hooks_are_kept() -> None:
    host = FakeHost()
    hook = action('hook', 'UpdateContactEventHooks', {'EventHooks': {'AgentWhisper': 'arn:x/contact-flow/W'}},
                  next_action='end')
    await run_flow(build_flow(hook, END), host)
    assert host.called('set_event_hook') == [('AgentWhisper', 'arn:x/contact-flow/W')]
