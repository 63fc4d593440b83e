"""One `tracker run` per database: an exclusive `flock` on a file beside it.

The kernel releases a `flock` when the process holding it dies, even by SIGKILL, so a
crashed run never leaves a stale lock behind. The file itself stays (removing a locked
file races with the next run opening it); it only holds the pid of the last holder.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from types import TracebackType

from tracker.errors import AlreadyRunning, TrackerError


def lock_path(database: Path) -> Path:
    """The lock file of a database: `tracker.db` -> `tracker.db.lock`, beside the file
    itself (a database reached through a link has the same lock)."""
    real = database.resolve()
    return real.with_name(real.name + ".lock")


class RunLock:
    """An exclusive, non-blocking lock on `<database>.lock`, held until released."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise `AlreadyRunning` naming the holder's pid."""
        # os.open makes the descriptor non-inheritable, so no child process keeps the lock;
        # O_NOFOLLOW: a link planted there would have us truncate whatever it points to
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise TrackerError(f"{self.path} is a symbolic link: remove it (the run lock"
                                   " is a plain file)") from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another `tracker run` (pid {holder}) is already using {self.database}"
                f" (lock {self.path}); stop it first"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (closing the descriptor releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
