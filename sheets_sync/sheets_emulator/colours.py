"""Colours as Google keeps them: 8 bits a component, and each colour mirrored in its ColorStyle twin."""

from __future__ import annotations

import math
from typing import Any

from sheets_sync.sheets_emulator.fieldmask import Path

Json = dict[str, Any]
# (where the pair sits in a CellFormat, the Color field, its ColorStyle twin)
_FORMAT_PAIRS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    ((), "backgroundColor", "backgroundColorStyle"),
    (("textFormat",), "foregroundColor", "foregroundColorStyle"),
    *((("borders", side), "color", "colorStyle") for side in ("top", "bottom", "left", "right")),
)


def component(value: Any) -> int | float:
    """One red/green/blue value as Google answers it: cut to 8 bits (0.5 → 127/255), then printed in single
    precision (0.49803922); the recording of `rgbColor.blue: 0.5` reads back 0.49803922."""
    level = math.floor(float(value) * 255 + 1e-6)  # the epsilon keeps k/255 on k after the float round trip
    number = float(f"{max(0, min(level, 255)) / 255:.8g}")
    return int(number) if number.is_integer() else number


def rgb(colour: Any) -> Json:
    """A Color with zero components left out, as proto3 answers it; alpha kept in single precision."""
    out: Json = {}
    for key, value in (colour or {}).items():
        if not value:
            continue
        if key == "alpha":
            number = float(f"{float(value):.8g}")
            out[key] = int(number) if number.is_integer() else number
        else:
            out[key] = component(value)
    return out


def mirrored(colour: Any, style: Any) -> tuple[Json | None, Json | None]:
    """(Color, ColorStyle) after a write that set either: an rgb style sets the colour and the reverse; a theme
    style stays alone. (None, None) when neither is set."""
    if isinstance(style, dict) and "rgbColor" in style:
        value = rgb(style["rgbColor"])
        return value, {"rgbColor": value}
    if isinstance(style, dict) and style:
        return None, dict(style)
    if colour is not None:
        value = rgb(colour)
        return value, {"rgbColor": value}
    return None, None


def format_with_styles(fmt: Json) -> Json:
    """A written CellFormat with every colour quantised and mirrored in its style twin."""
    out = dict(fmt)
    for where, colour_key, style_key in _FORMAT_PAIRS:
        node = out
        for key in where:
            child = node.get(key)
            if not isinstance(child, dict):
                break
            node[key] = node = dict(child)
        else:
            if colour_key not in node and style_key not in node:
                continue
            colour, style = mirrored(node.pop(colour_key, None), node.pop(style_key, None))
            if colour is not None:
                node[colour_key] = colour
            if style is not None:
                node[style_key] = style
    return out


def cell_with_styles(cell: Json) -> Json:
    """A written CellData whose userEnteredFormat colours are mirrored (the rest untouched)."""
    fmt = cell.get("userEnteredFormat")
    return {**cell, "userEnteredFormat": format_with_styles(fmt)} if isinstance(fmt, dict) else cell


def mask_with_twins(paths: list[Path]) -> list[Path]:
    """A cell field mask that names a colour also names its style twin (and the reverse): they are one setting."""
    out = list(paths)
    for path in paths:
        for where, colour_key, style_key in _FORMAT_PAIRS:
            prefix = ("userEnteredFormat", *where)
            if tuple(path[:-1]) == prefix and path[-1] in (colour_key, style_key):
                twin = (*prefix, style_key if path[-1] == colour_key else colour_key)
                if twin not in out:
                    out.append(twin)
    return out
