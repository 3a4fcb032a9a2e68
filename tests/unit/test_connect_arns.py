"""Amazon Connect ARNs and ids: one parser for the settings, the doctor, flows export and the Connect adapters."""

from __future__ import annotations

import pytest

from backend.domain.connect_arns import flow_id_of, instance_id_of, parse_instance_arn, parse_queue_arn
from backend.domain.errors import InvalidInput

INSTANCE_ID = '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
INSTANCE = f'arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE_ID}'
QUEUE_ID = '11111111-2222-3333-4444-555555555555'
FLOW_ID = '22222222-3333-4444-8555-666666666666'


def test_an_instance_arn_gives_its_parts():
    arn = parse_instance_arn(f' {INSTANCE} ')
    assert (arn.arn, arn.partition, arn.region, arn.account, arn.instance_id) == (
        INSTANCE, 'aws', 'eu-west-2', '123456789012', INSTANCE_ID)
    assert parse_instance_arn(INSTANCE.replace('arn:aws:', 'arn:aws-us-gov:').replace(
        'eu-west-2', 'us-gov-west-1')).partition == 'aws-us-gov'


def test_a_queue_arn_gives_its_queue_id_and_its_instance():
    queue = parse_queue_arn(f'{INSTANCE}/queue/{QUEUE_ID}')
    assert queue.queue_id == QUEUE_ID
    assert queue.instance == parse_instance_arn(INSTANCE)
    assert queue.arn == f'{INSTANCE}/queue/{QUEUE_ID}'


@pytest.mark.parametrize(('parse', 'bad', 'message'), [
    (parse_instance_arn, 'arn:aws:connect:eu-west-2:123:instance/x', 'is not an Amazon Connect instance ARN'),
    (parse_instance_arn, f'{INSTANCE}/queue/{QUEUE_ID}', 'is not an Amazon Connect instance ARN'),
    (parse_instance_arn, f'{INSTANCE}\n/x', 'is not an Amazon Connect instance ARN'),
    (parse_queue_arn, INSTANCE, 'is not an Amazon Connect queue ARN'),
    (parse_queue_arn, f'{INSTANCE}/queue/BasicQueue', 'is not an Amazon Connect queue ARN'),
])
def test_anything_else_is_refused_saying_what_it_looks_like(parse, bad, message):
    with pytest.raises(InvalidInput, match=message):
        parse(bad)


def test_the_adapters_take_an_id_or_the_arn_around_it():
    assert instance_id_of(INSTANCE) == INSTANCE_ID
    assert instance_id_of(INSTANCE_ID) == INSTANCE_ID
    assert flow_id_of(f'{INSTANCE}/contact-flow/{FLOW_ID}') == FLOW_ID
    assert flow_id_of(FLOW_ID) == FLOW_ID
