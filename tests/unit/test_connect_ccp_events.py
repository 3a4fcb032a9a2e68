"""The CCP element's events speak the local CCP panel's vocabulary (AgentStatus, ContactState, Contact)."""

from __future__ import annotations

import pytest

from agent_ui.connect_desktop.connect_ccp import CcpAgentEvent, CcpContactEvent
from backend.domain.model import AgentStatus, ContactState


@pytest.mark.parametrize(('name', 'state_type', 'status'), [
    ('Available', 'routable', AgentStatus.AVAILABLE),
    ('Lunch', 'not_routable', AgentStatus.BREAK),
    ('Offline', 'offline', AgentStatus.OFFLINE),
    ('MissedCallAgent', 'error', AgentStatus.MISSED),
    ('Busy', 'system', None),
])
def test_agent_state_maps_to_the_panel_status(name: str, state_type: str, status: AgentStatus | None) -> None:
    event = CcpAgentEvent(username='ann', name='Ann', arn='arn', state_name=name, state_type=state_type)
    assert event.status is status


def test_contact_event_becomes_a_domain_contact() -> None:
    event = CcpContactEvent(contact_id='c-1', state=ContactState.AFTER_CONTACT_WORK, channel='CHAT',
                            attributes={'customerName': 'Carla', 'customerEmailAddress': 'carla@example.com'},
                            customer_name='Carla')
    contact = event.to_contact(agent_username='ann', now=12.0)
    assert (contact.contact_id, contact.state, contact.channel) == ('c-1', ContactState.AFTER_CONTACT_WORK, 'CHAT')
    assert (contact.customer_name, contact.customer_email, contact.agent_username) == \
        ('Carla', 'carla@example.com', 'ann')
    assert contact.attributes == event.attributes and contact.attributes is not event.attributes
    assert contact.initiated_at == 12.0 and contact.end_reason is None
    missed = CcpContactEvent(contact_id='c-2', state=ContactState.ENDED, channel='', attributes={}, customer_name='',
                             reason='missed')
    assert missed.to_contact().end_reason == 'missed' and missed.to_contact().channel == 'CHAT'
