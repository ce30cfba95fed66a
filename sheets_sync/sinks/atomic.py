"""Replace an output file atomically under a per-output lock, or leave the previous file untouched.

On Windows a workbook open in Excel cannot be replaced (`PermissionError`): the replace is retried a
few times, then the new file is kept beside the output as `<name>.pending<suffix>` and a SinkError
says where it is; the previous file is never deleted.

Leftovers of an earlier writer are removed by the next successful write of the same output, under
its lock: the `.pending` file (the output just written is newer), and temporary files whose writer
is gone. A temporary file's name carries its writer's host and process id
(`.<name>.<host>-<pid>-<random>.tmp`): one from this host whose process has exited (killed, crashed)
is removed at once; one from another host, or in the older name form, once it is STALE_TEMP_SECONDS
old (a writer there might not honour our lock, and a live writer keeps touching its file).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import socket
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import filelock

from sheets_sync.errors import OutputLockedError, SinkError

STALE_TEMP_SECONDS = 60
# Waits between attempts to replace an output that is open elsewhere (Excel on Windows): ~1.5 s in all.
REPLACE_RETRY_DELAYS = (0.1, 0.2, 0.4, 0.8)


def lock_path(output: Path, lock_dir: Path | None = None) -> Path:
    """Return the lock file used for `output` (never the output itself, per py-filelock's advice).

    With `lock_dir` (the config's state folder) the lock lives there, named after the output's full
    path so that two outputs with the same file name never share a lock; otherwise beside `output`.
    """
    if lock_dir is None:
        return output.with_name(output.name + ".lock")
    digest = hashlib.sha256(str(output.resolve()).encode("utf-8")).hexdigest()[:16]
    return lock_dir / f"{output.name}.{digest}.lock"


_OWNER = re.compile(r"(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]+")


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_path(output: Path) -> Path:
    """A fresh temporary file name beside `output`, naming this host and process as its writer."""
    return output.parent / f".{output.name}.{_host_tag()}-{os.getpid()}-{secrets.token_hex(6)}.tmp"


def _temp_glob(output: Path) -> str:
    return f".{glob_escape(output.name)}.*.tmp"


def glob_escape(name: str) -> str:
    """`name` with glob wildcards made literal (an output named `[draft].csv` must not match other files)."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _process_exists(pid: int) -> bool:
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would terminate the process on Windows: rely on the age check there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists under another user
        return True
    return True


def _abandoned(temp: Path, output: Path, cutoff: float) -> bool:
    """True when no live writer can own `temp` (see the module docstring)."""
    owner = _OWNER.fullmatch(temp.name[len(output.name) + 2:-len(".tmp")])
    if owner and owner["host"] == _host_tag() and int(owner["pid"]) != os.getpid():
        return not _process_exists(int(owner["pid"]))
    return temp.stat().st_mtime < cutoff


def _remove_leftovers(output: Path) -> None:
    # Only called while holding the output's lock after a successful replace, so no writer that honours
    # the lock owns these; `_abandoned` protects one that does not.
    cutoff = time.time() - STALE_TEMP_SECONDS
    for temp in output.parent.glob(_temp_glob(output)):
        with contextlib.suppress(OSError):
            if _abandoned(temp, output, cutoff):
                temp.unlink()
    with contextlib.suppress(OSError):
        pending_path(output).unlink(missing_ok=True)  # older than the output just written


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows), hence best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _final_mode(output: Path) -> int:
    try:
        return stat.S_IMODE(output.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def pending_path(output: Path) -> Path:
    """Where a new file is kept when `output` cannot be replaced: `report.xlsx` → `report.pending.xlsx`."""
    return output.with_name(f"{output.stem}.pending{output.suffix}")


def _replace(temp: Path, output: Path, sleep: Callable[[float], None]) -> None:
    """Move `temp` over `output`, retrying while `output` is held open; else keep it as the pending file.

    Raises:
        SinkError: `output` stayed locked; the message names the pending file (the old one is untouched).
    """
    for delay in (*REPLACE_RETRY_DELAYS, None):
        try:
            os.replace(temp, output)
            return
        except PermissionError as exc:
            refused = exc
        if delay is not None:
            sleep(delay)
    pending = pending_path(output)
    reason = refused.strerror or str(refused)
    try:
        os.replace(temp, pending)
    except OSError as exc:
        raise SinkError(f"{output.name}: cannot be replaced ({reason}; is it open in Excel?) and the new "
                        f"file could not be kept as {pending.name} ({exc.strerror or exc}); "
                        "the previous file is unchanged") from exc
    raise SinkError(f"{output.name}: cannot be replaced ({reason}; is it open in Excel?); the previous file "
                    f"is unchanged and the new file is at {pending}") from refused


@contextlib.contextmanager
def atomic_output(output: Path, lock_timeout: float = 60, lock_dir: Path | None = None, *,
                  sleep: Callable[[float], None] = time.sleep) -> Iterator[BinaryIO]:
    """Yield a temporary file beside `output`; on success it replaces `output`, on error it is removed.

    The temp file is flushed and fsync'ed before `os.replace`, and the folder after it. A replace
    refused with PermissionError is retried after each of REPLACE_RETRY_DELAYS (waited with `sleep`).

    Raises:
        OutputLockedError: another writer held `output`'s lock for `lock_timeout` seconds.
        SinkError: the folder cannot be written, or `output` stayed open elsewhere (the new file is
            then kept as `pending_path(output)` and the previous file is untouched).
    """
    directory = output.parent
    if not directory.is_dir():
        raise SinkError(f"output folder {str(directory)!r} does not exist")
    if lock_dir is not None:
        lock_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(lock_path(output, lock_dir)), timeout=lock_timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise OutputLockedError(
            f"{output.name}: another run is writing this file (lock {lock_path(output).name} held "
            f"for more than {lock_timeout:g} s)"
        ) from None
    try:
        temp = temp_path(output)
        try:
            handle = open(temp, "xb")  # noqa: SIM115 - closed below before the rename
        except OSError as exc:
            raise SinkError(f"cannot write in {str(directory)!r}: {exc.strerror}") from exc
        try:
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, _final_mode(output))
            _replace(temp, output, sleep)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_dir(directory)
        _remove_leftovers(output)
    finally:
        lock.release()
