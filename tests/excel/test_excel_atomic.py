"""Safety: atomic replace, a lock per output, and the previous workbook kept on any failure."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import filelock
import pytest

from sheets_sync.errors import OutputLockedError, SinkError
from sheets_sync.report import ColumnKind
from sheets_sync.sinks import atomic
from sheets_sync.sinks.atomic import STALE_TEMP_SECONDS, atomic_output, lock_path, pending_path
from sheets_sync.sinks.excel import write_workbook

from excel_helpers import NOW, assert_data, make_tab

COLUMNS = [("Name", ColumnKind.TEXT), ("Posts", ColumnKind.INTEGER)]
REPO = Path(__file__).resolve().parents[2]


def _write(path: Path, rows, **kwargs):
    return write_workbook(path, [make_tab("Data", COLUMNS, rows)], now=NOW, **kwargs)


def _exploding_rows():
    yield ["fine", 1]
    raise RuntimeError("API connection dropped mid-stream")


def test_failure_mid_write_leaves_the_previous_workbook(tmp_path: Path) -> None:
    """An exception while rows stream keeps the old file byte for byte and removes the temp file."""
    out = tmp_path / "report.xlsx"
    _write(out, [["old", 1]])
    before = out.read_bytes()
    with pytest.raises(RuntimeError, match="dropped"):
        _write(out, _exploding_rows())
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx", "report.xlsx.lock"]


def test_first_write_failure_creates_no_file(tmp_path: Path) -> None:
    """If the very first write fails, no output (and no temp file) appears."""
    with pytest.raises(RuntimeError):
        _write(tmp_path / "new.xlsx", _exploding_rows())
    assert not (tmp_path / "new.xlsx").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_kill_during_save_keeps_the_previous_workbook(tmp_path: Path) -> None:
    """A process killed with SIGKILL while writing leaves the earlier workbook intact and readable."""
    out = tmp_path / "report.xlsx"
    _write(out, [["old", 1]])
    before = out.read_bytes()
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from sheets_sync.report import Column, Table, TableMeta
        from sheets_sync.sinks.excel import ExcelTab, write_workbook
        def rows():
            for i in range(10**9):
                if i == 5000:
                    print("streaming", flush=True)
                yield ["row", i]
        write_workbook(Path({str(out)!r}), [ExcelTab(Table([Column("a", "Name"), Column("b", "Posts")],
                       rows(), TableMeta("r", "e")), "Data")])
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "streaming"
    proc.kill()
    proc.wait()
    assert out.read_bytes() == before


def test_replace_is_atomic_and_keeps_file_mode(tmp_path: Path) -> None:
    """The new workbook replaces the old one by rename, keeping the old file's permissions."""
    out = tmp_path / "report.xlsx"
    _write(out, [["old", 1]])
    os.chmod(out, 0o640)
    inode = out.stat().st_ino
    _write(out, [["new", 2]])
    assert out.stat().st_ino != inode
    assert out.stat().st_mode & 0o777 == 0o640


def test_a_held_lock_times_out_with_output_locked_error(tmp_path: Path) -> None:
    """While another writer holds the output's lock, a write fails with OutputLockedError after the timeout."""
    out = tmp_path / "report.xlsx"
    with filelock.FileLock(str(lock_path(out))):
        with pytest.raises(OutputLockedError, match="another run"):
            _write(out, [["x", 1]], lock_timeout=0.2)
    assert not out.exists()


def test_stale_temp_files_are_cleaned_up(tmp_path: Path) -> None:
    """Temp files left by a crashed run (older than the grace period) are removed on the next write."""
    out = tmp_path / "report.xlsx"
    stale = tmp_path / ".report.xlsx.deadbeef.tmp"
    stale.write_bytes(b"half a zip")
    old = time.time() - STALE_TEMP_SECONDS - 5
    os.utime(stale, (old, old))
    fresh = tmp_path / ".report.xlsx.cafe.tmp"
    fresh.write_bytes(b"someone else's")
    _write(out, [["x", 1]])
    assert not stale.exists() and fresh.exists()


def test_missing_output_folder_is_a_sink_error(tmp_path: Path) -> None:
    """Writing into a folder that does not exist fails with a SinkError naming it."""
    with pytest.raises(SinkError, match="does not exist"):
        _write(tmp_path / "nope" / "report.xlsx", [["x", 1]])


def test_temp_file_sits_beside_the_output(tmp_path: Path) -> None:
    """The temporary file is created in the output's folder (so os.replace never crosses filesystems)."""
    out = tmp_path / "report.dat"
    with atomic_output(out) as handle:
        temp = Path(handle.name)
        assert temp.parent == tmp_path and temp.name.startswith(".report.dat.") and temp.name.endswith(".tmp")
        handle.write(b"data")
    assert out.read_bytes() == b"data" and not temp.exists()


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    """Two writers racing for one output take turns: the result is one complete workbook, never a mix."""
    import threading

    from excel_helpers import calamine_rows
    out = tmp_path / "report.xlsx"
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            _write(out, [[tag, i] for i in range(3000)])
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = {row[0] for row in calamine_rows(out, "Data")[1:]}
    assert names in ({"left"}, {"right"})


def test_lock_in_a_state_folder_leaves_only_the_workbook_beside_the_output(tmp_path: Path) -> None:
    """With `lock_dir`, the lock file lives there and the output folder holds nothing but the workbook."""
    out_dir, state = tmp_path / "reports", tmp_path / "state" / "locks"
    out_dir.mkdir()
    out = out_dir / "report.xlsx"
    _write(out, [["x", 1]], lock_dir=state)
    assert [p.name for p in out_dir.iterdir()] == ["report.xlsx"]
    assert lock_path(out, state).parent == state and lock_path(out, state).exists()
    with filelock.FileLock(str(lock_path(out, state))):
        with pytest.raises(OutputLockedError):
            _write(out, [["y", 2]], lock_timeout=0.2, lock_dir=state)


def _refuse_replacing(monkeypatch: pytest.MonkeyPatch, output: Path, times: int) -> list[str]:
    """Make os.replace onto `output` raise PermissionError `times` times, as Windows does for a file open in Excel."""
    real_replace = os.replace
    refusals: list[str] = []

    def replace(src, dst):
        if Path(dst) == output and len(refusals) < times:
            refusals.append(str(dst))
            raise PermissionError(13, "The process cannot access the file because it is being used by another "
                                      "process", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    return refusals


def test_output_open_elsewhere_keeps_the_new_file_as_pending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the output cannot be replaced, the old file stays and the new one is kept readable as .pending.xlsx."""
    out = tmp_path / "report.xlsx"
    _write(out, [["old", 1]])
    before = out.read_bytes()
    monkeypatch.setattr(atomic, "REPLACE_RETRY_DELAYS", (0.0, 0.0))
    refusals = _refuse_replacing(monkeypatch, out, times=100)
    with pytest.raises(SinkError) as caught:
        _write(out, [["new", 2], ["newer", 3]])
    pending = tmp_path / "report.pending.xlsx"
    assert len(refusals) == 3                                   # the first try and one per delay
    assert str(pending) in caught.value.message and "previous file is unchanged" in caught.value.message
    assert out.read_bytes() == before
    assert_data(pending, "Data", [["new", 2], ["newer", 3]])   # both readers read the pending file
    assert not list(tmp_path.glob(".*.tmp"))


def test_replace_is_retried_with_the_injected_sleep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that is released after two refusals is replaced normally, after two injected sleeps."""
    out = tmp_path / "report.bin"   # bytes, not a workbook: only the replace is under test
    out.write_bytes(b"old")
    _refuse_replacing(monkeypatch, out, times=2)
    slept: list[float] = []
    with atomic_output(out, sleep=slept.append) as handle:
        handle.write(b"new")
    assert out.read_bytes() == b"new"
    assert slept == list(atomic.REPLACE_RETRY_DELAYS[:2])
    assert not pending_path(out).exists()


def test_pending_name_keeps_the_workbook_suffix() -> None:
    """The pending file keeps .xlsx/.xlsm at the end so Excel still opens it."""
    assert pending_path(Path("out/Q1 report.xlsm")) == Path("out/Q1 report.pending.xlsm")
