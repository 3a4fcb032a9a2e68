"""The supervisors' side of recordings: find, play, download, delete, the audit log, and retention.

Only supervisors reach it (the pages check the role; docs/recording.md). Every playback, download and delete is
written to the audit log *before* the link is handed out or the files go, so the log cannot miss an access that
happened. Links are short-lived: S3 presigned URLs in aws mode, signed server links for local files
(``services/media_links.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import Message
from backend.domain.recording import AuditAction, AuditEntry, Recording, RecordingQuery, Segment, SegmentState
from backend.ports import ContactStore, RecordingArchive, RecordingStore
from backend.services.media_links import MediaLinks

log = logging.getLogger('vce.recordings')

RETENTION_ACTOR = 'retention'
RETENTION_SWEEP_SECONDS = 3600.0
RETENTION_FIRST_SWEEP_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class MediaLink:
    url: str
    content_type: str
    file_name: str


class RecordingLibrary:
    def __init__(self, store: RecordingStore, archive: RecordingArchive, transcripts: ContactStore,
                 links: MediaLinks, *, link_seconds: int, retention_days: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._store, self._archive, self._transcripts, self._links = store, archive, transcripts, links
        self._link_seconds, self.retention_days, self._clock = link_seconds, retention_days, clock

    def find(self, query: RecordingQuery) -> list[Recording]:
        return self._store.list_recordings(query)

    def recording(self, recording_id: str) -> Recording:
        recording = self._store.get_recording(recording_id)
        if recording is None:
            raise NotFound('This recording does not exist (any more).')
        return recording

    def transcript(self, contact_id: str) -> list[Message]:
        """The chat of the recording's contact, shown beside the video."""
        return self._transcripts.transcript(contact_id)

    def audit_log(self, limit: int = 100) -> list[AuditEntry]:
        return self._store.audit_entries(limit)

    def play(self, supervisor: str, recording_id: str, segment: int) -> MediaLink:
        return self._link(supervisor, recording_id, segment, download=False)

    def download(self, supervisor: str, recording_id: str, segment: int) -> MediaLink:
        return self._link(supervisor, recording_id, segment, download=True)

    def delete(self, supervisor: str, recording_id: str) -> None:
        recording = self.recording(recording_id)
        if recording.state.running:
            raise NotAllowed('This recording is still running; stop it (or wait for the call to end) first.')
        self._audit(supervisor, AuditAction.DELETED, recording, f'{len(recording.playable)} file(s)')
        self._archive.delete_objects(recording)
        self._store.delete_recording(recording_id)
        log.info('recording.deleted recording=%s by=%s', recording_id, supervisor)

    def file_for(self, recording_id: str, segment: int) -> tuple[str, Segment] | None:
        """The local file behind a served segment (local files only), for the media route."""
        recording = self._store.get_recording(recording_id)
        found = recording.segment(segment) if recording is not None else None
        if found is None or found.state is not SegmentState.READY:
            return None
        path = self._archive.local_path(found.key)
        return (path, found) if path else None

    @property
    def links(self) -> MediaLinks:
        return self._links

    def start(self) -> None:
        """Apply the retention a minute after start-up, then every ``RETENTION_SWEEP_SECONDS``."""
        self._sweeper = asyncio.get_running_loop().create_task(self._expire_forever())

    async def stop(self) -> None:
        sweeper = getattr(self, '_sweeper', None)
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper

    async def _expire_forever(self) -> None:
        await asyncio.sleep(RETENTION_FIRST_SWEEP_SECONDS)  # not in the way of start-up and the first pages
        while True:
            try:
                await self.expire_old()
            except Exception:
                log.exception('recording.retention_failed')
            await asyncio.sleep(RETENTION_SWEEP_SECONDS)

    async def expire_old(self) -> int:
        """Delete recordings older than the retention (the deployment's S3 lifecycle does the same to the files)."""
        cutoff = self._clock() - self.retention_days * 86_400
        expired = [r for r in await asyncio.to_thread(self._store.recordings_started_before, cutoff)
                   if not r.state.running]
        for recording in expired:
            self._audit(RETENTION_ACTOR, AuditAction.EXPIRED, recording, f'older than {self.retention_days} days')
            await asyncio.to_thread(self._archive.delete_objects, recording)
            await asyncio.to_thread(self._store.delete_recording, recording.recording_id)
        if expired:
            log.info('recording.retention_deleted count=%s days=%s', len(expired), self.retention_days)
        return len(expired)

    def _link(self, supervisor: str, recording_id: str, index: int, *, download: bool) -> MediaLink:
        recording = self.recording(recording_id)
        segment = recording.segment(index)
        if segment is None or segment.state is not SegmentState.READY:
            raise NotFound('This part of the recording is not playable.')
        extension = 'mp4' if segment.content_type == 'video/mp4' else 'webm'
        name = f'recording-{recording.contact_id}-{index + 1}.{extension}'
        action = AuditAction.DOWNLOADED if download else AuditAction.PLAYED
        self._audit(supervisor, action, recording, f'part {index + 1}')
        url = self._archive.presigned_url(segment.key, download_name=name if download else None,
                                          expires_seconds=self._link_seconds)
        if url is None:
            url = self._links.make(recording_id, index, supervisor, download=download)
        return MediaLink(url, segment.content_type, name)

    def _audit(self, actor: str, action: AuditAction, recording: Recording, detail: str) -> None:
        self._store.add_audit_entry(AuditEntry(at=self._clock(), actor=actor, action=action,
                                               recording_id=recording.recording_id,
                                               contact_id=recording.contact_id, detail=detail))
