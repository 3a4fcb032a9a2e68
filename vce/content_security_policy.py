"""The Content-Security-Policy of every page: exactly the sources the product loads from, per mode.

What the pages need, and why each source is there (docs/security/headers.md):

* scripts: our own origin (NiceGUI's bundles under /_nicegui, our elements, the vendored Chime SDK and Connect Streams
  under /assets) plus this response's nonce for NiceGUI's inline page scripts (the import map, the app's start-up
  module; their content changes with every page, so hashes cannot work). ``'unsafe-eval'`` because NiceGUI itself
  evaluates code it sends over the socket (``run_javascript``, ``:prop`` bindings, ``js_handler``) and Vue compiles
  element templates in the browser. No ``'unsafe-inline'``: an injected ``<script>`` or ``onclick`` does not run.
* styles: ``'unsafe-inline'``, because Quasar and Tailwind's runtime write style attributes and ``<style>`` elements.
* media and images: our origin, ``blob:``/``mediastream:`` for camera, screen and remote video, ``data:`` images;
  the brand logo's origin when VCE_BRAND_LOGO_URL is elsewhere; with Chime meetings and a recording bucket, the
  bucket's S3 origin, where the supervisors' presigned playback URLs point (local recordings play from our origin).
* connections: our origin (the socket); with Chime meetings (aws mode, or VCE_MEETING_BACKEND=chime) the Chime SDK
  endpoints the meeting's media placement names (``wss://signal…chime.aws``, ``https://…ingest.chime.aws``, TURN
  control), all under ``*.chime.aws``; in aws mode the Connect instance and the regional Connect endpoints Streams'
  chat session uses (participant service, its websocket transport, telemetry).
* frames and forms: none, except the Connect instance in aws mode (the CCP iframe, the federated sign-in POST).
* ``frame-ancestors 'none'``: no page, not even one on this site, may frame the desktop or the customer pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from backend.settings import Settings

CHIME_SOURCES = ('https://*.chime.aws', 'wss://*.chime.aws')


@dataclass(frozen=True, slots=True)
class ContentSecurityPolicy:
    """The policy for one deployment; :meth:`header` adds a response's nonce."""

    connect_src: tuple[str, ...]
    frame_src: tuple[str, ...]
    form_action: tuple[str, ...]
    img_src: tuple[str, ...]
    media_src: tuple[str, ...] = ("'self'", 'blob:', 'mediastream:')

    @classmethod
    def for_settings(cls, settings: Settings) -> ContentSecurityPolicy:
        connect = ["'self'"]
        frames: list[str] = []
        forms = ["'self'"]
        if settings.mode == 'aws' or settings.meeting_backend == 'chime':
            connect.extend(CHIME_SOURCES)
        instance = settings.connect_instance
        if instance is not None:  # the desktop on Amazon Connect (aws mode; also the CCP test harness)
            region = settings.ccp_region
            connect.extend((instance.origin, f'https://*.connect.{region}.amazonaws.com',
                            f'wss://*.connect.{region}.amazonaws.com'))
            frames.append(instance.origin)
            forms.append(instance.origin)
        images = ["'self'", 'data:', 'blob:']
        logo = urlsplit(settings.brand_logo_url)
        if logo.scheme == 'https' and logo.netloc:
            images.append(f'https://{logo.netloc}')
        media = ["'self'", 'blob:', 'mediastream:']
        chime = settings.mode == 'aws' or settings.meeting_backend == 'chime'
        if chime and settings.recording_bucket:  # presigned URLs: virtual-hosted, regional (s3_recordings.py)
            media.append(f'https://{settings.recording_bucket}.s3.{settings.aws_region}.amazonaws.com')
        return cls(connect_src=tuple(connect), frame_src=tuple(frames) or ("'none'",), form_action=tuple(forms),
                   img_src=tuple(images), media_src=tuple(media))

    def header(self, nonce: str | None = None) -> str:
        scripts = ["'self'", "'unsafe-eval'"] + ([f"'nonce-{nonce}'"] if nonce else [])
        directives = {
            'default-src': ("'self'",),
            'script-src': tuple(scripts),
            'style-src': ("'self'", "'unsafe-inline'"),
            'img-src': self.img_src,
            'font-src': ("'self'", 'data:'),
            'media-src': self.media_src,
            'connect-src': self.connect_src,
            'worker-src': ("'self'", 'blob:'),
            'frame-src': self.frame_src,
            'form-action': self.form_action,
            'object-src': ("'none'",),
            'base-uri': ("'self'",),
            'frame-ancestors': ("'none'",),
        }
        return '; '.join(f'{name} {" ".join(sources)}' for name, sources in directives.items())
