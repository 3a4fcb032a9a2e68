"""Local mode's recording files, in the data folder: ``recordings/<recording id>/segment-<n>.webm``.

The browser recorder's chunks are appended to ``segment-<n>.webm.part`` and each is flushed to disk (fsync) before
the upload is acknowledged, so a crash of the server loses at most the chunk in flight. A browser's MediaRecorder
writes WebM for a stream it cannot seek back into, so the file has no duration and no cues; finishing a segment
remuxes it (stream copy with PyAV, no re-encoding: a fraction of a second per minute) into a WebM that players can
seek, and a truncated tail (the crash case) is cut at the last whole block.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from pathlib import Path

from backend.domain.recording import Recording
from backend.ports import RecordingArchive

log = logging.getLogger('vce.recordings')

_SAFE_ID = re.compile(r'^[0-9a-f-]{36}$')


class LocalRecordingFiles(RecordingArchive):
    kind = 'files'

    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def append_chunk(self, recording_id: str, segment: int, data: bytes) -> int:
        path = self._part(recording_id, segment)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open('ab') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            return file.tell()

    def finish_segment(self, recording_id: str, segment: int) -> tuple[str, int, float]:
        part = self._part(recording_id, segment)
        final = self._folder / recording_id / f'segment-{segment}.webm'
        if not part.exists() or part.stat().st_size == 0:
            part.unlink(missing_ok=True)
            return '', 0, 0.0
        try:
            duration = remux(part, final)
        except Exception as error:  # not a readable WebM (e.g. cut inside its header): nothing playable
            log.warning('recording.remux_failed recording=%s segment=%s error=%s', recording_id, segment, error)
            final.unlink(missing_ok=True)
            part.unlink(missing_ok=True)
            return '', 0, 0.0
        part.unlink(missing_ok=True)
        return f'{recording_id}/{final.name}', final.stat().st_size, duration

    def segment_written_at(self, recording_id: str, segment: int) -> float | None:
        try:
            return self._part(recording_id, segment).stat().st_mtime
        except OSError:
            return None

    def describe_object(self, key: str) -> tuple[int, float] | None:
        path = self._path(key)
        return (path.stat().st_size, 0.0) if path is not None and path.exists() else None

    def find_output(self, prefix: str) -> str | None:
        return None  # local files have no server-side capture

    def local_path(self, key: str) -> str | None:
        path = self._path(key)
        return str(path) if path is not None and path.is_file() else None

    def presigned_url(self, key: str, *, download_name: str | None, expires_seconds: int) -> str | None:
        return None  # served by the app itself, through a signed link (services/media_links.py)

    def delete_objects(self, recording: Recording) -> None:
        if _SAFE_ID.match(recording.recording_id):
            shutil.rmtree(self._folder / recording.recording_id, ignore_errors=True)

    def _part(self, recording_id: str, segment: int) -> Path:
        if not _SAFE_ID.match(recording_id):
            raise ValueError('not a recording id')
        return self._folder / recording_id / f'segment-{int(segment)}.webm.part'

    def _path(self, key: str) -> Path | None:
        """Only ``<recording id>/segment-<n>.webm`` below the folder: a stored key never leads elsewhere."""
        match = re.fullmatch(r'([0-9a-f-]{36})/(segment-\d+\.webm)', key or '')
        return self._folder / match[1] / match[2] if match else None


def remux(source: Path, target: Path) -> float:
    """Copy the audio and video packets of ``source`` into a seekable WebM at ``target``; its duration in seconds."""
    import av  # PyAV bundles FFmpeg's libraries; imported on first use (0.2 s)

    temporary = target.with_suffix('.tmp.webm')
    with av.open(str(source)) as given, av.open(str(temporary), 'w', format='webm') as written:
        streams = {s.index: written.add_stream_from_template(s) for s in given.streams if s.type in ('audio', 'video')}
        with contextlib.suppress(av.error.InvalidDataError, av.error.EOFError):  # a cut tail ends the copy
            for packet in given.demux(*[given.streams[i] for i in streams]):
                if packet.dts is None or packet.size == 0:
                    continue
                packet.stream = streams[packet.stream.index]
                written.mux(packet)
    with av.open(str(temporary)) as check:
        duration = float(check.duration or 0) / 1_000_000
    temporary.replace(target)
    return duration
