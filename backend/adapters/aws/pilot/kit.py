"""What the pilot is given: the product's own pieces for aws mode (built by ``backend.bootstrap``), the clients it
reads Connect and Chime with to check what happened, and the plan of this run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from backend.adapters.aws.chime_meetings import ChimeMeetingProvider
from backend.adapters.aws.connect_chat_api import ConnectChatApi
from backend.adapters.aws.connect_users import ConnectUserDirectory
from backend.domain.model import Contact
from backend.ports import ConnectFederation

SignInPoster = Callable[[str, Mapping[str, str]], tuple[int, Mapping[str, str]]]  # (url, form) -> (status, headers)


class PilotCustomerChat(Protocol):
    """The customer chat service (``CustomerChatService``): the reference chat goes the product's whole way."""

    async def start_chat(self, session_key: str, *, name: str, email: str, reference: str = '',
                         client_address: str = '') -> Contact: ...
    async def end_chat(self, session_key: str) -> None: ...


class PilotReference(Protocol):
    @property
    def reference(self) -> str: ...


class PilotReferences(Protocol):
    """The reference service: the pilot makes a reference for the pilot agent, as that agent's dialog would."""

    def create(self, username: str, email: str) -> PilotReference: ...


@dataclass(frozen=True)
class PilotPlan:
    agent_username: str = ''  # a Connect user of the sandbox instance (reference routing, federated sign-in)
    customer_name: str = 'Pilot Customer'
    customer_email: str = 'pilot@example.com'
    timeout_seconds: float = 60.0  # for each thing Connect does on its own (queueing, the queue flow's message)
    heartbeat_seconds: float = 5.0  # the pilot's websocket heartbeat; the socket must outlive two of them


@dataclass
class PilotKit:
    plan: PilotPlan
    api: ConnectChatApi  # the chat's Connect and Participant Service calls, as the server makes them
    connect: Any  # boto3 connect client: DescribeContact, GetContactMetrics, UpdateContactAttributes
    chime: Any  # boto3 chime-sdk-meetings client: GetMeeting after the delete
    instance_id: str
    basic_queue_id: str  # the configured BasicQueue's id (the end of connectBasicQueueARN)
    customer_chat: PilotCustomerChat
    references: PilotReferences
    directory: ConnectUserDirectory
    meetings: ChimeMeetingProvider
    federation: ConnectFederation | None  # None unless ccpLoginMode is federated
    sign_in_url: str  # the instance's /auth/sign-in
    post_sign_in: SignInPoster
    close: Callable[[], Awaitable[None]]
