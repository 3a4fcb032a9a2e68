"""FlowHost for one contact: the bridge between the flow interpreter and the local engine."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backend.domain.model import Channel
from backend.flows.extensions import ActionRequest, ActionResult
from backend.flows.host import FlowActionError, FlowHost
from backend.flows.model import NO_MATCHING_ERROR, Flow

if TYPE_CHECKING:
    from backend.adapters.local.engine.contact_centre import LocalContactCentre
    from backend.domain.model import Contact

log = logging.getLogger('vce.engine')


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
        data = {
            'Attributes': dict(contact.attributes),
            'ContactId': contact.contact_id,
            'InitialContactId': contact.contact_id,
            'Channel': contact.channel,
            'Queue': {'Name': queue_name, 'ARN': contact.queue_id or ''},
            'CustomerEndpoint': ({'Address': '', 'Type': 'TELEPHONE_NUMBER'} if contact.channel is Channel.VOICE
                                 else {'Address': contact.customer_email, 'Type': 'EMAIL'}),
            'Metrics': self._metrics,
        }
        data.update(contact.flow_settings.get('ContactData', {}))  # $.CustomerId, $.LanguageCode, …
        return data

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
            raise FlowActionError(NO_MATCHING_ERROR, f'no flow {flow_ref!r}')
        self._contact.customer_queue_flow = flow_ref

    def set_event_hook(self, hook: str, flow_ref: str) -> None:
        self._centre.update_flow_settings(self._contact, 'EventHooks', {hook: flow_ref})

    def set_target_queue(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        target = self._centre.resolve_queue(queue_id=queue_id, agent_id=agent_id)
        if target is None:
            raise FlowActionError(NO_MATCHING_ERROR, 'no such queue or agent')
        self._contact.queue_id = target

    def transfer_to_queue(self) -> None:
        self._centre.enqueue(self._contact)

    def load_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        self._metrics = dict(self.read_metrics(queue_id=queue_id, agent_id=agent_id))

    def read_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> Mapping[str, Any]:
        target = self._contact.queue_id
        if queue_id or agent_id:
            target = self._centre.resolve_queue(queue_id=queue_id, agent_id=agent_id)
        if target is None:
            raise FlowActionError(NO_MATCHING_ERROR, 'no queue to read metrics from')
        return self._centre.metrics(target, self._contact)

    def in_hours(self, hours_ref: str | None) -> bool:
        return self._centre.in_hours(hours_ref, self._contact)

    def flow(self, flow_ref: str) -> Flow:
        try:
            return self._centre.flow(flow_ref)
        except KeyError as error:
            raise FlowActionError(NO_MATCHING_ERROR, str(error)) from None

    async def get_input(self, *, timeout: float, max_length: int, terminator: str) -> str | None:
        inputs = self._centre.inputs
        if self._contact.channel is Channel.VOICE:
            return await inputs.keys(self._contact.contact_id, timeout, max_length, terminator)
        return await inputs.message(self._contact.contact_id, timeout)

    async def invoke_function(self, function_ref: str, event: dict[str, Any], timeout: float) -> Mapping[str, Any]:
        function = self._centre.extensions.function_for(function_ref)
        if function is None:
            raise FlowActionError(NO_MATCHING_ERROR, f'no Python function is registered for {function_ref!r}')
        call = (function(event) if inspect.iscoroutinefunction(function)
                else asyncio.to_thread(function, event))
        try:
            result = await asyncio.wait_for(call, timeout)  # type: ignore[arg-type]
        except TimeoutError:
            raise FlowActionError(NO_MATCHING_ERROR, f'{function_ref} took longer than {timeout} s') from None
        except Exception as error:  # the function's own failure takes the Error branch, as a failing Lambda does
            log.warning('flow.function_failed contact=%s function=%s error=%r', self._contact.contact_id,
                        function_ref, error)
            raise FlowActionError(NO_MATCHING_ERROR, f'{function_ref} failed: {error!r}') from None
        return result  # type: ignore[return-value]

    async def run_extension(self, request: ActionRequest) -> ActionResult:
        handler = self._centre.extensions.actions.get(request.action_type)
        if handler is None:
            raise FlowActionError(NO_MATCHING_ERROR, f'no handler is registered for {request.action_type}')
        try:
            return await handler(request)
        except Exception as error:
            log.warning('flow.handler_failed contact=%s type=%s error=%r', self._contact.contact_id,
                        request.action_type, error)
            raise FlowActionError(NO_MATCHING_ERROR, f'{request.action_type} handler failed: {error!r}') from None

    def update_contact(self, section: str, values: Mapping[str, Any]) -> None:
        self._centre.update_flow_settings(self._contact, section, dict(values))

    async def wait(self, seconds: float) -> None:
        await self._centre.sleep(seconds)

    async def disconnect(self) -> None:
        self._centre.flow_disconnect(self._contact)
