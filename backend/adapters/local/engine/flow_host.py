"""FlowHost for one contact: the bridge between the flow interpreter and the local engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.domain.model import Channel
from backend.flows.host import FlowActionError, FlowHost

if TYPE_CHECKING:
    from backend.adapters.local.engine.contact_centre import LocalContactCentre
    from backend.domain.model import Contact


class ContactFlowHost(FlowHost):
    """The flow interpreter's host for one contact of the local engine: every action delegates to the engine."""

    def __init__(self, centre: LocalContactCentre, contact: Contact) -> None:
        self._centre = centre
        self._contact = contact
        self._metrics: dict[str, Any] = {}
        self.logging_enabled = False

    def flow_data(self) -> dict[str, Any]:
        contact = self._contact
        queue_name = self._centre.queue_name(contact.queue_id) if contact.queue_id else ''
        return {
            'Attributes': dict(contact.attributes),
            'ContactId': contact.contact_id,
            'Channel': contact.channel,
            'Queue': {'Name': queue_name, 'ARN': contact.queue_id or ''},
            'CustomerEndpoint': ({'Address': '', 'Type': 'TELEPHONE_NUMBER'} if contact.channel is Channel.VOICE
                                 else {'Address': contact.customer_email, 'Type': 'EMAIL'}),
            'Metrics': self._metrics,
        }

    def set_attributes(self, values: dict[str, str]) -> None:
        self._centre.update_attributes(self._contact, values)

    async def send_message(self, text: str) -> None:
        self._centre.system_message(self._contact, text)

    def set_logging(self, enabled: bool) -> None:
        self.logging_enabled = enabled

    def set_priority(self, priority: int) -> None:
        self._centre.set_priority(self._contact, priority)

    def set_customer_queue_flow(self, flow_ref: str) -> None:
        if not self._centre.has_flow(flow_ref):
            raise FlowActionError('NoMatchingError', f'no flow {flow_ref!r}')
        self._contact.customer_queue_flow = flow_ref

    def set_target_queue(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        target = self._centre.resolve_queue(queue_id=queue_id, agent_id=agent_id)
        if target is None:
            raise FlowActionError('NoMatchingError', 'no such queue or agent')
        self._contact.queue_id = target

    def transfer_to_queue(self) -> None:
        self._centre.enqueue(self._contact)

    def load_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        target = self._contact.queue_id
        if queue_id or agent_id:
            target = self._centre.resolve_queue(queue_id=queue_id, agent_id=agent_id)
        if target is None:
            raise FlowActionError('NoMatchingError', 'no queue to read metrics from')
        self._metrics = self._centre.metrics(target, self._contact)

    async def wait(self, seconds: float) -> None:
        await self._centre.sleep(seconds)

    async def disconnect(self) -> None:
        self._centre.flow_disconnect(self._contact)
