"""Writing files so that a crash never leaves one half-written, and reading them safely.

Used by the checkpoints (notebooks/09_double_dqn.py) and the GIFs (notebooks/01_cartpole.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from dqn_lib.i18n import tr

try:  # POSIX; elsewhere stale temporary files are left for the user to remove
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]

_TEMPORARY_SUFFIX = ".tmp"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all.

    The bytes go to a temporary file in the same folder, ``.<name>.<random>.tmp``, are flushed
    and fsynced, and the file is renamed over ``path`` (``os.replace`` is atomic on one file
    system). On any error, ``KeyboardInterrupt`` included, the temporary file is removed and an
    earlier file at ``path`` is left exactly as it was. The new file keeps the permission mode of
    the file it replaces; a new file gets the usual ``0o666`` less the process's umask. When
    ``path`` is a symlink, the file it points to is the one replaced, and the link stays.

    A process killed while writing (``kill -9``, a power cut) cannot remove its temporary file:
    the next ``write_atomically`` of the same ``path`` does. A writer holds a lock on its
    temporary file, so only files whose writer is gone are removed, never another process's
    write in progress; at most one temporary file is ever left behind.
    """
    path = Path(os.path.realpath(path))  # through a symlink: its target is replaced
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    remove_stale_temporaries(path)
    descriptor, temporary = _locked_temporary(path)
    try:
        os.fchmod(descriptor, mode)  # mkstemp makes it private (0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            os.replace(temporary, path)  # still locked: no cleanup takes it for a stale one
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def check_file_target(path: Path, argument: str) -> None:
    """Refuse, before anything is computed, a ``path`` no file can be written at: one that
    names a directory, one whose folder is (or lies under) a file, or a name longer than the
    file system allows. ``argument`` says whose argument it is ("Checkpointing's path"). Not
    taught in a lesson: ``save_checkpoint`` and ``train`` call it (notebooks/09_double_dqn.py)."""
    if os.path.isdir(path):
        raise IsADirectoryError(
            tr("{name} {path} is a directory: name a file in it.").format(name=argument, path=path)
        )
    folder = path.absolute().parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(
            tr(
                "{name} {path} cannot be written: {folder} is a file, not a folder. Choose a "
                "path in a folder."
            ).format(name=argument, path=path, folder=folder)
        )
    written = os.fsencode(Path(os.path.realpath(path)).name)  # a symlink's target is written
    try:
        longest = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return
    extra = len(f"..{'x' * 8}{_TEMPORARY_SUFFIX}")  # the temporary file's name adds these
    if len(written) + extra > longest:
        raise ValueError(
            tr(
                "{name} {path} has a name of {length} bytes; this file system allows at most "
                "{longest}, less {extra} for the temporary file written first. Choose a shorter "
                "name."
            ).format(name=argument, path=path, length=len(written), longest=longest, extra=extra)
        )


def _mode_for(path: Path) -> int:
    """The mode of the file ``path`` names now, else ``0o666`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere: set and put back at once
    os.umask(mask)
    return mask


def _temporary_pattern(path: Path) -> re.Pattern[str]:
    """The names ``tempfile.mkstemp`` gives ``path``'s temporary files (8 random characters)."""
    return re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}" + re.escape(_TEMPORARY_SUFFIX))


def _locked_temporary(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, open and locked: no cleanup takes it for stale."""
    for _ in range(100):
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=_TEMPORARY_SUFFIX
        )
        if fcntl is None:
            return descriptor, temporary
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:  # another writer's cleanup may have taken it before the lock: then make another
            if os.stat(temporary).st_ino == os.fstat(descriptor).st_ino:
                return descriptor, temporary
        except FileNotFoundError:
            pass
        os.close(descriptor)
    raise OSError(tr("Could not create a temporary file beside {path}.").format(path=path))


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files that earlier writes of ``path`` left behind when their process
    was killed; a write still in progress (its file locked) is left alone. Returns the removed
    files. Not taught in a lesson: ``write_atomically`` calls it before every write."""
    if fcntl is None:
        return []
    pattern = _temporary_pattern(path)
    removed = []
    try:
        names = [name for name in os.listdir(path.parent) if pattern.fullmatch(name)]
    except OSError:
        return []
    for name in names:
        candidate = path.parent / name
        try:
            descriptor = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                continue
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its writer is alive and writing
            if os.lstat(candidate).st_ino == os.fstat(descriptor).st_ino:
                os.unlink(candidate)
                removed.append(candidate)
        except OSError:
            continue
        finally:
            os.close(descriptor)
    return removed


class FileReadError(OSError):
    """``read_regular_file`` refused a path; the message says why."""


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, refusing anything else before reading a byte.

    A directory, a device (``/dev/zero``, also through a symlink), a FIFO or a socket is refused
    (a FIFO is opened without blocking), as is a file larger than ``max_bytes``; the read stops at
    the size the file had when it was opened. ``FileNotFoundError`` and other ``OSError``s pass
    through; a refusal is a ``FileReadError`` whose message completes "the file ...".
    """
    mode = os.stat(path).st_mode  # before opening: opening some devices has effects
    if not stat.S_ISREG(mode):
        raise FileReadError(tr("is not a regular file but {kind}").format(kind=_kind(mode)))
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)  # again: the path may have changed since
        if not stat.S_ISREG(info.st_mode):
            raise FileReadError(
                tr("is not a regular file but {kind}").format(kind=_kind(info.st_mode))
            )
        if info.st_size > max_bytes:
            raise FileReadError(
                tr("is {size:,} bytes, larger than the {max_bytes:,} bytes allowed").format(
                    size=info.st_size, max_bytes=max_bytes
                )
            )
        chunks, remaining = [], info.st_size
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, tr("a directory")),
        (stat.S_ISCHR, tr("a character device")),
        (stat.S_ISBLK, tr("a block device")),
        (stat.S_ISFIFO, tr("a FIFO (named pipe)")),
        (stat.S_ISSOCK, tr("a socket")),
    )
    return next((name for test, name in kinds if test(mode)), tr("not a regular file"))
