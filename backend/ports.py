"""Ports: what the services need from the outside world, as Protocols.

Every adapter subclasses the ports it implements, so a reader (and mypy) can go from a port to its implementations;
docs/architecture.md lists them. Each port has one shape: a method is a coroutine in every implementation or in none.
"""

from __future__ import annotations

from typing import Protocol

from backend.domain.federation import FederationToken
from backend.domain.identity import AuthorizationRequest, PendingSignIn, VerifiedIdentity
from backend.domain.login_limits import AttemptTally
from backend.domain.model import (
    Agent,
    AgentStatus,
    AssignedContact,
    Attendee,
    Contact,
    Meeting,
    Message,
    MessageKind,
    ParticipantRole,
    ParticipantSession,
    RedeemResult,
    ReferenceRecord,
    Role,
)
from backend.domain.recording import AuditEntry, Recording, RecordingQuery


class AgentLookup(Protocol):
    """Finds an agent by username: the agent store (local accounts), or the Amazon Connect users (aws mode)."""

    def get_agent(self, username: str) -> Agent | None: ...


class AgentStore(AgentLookup, Protocol):
    def add_agent(self, agent: Agent) -> None: ...
    def list_agents(self) -> list[Agent]: ...
    def set_password_hash(self, username: str, password_hash: str) -> None: ...
    def set_agent_status(self, username: str, status: AgentStatus, since: float) -> None: ...
    def set_agent_role(self, username: str, role: Role) -> None: ...


class ContactStore(Protocol):
    def save_contact(self, contact: Contact) -> None: ...
    def get_contact(self, contact_id: str) -> Contact | None: ...
    def open_contacts(self) -> list[Contact]: ...
    def append_message(self, contact_id: str, role: ParticipantRole, display_name: str, text: str,
                       kind: MessageKind, created_at: float) -> Message:
        """Store durably, then return the message with its sequence number (acknowledge only after this)."""
        ...
    def transcript(self, contact_id: str) -> list[Message]: ...
    def bind_session(self, session_hash: str, contact_id: str) -> None: ...
    def contact_for_session(self, session_hash: str) -> str | None: ...


class Store(AgentStore, ContactStore, Protocol):
    def close(self) -> None: ...
    def ping(self) -> None:
        """One cheap read that proves the store answers (``/readyz``); blocking, like every store call. Raises
        ``StoreUnavailable`` with a short reason that names no table, file, account or secret: it is served to
        anyone who asks (the details go to the log)."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


class ReferenceRedeemer(Protocol):
    """Turns an ad-hoc reference + email into the agent it routes to (single use)."""

    def redeem(self, reference: str, email: str, client_address: str) -> Agent | None:
        """The agent whose personal queue the chat goes to; the chat routes by its ``agent_id``."""
        ...


class AttemptCounter(Protocol):
    """Counts attempts per key within a time window, for the per-client-network rate limits (references, chat
    starts, calls: ``services/rate_limits.py``). One store is shared by every process, so the limit is too.

    Keys are always keyed hashes (HMAC) that carry the limit's purpose, never an address. Counts older than their
    window are pruned (SQLite) or expire (DynamoDB TTL), so the counters stay bounded.
    """

    def record_attempt(self, key: str, now: float, window_seconds: float) -> int:
        """Count one attempt under ``key``; return the attempts within the window, this one included (atomic)."""
        ...


class LeaseStore(Protocol):
    """Leases that a key (a keyed hash of a client network and a purpose) holds at once, e.g. its open chats, so a
    cap on them holds across processes (``services/open_contacts.py``).

    A lease ends when it is released or when it expires, so a process that dies holding leases cannot cap a network
    for longer than a lease's lifetime; expired leases are pruned (SQLite) or expire (DynamoDB TTL).
    """

    def add_lease(self, key: str, holder: str, now: float, expires_at: float) -> None:
        """Let ``key`` hold a lease named ``holder`` (unique, e.g. a contact id) from ``now`` until ``expires_at``."""
        ...

    def lease_holders(self, key: str, now: float) -> list[str]:
        """The holders of ``key``'s unexpired leases."""
        ...

    def release_lease(self, holder: str) -> None:
        """End ``holder``'s lease, whichever key holds it (no-op if none): any process may release it."""
        ...


class ReferenceStore(AttemptCounter, Protocol):
    """Ad-hoc references; every method is one atomic conditional write (SQLite transaction, DynamoDB condition).

    Redemptions are rate-limited per client network, so a reference store counts attempts too."""

    def add_reference(self, record: ReferenceRecord) -> bool:
        """Insert unless a live (unexpired) reference has the same key; False on such a collision."""
        ...

    def redeem_reference(self, key: str, email_key: str, now: float,
                         max_wrong_emails: int) -> tuple[RedeemResult, str | None]:
        """Mark a live, unused, unburned reference used if the email matches and return its owner.

        A wrong email counts against the reference; the ``max_wrong_emails``-th burns it. Exactly one of any
        number of concurrent redemptions of one reference succeeds.
        """
        ...


class LoginAttemptCounter(Protocol):
    """Login attempts per opaque key (an HMAC of an account, a client network, or both) inside a sliding window.

    An attempt is counted when it starts, so concurrent guesses cannot all slip under a limit; the login service takes
    back the ones that succeeded or were refused, so what stays counted are failures. Implementations keep their size
    bounded whatever keys arrive (20,000 random usernames must not leave 20,000 entries behind): expired attempts go,
    and the least recently used keys go first when full (or every entry expires with its window, in a store). Local
    mode: ``adapters/local/login_attempts`` (in memory); aws mode: the store (``DynamoStore``), shared by every process.
    """

    def add_attempt(self, key: str, now: float, window_seconds: float) -> AttemptTally:
        """Count one attempt under ``key`` at ``now``; return the attempts inside the window, this one included."""
        ...

    def take_back(self, key: str, at: float) -> None:
        """Uncount one attempt that was counted under ``key`` at ``at`` (no-op if it is gone already)."""
        ...

    def forget(self, key: str) -> None:
        """Drop every attempt under ``key`` (a success clears that account's count for that network)."""
        ...


class CustomerChannel(Protocol):
    """The customer's side of a chat contact (local engine; Connect Participant Service in aws mode).

    The customer's actions are coroutines: in aws mode they wait for Amazon Connect, which must not block the event
    loop; the local engine answers at once. Reads answer from memory (or the store) in both.
    """

    async def start_chat(self, *, name: str, email: str, attributes: dict[str, str]) -> Contact: ...
    async def customer_message(self, contact_id: str, text: str) -> Message: ...
    def customer_typing(self, contact_id: str) -> None: ...
    async def customer_end(self, contact_id: str) -> None: ...
    def contact(self, contact_id: str) -> Contact | None: ...
    def transcript(self, contact_id: str) -> list[Message]: ...


class CustomerVoiceChannel(Protocol):
    """The caller's side of a phone contact (local engine: the browser phone page); actions are coroutines, as on a
    chat."""

    async def start_call(self, *, name: str, attributes: dict[str, str]) -> Contact: ...
    async def customer_end(self, contact_id: str) -> None: ...
    async def customer_keypress(self, contact_id: str, keys: str) -> None:
        """Keypad keys (0-9, *, #): a flow's GetParticipantInput reads them; keys no flow asks for are dropped."""
        ...

    def contact(self, contact_id: str) -> Contact | None: ...
    def transcript(self, contact_id: str) -> list[Message]: ...


class ParticipantSessionStore(Protocol):
    """Customers' Amazon Connect participant sessions (aws mode), so a reload or a restart resumes the chat.

    Implementations: in memory (``backend.adapters.aws.participant_sessions``) and DynamoDB. The tokens are secrets:
    never log them, never hand them to a browser.
    """

    def save_participant_session(self, session: ParticipantSession) -> None:
        """Insert or replace the session of ``session.contact.contact_id``."""
        ...

    def participant_session(self, contact_id: str) -> ParticipantSession | None:
        """The stored session, or None if unknown or past ``expires_at``."""
        ...


class ContactNotes(Protocol):
    """What the meeting service may write on a contact: attributes and transcript lines."""

    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None: ...
    def add_event(self, contact_id: str, text: str) -> None: ...


class ContactAssignments(Protocol):
    """Which agent the contact centre assigned a contact to: only that agent may create (or rejoin) the contact's
    meeting (docs/architecture.md, "The escalation contract").

    Local mode: the engine's desk answers from memory. aws mode: Amazon Connect's DescribeContact, which blocks, so
    the adapter runs it in a worker thread.
    """

    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        """The contact and the agent's display name, if ``username`` is the agent the contact is assigned to.

        Raises NotFound for an unknown contact and NotAllowed for a contact of another agent (or of none).
        """
        ...

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        """Whether the agent may be given the contact's video join data again (a page reload), answered without
        asking the contact centre: False for a phone call (its audio line is not a video call). The meeting's owner
        is checked by the caller. Local mode raises NotFound for a contact that is not on this agent's desktop."""
        ...


class MeetingStore(Protocol):
    def save_meeting(self, meeting: Meeting, attendees: list[Attendee]) -> None: ...
    def update_meeting(self, meeting: Meeting) -> None: ...
    def live_meeting_for_contact(self, contact_id: str) -> Meeting | None: ...
    def known_live_meeting(self, contact_id: str) -> Meeting | None:
        """The contact's live meeting as this process last wrote or read it (else read); never one it knows ended.

        For the customer's Join, right after the "video started" marker's check read it on the same process."""
        ...
    def forget_live_meeting(self, contact_id: str, meeting_id: str) -> None:
        """Another process ended this meeting (the bus said so): ``known_live_meeting`` must not answer it any more.
        A store that remembers nothing between reads has nothing to do."""
        return None
    def get_meeting(self, meeting_id: str) -> Meeting | None: ...
    def attendees(self, meeting_id: str) -> list[Attendee]: ...


class MeetingProvider(Protocol):
    """Creates and deletes media sessions: in-browser WebRTC (local) or Amazon Chime SDK meetings (aws)."""

    backend: str

    def create_meeting_with_attendees(self, meeting_id: str, attendees: list[tuple[str, str]]
                                      ) -> tuple[dict[str, object], dict[str, dict[str, object]]]: ...
    def delete_meeting(self, meeting: dict[str, object]) -> None: ...
    def join_payload(self, meeting: dict[str, object], attendee: dict[str, object], name: str) -> dict[str, object]:
        """What the browser's meeting element needs to join as this attendee."""
        ...


class AgentDesk(Protocol):
    """The agent's side in local mode (in aws mode the Connect CCP plays this part in the browser)."""

    def load_agent(self, username: str) -> Agent: ...
    def agent(self, username: str) -> Agent: ...
    def set_agent_status(self, username: str, status: AgentStatus) -> Agent: ...
    def agent_contacts(self, username: str) -> list[Contact]: ...
    def agent_contact(self, username: str, contact_id: str) -> Contact:
        """One contact on this agent's desktop; NotFound for any other (other agents' contacts do not exist here)."""
        ...
    def offer_for(self, username: str) -> tuple[Contact, float] | None: ...
    def accept(self, username: str, contact_id: str) -> Contact: ...
    def reject(self, username: str, contact_id: str) -> None: ...
    def agent_message(self, username: str, contact_id: str, text: str) -> Message: ...
    def agent_typing(self, username: str, contact_id: str) -> None: ...
    def end_contact(self, username: str, contact_id: str) -> Contact: ...
    def clear_contact(self, username: str, contact_id: str) -> None: ...
    def contact(self, contact_id: str) -> Contact | None: ...
    def transcript(self, contact_id: str) -> list[Message]: ...


class ConnectFederation(Protocol):
    """Federated CCP login: a Connect session for one agent, named by its Connect username (blocking call)."""

    def federation_token(self, connect_username: str) -> FederationToken: ...


class IdentityProvider(Protocol):
    """An OpenID Connect provider found by its discovery URL (Cognito's hosted UI, or any other IdP)."""

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        """A code-flow request with PKCE (S256), state and nonce."""
        ...

    async def verified_identity(self, redirect_uri: str, code: str, pending: PendingSignIn) -> VerifiedIdentity:
        """Exchange the code and verify the ID token (signature against the JWKS, iss, aud, exp, nonce).

        Raises NotAllowed when the provider or the token cannot be trusted, DomainError when it cannot be reached.
        """
        ...

    async def end_session_url(self, post_logout_redirect_uri: str, id_token_hint: str | None) -> str | None:
        """The provider's logout URL, or None when it publishes no ``end_session_endpoint``."""
        ...


class AgentDirectory(Protocol):
    """Maps a verified email to a contact-centre user (local accounts now; Connect users in aws mode)."""

    def find_username(self, email: str) -> str | None: ...


class RecordingStore(Protocol):
    """Recordings' metadata (segments, consent) and the supervisors' audit log, in the product's store.

    Local mode: ``adapters/local/sqlite_recordings``; aws mode: ``adapters/aws/dynamo_recordings`` (the same table).
    """

    def save_recording(self, recording: Recording) -> None:
        """Insert or replace (the recording id is the key)."""
        ...
    def get_recording(self, recording_id: str) -> Recording | None: ...
    def recordings_for_contact(self, contact_id: str) -> list[Recording]:
        """Oldest first."""
        ...
    def list_recordings(self, query: RecordingQuery) -> list[Recording]:
        """Newest first, at most ``query.limit``, filtered by ``query.matches``."""
        ...
    def unfinished_recordings(self) -> list[Recording]:
        """Recordings not yet READY, FAILED or DECLINED (for the sweeps after a restart)."""
        ...
    def recordings_started_before(self, before: float) -> list[Recording]:
        """For the retention sweep."""
        ...
    def delete_recording(self, recording_id: str) -> None: ...
    def add_audit_entry(self, entry: AuditEntry) -> None: ...
    def audit_entries(self, limit: int) -> list[AuditEntry]:
        """Newest first."""
        ...


class RecordingArchive(Protocol):
    """Where recordings' files live: local mode's data folder, or an S3 bucket (aws mode).

    ``append_chunk`` and ``finish_segment`` are the browser recorder's (local meetings): chunks arrive in order and
    each one is on disk before it is acknowledged, so a crash loses at most the chunk in flight. Blocking calls: the
    services run them in a worker thread.
    """

    kind: str  # 'files' or 's3'

    def append_chunk(self, recording_id: str, segment: int, data: bytes) -> int:
        """Add the next chunk of a segment, durably; return the segment's size so far."""
        ...

    def finish_segment(self, recording_id: str, segment: int) -> tuple[str, int, float]:
        """Make a written segment playable and seekable; return its key, size in bytes and duration in seconds
        (size 0 when nothing usable was written)."""
        ...

    def segment_written_at(self, recording_id: str, segment: int) -> float | None:
        """When the segment's last chunk was written (None if none was)."""
        ...

    def describe_object(self, key: str) -> tuple[int, float] | None:
        """An object's size and duration, once it exists (the concatenation's output in aws mode)."""
        ...

    def find_output(self, prefix: str) -> str | None:
        """The key of the playable file below ``prefix`` (a capture's concatenated MP4), once written."""
        ...

    def local_path(self, key: str) -> str | None:
        """The file behind ``key`` when the server serves it itself (local files); None for S3."""
        ...

    def presigned_url(self, key: str, *, download_name: str | None, expires_seconds: int) -> str | None:
        """A short-lived URL the browser loads directly (S3); None when the server serves the file itself."""
        ...

    def delete_objects(self, recording: Recording) -> None: ...


class RecordingCapture(Protocol):
    """A server-side capture of a meeting (aws mode: Amazon Chime SDK media capture and concatenation pipelines).

    Blocking calls; the services run them in a worker thread. Local meetings have none: the agent's browser
    records them."""

    def start_capture(self, recording: Recording, provider_meeting: dict[str, object]) -> dict[str, object]:
        """Start capturing into ``<prefix>``; return the ids the later calls need (kept on the recording)."""
        ...

    def stop_capture(self, capture: dict[str, object]) -> None:
        """Stop capturing; the concatenation then writes the one playable file."""
        ...

    def capture_status(self, capture: dict[str, object]) -> str:
        """'running', 'finishing', 'done' or 'failed' (the concatenation pipeline's state)."""
        ...

    def output_prefix(self, capture: dict[str, object]) -> str:
        """The key prefix the concatenated file is written below."""
        ...
