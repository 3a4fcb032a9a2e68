"""The set of services a UI may use; built by the composition root (backend.bootstrap)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from backend.services.accounts import AccountService
from backend.services.agent_desk import AgentDeskService
from backend.services.ccp_login import CcpLoginService
from backend.services.customer_chat import CustomerChatService
from backend.services.meetings import MeetingService
from backend.services.readiness import ReadinessCheck
from backend.services.recording_library import RecordingLibrary
from backend.services.recordings import RecordingService
from backend.services.references import ReferenceService
from backend.services.single_sign_on import SingleSignOnService
from backend.services.voice import VoiceService
from backend.settings import Settings


@dataclass(frozen=True, slots=True)
class Services:
    """What the UIs may use: services only, never adapters."""

    settings: Settings
    accounts: AccountService
    customer_chat: CustomerChatService
    agent_desk: AgentDeskService | None  # local mode only: in aws mode agents work in the Amazon Connect CCP
    meetings: MeetingService
    voice: VoiceService | None  # local mode only: in aws mode phone calls go to Amazon Connect itself
    references: ReferenceService
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]
    readiness: ReadinessCheck  # /readyz: the store answers
    single_sign_on: SingleSignOnService | None = None  # set when agents log in through an OIDC provider
    ccp_login: CcpLoginService | None = None  # aws mode: embedding the Connect CCP (and federated sign-in)
    recordings: RecordingService | None = None  # recording calls (agent and customer side)
    recording_library: RecordingLibrary | None = None  # the supervisors' recordings
