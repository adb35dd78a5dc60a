"""Remote resources, fetched only when the caller allows it, and only from the public internet.

A resource whose path is an ``http://`` or ``https://`` URL is refused (exit 2, nothing fetched)
unless ``validate(..., allow_remote=True)`` or ``zhusan validate --allow-remote`` is given. Then
it is downloaded, before any table is read, into a private temporary folder that is removed
afterwards, and validated like a local file (its hash and byte count too). The download is
bounded:

- at most ``MAX_REMOTE_BYTES`` per resource (a larger ``Content-Length`` is refused before the
  body is read), ``TIMEOUT`` seconds per network operation, and ``DEADLINE`` seconds for all the
  downloads of one validation together (a server that sends a byte every few seconds is cut off:
  a timer shuts the connection down, wherever the reading is);
- only hosts whose every address is a public one: loopback (``127.0.0.1``, ``::1``),
  private (``10/8``, ``172.16/12``, ``192.168/16``, ``fc00::/7``), link-local (``169.254/16``,
  the cloud metadata address among them), shared, reserved and multicast addresses are refused,
  for the first request and for every redirect, and the connection goes to the very address
  checked (no second DNS answer in between). No proxy is used (``HTTP_PROXY`` is ignored: through
  a proxy the address could not be checked);
- redirects only to http(s) URLs; the body is stored as sent (no decompression, so no zip bomb).

Every other scheme (``file:``, ``ftp:``, ``data:``) is refused whatever the flag says. No error
message repeats what a server sent (a status line, a reason, a header, a redirect's target):
only the status code and what was refused.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from zhusan.files.descriptor import UnusableInput
from zhusan.model.text import printable

#: The most bytes one remote resource may have.
MAX_REMOTE_BYTES = 4 << 30
#: Seconds one network operation (connect, each read) may take.
TIMEOUT = 30.0
#: Seconds all the downloads of one validation may take together.
DEADLINE = 900.0
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
    """A download stopped on purpose (a redirect elsewhere, too many bytes, a private host)."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(ip: IPAddress) -> bool:
    """``ip`` is on the public internet: not loopback, private, link-local, reserved, multicast."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _kind(ip: IPAddress) -> str:
    for kind in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}", False):
            return kind.replace("_", "-")
    return "non-public"


#: The test of an address; the tests of this module replace it to reach a server on this machine.
allowed_address = is_public


class Connections:
    """The connections of one validation's downloads: to checked addresses, within a deadline.

    ``connect`` is ``socket.create_connection`` for http.client: it resolves the host, refuses
    it unless every address passes ``allowed_address``, and connects to an address it checked.
    At the deadline a timer shuts every connection down, so a read blocked on a slow server
    ends at once.
    """

    def __init__(self, seconds: float = DEADLINE) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self.hosts: set[str] = set()  # the hosts the descriptor names (shown in messages)
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Connections:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        self._expire(timed_out=False)

    def _expire(self, timed_out: bool = True) -> None:
        with self._lock:
            self.expired = self.expired or timed_out
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._sockets.clear()

    def left(self) -> float:
        """Seconds until the deadline; _Refused once it has passed."""
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise _Refused(f"the downloads took more than the {self.seconds:g} seconds allowed")
        return left

    def connect(
        self,
        address: tuple[str, int],
        timeout: float | None = TIMEOUT,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        """A socket connected to ``address`` (host, port) if every address of the host is public."""
        host, port = address
        shown_host = printable(host) if host in self.hosts else "a host a server redirected to"
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise OSError(f"{shown_host}: {exc.strerror or exc}") from None
        ips = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos]
        refused = [ip for ip in ips if not allowed_address(ip)]
        if refused or not ips:
            kind = _kind(refused[0]) if refused else "no"
            raise _Refused(
                f"{shown_host} has a {kind} address; only hosts on the public internet are fetched"
            )
        error: OSError | None = None
        for ip in ips:
            try:
                wait = min(TIMEOUT if timeout is None else timeout, self.left())
                sock = socket.create_connection((str(ip), port), wait, source_address)
            except OSError as exc:
                error = exc
                continue
            with self._lock:
                if self.expired:
                    sock.close()
                    self.left()
                self._sockets.append(sock)
            return sock
        assert error is not None
        raise error


def _handlers(connections: Connections) -> list[urllib.request.BaseHandler]:
    """Handlers of http and https whose connections go through ``connections.connect``."""

    class Http(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connections.connect

    class Https(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connections.connect

    class HttpHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Http, req)

    class HttpsHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Https, req, context=getattr(self, "_context", None))

    return [HttpHandler(), HttpsHandler()]


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) URLs only (urllib alone would follow one to ftp:)."""

    def http_error_302(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any
    ) -> Any:
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if not is_remote(target):
            raise _Refused(f"{shown(req.full_url)} redirects to a place that is not http(s)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(connections: Connections) -> urllib.request.OpenerDirector:
    """An opener that speaks http(s) only, to public addresses only, through no proxy."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        *_handlers(connections),
        _HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(
    url: str,
    dest: Path,
    name: str,
    max_bytes: int = MAX_REMOTE_BYTES,
    connections: Connections | None = None,
) -> Path:
    """Download ``url`` to ``dest``; UnusableInput naming the resource when that fails."""
    if connections is None:
        with Connections() as own:
            return fetch(url, dest, name, max_bytes, own)
    url_shown = shown(url)
    try:
        connections.hosts.add(urlsplit(url).hostname or "")
        request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
        timeout = min(TIMEOUT, connections.left())
        with _opener(connections).open(request, timeout=timeout) as resp, dest.open("wb") as out:
            length = resp.headers.get("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise _Refused(
                    f"{url_shown} has {length} bytes, more than the {max_bytes} a remote resource "
                    "may have"
                )
            got = 0
            while chunk := resp.read1(1 << 20):
                got += len(chunk)
                if got > max_bytes:
                    raise _Refused(
                        f"{url_shown} sent more than the {max_bytes} bytes a remote resource "
                        "may have"
                    )
                out.write(chunk)
                connections.left()
            connections.left()  # the end of the body, or the deadline's shutdown?
    except Exception as exc:
        if connections.expired:
            raise UnusableInput(
                f"resource {name!r}: the downloads took more than the "
                f"{connections.seconds:g} seconds allowed"
            ) from None
        raise _unusable(name, url_shown, exc) from None
    return dest


def _unusable(name: str, url_shown: str, exc: Exception) -> Exception:
    """The one-line error of a failed download; never what the server sent."""
    reason: object = getattr(exc, "reason", None) or exc
    if isinstance(reason, _Refused):
        return UnusableInput(f"resource {name!r}: {reason}")
    if isinstance(exc, urllib.error.HTTPError):
        return UnusableInput(f"resource {name!r}: {url_shown} answered HTTP {exc.code}")
    if isinstance(reason, http.client.HTTPException):  # its text may hold what the server sent
        return UnusableInput(
            f"resource {name!r}: {url_shown} did not answer in HTTP ({type(reason).__name__})"
        )
    if isinstance(reason, OSError):
        reason = reason.strerror or reason
    if isinstance(exc, (urllib.error.URLError, OSError, ValueError)):
        return UnusableInput(f"resource {name!r}: cannot fetch {url_shown} ({printable(reason)})")
    return exc  # a bug: raised as it is


def fetch_all(
    urls: dict[str, str],
    folder: Path,
    max_bytes: int = MAX_REMOTE_BYTES,
    seconds: float = DEADLINE,
) -> dict[str, Path]:
    """Download each resource (name -> URL) into ``folder``, all within ``seconds``."""
    out = {}
    with Connections(seconds) as connections:
        for i, (name, url) in enumerate(urls.items()):
            out[name] = fetch(url, folder / f"{i}-{name}.csv", name, max_bytes, connections)
    return out
