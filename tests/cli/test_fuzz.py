"""Whatever a package contains, validate ends with exit 0, 1 or 2 and a message, never a crash."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from zhusan.cli import main

TABLES = ["sources", "figures", "events", "people", "mentions", "discrepancies"]
JUNK = st.one_of(
    st.binary(max_size=40),
    st.sampled_from(
        [b"", b"\x00", b'"', b'""', b"\r", b"\n\n", b",,,", b"\xff\xfe", b"\xef\xbb\xbf"]
    ),
)
DESCRIPTOR_VALUES = st.one_of(
    st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.just("../x.csv"),
)  # fmt: skip


def _run(pkg: Path) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``zhusan validate``.

    An exception that Python would print as "Exception ignored" (sys.unraisablehook) is added
    to stderr as a traceback.
    """
    out, err = io.StringIO(), io.StringIO()
    ignored: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: ignored.append(f"Traceback: ignored {u.exc_type.__name__}")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(pkg)])
    finally:
        sys.unraisablehook = hook
    return code, out.getvalue(), err.getvalue() + "".join(ignored)


@st.composite
def mutated(draw: st.DrawFn) -> list[tuple[str, object, object]]:
    edits: list[tuple[str, object, object]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["bytes", "truncate", "descriptor", "drop-key"]))
        if kind == "bytes":
            edits.append((kind, draw(st.sampled_from(TABLES)), (draw(st.integers(0, 5000)),
                                                                 draw(JUNK))))  # fmt: skip
        elif kind == "truncate":
            edits.append((kind, draw(st.sampled_from(TABLES)), draw(st.integers(0, 3000))))
        elif kind == "descriptor":
            key = draw(st.sampled_from(["path", "hash", "bytes", "name", "schema"]))
            edits.append((kind, (draw(st.integers(0, 9)), key), draw(DESCRIPTOR_VALUES)))
        else:
            edits.append((kind, draw(st.sampled_from(["resources", "name", "$schema"])), None))
    return edits


def _apply(pkg: Path, edits: list[tuple[str, object, object]]) -> None:
    desc_path = pkg / "datapackage.json"
    for kind, where, what in edits:
        if kind in ("bytes", "truncate"):
            path = pkg / "dataset" / f"{where}.csv"
            data = path.read_bytes()
            if kind == "bytes":
                at, junk = what  # type: ignore[misc]
                at = min(at, len(data))
                data = data[:at] + junk + data[at + len(junk) :]
            else:
                data = data[: int(what)]  # type: ignore[call-overload]
            path.write_bytes(data)
            continue
        desc = json.loads(desc_path.read_text(encoding="utf-8"))
        if kind == "descriptor":
            index, key = where  # type: ignore[misc]
            with contextlib.suppress(KeyError, IndexError, TypeError):
                desc["resources"][index][key] = what
        elif isinstance(where, str):
            desc.pop(where, None)
        desc_path.write_text(json.dumps(desc), encoding="utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(edits=mutated())
def test_mutated_packages_never_crash(
    edits: list[tuple[str, object, object]], tmp_path_factory: object
) -> None:
    """Random bytes, cut files and broken descriptor keys end in exit 0, 1 or 2 with a message."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp)
        for sub in ("dataset", "schema", "seeds"):
            shutil.copytree(ROOT / sub, pkg / sub)
        shutil.copy2(ROOT / "datapackage.json", pkg / "datapackage.json")
        _apply(pkg, edits)
        code, out, err = _run(pkg)
    assert code in (0, 1, 2), (code, err)
    assert "internal error" not in err and "Traceback" not in err
    assert (out if code in (0, 1) else err).strip(), "every outcome says something"
