"""The README's flow extension examples work as documented: the Lambda stand-in through the engine, the hours file."""

from __future__ import annotations

import asyncio

from backend.adapters.local.engine.contact_centre import EngineConfig, LocalContactCentre
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.hours_of_operation import load_hours
from backend.events import EventBus
from backend.flows import FlowLibrary, parse_flow
from backend.settings import PROJECT_ROOT
from examples.flow_functions import customer_lookup, flow_extensions
from tests.unit.flows.fake_host import END, action, flow_json, message


def test_the_function_answers_connects_event() -> None:
    event = {'Details': {'ContactData': {'CustomerEndpoint': {'Address': 'ann@example.com', 'Type': 'EMAIL'}},
                         'Parameters': {}}, 'Name': 'ContactFlowEvent'}
    assert customer_lookup(event) == {'tier': 'gold', 'purpose': 'routing'}


async def test_a_flow_reads_its_result_under_external() -> None:
    invoke = action('lookup', 'InvokeLambdaFunction', {'LambdaFunctionARN': 'CustomerLookup',
                                                       'InvocationTimeLimitSeconds': '3'},
                    next_action='say', errors={'NoMatchingError': 'end'})
    flow = parse_flow(flow_json(invoke, message('say', 'Tier: $.External.tier'), END), name='Inbound')
    engine = LocalContactCentre(SqliteStore(':memory:'), EventBus(), FlowLibrary({'Inbound': flow}), EngineConfig(
        inbound_flow='Inbound', inbound_voice_flow='Inbound', standard_queue='BasicQueue'),
        extensions=flow_extensions)
    contact = await engine.start_chat(name='Ann', email='ann@example.com', attributes={})
    for _ in range(100):  # the sync function runs in a worker thread
        if engine.transcript(contact.contact_id):
            break
        await asyncio.sleep(0.02)
    assert [m.text for m in engine.transcript(contact.contact_id)] == ['Tier: gold']


def test_the_example_hours_file_loads() -> None:
    calendar = load_hours((PROJECT_ROOT / 'examples' / 'hours_of_operation.toml').read_text(encoding='utf-8'))
    assert calendar.for_queue('BasicQueue') is calendar.find('Office hours') is not None


def test_the_composition_root_reads_the_configured_hours(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from backend.bootstrap import hours_of_operation
    from backend.domain.errors import InvalidInput
    from backend.settings import Settings

    flows = tmp_path / 'flows'
    flows.mkdir()
    assert hours_of_operation(Settings(demo=True, flows_dir=flows)).hours == ()  # no file: every queue always open
    (flows / 'hours_of_operation.toml').write_text(
        (PROJECT_ROOT / 'examples' / 'hours_of_operation.toml').read_text(encoding='utf-8'), encoding='utf-8')
    assert hours_of_operation(Settings(demo=True, flows_dir=flows)).find('Office hours') is not None
    with pytest.raises(InvalidInput, match='cannot read the hours of operation'):
        hours_of_operation(Settings(demo=True, hours_of_operation_file=tmp_path / 'missing.toml'))
