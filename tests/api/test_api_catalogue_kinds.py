"""The catalogue declares a kind and label for every field each endpoint returns, and the data bears them out."""

from __future__ import annotations

import ast
import datetime as dt
import math
from pathlib import Path

import pytest

from sheets_sync import catalogue
from sheets_sync.catalogue import FieldKind, field_info
from sheets_sync.timeseries import empty_bucket, is_ratio_metric

from api_helpers import WIDE, client_for, running_emulator

PACKAGE = Path(__file__).resolve().parents[2] / "sheets_sync"


@pytest.mark.parametrize("endpoint", catalogue.ENDPOINTS, ids=lambda e: e.name)
def test_every_field_of_every_endpoint_has_a_kind_and_a_label_of_its_own(endpoint):
    """Each column path (all metrics, objects, members, v1-only fields) is declared; no two share a label."""
    paths = endpoint.field_paths(version="v1")
    infos = {path: field_info(path) for path in paths}
    assert not [path for path, info in infos.items() if info is None or not info.label.strip()]
    labels = [info.label.casefold() for info in infos.values() if info is not None]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)


def test_only_metrics_have_metric_kinds():
    """Metrics are counts, money, unit costs, averages, percents or ratios; other fields never are."""
    assert all(info.kind.is_metric for info in catalogue.METRICS.values())
    assert not any(info.kind.is_metric for info in catalogue.FIELDS.values())


@pytest.fixture(scope="module")
def served():
    """One emulator (v1 and v2 routes) for the module."""
    with running_emulator(pagination="page") as emu:
        yield emu


def _values(records: list[dict], path: str) -> list[object]:
    out = []
    for record in records:
        value: object = record
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            out.append(value)
    return out


@pytest.mark.parametrize("endpoint", catalogue.ENDPOINTS, ids=lambda e: e.name)
def test_declared_kinds_match_what_the_emulator_serves(served, endpoint):
    """Counts are whole numbers, money has at most 2 decimals, dates are ISO text, ids are ints or text.

    And every declared path but the whole-object ones is filled in some row, so a column the catalogue
    accepts is never empty because the API does not send it.
    """
    params = {**(WIDE if endpoint.requires_dates else {}),
              **({"metrics": list(endpoint.metrics)} if endpoint.metrics else {})}
    with client_for(served.url, page_size=100) as client:
        records = client.fetch(endpoint, params).records
    assert records
    for path in endpoint.field_paths():
        info = field_info(path)
        assert info is not None
        values = _values(records, path)
        assert values, f"{endpoint.name}: {path} is empty in every row"
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if info.kind.is_metric:
            assert len(numbers) == len(values), path
        if info.kind is FieldKind.COUNT:
            assert all(float(v).is_integer() for v in numbers), path
        elif info.kind is FieldKind.MONEY:
            assert all(math.isclose(round(v, 2), v) for v in numbers), path
        elif info.kind in (FieldKind.DATE, FieldKind.DATETIME):
            assert all(isinstance(v, str) and v[:4].isdigit() and v[4] == "-" for v in values), path
        elif info.kind is FieldKind.IDENTIFIER:
            assert all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values), path


@pytest.mark.parametrize("endpoint", sorted(catalogue.V1_PATHS), ids=str)
def test_the_v1_field_list_is_what_the_v1_routes_fill(served, endpoint):
    """With api.version v1 each declared path is filled in some row; v2-only ones (caption) in none."""
    info = catalogue.get_endpoint(endpoint)
    params = {**(WIDE if info.requires_dates else {}), **({"metrics": ["engagements"]} if info.metrics else {})}
    with client_for(served.url, page_size=100, version="v1") as v1:
        records = v1.fetch(info, params).records
    assert records
    for path in info.field_paths(["engagements"] if info.metrics else None, version="v1"):
        assert _values(records, path), f"{endpoint}: {path} is empty in every v1 row"
    for path in catalogue.V2_ONLY_FIELDS.get(endpoint, ()):
        assert not _values(records, path), f"{endpoint}: v1 does send {path}"


def test_gap_filling_reads_the_declared_kinds():
    """An empty bucket holds 0 for every count and money metric and None for every other (and unknown) one."""
    metrics = list(catalogue.TIME_SERIES_METRICS) + ["notInTheCatalogue"]
    bucket = empty_bucket(dt.date(2026, 1, 1), dt.date(2026, 1, 31), metrics)
    for name in catalogue.TIME_SERIES_METRICS:
        additive = catalogue.METRICS[name].kind.additive
        assert bucket["metrics"][name] == (0 if additive else None), name
        assert is_ratio_metric(name) is not additive
    assert bucket["metrics"]["notInTheCatalogue"] is None


def test_no_module_guesses_a_kind_from_a_name_pattern():
    """records.py and timeseries.py compile no regex naming metrics (cost, rate, roi ...); kinds are declared."""
    words = ("cost", "rate", "roi", "cpe", "cpm", "perpost", "value", "ids?")
    for name in ("records.py", "timeseries.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "compile" and node.args:
                pattern = node.args[0]
                text = pattern.value.lower() if isinstance(pattern, ast.Constant) else ""
                assert not any(word in text for word in words), f"{name}: {text}"
