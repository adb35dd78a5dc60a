"""Remote resources, fetched only when the caller allows it.

A resource whose path is an ``http://`` or ``https://`` URL is refused (exit 2, nothing fetched)
unless ``validate(..., allow_remote=True)`` or ``zhusan validate --allow-remote`` is given. Then
it is downloaded, before any table is read, into a private temporary folder that is removed
afterwards, and validated like a local file (its hash and byte count too). The download is
bounded: at most ``MAX_REMOTE_BYTES`` per resource (a larger ``Content-Length`` is refused before
the body is read), ``TIMEOUT`` seconds per network operation, redirects only to http(s) URLs,
and the body is stored as sent (no decompression, so no zip bomb). Every other scheme
(``file:``, ``ftp:``, ``data:``) is refused whatever the flag says.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from zhusan.files.descriptor import UnusableInput

#: The most bytes one remote resource may have.
MAX_REMOTE_BYTES = 4 << 30
#: Seconds one network operation (connect, each read) may take.
TIMEOUT = 30.0
_SCHEMES = ("http", "https")


def shown(text: str) -> str:
    """``text``, or its repr when it holds a control character: a message stays on one line."""
    return text if text.isprintable() else repr(text)


def is_remote(value: object) -> bool:
    """True for a resource path that is an http(s) URL."""
    if not isinstance(value, str):
        return False
    try:
        scheme = urlsplit(value).scheme
    except ValueError:  # a malformed URL ('http://[::1'): its scheme still says remote
        scheme = value.partition(":")[0]
    return scheme.lower() in _SCHEMES


class _Refused(Exception):
    """A download stopped on purpose (a redirect elsewhere, too many bytes)."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) URLs only (urllib alone would follow one to ftp:)."""

    def http_error_302(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any
    ) -> Any:
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if not is_remote(target):
            raise _Refused(f"{req.full_url} redirects to {target!r}, which is not http(s)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    """An opener that speaks http(s) only: no file:, ftp: or data: handlers."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str, dest: Path, name: str, max_bytes: int = MAX_REMOTE_BYTES) -> Path:
    """Download ``url`` to ``dest``; UnusableInput naming the resource when that fails."""
    url_shown = shown(url)
    try:
        request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
        with _opener().open(request, timeout=TIMEOUT) as resp, dest.open("wb") as out:
            length = resp.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise _Refused(
                    f"{url_shown} has {length} bytes, more than the {max_bytes} a remote resource "
                    "may have"
                )
            got = 0
            while chunk := resp.read(1 << 20):
                got += len(chunk)
                if got > max_bytes:
                    raise _Refused(
                        f"{url_shown} sent more than the {max_bytes} bytes a remote resource "
                        "may have"
                    )
                out.write(chunk)
    except _Refused as exc:
        raise UnusableInput(f"resource {name!r}: {exc}") from None
    except urllib.error.HTTPError as exc:
        raise UnusableInput(f"resource {name!r}: {url_shown} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise UnusableInput(f"resource {name!r}: cannot fetch {url_shown} ({reason})") from None
    return dest


def fetch_all(
    urls: dict[str, str], folder: Path, max_bytes: int = MAX_REMOTE_BYTES
) -> dict[str, Path]:
    """Download each resource (name -> URL) into ``folder``; the local file of each."""
    out = {}
    for i, (name, url) in enumerate(urls.items()):
        out[name] = fetch(url, folder / f"{i}-{name}.csv", name, max_bytes)
    return out
