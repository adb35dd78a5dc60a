"""Internal: outputs written so that no moment, crash or kill leaves a half-written file or folder.

A folder of outputs (an export, the report site) is written by ``write_folder``:

1. The target is checked: a folder, or nothing yet; not a file, not a symbolic link to nothing,
   not the current folder (which cannot be swapped away from under the shell that is in it).
2. A lock file next to it (``.NAME.lock``, ``flock``) serialises runs writing the same folder;
   the second waits for the first. The lock file is removed when the run ends.
3. Leftovers of a run that was killed (``.NAME-*.partial`` staging folders, a ``.NAME-*.old``
   folder) are removed; an ``.old`` folder whose target is missing is put back first.
4. Every file is written into a new staging folder next to the target (``staging_folder``),
   flushed to disk, with a manifest (``marker``) naming each file written.
5. An existing target must hold nothing but the files its own manifest names (a folder written
   here before) or nothing at all: a file zhusan did not write is never deleted, the run is
   refused instead (``ForeignFiles``).
6. The staging folder takes the target's place in one rename (``swap_in``): on Linux, an atomic
   exchange of the two names (``renameat2(RENAME_EXCHANGE)``), so at every moment the target
   is the old folder or the new one; elsewhere, the old folder is moved aside and the new one
   moved in (two renames, a moment without the target, which step 3 repairs after a crash).
   The old folder is then removed.

A single file (``zhusan schema``'s generated files, which live among the package's own files)
is written beside its target and renamed over it (``write_atomic``): each file is old or new,
never half-written, but a kill between two files leaves some regenerated and some not (run
``zhusan schema`` again). A signal handler calls ``abandon`` to remove every staging folder and
temporary file before the process exits; it waits for a swap in progress to finish.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from zhusan.model.text import printable


class OutputError(OSError):
    """An output that cannot be written where it was asked for: exit code 2, nothing changed."""


class ForeignFiles(OutputError, FileExistsError):
    """The target folder holds files zhusan did not write: refused, so none of them is lost."""


#: Held while outputs are swapped into place; ``abandon`` waits for it.
_COMMIT = threading.Lock()
#: Staging folders and temporary files of the writes in progress.
_PENDING: set[Path] = set()
_PENDING_LOCK = threading.Lock()


def _pending(path: Path, add: bool) -> None:
    with _PENDING_LOCK:
        if add:
            _PENDING.add(path)
        else:
            _PENDING.discard(path)


def abandon() -> None:
    """Remove every staging folder and temporary file in progress; the process is stopping.

    Waits for a swap in progress to finish, and never lets one start after it.
    """
    _COMMIT.acquire()  # never released: the caller exits
    with _PENDING_LOCK:
        for path in list(_PENDING):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
        _PENDING.clear()


def _sync(path: Path) -> None:
    """Flush a file or folder to disk (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def umask() -> int:
    """The process's file mode creation mask (022 on most systems)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so no half-written file is left.

    The file gets the mode an ordinary write would give: a file it replaces keeps its mode,
    a new one has 0666 less the umask (not the 0600 of a temporary file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    _pending(Path(tmp), True)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), mode)
            fh.flush()
            os.fsync(fh.fileno())
        with _COMMIT:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        _pending(Path(tmp), False)
    _sync(path.parent)


def staging_folder(target: Path) -> Path:
    """A new empty folder next to ``target`` (same file system, permissions from the umask)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = target.with_name(f".{target.name}-{secrets.token_hex(6)}.partial")
        try:
            staging.mkdir()
        except FileExistsError:  # pragma: no cover - a 48-bit random name was taken
            continue
        _pending(staging, True)
        return staging


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step; False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, target: Path) -> None:
    """Put the folder ``staging`` where ``target`` is, in one rename; the old one is removed.

    An existing ``target`` is exchanged with ``staging`` atomically where the system can
    (Linux), else moved aside first (``.NAME-*.old``) and put back if the second rename fails.
    """
    with _COMMIT:
        if not target.exists():
            staging.rename(target)
            _pending(staging, False)
            _sync(target.parent)
            return
        if _exchange(staging, target):
            old = staging  # now holds the old folder, removed below
        else:
            old = target.with_name(f".{target.name}-{secrets.token_hex(6)}.old")
            target.rename(old)
            try:
                staging.rename(target)
            except BaseException:
                old.rename(target)
                raise
            _pending(staging, False)
            _pending(old, True)
        _sync(target.parent)
    shutil.rmtree(old, ignore_errors=True)
    _pending(old, False)


def output_target(out: str | os.PathLike[str]) -> Path:
    """The folder ``out`` names, absolute; OutputError for a name that cannot be a folder."""
    shown = printable(os.fspath(out))
    target = Path(os.path.abspath(out))
    if target.is_symlink():
        if not target.exists():
            raise OutputError(f"cannot write {shown}: it is a symbolic link to nothing")
        target = target.resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write {shown}: it is a file, not a folder")
    try:
        here = Path.cwd().resolve()
    except OSError:  # the current folder was removed: it cannot be the target
        here = Path("/nonexistent")
    if here == target.resolve() or here.is_relative_to(target.resolve()):
        raise OutputError(
            f"cannot write {shown}: it is the current folder (or holds it), which cannot be "
            "replaced while you are in it; name a folder inside it, e.g. --out site"
        )
    if target.parent == target:
        raise OutputError(f"cannot write {shown}: it is the root of the file system")
    return target


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` next to ``target`` (waiting for another run that holds it)."""
    lock = target.with_name(f".{target.name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:  # removed by the run that held it: take a new one
            same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    _pending(lock, True)  # removed by ``abandon`` too: a waiter then takes a new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()  # before the lock is released: a waiter sees it gone and retries
        _pending(lock, False)
        os.close(fd)


def _clean_leftovers(target: Path) -> None:
    """Remove what a killed run left next to ``target``; put back an old folder moved aside."""
    parent = target.parent
    if not parent.is_dir():
        return
    partial = sorted(parent.glob(f".{_glob_escape(target.name)}-*.partial"))
    old = sorted(parent.glob(f".{_glob_escape(target.name)}-*.old"), key=_mtime)
    if old and not target.exists():
        old.pop().rename(target)
    for path in partial + old:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _manifest(target: Path, marker: str) -> set[str] | None:
    """The names the manifest ``marker`` in ``target`` lists (None: no manifest)."""
    path = target / marker
    if not path.is_file() or path.is_symlink():
        return None
    try:
        with path.open("rb") as fh:
            lines = fh.read(1 << 20).decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    return {line for line in lines[1:] if line and not line.startswith("#")}


def _entries(folder: Path) -> Iterator[str]:
    """Every file, folder and link under ``folder``, as a relative POSIX path."""
    for dirpath, dirnames, filenames in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        for name in dirnames + filenames:
            yield (rel / name).as_posix()


def foreign(target: Path, marker: str, names: list[str]) -> list[str]:
    """What in ``target`` zhusan did not write: not named by its manifest, nor a folder of one.

    A manifest without names (written by an earlier version) stands for ``names``; without a
    manifest, every file is another's.
    """
    if not target.is_dir():
        return []
    listed = _manifest(target, marker)
    allowed = (set(names) if listed == set() else listed or set()) | {marker}
    folders = {p.as_posix() for name in allowed for p in Path(name).parents if p != Path(".")}
    return sorted(e for e in _entries(target) if e not in allowed and e not in folders)


def write_folder(
    out: str | os.PathLike[str],
    write: Callable[[Path], list[str]],
    marker: str,
    title: str,
) -> list[Path]:
    """Write a folder of outputs at ``out`` by ``write(staging) -> names``; the files written.

    See the module's text for the steps. ``marker`` is the manifest's name, ``title`` its
    first line. OutputError (exit 2) when the folder cannot be written: nothing changed then.
    Any other error of ``write`` is raised as it is, and nothing changed either.
    """
    shown = printable(os.fspath(out))
    target = output_target(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target):
            _clean_leftovers(target)
            staging = staging_folder(target)
            try:
                names = write(staging)
                (staging / marker).write_text(
                    "\n".join([title, *names]) + "\n", encoding="utf-8", newline="\n"
                )
                for name in [*names, marker]:
                    _sync(staging / name)
                _sync(staging)
                with contextlib.suppress(OSError):  # the old folder's permissions carry over
                    os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
                extra = foreign(target, marker, names)
                if extra:
                    more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
                    raise ForeignFiles(
                        f"cannot write {shown}: it holds files zhusan did not write "
                        f"({', '.join(printable(e) for e in extra[:3])}{more}), which would be "
                        "lost; move them, or choose an empty or new folder"
                    )
                swap_in(staging, target)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
                _pending(staging, False)
    except OutputError:
        raise
    except OSError as exc:
        where = printable(exc.filename) if exc.filename else shown
        why = printable(exc.strerror or exc)
        raise OutputError(f"cannot write {where} ({why}); {shown} was not changed") from None
    return [target / name for name in names]
