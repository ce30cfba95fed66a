"""Where a config keeps its run state (`state_url`, `state_dir`): offline checks, and the lookup `history` uses."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sheets_sync.config.models import Config

EXAMPLE_URLS = "sqlite:///history.sqlite or postgresql://host/db"
HISTORY_FILE = "history.sqlite"  # the history database inside state_dir when there is no state_url
EXPECTED_URL = f"expected a SQLAlchemy database URL such as {EXAMPLE_URLS}"

# SQLAlchemy's name of a driver → (module it imports, package that installs it). Looked up without
# importing anything; a driver missing here (a third-party dialect) is left to the run to report.
DRIVER_MODULES: dict[str, tuple[str, str | None]] = {
    "pysqlite": ("sqlite3", None),
    "pysqlcipher": ("sqlcipher3", "sqlcipher3"),
    "psycopg": ("psycopg", "psycopg"),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "psycopg2cffi": ("psycopg2cffi", "psycopg2cffi"),
    "pg8000": ("pg8000", "pg8000"),
    "mysqldb": ("MySQLdb", "mysqlclient"),
    "pymysql": ("pymysql", "PyMySQL"),
    "mysqlconnector": ("mysql.connector", "mysql-connector-python"),
    "cymysql": ("cymysql", "cymysql"),
    "mariadbconnector": ("mariadb", "mariadb"),
    "oracledb": ("oracledb", "oracledb"),
    "cx_oracle": ("cx_Oracle", "cx_Oracle"),
    "pyodbc": ("pyodbc", "pyodbc"),
    "pymssql": ("pymssql", "pymssql"),
}


def state_url_problem(url: str) -> str | None:
    """Why `url` cannot hold the run history (not a URL, unknown dialect, driver not installed, an asyncio
    driver, a SQLite file that cannot be made), or None; a password in it is registered as a secret."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from sheets_sync.redaction import register_secret

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return EXPECTED_URL
    register_secret(parsed.password if isinstance(parsed.password, str) else None)
    try:
        dialect = parsed.get_dialect()  # the dialect registry only: nothing connects, no driver is imported
    except NoSuchModuleError:
        return f'unknown database dialect or driver "{parsed.drivername}"; {EXPECTED_URL}'
    except Exception:  # noqa: BLE001 - a third-party dialect that fails to load is the run's to report
        return None
    if getattr(dialect, "is_async", False):
        return (f'"{parsed.drivername}" is an asyncio driver, which the run history cannot use; '
                f"name a regular driver, e.g. {parsed.get_backend_name()}+<driver>://")
    problem = driver_problem(parsed.drivername, str(getattr(dialect, "driver", "")))
    if problem:
        return problem
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            return ("an in-memory SQLite database keeps no history (it is gone when the run ends); "
                    "name a file, e.g. sqlite:///history.sqlite, or leave state_url out")
        problem = state_path_problem(Path(database), folder=False)
        if problem is None and str(getattr(dialect, "driver", "")) == "pysqlite":
            problem = sqlite_file_problem(Path(database))
        return problem
    return None


SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file_problem(path: Path) -> str | None:
    """Why an existing, non-empty `path` cannot be the SQLite history (it is some other file), or None.

    An empty file is a valid empty database to SQLite; any other file without SQLite's header would only
    fail when the run records its history, after every output was written.
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"cannot read the database file {path}: {exc.strerror or exc}"
    if header != SQLITE_HEADER:
        return f"{path} is not a SQLite database; name another file, or move this one away"
    return None


def driver_problem(drivername: str, driver: str) -> str | None:
    """Why the database driver of `drivername` (SQLAlchemy's `driver` name) cannot be imported here, or None."""
    module, package = DRIVER_MODULES.get(driver, (None, None))
    if module is None or _importable(module):
        return None
    default = "" if "+" in drivername else f" (the default driver of {drivername}://)"
    install = f"install it with `pip install {package}`" if package else "it is missing from this Python"
    return (f'database driver "{driver}"{default} is not installed (Python module {module}): {install}, '
            f"or name a driver that is installed, e.g. {drivername.split('+')[0]}+<driver>://")


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package ("mysql" of mysql.connector)
        return False


def can_create_files_in(folder: Path) -> bool:
    """True when a file can be made in `folder`: tried with an anonymous temporary file, not guessed from
    the mode bits (root passes every permission check, yet a read-only or virtual file system refuses it)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def state_path_problem(path: Path, *, folder: bool = True) -> str | None:
    """Why the state folder (or, `folder=False`, the SQLite file) `path` cannot be used, or None.

    Checked without leaving anything behind: the path itself when it exists, else its nearest existing
    ancestor, which must be a writable folder (the run creates the missing folders).
    """
    what = "folder" if folder else "database file"
    if "\x00" in str(path):  # pathlib answers "does not exist", then every use of it raises ValueError
        return f"the {what} path contains a NUL character (\\0)"
    try:
        if path.exists():
            if folder and not path.is_dir():
                return f"{path} is a file, not a folder; name a folder (it is created when missing)"
            if not folder and path.is_dir():
                return f"{path} is a folder, not a {what}"
            target = path if folder else path.parent
            if not can_create_files_in(target):
                return f"{target} is not writable"
            return None
        ancestor = path.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            return f"cannot create the {what} {path}: {ancestor} is a file, not a folder"
        if not can_create_files_in(ancestor):
            return f"cannot create the {what} {path}: {ancestor} is not writable"
    except (OSError, ValueError) as exc:  # a name too long for the file system, a broken mount, ...
        return f"cannot use the {what} {path}: {getattr(exc, 'strerror', None) or exc}"
    return None


def state_problems(cfg: Config, state_dir_written: bool) -> list[tuple[tuple[str | int, ...], str]]:
    """Problems of `state_url` and of the (resolved) `state_dir`, as (key path, message).

    The state folder holds the history unless `state_url` names a database; it also holds the output
    locks, which fall back to the outputs' folders with a warning, so a default folder that cannot
    be made is only a problem when the history goes there.
    """
    found: list[tuple[tuple[str | int, ...], str]] = []
    if cfg.state_url is not None:
        problem = state_url_problem(cfg.state_url)
        if problem:
            found.append((("state_url",), problem))
    if cfg.state_dir is not None and (state_dir_written or cfg.state_url is None):
        folder = Path(cfg.state_dir)
        problem = state_path_problem(folder)
        if problem is None and cfg.state_url is None:
            problem = (state_path_problem(folder / HISTORY_FILE, folder=False)
                       or sqlite_file_problem(folder / HISTORY_FILE))
        if problem:
            default = "" if state_dir_written else " (the default state_dir, beside the config file)"
            found.append((("state_dir",), problem + default))
    return found


def history_config(path: str | os.PathLike[str], env: Mapping[str, str]) -> Config:
    """The config at `path` as far as the run history needs it: `state_url` and `state_dir` must be valid,
    problems elsewhere (API credentials not in the environment, a report with a typo) do not matter.

    Raises ConfigError with the problems that do matter (or every problem when the file cannot be read).
    """
    from sheets_sync.config.loader import check_config_file
    from sheets_sync.errors import ConfigError

    result = check_config_file(path, env)
    if result.config is not None and not result.problems:
        return result.config
    relevant = [p for p in result.problems if p.path.split(".")[0].split("[")[0] in ("state_url", "state_dir")]
    if result.partial is None or relevant:
        raise ConfigError(relevant or result.problems)
    return result.partial
