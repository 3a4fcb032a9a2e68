"""The pilot's second chat goes the product's whole way: a reference made for the pilot agent, redeemed by the
customer chat service (which sets ``videoRouteToAgent``), our chat flow, and the agent's personal queue."""

from __future__ import annotations

import asyncio
import uuid

from backend.adapters.aws.pilot.contact_reads import queue_id_of, when_queued
from backend.adapters.aws.pilot.findings import Findings
from backend.adapters.aws.pilot.kit import PilotKit
from backend.adapters.aws.pilot.steps import step

ROWS = ('USER-1', 'FLOW-3', 'FLOW-1')
DEFAULT_PRIORITY = 5  # Connect's routing priority when a flow sets none


async def reference_probe(kit: PilotKit, findings: Findings, plain_priority: int | None) -> None:
    username = kit.plan.agent_username
    if not username:
        findings.not_tried(ROWS, 'no pilot agent: give --pilot-agent with a Connect username of the instance')
        return
    with step(findings, 'USER-1'):
        user = await asyncio.to_thread(kit.directory.user, username)
    if not findings.check('USER-1', user is not None, f'{username} is user {user.user_id}' if user else
                          f'no Connect user named {username!r}'):
        findings.not_tried(['FLOW-3', 'FLOW-1'], f'no Connect user named {username!r}')
        return
    assert user is not None
    session = f'pilot-{uuid.uuid4().hex}'
    with step(findings, 'FLOW-3'):
        created = await asyncio.to_thread(kit.references.create, username, kit.plan.customer_email)
        contact = await kit.customer_chat.start_chat(session, name=kit.plan.customer_name,
                                                     email=kit.plan.customer_email, reference=created.reference,
                                                     client_address='pilot')
    try:
        route = contact.attributes.get('videoRouteToAgent', '')
        with step(findings, 'FLOW-3'):
            queued = await when_queued(kit, contact.contact_id)
        queue = queue_id_of(queued)
        findings.check('FLOW-3', route == user.user_id and user.user_id in queue,
                       f'videoRouteToAgent {route!r}; queued in {queue or "no queue"}')
        priority = queued.get('QueuePriority')
        findings.check('FLOW-1', priority == 1 and plain_priority == DEFAULT_PRIORITY,
                       f'reference chat {priority}, plain chat {plain_priority}')
    finally:
        await kit.customer_chat.end_chat(session)
