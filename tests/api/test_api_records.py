"""Records → rows: default columns, dotted paths, creator profiles as text, null ≠ 0, preserved types."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
from hypothesis import given

from sheets_sync.catalogue import get_endpoint
from sheets_sync.records import build_table, default_columns
from sheets_sync.report import ColumnKind, ColumnSpec, TableMeta

from api_helpers import WIDE, client_for

META = TableMeta(report="r", endpoint="x")


def table(endpoint, records, metrics, columns=None, tz="UTC"):
    return build_table(get_endpoint(endpoint), records, metrics=metrics, columns=columns, meta=META, timezone=tz)


class TestDefaultColumns:
    def test_identity_then_requested_metrics_in_requested_order(self):
        """Campaign rows start with identity fields in API order, then metrics as requested, headers bare."""
        record = {"campaignId": 1, "campaignName": "A", "instanceId": "i", "description": None, "status": "live",
                  "startDate": "2026-01-01T00:00:00.000Z", "firstPostDate": None, "lastPostDate": None,
                  "platforms": ["instagram", "tiktok"], "metrics": {"impressions": 10, "engagements": 0}}
        t = table("campaigns/performance", [record], ["engagements", "impressions"])
        assert t.headers == ["campaignId", "campaignName", "instanceId", "description", "status", "startDate",
                             "firstPostDate", "lastPostDate", "platforms", "engagements", "impressions"]
        assert list(t.rows) == [(1, "A", "i", None, "live", dt.date(2026, 1, 1), None, None,
                                 "instagram, tiktok", 0, 10)]

    def test_unknown_fields_pass_through_after_known_ones(self):
        """A field the API adds later appears after the requested metrics, not dropped."""
        t = table("platforms/performance", [{"contentType": "tiktok", "newField": "x",
                                              "metrics": {"engagements": 3, "surprise": 1.5}}], ["engagements"])
        assert t.headers == ["contentType", "engagements", "newField", "surprise"]
        assert list(t.rows) == [("tiktok", 3, "x", 1.5)]

    def test_fields_the_api_adds_are_marked_passthrough(self):
        """Columns of fields beyond the catalogue (top level, nested, new profile members) are passthrough."""
        record = {"postId": 1, "creatorProfile": {"handleName": "x", "network": "tiktok", "badge": "gold"},
                  "zzExtra": "extra", "unknownField": {"x": [1, 2]}, "metrics": {"impressions": 3}}
        t = table("posts/performance", [record], ["impressions"])
        marked = [c.header for c in t.columns if c.passthrough]
        assert marked == ["creatorProfile.badge", "zzExtra", "unknownField.x"]
        by_header = {c.header: c for c in t.columns}
        assert not by_header["postId"].passthrough and not by_header["impressions"].passthrough
        assert not by_header["creatorProfile.handleName"].passthrough

    def test_catalogue_columns_without_records_are_not_passthrough(self):
        """validate's record-less columns are all catalogue fields, none marked passthrough."""
        columns = default_columns(get_endpoint("campaigns/performance"), ["impressions"], [])
        assert not any(c.passthrough for c in columns)

    def test_configured_columns_are_never_passthrough(self):
        """A field picked by `columns:` is the user's choice, not a pass-through the template may drop."""
        t = table("campaigns", [{"campaignId": 1, "zzExtra": "x"}], [], [ColumnSpec("zzExtra")])
        assert [c.passthrough for c in t.columns] == [False]

    def test_creator_profiles_become_one_readable_text(self):
        """creator.profiles lists read `network:@handle, ...`; creator fields flatten with dots."""
        record = {"creator": {"creatorId": 7, "fullName": "Ann", "profilePictureUrl": None,
                              "profiles": [{"handleName": "ann", "network": "instagram"},
                                           {"handleName": "@ann.tt", "network": "tiktok"}]},
                  "metrics": {"engagements": 5}}
        t = table("creators/performance", [record], ["engagements"])
        assert t.headers == ["creator.creatorId", "creator.fullName", "creator.profilePictureUrl",
                             "creator.profiles", "engagements"]
        assert list(t.rows) == [(7, "Ann", None, "instagram:@ann, tiktok:@ann.tt", 5)]

    def test_nested_creator_profile_object_flattens_to_columns(self):
        """A post's creatorProfile object becomes creatorProfile.* columns; a null profile gives empty cells."""
        rows = [{"postId": 1, "creatorProfile": {"handleName": "x", "network": "tiktok"}, "metrics": {}},
                {"postId": 2, "creatorProfile": None, "metrics": {}}]
        t = table("posts/performance", rows, [])
        assert "creatorProfile.handleName" in t.headers and "creatorProfile.network" in t.headers
        i = t.headers.index("creatorProfile.handleName")
        assert [r[i] for r in t.rows] == ["x", None]

    def test_roi_fields_follow_content_type(self):
        """The ROI endpoint's fixed top-level numbers are its metric columns."""
        t = table("platforms/return-on-investment", [{"contentType": "tiktok", "valueGenerated": 10.5,
                                                       "returnOnInvestment": 0.2}], [])
        assert t.headers[:3] == ["contentType", "valueOfShares", "valueOfImpressions"]
        assert t.columns[t.headers.index("valueGenerated")].kind == ColumnKind.DECIMAL


class TestValues:
    def test_null_stays_distinct_from_zero(self):
        """API null is None and API 0 is 0 — never coalesced either way."""
        t = table("platforms/performance", [{"contentType": "a", "metrics": {"engagements": 0, "cpe": None}}],
                  ["engagements", "cpe"])
        assert list(t.rows) == [("a", 0, None)]
        assert type(next(iter(t.rows))[1]) is int

    def test_kinds_come_from_the_catalogue_not_the_values(self):
        """counts → INTEGER, a cpm sent as int → DECIMAL, engagementRate → PERCENT (0.00"%"), ids stay ints."""
        t = table("campaigns/performance", [{"campaignId": 5, "metrics": {"impressions": 3, "cpm": 2,
                                                                           "engagementRate": 12.5,
                                                                           "avgWatchTime": 1.25}}],
                  ["impressions", "cpm", "engagementRate", "avgWatchTime"])
        kinds = {c.header: c.kind for c in t.columns}
        assert kinds["campaignId"] == ColumnKind.INTEGER and kinds["impressions"] == ColumnKind.INTEGER
        assert kinds["cpm"] == ColumnKind.DECIMAL and kinds["avgWatchTime"] == ColumnKind.DECIMAL
        assert kinds["engagementRate"] == ColumnKind.PERCENT
        assert t.columns[t.headers.index("engagementRate")].effective_format == '0.00"%"'
        row = next(iter(t.rows))
        assert row[t.headers.index("engagementRate")] == 12.5 and row[0] == 5

    def test_time_series_dates_become_dates(self):
        """Bucket startDate/endDate strings become datetime.date values in DATE columns."""
        t = table("instances/performance-over-time",
                  [{"startDate": "2026-01-01", "endDate": "2026-01-31", "metrics": {"impressions": 1}}],
                  ["impressions"])
        assert list(t.rows) == [(dt.date(2026, 1, 1), dt.date(2026, 1, 31), 1)]
        assert [c.kind for c in t.columns[:2]] == [ColumnKind.DATE, ColumnKind.DATE]

    def test_campaign_start_date_time_stays_its_utc_date_in_any_zone(self):
        """A roster startDate of 2024-06-01T00:00:00.000Z is the date 2024-06-01, not May 31 17:00 in LA."""
        record = {"campaignId": 1, "campaignName": "A", "instanceId": "i", "description": None, "status": "live",
                  "startDate": "2024-06-01T00:00:00.000Z", "endDate": "2024-06-30T23:59:59.999Z",
                  "firstPostDate": "2024-06-01T00:00:00.000Z", "lastPostDate": None}
        t = table("campaigns", [record], [], tz="America/Los_Angeles")
        row = next(iter(t.rows))
        assert row[t.headers.index("startDate")] == dt.date(2024, 6, 1)
        assert row[t.headers.index("endDate")] == dt.date(2024, 6, 30)
        assert t.columns[t.headers.index("startDate")].kind == ColumnKind.DATE
        # A real timestamp still converts to the report's zone.
        assert row[t.headers.index("firstPostDate")] == dt.datetime(2024, 5, 31, 17, 0)
        assert t.columns[t.headers.index("firstPostDate")].kind == ColumnKind.DATETIME

    def test_bucket_bounds_sent_as_date_times_stay_in_their_month(self):
        """Buckets sent as ...T00:00:00Z/...T23:59:59.999Z and gap-filled date buckets all become the same dates."""
        from sheets_sync.timeseries import fill_gaps
        sent = [{"startDate": "2025-01-01T00:00:00.000Z", "endDate": "2025-01-31T23:59:59.999Z",
                 "metrics": {"impressions": 5}},
                {"startDate": "2025-03-01T00:00:00.000Z", "endDate": "2025-03-31T23:59:59.999Z",
                 "metrics": {"impressions": 7}}]
        records = fill_gaps(sent, dt.date(2025, 1, 1), dt.date(2025, 3, 31), "month", ["impressions"])
        t = table("instances/performance-over-time", records, ["impressions"], tz="America/Los_Angeles")
        assert list(t.rows) == [(dt.date(2025, 1, 1), dt.date(2025, 1, 31), 5),
                                (dt.date(2025, 2, 1), dt.date(2025, 2, 28), 0),
                                (dt.date(2025, 3, 1), dt.date(2025, 3, 31), 7)]
        assert [c.kind for c in t.columns[:2]] == [ColumnKind.DATE, ColumnKind.DATE]

    def test_date_times_become_naive_local_times(self):
        """postDate in UTC becomes a naive datetime in the report's time zone."""
        t = table("posts/performance", [{"postId": 1, "postDate": "2026-07-01T12:00:00Z", "metrics": {}}], [],
                  tz="Europe/London")
        assert next(iter(t.rows))[t.headers.index("postDate")] == dt.datetime(2026, 7, 1, 13, 0)
        assert t.columns[t.headers.index("postDate")].kind == ColumnKind.DATETIME

    def test_formula_like_text_stays_text(self):
        """Text such as '=SUM(A1)' is passed on as the same string, never interpreted."""
        t = table("campaigns", [{"campaignId": 1, "campaignName": "=SUM(A1:A9)"}], [])
        assert next(iter(t.rows))[1] == "=SUM(A1:A9)"


class TestExplicitColumns:
    def test_columns_pick_order_rename_and_format(self):
        """columns[] chooses fields by dotted path, with header and number format."""
        specs = [ColumnSpec("metrics.engagementRate", "ER", "0.0"), ColumnSpec("contentType", "Type")]
        t = table("platforms/performance", [{"contentType": "a", "metrics": {"engagementRate": 1.5}}],
                  ["engagementRate"], specs)
        assert t.headers == ["ER", "Type"] and list(t.rows) == [(1.5, "a")]
        assert t.columns[0].effective_format == "0.0"

    def test_field_absent_from_every_record_gives_an_empty_column(self):
        """An unknown field at runtime is an empty column, not an error."""
        t = table("platforms/performance", [{"contentType": "a", "metrics": {}}], [], [ColumnSpec("metrics.nope")])
        assert t.headers == ["nope"] and list(t.rows) == [(None,)]


def test_every_endpoint_of_the_emulator_builds_a_table(emu):
    """Real emulator records of each list endpoint give one row per record with consistent widths."""
    params = {**WIDE, "metrics": ["engagements", "engagementRate", "cpe"]}
    with client_for(emu.url, page_size=100) as client:
        for name in ("campaigns/performance", "creators/performance", "posts/performance", "platforms/performance",
                     "instances/performance", "instances/performance-over-time"):
            records = client.fetch(get_endpoint(name), params).records
            t = table(name, records, params["metrics"])
            rows = list(t.rows)
            assert len(rows) == len(records) > 0
            assert all(len(r) == len(t.columns) for r in rows)
            assert t.headers.count("engagements") == 1
            if name == "creators/performance":
                profiles = [r[t.headers.index("creator.profiles")] for r in rows]
                assert all(isinstance(p, str) for p in profiles) and ":@" in profiles[0]


json_values = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5))


@given(st.lists(st.fixed_dictionaries({"contentType": st.text(max_size=5),
                                       "metrics": st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values)}),
                max_size=8))
def test_rows_preserve_count_and_numbers(records):
    """For any records: one row per record, and every requested metric value comes through unchanged."""
    t = table("platforms/performance", records, ["a", "b"])
    rows = list(t.rows)
    assert len(rows) == len(records)
    assert t.headers[:3] == ["contentType", "a", "b"]
    for record, row in zip(records, rows, strict=True):
        assert row[1] == record["metrics"].get("a") or (row[1] is None and record["metrics"].get("a") is None)
        if isinstance(record["metrics"].get("b"), (int, float)):
            assert row[2] == record["metrics"]["b"] and type(row[2]) is type(record["metrics"]["b"])


def test_default_columns_without_records_are_the_catalogue_ones():
    """With no rows the columns are still known: identity fields, then metrics."""
    cols = default_columns(get_endpoint("platforms/performance"), ["engagements"], [])
    assert [c.header for c in cols] == ["contentType", "engagements"]


POST_METRICS = ["impressions", "engagements"]
CREATOR_PROFILE_COLUMNS = ["creatorProfile.handleName", "creatorProfile.network", "creatorProfile.fullName",
                           "creatorProfile.profileImage", "creatorProfile.profileLink"]


class TestStableColumns:
    def test_posts_headers_are_the_same_for_a_full_run_a_short_run_and_no_rows(self, emulator):
        """posts/performance headers do not depend on which posts were fetched (null creatorProfile or not)."""
        params = {**WIDE, "metrics": POST_METRICS}
        with client_for(emulator.url, page_size=100) as client:
            full = client.fetch(get_endpoint("posts/performance"), params).records
            few = client.fetch(get_endpoint("posts/performance"), params, max_rows=5).records
        assert any(r.get("creatorProfile") is None for r in full)
        assert all(r.get("creatorProfile") is not None for r in few)
        headers = table("posts/performance", full, POST_METRICS).headers
        assert headers == table("posts/performance", few, POST_METRICS).headers
        assert headers == [c.header for c in default_columns(get_endpoint("posts/performance"), POST_METRICS, [])]
        assert "creatorProfile" not in headers
        assert headers[headers.index("caption") + 1:][:5] == CREATOR_PROFILE_COLUMNS

    def test_a_post_without_creator_profile_has_empty_profile_cells(self, emulator):
        """A real post whose creatorProfile is null gives None in every creatorProfile.* cell."""
        params = {**WIDE, "metrics": POST_METRICS}
        with client_for(emulator.url, page_size=100) as client:
            records = client.fetch(get_endpoint("posts/performance"), params).records
        t = table("posts/performance", records, POST_METRICS)
        at = [t.headers.index(h) for h in CREATOR_PROFILE_COLUMNS]
        rows = list(t.rows)
        nulls = [row for row, r in zip(rows, records, strict=True) if r["creatorProfile"] is None]
        present = [row for row, r in zip(rows, records, strict=True) if r["creatorProfile"] is not None]
        assert nulls and all(row[i] is None for row in nulls for i in at)
        assert all(isinstance(row[at[0]], str) and row[at[1]] for row in present)

    def test_records_that_all_hold_null_objects_give_the_catalogue_columns(self):
        """Only null creator profiles still give creatorProfile.* columns, never a bare creatorProfile one."""
        rows = [{"postId": 1, "creatorProfile": None, "metrics": {"impressions": 1}}]
        t = table("posts/performance", rows, ["impressions"])
        assert t.headers == [c.header for c in default_columns(get_endpoint("posts/performance"), ["impressions"], [])]
        assert "creatorProfile" not in t.headers and "metrics" not in t.headers

    def test_every_endpoint_knows_its_columns_before_fetching(self, emulator):
        """default_columns without records equals the columns of real emulator records, for every endpoint."""
        with client_for(emulator.url, page_size=100) as client:
            for name in ("instances", "instances/performance", "instances/performance-over-time", "campaigns",
                         "campaigns/performance", "platforms/performance", "platforms/return-on-investment",
                         "creators/performance", "posts/performance"):
                info = get_endpoint(name)
                metrics = ["engagements", "impressions"] if info.metrics else []
                params = {**(WIDE if info.requires_dates else {}), **({"metrics": metrics} if metrics else {})}
                records = client.fetch(info, params).records
                assert records, name
                expected = [(c.field, c.header) for c in default_columns(info, metrics, [])]
                assert [(c.field, c.header) for c in default_columns(info, metrics, records)] == expected, name

    def test_a_new_object_field_that_is_sometimes_null_is_one_set_of_columns(self):
        """An unknown nested field null in one record and an object in another flattens once, no bare column."""
        rows = [{"contentType": "a", "extra": None, "metrics": {}},
                {"contentType": "b", "extra": {"x": 1}, "metrics": {}}]
        t = table("platforms/performance", rows, [])
        assert t.headers == ["contentType", "extra.x"]
        assert list(t.rows) == [("a", None), ("b", 1)]


class TestIdentifierFormat:
    def test_numeric_id_columns_have_number_format_0(self):
        """campaignId, creatorId, postId and creator.creatorId print as 49761 (format "0"), metrics keep #,##0."""
        post = {"postId": 900002, "creatorId": 700438, "campaignId": 49762, "instanceId": "instance_def",
                "metrics": {"impressions": 1180}}
        t = table("posts/performance", [post], ["impressions"])
        formats = {c.header: c.effective_format for c in t.columns}
        assert formats["postId"] == formats["creatorId"] == formats["campaignId"] == "0"
        assert formats["impressions"] == "#,##0"
        assert formats["instanceId"] is None  # text ids stay text
        creator = {"creator": {"creatorId": 7, "fullName": "A"}, "metrics": {}}
        t = table("creators/performance", [creator], [])
        assert t.columns[t.headers.index("creator.creatorId")].effective_format == "0"

    def test_any_id_or_ids_field_added_by_the_api_is_an_identifier(self):
        """A field the API adds ending in Id or Ids (numbers) also gets format "0"."""
        t = table("platforms/performance", [{"contentType": "a", "groupId": 12345, "metrics": {}}], [])
        assert t.columns[t.headers.index("groupId")].effective_format == "0"

    def test_explicit_columns_keep_id_format_unless_one_is_given(self):
        """columns: without format gives an id column "0"; a format in config still wins."""
        record = {"campaignId": 49761, "metrics": {"impressions": 5}}
        specs = [ColumnSpec("campaignId", "Campaign ID"), ColumnSpec("campaignId", "Raw", "#,##0"),
                 ColumnSpec("metrics.impressions")]
        t = table("campaigns/performance", [record], ["impressions"], specs)
        assert [c.effective_format for c in t.columns] == ["0", "#,##0", "#,##0"]


class TestDeclaredKindsAndLabels:
    def test_roi_is_a_ratio_not_money_and_money_stays_money(self):
        """returnOnInvestment → RATIO shown 0.00% (2.5 = 250%); value fields → DECIMAL #,##0.00, even as ints."""
        t = table("platforms/return-on-investment", [{"contentType": "tiktok", "valueOfLikes": 10,
                                                       "valueGenerated": 10, "returnOnInvestment": 2.5}], [])
        kinds = {c.field: (c.kind, c.effective_format) for c in t.columns}
        assert kinds["returnOnInvestment"] == (ColumnKind.RATIO, "0.00%")
        assert kinds["valueOfLikes"] == kinds["valueGenerated"] == (ColumnKind.DECIMAL, "#,##0.00")
        assert next(iter(t.rows))[t.headers.index("returnOnInvestment")] == 2.5   # the value itself is never scaled

    def test_each_metric_kind_has_its_column_kind_and_format(self):
        """count #,##0; money and unit cost #,##0.00; percent 0.00"%"; ratio 0.00%; average #,##0.00."""
        metrics = ["impressions", "estimatedValueGenerated", "cpe", "engagementRate", "estimatedRoi",
                   "affiliateLinksConversionRate", "impressionsPerPost"]
        t = table("campaigns/performance", [], metrics)
        formats = {c.header: c.effective_format for c in t.columns if c.field.startswith("metrics.")}
        assert formats == {"impressions": "#,##0", "estimatedValueGenerated": "#,##0.00", "cpe": "#,##0.00",
                           "engagementRate": '0.00"%"', "estimatedRoi": "0.00%",
                           "affiliateLinksConversionRate": "0.00%", "impressionsPerPost": "#,##0.00"}

    def test_default_columns_carry_catalogue_labels_and_identifier_flags(self):
        """creator.creatorId is labelled "Creator ID" and marked an identifier; metrics get their labels."""
        cols = default_columns(get_endpoint("creators/performance"), ["engagements", "cpm"], [])
        labels = {c.field: c.label for c in cols}
        assert labels["creator.creatorId"] == "Creator ID" and labels["metrics.cpm"] == "CPM"
        assert labels["metrics.engagements"] == "Engagements"
        assert [c.field for c in cols if c.identifier] == ["creator.creatorId"]
        assert [c.header for c in cols][:1] == ["creator.creatorId"]   # headers (CSV, templates) stay field paths

    def test_a_header_of_the_users_own_has_no_label(self):
        """columns: with header: keeps it everywhere (no label); without one, the catalogue label applies."""
        specs = [ColumnSpec("campaignId", "Id!"), ColumnSpec("campaignName"), ColumnSpec("metrics.impressions",
                                                                                         "impressions")]
        t = table("campaigns/performance", [], ["impressions"], specs)
        assert [(c.header, c.label) for c in t.columns] == [("Id!", None), ("campaignName", "Campaign Name"),
                                                            ("impressions", "Impressions")]

    def test_fields_beyond_the_catalogue_take_their_kind_from_values_and_have_no_label(self):
        """An added metric of ints is INTEGER, of floats DECIMAL; whatever its name says (`fooRate`, `barCost`)."""
        t = table("platforms/performance", [{"contentType": "a", "metrics": {"fooRate": 3, "barCost": 1.5}}], [])
        by_field = {c.field: c for c in t.columns}
        assert by_field["metrics.fooRate"].kind == ColumnKind.INTEGER
        assert by_field["metrics.barCost"].kind == ColumnKind.DECIMAL
        assert by_field["metrics.fooRate"].label is None and not by_field["metrics.fooRate"].identifier
