"""The contract between a running flow and the contact centre that runs it.

The flow interpreter knows the Amazon Connect flow language; the engine knows contacts, queues and agents.
Every action that touches the contact goes through this protocol, so the interpreter stays testable with a
small fake and the engine never parses flow JSON.
"""

from __future__ import annotations

from typing import Any, Protocol


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

    async def wait(self, seconds: float) -> None:
        """Pause the flow (the engine may use a fake clock in tests)."""
        ...

    async def disconnect(self) -> None:
        """End the customer's side of the contact."""
        ...
