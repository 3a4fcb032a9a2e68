"""The pilot's reads of a live contact: what Connect says about it, not what our server believes."""

from __future__ import annotations

from typing import Any

from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.steps import poll


def describe(kit: PilotKit, contact_id: str) -> dict[str, Any]:
    contact: dict[str, Any] = kit.connect.describe_contact(InstanceId=kit.instance_id, ContactId=contact_id)['Contact']
    return contact


async def when_queued(kit: PilotKit, contact_id: str) -> dict[str, Any]:
    """DescribeContact once the flow queued the contact (``QueueInfo`` set), or as it is when the time is up."""
    return await poll(lambda: describe(kit, contact_id), lambda c: bool((c.get('QueueInfo') or {}).get('Id')),
                      kit.plan.timeout_seconds)


async def when_ended(kit: PilotKit, contact_id: str) -> dict[str, Any]:
    return await poll(lambda: describe(kit, contact_id), lambda c: bool(c.get('DisconnectTimestamp')),
                      kit.plan.timeout_seconds)


def position_in_queue(kit: PilotKit, contact_id: str) -> int | None:
    """GetContactMetrics' POSITION_IN_QUEUE: the documented way to read a contact's position."""
    answer = kit.connect.get_contact_metrics(InstanceId=kit.instance_id, ContactId=contact_id,
                                             Metrics=[{'Name': 'POSITION_IN_QUEUE'}])
    for result in answer.get('MetricResults') or []:
        number = (result.get('Value') or {}).get('Number')
        if result.get('Name') == 'POSITION_IN_QUEUE' and number is not None:
            return int(number)
    return None


def write_attribute(kit: PilotKit, contact_id: str, name: str, value: str) -> None:
    kit.connect.update_contact_attributes(InstanceId=kit.instance_id, InitialContactId=contact_id,
                                          Attributes={name: value})


def queue_id_of(contact: dict[str, Any]) -> str:
    return str((contact.get('QueueInfo') or {}).get('Id') or '')
