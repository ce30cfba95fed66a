"""Installed like a tool: `pip install .` into a fresh virtualenv, then `sheets-sync` works from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from sheets_sync import __version__

ROOT = Path(__file__).resolve().parent.parent
# What `pip install .` reads: the package and the files pyproject.toml names.
SOURCE_FILES = ("pyproject.toml", "README.md", "requirements.txt")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv with sheets-sync pip-installed from a copy of this checkout.

    The venv sees the system's site-packages, so the runtime dependencies need no download
    (`--no-deps`); pip builds from a copy because a build writes build/ and *.egg-info into the
    source folder, which must stay clean.
    """
    base = tmp_path_factory.mktemp("install")
    source = base / "src"
    shutil.copytree(ROOT / "sheets_sync", source / "sheets_sync", ignore=shutil.ignore_patterns("__pycache__"))
    for name in SOURCE_FILES:
        shutil.copy2(ROOT / name, source / name)
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(base / "venv")
    bin_dir = base / "venv" / ("Scripts" if os.name == "nt" else "bin")
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install",
                          "--no-deps", "--quiet", str(source)],
                         capture_output=True, text=True, timeout=300, env=_clean_env(), check=False)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return bin_dir


def _clean_env() -> dict[str, str]:
    # Nothing may reach the installed tool from this checkout or from real credentials.
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("LATER_")}


def _tool(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed / "sheets-sync"), *args], cwd=cwd, env=_clean_env(),
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_installed_package_is_imported_from_the_venv(installed: Path, tmp_path: Path) -> None:
    """The venv imports its own installed copy, not this checkout (otherwise the other checks prove nothing)."""
    probe = subprocess.run([str(installed / "python"), "-c", "import sheets_sync; print(sheets_sync.__file__)"],
                           cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=60, check=False)
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()).is_relative_to(installed.parent)


@pytest.mark.slow
def test_installed_version_prints_the_package_version(installed: Path, tmp_path: Path) -> None:
    """`sheets-sync --version` of the installed tool prints `sheets-sync X.Y.Z` and exits 0."""
    result = _tool(installed, "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sheets-sync {__version__}"


@pytest.mark.slow
def test_installed_demo_runs_from_any_folder(installed: Path, tmp_path: Path) -> None:
    """`sheets-sync demo` of the installed tool, in an empty folder far from the checkout, writes the workbook
    and CSV to reports/ and the history to .sheets-sync/ there, and `sheets-sync history` there lists the run."""
    folder = tmp_path / "anywhere"
    folder.mkdir()
    result = _tool(installed, "demo", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (folder / "reports").iterdir()) == ["demo-campaigns.csv", "demo-report.xlsx"]
    assert (folder / "reports" / "demo-report.xlsx").stat().st_size > 10_000
    history = _tool(installed, "history", cwd=folder)
    assert history.returncode == 0, history.stderr
    assert "Campaigns" in history.stdout and "Weekly" in history.stdout
