"""The phone page's keypad answers a voice flow's menu (GetParticipantInput), under NiceGUI's simulated User."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from nicegui.testing import User

from backend.settings import PROJECT_ROOT
from tests.ui.helpers import elements, find

MENU = 'Press 1 to talk to sales, 2 for support.'


def _menu_voice_flow() -> dict:
    """The shipped flows, with a voice flow that asks for a key before queueing the call."""
    def say(identifier: str, text: str, then: str) -> dict:
        return {'Identifier': identifier, 'Type': 'MessageParticipant', 'Parameters': {'Text': text},
                'Transitions': {'NextAction': then, 'Errors': [{'ErrorType': 'NoMatchingError', 'NextAction': then}]}}

    ask = {'Identifier': 'menu', 'Type': 'GetParticipantInput',
           'Parameters': {'Text': MENU, 'StoreInput': 'False', 'InputTimeLimitSeconds': '60'},
           'Transitions': {'NextAction': 'queue', 'Conditions': [
               {'NextAction': 'sales', 'Condition': {'Operator': 'Equals', 'Operands': ['1']}},
               {'NextAction': 'support', 'Condition': {'Operator': 'Equals', 'Operands': ['2']}}],
               'Errors': [{'ErrorType': 'NoMatchingCondition', 'NextAction': 'queue'},
                          {'ErrorType': 'InputTimeLimitExceeded', 'NextAction': 'queue'},
                          {'ErrorType': 'NoMatchingError', 'NextAction': 'queue'}]}}
    queue = {'Identifier': 'queue', 'Type': 'UpdateContactTargetQueue', 'Parameters': {'QueueId': 'BasicQueue'},
             'Transitions': {'NextAction': 'transfer'}}
    transfer = {'Identifier': 'transfer', 'Type': 'TransferContactToQueue', 'Parameters': {}, 'Transitions': {}}
    return {'Version': '2019-10-30', 'StartAction': 'menu', 'Actions': [
        ask, say('sales', 'Connecting you to sales.', 'queue'), say('support', 'Connecting you to support.', 'queue'),
        queue, transfer]}


@pytest.fixture
def menu_flows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flows = tmp_path / 'flows'
    shutil.copytree(PROJECT_ROOT / 'contact_flows', flows, ignore=shutil.ignore_patterns('*.md'))
    (flows / 'VideoCallEscalationVoice.json').write_text(json.dumps(_menu_voice_flow()), encoding='utf-8')
    monkeypatch.setenv('VCE_FLOWS_DIR', str(flows))


async def test_the_keypad_answers_the_flows_menu(menu_flows: None, user: User) -> None:
    await user.open('/call')
    find(user, 'caller-name').type('Vic Caller')
    find(user, 'call').click()
    await user.should_see(MENU)
    assert elements(user, 'keypad')
    find(user, 'keypad-2').click()
    await user.should_see('Connecting you to support.')


async def test_the_keypad_shows_only_while_the_call_waits(user: User) -> None:
    await user.open('/call')
    find(user, 'caller-name').type('Vic Caller')
    find(user, 'call').click()
    await user.should_see('You are number 1 in the queue.')
    (keypad,) = elements(user, 'keypad')
    assert keypad.visible
    assert [button.text for button in keypad.descendants() if button is not keypad] == list('123456789*0#')  # type: ignore[attr-defined]
    find(user, 'keypad-hash').click()  # no flow asks: the key is dropped, the call waits on
    await user.should_see('You are number 1 in the queue.')
    find(user, 'hang-up').click()
    await user.should_see('Call ended')
    assert not keypad.visible
