"""Remote resources are fetched only with --allow-remote, and then only over http(s), bounded.

A server on 127.0.0.1, run by the test, stands for the remote host; it records every request.
zhusan refuses loopback addresses, so the tests that fetch from it let 127.0.0.1 (and only it)
through ``remote.allowed_address`` and run the command line in this process; the tests of the
refusal itself run it in a subprocess, where nothing is let through.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Runner
from zhusan.checks.package import read_package
from zhusan.cli import main
from zhusan.files import remote
from zhusan.files.descriptor import UnusableInput

REMOTE = 6  # the figures resource


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path == "/redirect-to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        if self.path == "/endless":  # no Content-Length: the body is counted as it comes
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"figure_id\n" + b"x" * 50_000)
            return
        if self.path == "/redirect-to-other-loopback":  # 127.0.0.2 is this machine too
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{self.server.server_address[1]}/x")
            self.end_headers()
            return
        if self.path in ("/trickle", "/trickle-head"):  # a byte every 0.2 s, for 20 s
            if self.path == "/trickle":
                self.send_response(200)
                self.end_headers()
            for byte in b"HTTP/1.1 200 OK\r\nX: " + b"y" * 100:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
            return
        if self.path == "/not-http":  # an internal service: its first line must not be echoed
            self.wfile.write(b"SECRET-TOKEN-42 internal service banner\r\n\r\n")
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(pkg: Path) -> Iterator[tuple[str, list[str]]]:
    """An http server on 127.0.0.1 serving the package's dataset/ folder; its request log."""
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(pkg / "dataset")))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def _point_at(pkg: Path, url: str) -> Path:
    """Make the figures resource's path ``url`` and remove the local copy."""
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    assert desc["resources"][REMOTE]["name"] == "figures"
    desc["resources"][REMOTE]["path"] = url
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    return pkg


Validate = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Validate:
    """``zhusan validate PKG FLAGS`` in this process, 127.0.0.1 (only) let through."""
    monkeypatch.setattr(remote, "allowed_address", lambda ip: str(ip) == "127.0.0.1")

    def validate(pkg: Path, *flags: str) -> subprocess.CompletedProcess[str]:
        code = main(["validate", str(pkg), *flags])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess([], code, out, err)

    return validate


def test_a_remote_resource_is_refused_and_not_fetched_without_the_flag(
    run: Validate, pkg: Path, server: tuple[str, list[str]]
) -> None:
    """An http path without --allow-remote: exit 2, one line naming the resource, no request."""
    base, seen = server
    proc = run(_point_at(pkg, f"{base}/figures.csv"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "resource 'figures'" in proc.stderr and "--allow-remote" in proc.stderr
    assert seen == []


def test_a_remote_resource_is_fetched_and_validated_with_the_flag(
    run: Validate, pkg: Path, server: tuple[str, list[str]]
) -> None:
    """With --allow-remote the file is fetched once and checked like a local one, hash too."""
    base, seen = server
    _point_at(pkg, f"{base}/figures.csv")
    proc = run(pkg, "--allow-remote", "--json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    report = json.loads(proc.stdout)
    assert report["valid"] and report["rows"]["figures"] > 0
    assert seen == ["/figures.csv"]


def test_changed_remote_bytes_fail_the_hash_check(
    run: Validate, pkg: Path, server: tuple[str, list[str]]
) -> None:
    """A fetched file that differs from the descriptor's hash is invalid (exit 1), not trusted."""
    base, _ = server
    path = pkg / "dataset" / "figures.csv"
    path.write_bytes(path.read_bytes().replace(b"About 40,000", b"About 40,001", 1))
    proc = run(_point_at(pkg, f"{base}/figures.csv"), "--allow-remote")
    assert proc.returncode == 1
    assert "[resource-hash]" in proc.stdout


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/redirect-to-file", "redirects to a place that is not http(s)"),
        ("/no-such-file.csv", "answered HTTP 404"),
    ],
)
def test_bad_remote_answers_are_unusable_input(
    run: Validate, pkg: Path, server: tuple[str, list[str]], path: str, message: str
) -> None:
    """A redirect to file: or an HTTP error: exit 2, one line, no traceback."""
    base, seen = server
    proc = run(_point_at(pkg, base + path), "--allow-remote")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "resource 'figures'" in proc.stderr and message in proc.stderr
    assert seen == [path]


def test_an_unreachable_host_is_unusable_input(run: Validate, pkg: Path) -> None:
    """Nothing listens on the port: exit 2 with the reason, not a traceback."""
    proc = run(_point_at(pkg, "http://127.0.0.1:9/figures.csv"), "--allow-remote")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot fetch http://127.0.0.1:9/figures.csv (Connection refused)" in proc.stderr


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/figures.csv",
        "http://localhost:{port}/figures.csv",
        "http://[::1]:{port}/figures.csv",
        "http://127.1.2.3:{port}/figures.csv",
        "http://0.0.0.0:{port}/figures.csv",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/figures.csv",
        "http://192.168.1.1/figures.csv",
        "http://[::ffff:127.0.0.1]:{port}/figures.csv",
    ],
)
def test_loopback_link_local_and_private_hosts_are_refused_before_any_request(
    cli: Runner, pkg: Path, server: tuple[str, list[str]], url: str
) -> None:
    """With --allow-remote, a host on this machine or a private network: exit 2, no request."""
    base, seen = server
    target = url.format(port=base.rsplit(":", 1)[1])
    proc = cli("validate", str(_point_at(pkg, target)), "--allow-remote")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "address; only hosts on the public internet are fetched" in proc.stderr
    assert seen == []


def test_a_redirect_to_a_loopback_host_is_refused(
    run: Validate, pkg: Path, server: tuple[str, list[str]]
) -> None:
    """A server allowed here redirects to 127.0.0.2: refused after the redirect, target unnamed."""
    base, seen = server
    proc = run(_point_at(pkg, f"{base}/redirect-to-other-loopback"), "--allow-remote")
    assert proc.returncode == 2
    assert "a host a server redirected to has a loopback address" in proc.stderr
    assert "127.0.0.2" not in proc.stderr
    assert seen == ["/redirect-to-other-loopback"]


@pytest.mark.parametrize("path", ["/trickle", "/trickle-head"])
def test_a_server_trickling_bytes_is_cut_off_at_the_deadline(
    pkg: Path, server: tuple[str, list[str]], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte every 0.2 s, in the body or the status line: stopped at the 1 s deadline."""
    base, _ = server
    monkeypatch.setattr(remote, "allowed_address", lambda ip: str(ip) == "127.0.0.1")
    monkeypatch.setattr(remote, "DEADLINE", 1.0)
    start = time.monotonic()
    with pytest.raises(UnusableInput, match=r"took more than the 1 seconds allowed"):
        remote.fetch_all({"figures": base + path}, pkg, 10_000, seconds=1.0)
    assert time.monotonic() - start < 5


def test_what_a_server_answers_is_never_echoed(
    run: Validate, pkg: Path, server: tuple[str, list[str]]
) -> None:
    """An answer that is not HTTP: exit 2 naming the URL, and not one byte of the answer."""
    base, _ = server
    proc = run(_point_at(pkg, f"{base}/not-http"), "--allow-remote")
    assert proc.returncode == 2 and "did not answer in HTTP" in proc.stderr
    assert "SECRET" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("path", ["/figures.csv", "/endless"])
def test_a_remote_file_over_the_size_limit_is_refused(
    pkg: Path, server: tuple[str, list[str]], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too many bytes, announced (Content-Length) or only sent: refused, naming the limit."""
    base, _ = server
    monkeypatch.setattr(remote, "allowed_address", lambda ip: str(ip) == "127.0.0.1")
    _point_at(pkg, base + path)
    with pytest.raises(UnusableInput, match=r"more than the 1000 .*remote resource may have"):
        read_package(pkg / "datapackage.json", allow_remote=True, max_remote_bytes=1000)


@pytest.mark.parametrize("flags", [(), ("--allow-remote",)])
def test_a_malformed_url_is_unusable_input(run: Validate, pkg: Path, flags: tuple[str]) -> None:
    """A URL Python cannot parse: exit 2 naming the resource, with or without the flag."""
    proc = run(_point_at(pkg, "http://[::1/figures.csv"), *flags)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "resource 'figures'" in proc.stderr


def test_file_urls_are_refused_even_with_the_flag(run: Validate, pkg: Path) -> None:
    """--allow-remote is for http(s) only: a file: URL is still refused, exit 2."""
    proc = run(_point_at(pkg, "file:///etc/passwd"), "--allow-remote")
    assert proc.returncode == 2 and "resource 'figures'" in proc.stderr
    assert "root:" not in proc.stdout + proc.stderr
