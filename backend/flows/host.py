"""The contract between a running flow and the contact centre that runs it.

The flow interpreter knows the Amazon Connect flow language; the engine knows contacts, queues and agents.
Every action that touches the contact goes through this protocol, so the interpreter stays testable with a
small fake and the engine never parses flow JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from backend.flows.extensions import ActionRequest, ActionResult
    from backend.flows.model import Flow


class FlowActionError(Exception):
    """An action failed with one of the flow language's error types (e.g. ``NoMatchingError``)."""

    def __init__(self, error_type: str, detail: str = '') -> None:
        super().__init__(f'{error_type}: {detail}' if detail else error_type)
        self.error_type = error_type
        self.detail = detail


class FlowHost(Protocol):
    """What a flow may read from and do to its contact."""

    def flow_data(self) -> dict[str, Any]:
        """The contact's flow run data for JSONPath lookups.

        At least ``{'Attributes': {...}, 'ContactId': str, 'Channel': 'CHAT' | 'VOICE', 'Queue': {'Name': str, ...}}``;
        ``Metrics`` appears after :meth:`load_metrics`.
        """
        ...

    def set_attributes(self, values: dict[str, str]) -> None:
        """Merge user-defined contact attributes (stored at once)."""
        ...

    async def send_message(self, text: str) -> None:
        """Send a system message to the customer (already interpolated)."""
        ...

    def set_logging(self, enabled: bool) -> None: ...

    def set_priority(self, priority: int) -> None:
        """Routing priority: 1 is the highest, the default is 5."""
        ...

    def set_customer_queue_flow(self, flow_ref: str) -> None:
        """Set the flow that runs while the contact waits in queue; raises FlowActionError('NoMatchingError')."""
        ...

    def set_event_hook(self, hook: str, flow_ref: str) -> None:
        """Keep another event hook (AgentWhisper, CustomerHold, …) on the contact; only CustomerQueue runs locally."""
        ...

    def set_target_queue(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        """Set the working queue: a queue by id/name, or an agent's personal queue by agent id/username.

        Raises FlowActionError('NoMatchingError') when nothing matches.
        """
        ...

    def transfer_to_queue(self) -> None:
        """Put the contact in its working queue; raises FlowActionError('QueueAtCapacity' | 'NoMatchingError')."""
        ...

    def load_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        """Make real-time metrics visible under ``$.Metrics`` (see the engine for the keys)."""
        ...

    def read_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> Mapping[str, Any]:
        """The same metrics without publishing them (CheckMetricData); raises FlowActionError('NoMatchingError')."""
        ...

    def in_hours(self, hours_ref: str | None) -> bool:
        """Whether the hours of operation (by id/ARN/name, or the target queue's when None) are open now.

        Raises FlowActionError('NoMatchingError') for unknown hours or no queue."""
        ...

    def flow(self, flow_ref: str) -> Flow:
        """A flow or flow module by name or ARN (TransferToFlow, InvokeFlowModule); FlowActionError if unknown."""
        ...

    async def get_input(self, *, timeout: float, max_length: int, terminator: str) -> str | None:
        """The customer's next input, or None when ``timeout`` passes first.

        Chat: the next message the customer sends. Voice: keypad keys, ending at ``terminator``, at ``max_length``
        keys, or a few seconds after the last key. Raises FlowActionError when the channel cannot give input."""
        ...

    async def invoke_function(self, function_ref: str, event: dict[str, Any], timeout: float) -> Mapping[str, Any]:
        """Run the registered Python callable for a Lambda ARN/name; FlowActionError('NoMatchingError') when there is
        none, it fails, or it overruns ``timeout``."""
        ...

    async def run_extension(self, request: ActionRequest) -> ActionResult:
        """Run the registered handler for a cloud-only action type (Lex bot, view); FlowActionError if none."""
        ...

    def update_contact(self, section: str, values: Mapping[str, Any]) -> None:
        """Keep contact data a flow sets for features beyond the flow: ``RecordingBehavior``,
        ``TextToSpeechVoice``, ``Tags``, ``ContactData`` (merged into the contact's record and flow data)."""
        ...

    async def wait(self, seconds: float) -> None:
        """Pause the flow (the engine may use a fake clock in tests)."""
        ...

    async def disconnect(self) -> None:
        """End the customer's side of the contact."""
        ...
