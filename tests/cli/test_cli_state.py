"""state_url and state_dir problems through the CLI: one located line and exit 2 from validate, run and history."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from sheets_sync.cli import main
from sheets_sync.config.state import state_path_problem, state_url_problem
from sheets_sync.history import RunHistory, RunRecord, sqlite_url

BASE = """\
api: {base_url: "http://127.0.0.1:9", client_id: "${LATER_CLIENT_ID}", client_secret: "${LATER_CLIENT_SECRET}"}
destinations:
  flat: {type: csv, output: out/x.csv}
reports:
  - {name: R, endpoint: campaigns/performance, metrics: [impressions], date_range: last_7_days, destination: flat}
"""


def _commands(config: Path) -> list[list[str]]:
    return [["validate", str(config)], ["run", str(config)], ["history", "--config", str(config)]]


def _write(tmp_path: Path, extra: str) -> Path:
    config = tmp_path / "sync.yaml"
    config.write_text(BASE + extra, encoding="utf-8")
    return config


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """API variables set (to values that reach nothing): only the state keys can be wrong."""
    monkeypatch.setenv("LATER_CLIENT_ID", "state-test-client")
    # registered as a secret for the whole process: a word such as "secret" would be masked in other tests
    monkeypatch.setenv("LATER_CLIENT_SECRET", "state-test-secret-7f3a")


@pytest.mark.parametrize(("url", "names"), [
    ("postgresql+psycopg2://sync:pw-1234@db.invalid/history", ("psycopg2", "pip install psycopg2-binary")),
    ("mysql+pymysql://sync@db.invalid/history", ("pymysql", "pip install PyMySQL")),
    ("mssql+pyodbc://db.invalid/history", ("pyodbc", "pip install pyodbc")),
    ("oracle+cx_oracle://db.invalid/history", ("cx_Oracle", "pip install cx_Oracle")),
])
def test_missing_database_driver_is_a_config_problem_everywhere(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 credentials: None, url: str,
                                                                 names: tuple[str, ...]) -> None:
    """state_url with a driver that is not installed: validate, run and history each exit 2 with one line naming
    the module and the package to install; no traceback, no password, nothing fetched or written."""
    config = _write(tmp_path, f'state_url: "{url}"\n')
    for argv in _commands(config):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert "Traceback" not in text and "pw-1234" not in text
        lines = [line for line in text.splitlines() if "state_url:" in line]
        assert len(lines) == 1 and all(name in lines[0] for name in names), text
        assert lines[0].startswith(f"{config}:6:")
    assert not (tmp_path / "out").exists()


def test_default_driver_of_a_bare_dialect_is_named(credentials: None) -> None:
    """`postgresql://` names its default driver psycopg, and says it is the default."""
    problem = state_url_problem("postgresql://db.invalid/history") or ""
    assert '"psycopg" (the default driver of postgresql://) is not installed' in problem


def test_asyncio_driver_is_refused() -> None:
    """An asyncio driver cannot be used by the history's synchronous engine: refused by name."""
    assert "asyncio driver" in (state_url_problem("postgresql+asyncpg://db.invalid/h") or "")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    """A history in memory would be lost when the run ends: refused with a fix."""
    assert "in-memory SQLite database keeps no history" in (state_url_problem(url) or "")


def test_sqlite_file_under_a_file_is_refused(tmp_path: Path) -> None:
    """sqlite:///FILE/h.sqlite where FILE is a regular file: refused, naming the file."""
    (tmp_path / "plain").write_text("x")
    problem = state_url_problem(f"sqlite:///{tmp_path}/plain/h.sqlite") or ""
    assert f"{tmp_path / 'plain'} is a file, not a folder" in problem


def test_installed_driver_and_sqlite_file_are_accepted(tmp_path: Path) -> None:
    """A SQLite file in a folder that can be made is fine (nothing is created by the check)."""
    assert state_url_problem(f"sqlite:///{tmp_path}/new/folder/h.sqlite") is None
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(("state_dir", "expected"), [
    ("plain.txt", "plain.txt is a file, not a folder"),
    ("plain.txt/state", "plain.txt is a file, not a folder"),
])
def test_state_dir_that_cannot_be_a_folder_is_a_config_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                credentials: None, state_dir: str,
                                                                expected: str) -> None:
    """state_dir naming a file, or a folder under a file: every command exits 2 naming the path, fetching nothing."""
    (tmp_path / "plain.txt").write_text("not a folder")
    config = _write(tmp_path, f"state_dir: {state_dir}\n")
    for argv in _commands(config):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        lines = [line for line in (captured.out + captured.err).splitlines() if "state_dir:" in line]
        assert len(lines) == 1 and expected in lines[0], captured
    assert not (tmp_path / "out").exists()


def test_history_file_that_is_a_folder_is_a_config_problem(tmp_path: Path, credentials: None,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """state_dir/history.sqlite being a folder would fail every run at the end: validate says so first."""
    (tmp_path / ".sheets-sync" / "history.sqlite").mkdir(parents=True)
    config = _write(tmp_path, "")
    assert main(["validate", str(config)]) == 2
    out = capsys.readouterr().out
    assert "history.sqlite is a folder, not a database file" in out and "default state_dir" in out


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_unwritable_state_dir_is_a_config_problem(tmp_path: Path, credentials: None,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A state folder in a read-only folder: validate exits 2 naming the folder that is not writable.

    As root, mode bits bind no one, so the folder is /proc, where not even root can make a file.
    """
    if os.geteuid() == 0:
        assert main(["validate", str(_write(tmp_path, "state_dir: /proc/sheets-sync-state\n"))]) == 2
        assert "/proc is not writable" in capsys.readouterr().out
        return
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["validate", str(_write(tmp_path, "state_dir: locked/state\n"))]) == 2
        assert f"{locked} is not writable" in capsys.readouterr().out
    finally:
        locked.chmod(0o700)


def test_unwritable_folder_check_uses_the_permission_the_os_reports(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The check asks the OS for write permission (faked here: tests run as root, whom no mode bit stops)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    expected = f"cannot create the folder {locked / 'state'}: {locked} is not writable"
    assert state_path_problem(locked / "state") == expected
    assert state_path_problem(locked) == f"{locked} is not writable"


def test_history_with_config_needs_no_api_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`history --config X` reads the local history with LATER_CLIENT_ID/SECRET unset (validate still wants them)."""
    monkeypatch.delenv("LATER_CLIENT_ID", raising=False)
    monkeypatch.delenv("LATER_CLIENT_SECRET", raising=False)
    config = _write(tmp_path, "")
    history = RunHistory(sqlite_url(tmp_path / ".sheets-sync"))
    moment = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
    history.record([RunRecord(run_id="r1", started_at=moment, finished_at=moment, report="Nightly", status="ok",
                              destinations="flat", rows=42)])
    history.close()
    assert main(["history", "--config", str(config)]) == 0
    assert "Nightly" in capsys.readouterr().out
    assert main(["validate", str(config)]) == 2  # the run itself still needs the credentials
    assert "LATER_CLIENT_ID is not set" in capsys.readouterr().out


def test_history_with_config_still_reports_a_broken_state_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Problems elsewhere are ignored by history, but a state_url from an unset variable is not silently dropped."""
    monkeypatch.delenv("LATER_CLIENT_ID", raising=False)
    monkeypatch.delenv("HISTORY_DB", raising=False)
    config = _write(tmp_path, 'state_url: "${HISTORY_DB}"\n')
    assert main(["history", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "state_url: environment variable HISTORY_DB is not set" in err and "LATER_CLIENT_ID" not in err


@pytest.mark.parametrize("argv", [["run", "\x00"], ["validate", "a\x00b"], ["history", "--config", "\x00"],
                                  ["preview", "\x00", "--report", "R"], ["demo", "--output-dir", "\x00"]])
def test_nul_in_a_path_argument_is_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """A NUL character in a path argument (found by the CLI fuzz test): one usage line, exit 2, no traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "a path cannot contain a NUL character" in err


@pytest.mark.parametrize(("line", "key"), [('state_dir: "a\\0b"', "state_dir"),
                                           ('state_url: "sqlite:///a\\0b"', "state_url")])
def test_nul_in_a_state_path_is_a_config_problem(tmp_path: Path, credentials: None, capsys: pytest.CaptureFixture[str],
                                                 line: str, key: str) -> None:
    """A NUL in state_dir or a SQLite state_url: validate, run and history exit 2 naming the key (was a traceback)."""
    config = _write(tmp_path, line + "\n")
    for argv in _commands(config):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        assert f"{key}: the " in captured.out + captured.err and "NUL character" in captured.out + captured.err


def test_history_limit_beyond_a_database_integer_lists_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`history --limit 99999999999999999999` (found by the fuzz test; SQLite overflowed) lists every run."""
    monkeypatch.chdir(tmp_path)
    history = RunHistory(sqlite_url(tmp_path / ".sheets-sync"))
    moment = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
    history.record([RunRecord(run_id="r1", started_at=moment, finished_at=moment, report="Nightly", status="ok")])
    history.close()
    assert main(["history", "--limit", "9" * 30]) == 0
    captured = capsys.readouterr()
    assert "Nightly" in captured.out and "Traceback" not in captured.err


def test_demo_output_dir_that_is_a_file_is_refused_before_fetching(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --output-dir FILE`: one usage line naming the file, exit 2, no emulator started, nothing written."""
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    assert main(["demo", "--output-dir", str(blocker)]) == 2
    captured = capsys.readouterr()
    assert f"{blocker} is a file, not a folder" in captured.err and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize("key", ["state_url", "state_dir"])
def test_a_history_file_that_is_not_a_sqlite_database_is_a_config_problem(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str],
                                                                           credentials: None, key: str) -> None:
    """A history file that is not SQLite (a text file, a wrong path): validate, run and history exit 2 naming it,
    and run fetches and writes nothing."""
    (tmp_path / "state").mkdir()
    not_a_database = tmp_path / "state" / "history.sqlite"
    not_a_database.write_text("these are my notes, not a database\n", encoding="utf-8")
    extra = f'state_url: "sqlite:///{not_a_database}"\n' if key == "state_url" else "state_dir: state\n"
    config = _write(tmp_path, extra)
    for argv in _commands(config):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert "Traceback" not in text
        lines = [line for line in text.splitlines() if f"{key}:" in line]
        assert len(lines) == 1 and "not a SQLite database" in lines[0] and "history.sqlite" in lines[0], text
    assert not (tmp_path / "out").exists()


def test_a_relative_sqlite_state_url_resolves_against_the_config_folder(tmp_path: Path, api_env: dict[str, str],
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """state_url: sqlite:///history.db is beside the config, as every relative path is: a run started from
    another folder and `history --config` from a third read and write the same history."""
    from tests.cli.conftest import CONFIG

    (tmp_path / "project").mkdir()
    config = tmp_path / "project" / "sync.yaml"
    config.write_text(CONFIG + 'state_url: "sqlite:///history.db"\n', encoding="utf-8")
    for folder in ("cron", "elsewhere"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / "cron")
    assert main(["run", str(config), "--report", "Platforms"]) == 0
    assert (tmp_path / "project" / "history.db").is_file() and not (tmp_path / "cron" / "history.db").exists()
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    assert main(["history", "--config", str(config)]) == 0
    assert "Platforms" in capsys.readouterr().out
