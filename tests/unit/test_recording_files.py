"""Local recording files: chunks appended durably, a segment remuxed into a seekable WebM with its duration, a cut
tail (a crash) still gives a playable file, and keys never lead outside the recordings folder."""

from __future__ import annotations

import math
import struct
import uuid
from fractions import Fraction
from pathlib import Path

import av

from backend.adapters.local.recording_files import LocalRecordingFiles
from backend.domain.recording import Recording, RecordingState


def webm_bytes(path: Path, seconds: float = 2.0) -> bytes:
    """A small VP8 + Opus WebM, as a browser's MediaRecorder would send it."""
    with av.open(str(path), 'w', format='webm') as container:
        video = container.add_stream('libvpx', rate=15)
        video.width, video.height, video.pix_fmt = 160, 120, 'yuv420p'
        audio = container.add_stream('libopus', rate=48000)
        audio.layout = 'mono'
        for i in range(int(seconds * 15)):
            frame = av.VideoFrame(160, 120, 'yuv420p')
            for plane, value in zip(frame.planes, ((i * 8) % 255, 90, 200), strict=True):
                plane.update(bytes([value]) * plane.buffer_size)
            frame.pts, frame.time_base = i, Fraction(1, 15)
            container.mux(video.encode(frame))
        for start in range(0, int(seconds * 48000) - 960 + 1, 960):
            frame = av.AudioFrame(format='s16', layout='mono', samples=960)
            frame.planes[0].update(b''.join(struct.pack('<h', int(8000 * math.sin(2 * math.pi * 440 * (start + n)
                                                                                    / 48000))) for n in range(960)))
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            container.mux(audio.encode(frame))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    return path.read_bytes()


def test_chunks_become_one_seekable_file(tmp_path):
    files = LocalRecordingFiles(tmp_path / 'recordings')
    data = webm_bytes(tmp_path / 'source.webm')
    rid = str(uuid.uuid4())
    for start in range(0, len(data), 4000):
        files.append_chunk(rid, 0, data[start:start + 4000])
    assert files.segment_written_at(rid, 0) is not None
    key, size, duration = files.finish_segment(rid, 0)
    assert key == f'{rid}/segment-0.webm' and size > 0 and 1.7 < duration < 2.3
    path = Path(files.local_path(key) or '')
    with av.open(str(path)) as played:
        assert {s.type for s in played.streams} == {'video', 'audio'}
        played.seek(1_000_000)  # a player can seek in it
    assert not (tmp_path / 'recordings' / rid / 'segment-0.webm.part').exists()


def test_a_cut_tail_still_plays(tmp_path):
    files = LocalRecordingFiles(tmp_path / 'recordings')
    data = webm_bytes(tmp_path / 'source.webm')
    rid = str(uuid.uuid4())
    files.append_chunk(rid, 0, data[:-1500])  # the server died while the last chunk was arriving
    _key, size, duration = files.finish_segment(rid, 0)
    assert size > 0 and 1.0 < duration < 2.3


def test_nothing_usable_gives_nothing(tmp_path):
    files = LocalRecordingFiles(tmp_path / 'recordings')
    rid = str(uuid.uuid4())
    assert files.finish_segment(rid, 0) == ('', 0, 0.0)
    files.append_chunk(rid, 1, b'not a webm at all')
    assert files.finish_segment(rid, 1) == ('', 0, 0.0)


def test_keys_stay_inside_the_folder(tmp_path):
    files = LocalRecordingFiles(tmp_path / 'recordings')
    for key in ('../vce.sqlite3', '/etc/passwd', f'{uuid.uuid4()}/../../x.webm', 'a/segment-0.webm'):
        assert files.local_path(key) is None
    recording = Recording('../..', 'c', 'm', 'ann', 'Ann', 'Cara', 'browser', 0.0, RecordingState.READY)
    files.delete_objects(recording)  # not a recording id: nothing is touched
    assert tmp_path.exists()
