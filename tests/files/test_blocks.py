"""The fast engine reads each file once: hashed, measured and checked as UTF-8 on the way."""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import copy_package, refresh_hashes
from zhusan.files import blocks as blocks_module
from zhusan.files.blocks import Blocks, NotUtf8, TooLong
from zhusan.files.descriptor import bundled_root


def _read_all(blocks: Blocks, size: int) -> bytes:
    """Every block of the file, read ``size`` bytes at a time, the way pyarrow reads it."""
    out = b""
    while block := blocks.read(size):
        out += bytes(block)
        blocks.took()
    return out


def _blocks(tmp_path: Path, data: bytes, max_record: int = 1 << 20, **kw: object) -> Blocks:
    path = tmp_path / "table.csv"
    path.write_bytes(data)
    return Blocks(path, kw.pop("algorithm", "sha256"), max_record, **kw)  # type: ignore[arg-type]


def test_the_blocks_are_the_file_and_its_hash_is_the_files(tmp_path: Path) -> None:
    """Read in blocks of 1 KiB, the bytes, hash and size are those of the whole file."""
    data = (bundled_root() / "dataset" / "figures.csv").read_bytes()
    with _blocks(tmp_path, data) as blocks:
        assert _read_all(blocks, 1 << 10) == data
        assert blocks.done
        assert blocks.size == len(data)
        assert blocks.hexdigest() == hashlib.sha256(data).hexdigest()


def test_no_hash_is_computed_when_none_is_declared(tmp_path: Path) -> None:
    """Without an algorithm the file is still read whole, and there is no digest."""
    with _blocks(tmp_path, b"a,b\n1,2\n", algorithm=None) as blocks:
        assert _read_all(blocks, 3) == b"a,b\n1,2\n"
        assert blocks.hexdigest() is None


TEXT = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=6).map(str.encode),
        st.binary(max_size=3),
        st.sampled_from([b"\n", b"\r\n", "Жусан — ".encode(), "😀".encode()]),
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(data=TEXT, size=st.integers(min_value=1, max_value=9))
def test_utf8_is_refused_exactly_where_python_refuses_it(data: bytes, size: int) -> None:
    """NotUtf8 exactly when ``bytes.decode`` refuses, however blocks split the characters."""
    import tempfile

    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    with tempfile.TemporaryDirectory() as tmp, _blocks(Path(tmp), data) as blocks:
        if valid:
            assert _read_all(blocks, size) == data
        else:
            with pytest.raises(NotUtf8):
                _read_all(blocks, size)
            assert blocks.not_utf8


@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"x", b"yy", b"\n", b"\r", b"\r\n", b"zzzz"]), max_size=60).map(
        b"".join
    ),
    size=st.integers(min_value=1, max_value=6),
)
def test_a_line_too_long_is_found_across_blocks(data: bytes, size: int) -> None:
    """A line longer than the limit raises TooLong wherever blocks split it; none shorter."""
    import tempfile

    limit = 6
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(data)
        with Blocks(path, None, limit) as blocks:
            if max(len(line) for line in re.split(rb"[\r\n]", data)) > limit:
                with pytest.raises(TooLong):
                    _read_all(blocks, size)
                assert blocks.too_long
            else:
                assert _read_all(blocks, size) == data


def test_reads_wait_for_the_consumer(tmp_path: Path) -> None:
    """At most ``ahead`` blocks are read before a batch is taken; ``release`` frees reads."""
    with _blocks(tmp_path, b"x\n" * 100, ahead=2) as blocks:
        blocks.read(10)
        blocks.read(10)
        third = threading.Thread(target=blocks.read, args=(10,))
        third.start()
        third.join(timeout=0.3)
        assert third.is_alive(), "a third block was read before any batch was taken"
        blocks.took()
        third.join(timeout=5)
        assert not third.is_alive()
        fourth = threading.Thread(target=blocks.read, args=(10,))
        fourth.start()
        fourth.join(timeout=0.3)
        assert fourth.is_alive()
        blocks.release()
        fourth.join(timeout=5)
        assert not fourth.is_alive()
        assert blocks.stalls == 0


def test_a_read_after_close_is_the_end(tmp_path: Path) -> None:
    """A read after the consumer has gone (pyarrow may do one) gets the end, no error."""
    blocks = _blocks(tmp_path, b"a,b\n")
    blocks.close()
    assert blocks.read(10) == b""
    assert not blocks.done


def test_pyarrow_never_waits_on_the_pacing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over many blocks no read waits out its timeout, and the whole table is read."""
    from zhusan.engines import fast as fastrows

    monkeypatch.setattr(fastrows, "BLOCK_SIZE", 1 << 14)
    monkeypatch.setattr(blocks_module, "WAIT", 0.5)
    pkg = copy_package(tmp_path)
    path = pkg / "dataset" / "figures.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0], *lines[1:] * 8]))
    refresh_hashes(pkg)
    seen: list[Blocks] = []
    made = Blocks.__init__

    def record(self: Blocks, *args: object, **kw: object) -> None:
        made(self, *args, **kw)  # type: ignore[arg-type]
        seen.append(self)

    monkeypatch.setattr(Blocks, "__init__", record)
    table = fastrows.read_fast("figures", path, [], None)
    assert table is not None
    assert table.frame.height == (len(lines) - 1) * 8
    assert len(seen) == 1 and seen[0].done
    assert seen[0].size > 20 * (1 << 14), "the table should span many blocks"
    assert seen[0].stalls == 0


def test_a_valid_package_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each table file is read once: no separate pass for its hash or its line lengths."""
    import zhusan
    from zhusan.engines import read as reading

    def second_pass(*args: object) -> None:
        raise AssertionError(f"a second pass over {args[1]}")

    monkeypatch.setattr(reading, "digest", second_pass)
    monkeypatch.setattr(reading, "too_long", second_pass)
    assert zhusan.validate().valid
