"""Run LibreOffice headless with a private profile that always recalculates OOXML formulas on load."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# LibreOffice's default for OOXML is "never recalculate" (OOXMLRecalcMode = 1); 0 = always.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""
TIMEOUT_SECONDS = 240


def require_soffice() -> str:
    """Return the soffice binary; skip the test without it, unless CI=true (then fail)."""
    binary = shutil.which("soffice")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) is not installed")
    return binary


def convert(source: Path, target_format: str, outdir: Path) -> Path:
    """Convert `source` to `target_format` (csv, pdf, xlsx) in `outdir`; return the produced file."""
    binary = require_soffice()
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        user = Path(profile, "user")
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        subprocess.run([binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", target_format, "--outdir", str(outdir), str(source)],
                       check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
    produced = outdir / (source.stem + "." + target_format.split(":")[0])
    if not produced.exists():
        raise AssertionError(f"LibreOffice produced no {target_format} for {source.name}")
    return produced
