"""SQLite (WAL) storage for local mode: agents, contacts, attributes, transcripts, customer sessions, meetings,
ad-hoc references, and the per-client-network attempt counters and leases.

Writes commit before returning, so a message that was acknowledged survives ``kill -9``. WAL with
``synchronous=NORMAL`` keeps commits in the OS cache (crash-safe for the process, fast for chat). The engine stores
customers' messages through ``message_writer.MessageWriter``, many per transaction (``append_messages``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from backend.adapters.local.sqlite_data_file import open_data_file
from backend.domain.errors import StoreUnavailable
from backend.domain.login_limits import AttemptTally
from backend.domain.model import (
    Agent,
    AgentStatus,
    Attendee,
    Channel,
    Contact,
    ContactState,
    Meeting,
    MeetingState,
    Message,
    MessageKind,
    ParticipantRole,
    RedeemResult,
    ReferenceRecord,
    Role,
)
from backend.ports import AttemptCounter, LeaseStore, LoginAttemptCounter, MeetingStore, ReferenceStore, Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    agent_id TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    routing_queues TEXT NOT NULL,
    status TEXT NOT NULL,
    status_since REAL NOT NULL,
    role TEXT NOT NULL DEFAULT 'agent'
);
CREATE TABLE IF NOT EXISTS contacts (
    contact_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    attributes TEXT NOT NULL,
    priority INTEGER NOT NULL,
    queue_id TEXT,
    enqueued_at REAL,
    agent_username TEXT,
    customer_queue_flow TEXT,
    initiated_at REAL NOT NULL,
    connected_at REAL,
    ended_at REAL,
    end_reason TEXT,
    channel TEXT NOT NULL,
    flow_settings TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS contacts_open ON contacts (state) WHERE state != 'ended';
CREATE TABLE IF NOT EXISTS messages (
    contact_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (contact_id, seq)
);
CREATE TABLE IF NOT EXISTS customer_sessions (
    session_hash TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meetings (
    meeting_id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL,
    owner_username TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    ended_at REAL,
    provider_meeting TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_live_meeting_per_contact ON meetings (contact_id) WHERE state = 'live';
CREATE TABLE IF NOT EXISTS attendees (
    meeting_id TEXT NOT NULL REFERENCES meetings (meeting_id),
    attendee_id TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    provider_attendee TEXT NOT NULL,
    PRIMARY KEY (meeting_id, attendee_id)
);
CREATE TABLE IF NOT EXISTS ad_hoc_references (
    key TEXT PRIMARY KEY,
    email_key TEXT NOT NULL,
    owner_username TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    wrong_emails INTEGER NOT NULL DEFAULT 0,
    burned INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ad_hoc_references_expiry ON ad_hoc_references (expires_at);
DROP TABLE IF EXISTS reference_attempts;
CREATE TABLE IF NOT EXISTS attempts (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_by_key ON attempts (key, at);
CREATE INDEX IF NOT EXISTS attempts_by_expiry ON attempts (expires_at);
CREATE TABLE IF NOT EXISTS leases (
    holder TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS leases_by_key ON leases (key, expires_at);
CREATE INDEX IF NOT EXISTS leases_by_expiry ON leases (expires_at);
"""

log = logging.getLogger('vce.store')


class MessageDraft(NamedTuple):
    """A message before it is stored (the store gives it its sequence number)."""

    contact_id: str
    role: ParticipantRole
    display_name: str
    text: str
    kind: MessageKind
    created_at: float


BUSY_TIMEOUT_SECONDS = 30.0  # other connections to the same file (tools, benchmarks) wait for the write lock


class SqliteStore(Store, ReferenceStore, MeetingStore, AttemptCounter, LeaseStore, LoginAttemptCounter):
    """One connection guarded by a lock; every public method is one short transaction."""

    def __init__(self, path: Path | str) -> None:
        """DataFileUnusable (one line: the file, why, what to do) when ``path`` exists but is no usable database."""
        self._db = open_data_file(path, schema=SCHEMA, timeout=BUSY_TIMEOUT_SECONDS)
        self._lock = threading.Lock()
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Databases made before a column existed get it (SQLite's CREATE TABLE IF NOT EXISTS leaves them as
        they were)."""
        columns = {row['name'] for row in self._db.execute('PRAGMA table_info(contacts)')}
        if 'flow_settings' not in columns:
            self._db.execute("ALTER TABLE contacts ADD COLUMN flow_settings TEXT NOT NULL DEFAULT '{}'")
        if 'role' not in {row['name'] for row in self._db.execute('PRAGMA table_info(agents)')}:
            self._db.execute("ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent'")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute('SELECT username FROM agents LIMIT 1').fetchall()
        except sqlite3.Error as error:
            log.warning('store.not_ready error=%s', error)
            raise StoreUnavailable(f'SQLite read failed: {type(error).__name__}') from None

    # agents

    def add_agent(self, agent: Agent) -> None:
        with self._lock:
            self._db.execute(
                'INSERT INTO agents (username, display_name, agent_id, password_hash, routing_queues, status, '
                'status_since, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                (agent.username, agent.display_name, agent.agent_id, agent.password_hash,
                 json.dumps(list(agent.routing_queues)), agent.status.value, agent.status_since, agent.role.value),
            )

    def get_agent(self, username: str) -> Agent | None:
        with self._lock:
            row = self._db.execute('SELECT * FROM agents WHERE username = ?', (username,)).fetchone()
        return _agent(row) if row else None

    def list_agents(self) -> list[Agent]:
        with self._lock:
            rows = self._db.execute('SELECT * FROM agents ORDER BY username').fetchall()
        return [_agent(row) for row in rows]

    def set_password_hash(self, username: str, password_hash: str) -> None:
        with self._lock:
            self._db.execute('UPDATE agents SET password_hash = ? WHERE username = ?', (password_hash, username))

    def set_agent_status(self, username: str, status: AgentStatus, since: float) -> None:
        with self._lock:
            self._db.execute('UPDATE agents SET status = ?, status_since = ? WHERE username = ?',
                             (status.value, since, username))

    def set_agent_role(self, username: str, role: Role) -> None:
        with self._lock:
            self._db.execute('UPDATE agents SET role = ? WHERE username = ?', (role.value, username))

    # contacts

    def save_contact(self, contact: Contact) -> None:
        with self._lock:
            self._db.execute(
                'INSERT OR REPLACE INTO contacts (contact_id, state, customer_name, customer_email, attributes, '
                'priority, queue_id, enqueued_at, agent_username, customer_queue_flow, initiated_at, connected_at, '
                'ended_at, end_reason, channel, flow_settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (contact.contact_id, contact.state.value, contact.customer_name, contact.customer_email,
                 json.dumps(contact.attributes), contact.priority, contact.queue_id, contact.enqueued_at,
                 contact.agent_username, contact.customer_queue_flow, contact.initiated_at, contact.connected_at,
                 contact.ended_at, contact.end_reason, contact.channel, json.dumps(contact.flow_settings)),
            )

    def get_contact(self, contact_id: str) -> Contact | None:
        with self._lock:
            row = self._db.execute('SELECT * FROM contacts WHERE contact_id = ?', (contact_id,)).fetchone()
        return _contact(row) if row else None

    def open_contacts(self) -> list[Contact]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM contacts WHERE state != 'ended' ORDER BY initiated_at").fetchall()
        return [_contact(row) for row in rows]

    def append_message(self, contact_id: str, role: ParticipantRole, display_name: str, text: str,
                       kind: MessageKind, created_at: float) -> Message:
        return self.append_messages([MessageDraft(contact_id, role, display_name, text, kind, created_at)])[0]

    def append_messages(self, drafts: Sequence[MessageDraft]) -> list[Message]:
        """Store several messages in one transaction (all or none), each numbered after its contact's last one."""
        stored: list[Message] = []
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                next_seq: dict[str, int] = {}
                for draft in drafts:
                    seq = next_seq.get(draft.contact_id)
                    if seq is None:
                        (last,) = self._db.execute('SELECT COALESCE(MAX(seq), 0) FROM messages WHERE contact_id = ?',
                                                   (draft.contact_id,)).fetchone()
                        seq = last + 1
                    self._db.execute('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)',
                                     (draft.contact_id, seq, draft.role.value, draft.display_name, draft.text,
                                      draft.kind.value, draft.created_at))
                    next_seq[draft.contact_id] = seq + 1
                    stored.append(Message(contact_id=draft.contact_id, seq=seq, role=draft.role,
                                          display_name=draft.display_name, text=draft.text,
                                          created_at=draft.created_at, kind=draft.kind))
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise
        return stored

    def transcript(self, contact_id: str) -> list[Message]:
        with self._lock:
            rows = self._db.execute('SELECT * FROM messages WHERE contact_id = ? ORDER BY seq',
                                    (contact_id,)).fetchall()
        return [
            Message(contact_id=row['contact_id'], seq=row['seq'], role=ParticipantRole(row['role']),
                    display_name=row['display_name'], text=row['text'], created_at=row['created_at'],
                    kind=MessageKind(row['kind']))
            for row in rows
        ]

    # customer sessions

    def bind_session(self, session_hash: str, contact_id: str) -> None:
        with self._lock:
            self._db.execute('INSERT OR REPLACE INTO customer_sessions VALUES (?, ?)', (session_hash, contact_id))

    def contact_for_session(self, session_hash: str) -> str | None:
        with self._lock:
            row = self._db.execute('SELECT contact_id FROM customer_sessions WHERE session_hash = ?',
                                   (session_hash,)).fetchone()
        return row['contact_id'] if row else None

    # meetings

    def save_meeting(self, meeting: Meeting, attendees: list[Attendee]) -> None:
        """Meeting and attendees in one transaction; the unique index allows one live meeting per contact."""
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                self._db.execute('INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?)',
                                 (meeting.meeting_id, meeting.contact_id, meeting.owner_username, meeting.state.value,
                                  meeting.created_at, meeting.ended_at, json.dumps(meeting.provider_meeting)))
                self._db.executemany('INSERT INTO attendees VALUES (?, ?, ?, ?, ?)', [
                    (a.meeting_id, a.attendee_id, a.role.value, a.name, json.dumps(a.provider_attendee))
                    for a in attendees])
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise

    def update_meeting(self, meeting: Meeting) -> None:
        with self._lock:
            self._db.execute('UPDATE meetings SET state = ?, ended_at = ? WHERE meeting_id = ?',
                             (meeting.state.value, meeting.ended_at, meeting.meeting_id))

    def live_meeting_for_contact(self, contact_id: str) -> Meeting | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM meetings WHERE contact_id = ? AND state = 'live'",
                                   (contact_id,)).fetchone()
        return _meeting(row) if row else None

    def known_live_meeting(self, contact_id: str) -> Meeting | None:
        """A local read is cheap and always current: the same answer as ``live_meeting_for_contact``."""
        return self.live_meeting_for_contact(contact_id)

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        with self._lock:
            row = self._db.execute('SELECT * FROM meetings WHERE meeting_id = ?', (meeting_id,)).fetchone()
        return _meeting(row) if row else None

    def attendees(self, meeting_id: str) -> list[Attendee]:
        with self._lock:
            rows = self._db.execute('SELECT * FROM attendees WHERE meeting_id = ?', (meeting_id,)).fetchall()
        return [Attendee(meeting_id=row['meeting_id'], attendee_id=row['attendee_id'],
                         role=ParticipantRole(row['role']), name=row['name'],
                         provider_attendee=json.loads(row['provider_attendee'])) for row in rows]

    # ad-hoc references: each method is one BEGIN IMMEDIATE transaction, so it is atomic across connections too

    def add_reference(self, record: ReferenceRecord) -> bool:
        """Insert, replacing a row with the same key only if that one is expired, used or burned."""
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                self._db.execute('DELETE FROM ad_hoc_references WHERE expires_at <= ?', (record.created_at,))
                cursor = self._db.execute(
                    'INSERT INTO ad_hoc_references (key, email_key, owner_username, created_at, expires_at) '
                    'VALUES (?, ?, ?, ?, ?) '
                    'ON CONFLICT (key) DO UPDATE SET email_key = excluded.email_key, '
                    'owner_username = excluded.owner_username, created_at = excluded.created_at, '
                    'expires_at = excluded.expires_at, used_at = NULL, wrong_emails = 0, burned = 0 '
                    'WHERE used_at IS NOT NULL OR burned = 1',
                    (record.key, record.email_key, record.owner_username, record.created_at, record.expires_at))
                added = cursor.rowcount == 1
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise
        return added

    def redeem_reference(self, key: str, email_key: str, now: float,
                         max_wrong_emails: int) -> tuple[RedeemResult, str | None]:
        """Conditional updates: the first one to find the row live and unused marks it used; the rest see it used."""
        live = 'key = ? AND used_at IS NULL AND burned = 0 AND expires_at > ?'
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                redeemed = self._db.execute(  # fetchall: a RETURNING statement must finish before COMMIT
                    f'UPDATE ad_hoc_references SET used_at = ? WHERE {live} AND email_key = ? '
                    'RETURNING owner_username', (now, key, now, email_key)).fetchall()
                if redeemed:
                    outcome: tuple[RedeemResult, str | None] = (RedeemResult.REDEEMED, redeemed[0]['owner_username'])
                else:
                    wrong = self._db.execute(
                        'UPDATE ad_hoc_references SET wrong_emails = wrong_emails + 1, '
                        f'burned = (wrong_emails + 1 >= ?) WHERE {live} RETURNING burned',
                        (max_wrong_emails, key, now)).fetchall()
                    outcome = ((RedeemResult.INVALID if not wrong else
                                RedeemResult.BURNED if wrong[0]['burned'] else RedeemResult.WRONG_EMAIL), None)
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise
        return outcome

    # per-client-network limits: each method is one BEGIN IMMEDIATE transaction, atomic across connections too

    def record_attempt(self, key: str, now: float, window_seconds: float) -> int:
        """A sliding window: insert this attempt (kept until it leaves its own window) and prune every attempt that
        has left its window, whatever its key, so the table holds only what some limit still counts."""
        since = now - window_seconds
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                self._db.execute('DELETE FROM attempts WHERE expires_at <= ?', (now,))
                self._db.execute('INSERT INTO attempts VALUES (?, ?, ?)', (key, now, now + window_seconds))
                (count,) = self._db.execute('SELECT COUNT(*) FROM attempts WHERE key = ? AND at > ?',
                                            (key, since)).fetchone()
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise
        return int(count)

    # the password login's counters (docs/security/login.md): the same table and sliding window; the keys are HMACs
    # of their own secret, so they never meet the rate limits' keys

    def add_attempt(self, key: str, now: float, window_seconds: float) -> AttemptTally:
        since = now - window_seconds
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                self._db.execute('DELETE FROM attempts WHERE expires_at <= ?', (now,))
                self._db.execute('INSERT INTO attempts VALUES (?, ?, ?)', (key, now, now + window_seconds))
                count, oldest = self._db.execute('SELECT COUNT(*), MIN(at) FROM attempts WHERE key = ? AND at > ?',
                                                 (key, since)).fetchone()
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise
        return AttemptTally(count=int(count), oldest_expires_at=float(oldest) + window_seconds)

    def take_back(self, key: str, at: float) -> None:
        with self._lock:
            self._db.execute('DELETE FROM attempts WHERE rowid = (SELECT rowid FROM attempts WHERE key = ? AND at = ? '
                             'LIMIT 1)', (key, at))

    def forget(self, key: str) -> None:
        with self._lock:
            self._db.execute('DELETE FROM attempts WHERE key = ?', (key,))

    def add_lease(self, key: str, holder: str, now: float, expires_at: float) -> None:
        """Insert (or move) the holder's lease; expired leases of every key are pruned in the same transaction."""
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                self._db.execute('DELETE FROM leases WHERE expires_at <= ?', (now,))
                self._db.execute('INSERT OR REPLACE INTO leases VALUES (?, ?, ?)', (holder, key, expires_at))
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise

    def lease_holders(self, key: str, now: float) -> list[str]:
        with self._lock:
            rows = self._db.execute('SELECT holder FROM leases WHERE key = ? AND expires_at > ? ORDER BY holder',
                                    (key, now)).fetchall()
        return [row['holder'] for row in rows]

    def release_lease(self, holder: str) -> None:
        with self._lock:
            self._db.execute('DELETE FROM leases WHERE holder = ?', (holder,))


def _meeting(row: sqlite3.Row) -> Meeting:
    return Meeting(meeting_id=row['meeting_id'], contact_id=row['contact_id'], owner_username=row['owner_username'],
                   created_at=row['created_at'], provider_meeting=json.loads(row['provider_meeting']),
                   state=MeetingState(row['state']), ended_at=row['ended_at'])


def _agent(row: sqlite3.Row) -> Agent:
    return Agent(username=row['username'], display_name=row['display_name'], agent_id=row['agent_id'],
                 password_hash=row['password_hash'], routing_queues=tuple(json.loads(row['routing_queues'])),
                 status=AgentStatus(row['status']), status_since=row['status_since'], role=Role(row['role']))


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(contact_id=row['contact_id'], state=ContactState(row['state']),
                   customer_name=row['customer_name'], customer_email=row['customer_email'],
                   attributes=json.loads(row['attributes']), priority=row['priority'], queue_id=row['queue_id'],
                   enqueued_at=row['enqueued_at'], agent_username=row['agent_username'],
                   customer_queue_flow=row['customer_queue_flow'], initiated_at=row['initiated_at'],
                   connected_at=row['connected_at'], ended_at=row['ended_at'], end_reason=row['end_reason'],
                   channel=Channel(row['channel']), flow_settings=json.loads(row['flow_settings']))
