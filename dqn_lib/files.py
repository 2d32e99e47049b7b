"""Writing files so that a crash never leaves one half-written.

Used by the checkpoints (notebooks/09_double_dqn.py) and the GIFs (notebooks/01_cartpole.py).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all.

    The bytes go to a temporary file in the same folder, are flushed and fsynced, and the file
    is renamed over ``path`` (``os.replace`` is atomic on one file system). On any error,
    ``KeyboardInterrupt`` included, the temporary file is removed and an earlier file at
    ``path`` is left exactly as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a lesson's file is for sharing
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
