"""Short-lived links to a recording's file that the server serves itself (local files): the local twin of an S3
presigned URL. A link names the recording, the segment, the supervisor it was made for, whether it downloads, and
when it expires, signed with a key derived from the server secret; the media route also checks that the browser is
that supervisor's. The link is made only after the access was written to the audit log, so every playback and
download is in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

MEDIA_PATH = '/supervisor/recordings/media'  # + /<recording id>/<segment>?…
_LABEL = b'vce/recording-media-link/v1'


@dataclass(frozen=True, slots=True)
class MediaLinkClaims:
    recording_id: str
    segment: int
    username: str
    download: bool


class MediaLinks:
    def __init__(self, secret: bytes, *, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self._key = hmac.new(secret, _LABEL, hashlib.sha256).digest()
        self._ttl, self._clock = ttl_seconds, clock

    def make(self, recording_id: str, segment: int, username: str, *, download: bool) -> str:
        expires = int(self._clock()) + self._ttl
        query = {'u': username, 'exp': str(expires), 'dl': '1' if download else '0'}
        query['sig'] = self._sign(recording_id, segment, query)
        return f'{MEDIA_PATH}/{recording_id}/{segment}?{urlencode(query)}'

    def verify(self, recording_id: str, segment: int, query: dict[str, str]) -> MediaLinkClaims | None:
        try:
            expires = int(query.get('exp', ''))
        except ValueError:
            return None
        if expires < self._clock() or not hmac.compare_digest(self._sign(recording_id, segment, query),
                                                             str(query.get('sig', ''))):
            return None
        return MediaLinkClaims(recording_id, segment, str(query.get('u', '')), query.get('dl') == '1')

    def _sign(self, recording_id: str, segment: int, query: dict[str, str]) -> str:
        message = '\n'.join((recording_id, str(segment), query.get('u', ''), query.get('exp', ''), query.get('dl', '')))
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()
