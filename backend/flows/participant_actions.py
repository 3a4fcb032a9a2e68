"""Participant actions: prompts, looped prompts, customer input and disconnecting.

Channels follow Connect: Text works everywhere; PromptId, SSML and Media are voice only (a chat takes the Error
branch); MessageParticipantIteratively (the "Loop prompts" block) is voice only ("Chat: No - Error branch").
A call has no speech locally, so a voice prompt becomes a caption on the phone page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from backend.flows.action_specs import MAX_WAIT_SECONDS, MESSAGES_INTERRUPTED
from backend.flows.host import FlowActionError
from backend.flows.model import NO_MATCHING_ERROR, Action
from backend.flows.run_state import FlowOutcome, FlowRun, Step, condition_target
from backend.flows.values import interpolate, resolve

NO_MATCHING_CONDITION = 'NoMatchingCondition'
INPUT_TIMEOUT = 'InputTimeLimitExceeded'
INVALID_PHONE_NUMBER = 'InvalidPhoneNumber'
STORED_INPUT = 'StoredCustomerInput'
MAX_STORED_KEYS = 20
_TAG_RE = re.compile(r'<[^>]+>')
_E164_RE = re.compile(r'\+[1-9][0-9]{6,14}')
_LOCAL_NUMBER_RE = re.compile(r'[0-9]{6,14}')


def _prompt_text(run: FlowRun, prompt: Mapping[str, Any]) -> str:
    """What a prompt shows: Text everywhere; on a call SSML without its tags, or a caption for recorded audio."""
    data = run.data()
    if 'Text' in prompt:
        return interpolate(prompt['Text'], data)
    if data.get('Channel') != 'VOICE':
        raise FlowActionError(NO_MATCHING_ERROR, 'PromptId, SSML and Media are supported only for the voice channel')
    if 'SSML' in prompt:
        return ' '.join(_TAG_RE.sub(' ', interpolate(prompt['SSML'], data)).split())
    source = resolve(prompt['PromptId'], data) if 'PromptId' in prompt else prompt['Media']['Uri']
    return f'(recorded prompt: {source.rstrip("/").rsplit("/", 1)[-1]})'


async def _say(run: FlowRun, prompt: Mapping[str, Any]) -> None:
    """Send a prompt; a text that resolves to nothing (e.g. $.Queue.Name before a queue is set) sends nothing: Connect
    renders a reference without a value as empty text, and an empty chat message is no message at all."""
    text = _prompt_text(run, prompt)
    if text.strip():
        await run.host.send_message(text)


async def message(run: FlowRun, action: Action) -> Step:
    await _say(run, action.parameters)
    return action.next_action


async def message_iteratively(run: FlowRun, action: Action) -> Step:
    """Loop prompts: each message once (a prompt has no length offline), then hold until InterruptFrequencySeconds
    has passed (MessagesInterrupted), or for good without it, until an agent answers or the caller hangs up."""
    if run.data().get('Channel') != 'VOICE':
        raise FlowActionError(NO_MATCHING_ERROR, 'MessageParticipantIteratively is supported only for voice')
    for prompt in action.parameters['Messages']:
        await _say(run, prompt)
    interrupt = action.parameters.get('InterruptFrequencySeconds')
    while interrupt is None:
        await run.host.wait(MAX_WAIT_SECONDS)
    await run.host.wait(int(interrupt))
    run.steps_since_wait = 0
    return condition_target(action, MESSAGES_INTERRUPTED) or action.next_action


def _input_limits(action: Action) -> tuple[int, str]:
    """How many keys to take and which ends input: one key for a menu, up to MaximumLength for stored input."""
    params = action.parameters
    terminator = (params.get('DTMFConfiguration') or {}).get('InputTerminationSequence', '#')
    if params.get('StoreInput') != 'True':
        return 1, terminator
    custom = (params.get('InputValidation') or {}).get('CustomValidation')
    return (int(custom['MaximumLength']) if custom else MAX_STORED_KEYS), terminator


def _valid_phone_number(value: str, rule: Mapping[str, Any]) -> bool:
    pattern = _E164_RE if rule.get('NumberFormat') == 'E164' else _LOCAL_NUMBER_RE
    return pattern.fullmatch(value) is not None


async def get_input(run: FlowRun, action: Action) -> Step:
    """GetParticipantInput: a menu choice compared with the Conditions, or (StoreInput True) input kept under
    $.StoredCustomerInput. On a chat the input is the customer's next message, on a call keypad keys."""
    params = action.parameters
    prompt = {key: params[key] for key in ('Text', 'PromptId', 'SSML', 'Media') if key in params}
    if prompt:
        await _say(run, prompt)
    max_length, terminator = _input_limits(action)
    received = await run.host.get_input(timeout=int(params['InputTimeLimitSeconds']), max_length=max_length,
                                        terminator=terminator)
    run.steps_since_wait = 0
    if params.get('StoreInput') == 'True':
        run.results[STORED_INPUT] = 'Timeout' if received is None else received
        phone = (params.get('InputValidation') or {}).get('PhoneNumberValidation')
        if received is not None and phone is not None and not _valid_phone_number(received, phone):
            raise FlowActionError(INVALID_PHONE_NUMBER, f'{received!r} is not a valid phone number')
        return action.next_action
    if received is None:
        raise FlowActionError(INPUT_TIMEOUT, f'no input within {params["InputTimeLimitSeconds"]} s')
    target = condition_target(action, received.strip())
    if target is None:
        raise FlowActionError(NO_MATCHING_CONDITION, f'input {received!r} matched no condition')
    return target


async def disconnect(run: FlowRun, action: Action) -> Step:
    await run.host.disconnect()
    return FlowOutcome.DISCONNECTED
