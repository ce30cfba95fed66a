"""Build sheets_sync/demo/demo.xlsx, the demo's branded template: `python templates/make_demo_template.py`.

XlsxWriter is a build-time tool here only (requirements-dev.txt); the sink never loads it. The
logo is drawn as a PNG with zlib and struct so no imaging library is needed.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import sys
import zlib
from pathlib import Path

import xlsxwriter

OUTPUT = Path(__file__).resolve().parent.parent / "sheets_sync" / "demo" / "demo.xlsx"  # package data
BRAND = "#5B3CC4"          # violet
ACCENT = "#FF7A59"         # coral
INK = "#1F2330"

CAMPAIGN_COLUMNS = ["Campaign ID", "Campaign", "Status", "Posts", "Impressions", "Engagements",
                    "Engagement Rate", "Est. Value", "Est. ROI"]
ENGAGEMENTS_PER_POST = ("=IFERROR(tblCampaigns[[#This Row],[Engagements]]"
                        "/tblCampaigns[[#This Row],[Posts]],0)")
SAMPLE_ROWS = 5            # sample data shown when the template itself is opened; replaced on refresh


def _png(width: int, height: int, pixel) -> bytes:
    """Encode an RGBA image given by pixel(x, y) -> (r, g, b, a) as PNG bytes."""
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def logo_png() -> bytes:
    """A small brand mark: a violet rounded badge with three overlapping coral/white bubbles."""
    width, height = 96, 96

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))

    violet, coral = rgb(BRAND), rgb(ACCENT)

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        # Rounded square badge (radius 20).
        cx, cy = min(max(x, 20), width - 21), min(max(y, 20), height - 21)
        if (x - cx) ** 2 + (y - cy) ** 2 > 20 ** 2:
            return (0, 0, 0, 0)
        for (bx, by, r, colour) in ((36, 56, 18, coral), (58, 40, 14, (255, 255, 255)), (66, 66, 9, coral)):
            if (x - bx) ** 2 + (y - by) ** 2 <= r * r:
                return (*colour, 255)
        shade = int(30 * y / height)
        return (max(violet[0] - shade, 0), max(violet[1] - shade, 0), max(violet[2] - shade, 0), 255)
    return _png(width, height, pixel)


def _sample_campaigns() -> list[list[object]]:
    names = ["Spring Launch", "Creator Week", "Summer Glow", "Back to School", "Holiday Gift Guide"]
    rows = []
    for i, name in enumerate(names):
        posts, impressions, engagements = 12 + 7 * i, 180_000 + 95_000 * i, 9_500 + 4_100 * i
        value = 14_000 + 6_500 * i
        rows.append([1000 + i, name, "Active" if i % 2 == 0 else "Completed", posts, impressions, engagements,
                     round(100 * engagements / impressions, 2), value, round(value / (5_000 + 1_500 * i), 2)])
    return rows


def build(path: Path = OUTPUT) -> Path:
    """Write the demo template to `path` and return it."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    wb.set_properties({"title": "Influencer campaign report", "author": "sheets-sync",
                       "comments": "Demo template; sheets-sync refreshes the four data tables.",
                       "created": dt.datetime(2026, 1, 1)})  # fixed, so rebuilding gives identical bytes
    f = {
        "title": wb.add_format({"bold": True, "font_size": 22, "font_color": INK}),
        "subtitle": wb.add_format({"font_size": 11, "font_color": "#6B7080"}),
        "kpi_label": wb.add_format({"font_size": 10, "font_color": "#FFFFFF", "bg_color": BRAND, "bold": True,
                                    "align": "center", "valign": "vcenter"}),
        "kpi_int": wb.add_format({"font_size": 18, "bold": True, "font_color": BRAND, "num_format": "#,##0",
                                  "align": "center", "bg_color": "#F1EDFC"}),
        "kpi_money": wb.add_format({"font_size": 18, "bold": True, "font_color": BRAND, "num_format": "$#,##0",
                                    "align": "center", "bg_color": "#F1EDFC"}),
        "kpi_rate": wb.add_format({"font_size": 18, "bold": True, "font_color": BRAND, "num_format": '0.00"%"',
                                   "align": "center", "bg_color": "#F1EDFC"}),
        "note": wb.add_format({"italic": True, "font_size": 9, "font_color": "#6B7080"}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "rate": wb.add_format({"num_format": "0.00"}),
        "money": wb.add_format({"num_format": "$#,##0"}),
        "roi": wb.add_format({"num_format": '0.00"x"'}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "text": wb.add_format({}),
    }

    summary = wb.add_worksheet("Summary")
    campaigns = wb.add_worksheet("Campaigns")
    creators = wb.add_worksheet("Creators")
    platforms = wb.add_worksheet("Platforms")
    trend = wb.add_worksheet("Trend")

    # --- data sheets: one table each, header in row 1, sample rows below ---------------------------
    camp_rows = _sample_campaigns()
    campaigns.add_table(0, 0, SAMPLE_ROWS, len(CAMPAIGN_COLUMNS), {
        "name": "tblCampaigns", "style": "Table Style Medium 2", "data": camp_rows,
        "columns": [{"header": h, "format": fmt} for h, fmt in zip(CAMPAIGN_COLUMNS, [
            f["text"], f["text"], f["text"], f["int"], f["int"], f["int"], f["rate"], f["money"], f["roi"],
        ], strict=True)]
        + [{"header": "Engagements per Post", "formula": ENGAGEMENTS_PER_POST[1:], "format": f["rate"]}],
    })
    campaigns.set_column(0, 0, 12)
    campaigns.set_column(1, 1, 24)
    campaigns.set_column(2, 9, 15)
    campaigns.freeze_panes(1, 0)
    # Conditional formats over whole data columns; the filler stretches them to the new last row.
    campaigns.conditional_format(1, 8, SAMPLE_ROWS, 8, {"type": "data_bar", "bar_color": ACCENT,
                                                        "bar_solid": True})
    campaigns.conditional_format(1, 6, SAMPLE_ROWS, 6, {"type": "3_color_scale", "min_color": "#F8696B",
                                                        "mid_color": "#FFEB84", "max_color": "#63BE7B"})

    creators.add_table(0, 0, SAMPLE_ROWS, 6, {
        "name": "tblCreators", "style": "Table Style Medium 2",
        "data": [[f"Creator {i + 1}", f"instagram:@creator{i + 1}", 3 + i, 40_000 + 9_000 * i,
                  2_100 + 700 * i, round(100 * (2_100 + 700 * i) / (40_000 + 9_000 * i), 2), 2_500 + 800 * i]
                 for i in range(SAMPLE_ROWS)],
        "columns": [{"header": h, "format": fmt} for h, fmt in zip(
            ["Creator", "Profiles", "Posts", "Impressions", "Engagements", "Engagement Rate", "Est. Value"],
            [f["text"], f["text"], f["int"], f["int"], f["int"], f["rate"], f["money"]], strict=True)],
    })
    creators.set_column(0, 1, 26)
    creators.set_column(2, 6, 15)
    creators.freeze_panes(1, 0)

    platforms.add_table(0, 0, SAMPLE_ROWS, 4, {
        "name": "tblPlatforms", "style": "Table Style Medium 2",
        "data": [[kind, 10 + 4 * i, 90_000 + 30_000 * i, 4_000 + 1_500 * i, round(100 * (4_000 + 1_500 * i) /
                  (90_000 + 30_000 * i), 2)] for i, kind in enumerate(["Post", "Reel", "Story", "Video", "Short"])],
        "columns": [{"header": h, "format": fmt} for h, fmt in zip(
            ["Content Type", "Posts", "Impressions", "Engagements", "Engagement Rate"],
            [f["text"], f["int"], f["int"], f["int"], f["rate"]], strict=True)],
    })
    platforms.set_column(0, 4, 16)
    platforms.freeze_panes(1, 0)

    week = dt.date(2026, 1, 5)
    trend.add_table(0, 0, SAMPLE_ROWS, 3, {
        "name": "tblTrend", "style": "Table Style Medium 2",
        "data": [[week + dt.timedelta(weeks=i), week + dt.timedelta(weeks=i, days=6), 120_000 + 15_000 * i,
                  6_000 + 900 * i] for i in range(SAMPLE_ROWS)],
        "columns": [{"header": h, "format": fmt} for h, fmt in zip(
            ["Week Start", "Week End", "Impressions", "Engagements"], [f["date"], f["date"], f["int"], f["int"]],
            strict=True)],
    })
    trend.set_column(0, 3, 14)
    trend.freeze_panes(1, 0)

    # --- summary: logo, title, KPI tiles, charts ---------------------------------------------------
    summary.hide_gridlines(2)
    summary.set_column(0, 0, 2)
    summary.set_column(1, 6, 19)
    summary.set_row(0, 30)
    summary.set_row(1, 42)
    summary.insert_image("B2", "logo.png", {"image_data": io.BytesIO(logo_png()), "x_scale": 0.55,
                                            "y_scale": 0.55, "object_position": 3, "description": "Brand logo"})
    summary.write("C2", "Influencer campaign report", f["title"])
    summary.write("C3", "Campaign performance from the Later Influence Reporting API, refreshed by sheets-sync.",
                  f["subtitle"])
    kpis = [("Campaigns", "=COUNT(tblCampaigns[Campaign ID])", f["kpi_int"]),
            ("Posts", "=SUM(tblCampaigns[Posts])", f["kpi_int"]),
            ("Impressions", "=SUM(tblCampaigns[Impressions])", f["kpi_int"]),
            ("Engagements", "=SUM(tblCampaigns[Engagements])", f["kpi_int"]),
            # Overall rate = total engagements / total impressions: a plain mean of the campaigns' rates
            # would weigh a 1,000-impression campaign like a 1,000,000-impression one.
            ("Engagement rate", "=IFERROR(100*SUM(tblCampaigns[Engagements])/SUM(tblCampaigns[Impressions]),0)",
             f["kpi_rate"]),
            ("Est. value", "=SUM(tblCampaigns[Est. Value])", f["kpi_money"])]
    summary.set_row(4, 22)
    summary.set_row(5, 34)
    for i, (label, formula, fmt) in enumerate(kpis):
        summary.write(4, 1 + i, label, f["kpi_label"])
        summary.write_formula(5, 1 + i, formula, fmt)

    top = wb.add_chart({"type": "bar"})
    top.add_series({"name": "Impressions", "categories": ["Campaigns", 1, 1, SAMPLE_ROWS, 1],
                    "values": ["Campaigns", 1, 4, SAMPLE_ROWS, 4], "fill": {"color": BRAND}, "gap": 60})
    top.set_title({"name": "Impressions by campaign", "name_font": {"size": 12, "color": INK}})
    top.set_legend({"none": True})
    top.set_y_axis({"reverse": True})
    top.set_x_axis({"num_format": '#,##0,"k"', "major_gridlines": {"visible": True, "line": {"color": "#E5E7EB"}}})
    top.set_size({"width": 405, "height": 320})
    summary.insert_chart("B8", top)

    line = wb.add_chart({"type": "line"})
    line.add_series({"name": "Impressions", "categories": ["Trend", 1, 0, SAMPLE_ROWS, 0],
                     "values": ["Trend", 1, 2, SAMPLE_ROWS, 2], "line": {"color": BRAND, "width": 2.25}})
    line.add_series({"name": "Engagements", "categories": ["Trend", 1, 0, SAMPLE_ROWS, 0],
                     "values": ["Trend", 1, 3, SAMPLE_ROWS, 3], "line": {"color": ACCENT, "width": 2.25},
                     "y2_axis": True})
    line.set_title({"name": "Weekly trend", "name_font": {"size": 12, "color": INK}})
    line.set_x_axis({"date_axis": True, "num_format": "mmm d", "major_unit": 7, "major_unit_type": "days"})
    line.set_y_axis({"num_format": '#,##0,"k"', "name": "Impressions"})
    line.set_y2_axis({"num_format": '#,##0,"k"', "name": "Engagements"})
    line.set_legend({"position": "bottom"})
    line.set_size({"width": 405, "height": 320})
    summary.insert_chart("E8", line, {"x_offset": 10})

    summary.write("B25", "Data tabs: Campaigns, Creators, Platforms, Trend. KPI cells and charts read the "
                  "tables by structured reference, so they follow every refresh.", f["note"])
    summary.set_landscape()
    summary.fit_to_pages(1, 1)
    summary.activate()
    wb.close()
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
