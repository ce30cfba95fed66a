"""Render the demo template's Summary page to docs/demo-template.png with LibreOffice and poppler.

    python templates/render_demo_png.py [workbook.xlsx]

Needs `soffice` (Debian: libreoffice-calc-nogui) and `pdftoppm` (poppler-utils). LibreOffice runs
with a private profile set to always recalculate, so KPI formulas show values, not cached zeros.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


# The Summary sheet's printed area on a landscape page at 110 dpi (x, y, width, height in pixels).
CROP = (80, 95, 1000, 520)


def render(workbook: Path, png: Path, dpi: int = 110) -> Path:
    """Convert `workbook` to PDF and the Summary part of its first page to `png`."""
    with tempfile.TemporaryDirectory() as tmp:
        user = Path(tmp, "profile", "user")
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(workbook)], check=True, capture_output=True)
        pdf = Path(tmp, workbook.stem + ".pdf")
        stem = Path(tmp, "page")
        x, y, width, height = CROP
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-x", str(x),
                        "-y", str(y), "-W", str(width), "-H", str(height), str(pdf), str(stem)], check=True)
        png.write_bytes(stem.with_suffix(".png").read_bytes())
    return png


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sheets_sync" / "demo" / "demo.xlsx"
    print(render(source, ROOT / "docs" / "demo-template.png"))
