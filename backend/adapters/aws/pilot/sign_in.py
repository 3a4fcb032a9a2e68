"""The browser's half of the federated sign-in, made from the server once: POST the credentials form to the
instance's ``/auth/sign-in`` and report the status and headers (a redirect is not followed: its Set-Cookie is the
answer). The one pilot call that is not an AWS API call."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

TIMEOUT_SECONDS = 15.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post_sign_in(url: str, form: Mapping[str, str]) -> tuple[int, Mapping[str, str]]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(dict(form)).encode(), method='POST',
                                     headers={'Content-Type': 'application/x-www-form-urlencoded'})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, dict(response.headers.items())
    except urllib.error.HTTPError as answer:  # 3xx (not followed) and 4xx/5xx come here with their headers
        return answer.code, dict(answer.headers.items())
