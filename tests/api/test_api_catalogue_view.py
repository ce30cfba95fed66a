"""The `endpoints` command's text: every endpoint listed, details per endpoint, suggestions for typos."""

from __future__ import annotations

import pytest

from sheets_sync import catalogue
from sheets_sync.catalogue_view import render_catalogue
from sheets_sync.errors import UsageError


def test_index_lists_every_endpoint_and_alias():
    """Without a name, every catalogue endpoint and /networks alias is on its own line with a summary."""
    text = render_catalogue()
    for endpoint in catalogue.ENDPOINTS:
        assert f"  {endpoint.name} " in text and endpoint.summary in text
        for alias in endpoint.aliases:
            assert alias in text
    assert "\x1b" not in text


@pytest.mark.parametrize("endpoint", catalogue.ENDPOINTS, ids=lambda e: e.name)
def test_details_show_path_params_metrics_sorts_and_filters(endpoint):
    """Each endpoint page names its path and every metric, sort property and filter it accepts."""
    text = render_catalogue(endpoint.name)
    assert f"GET {endpoint.path}" in text
    flat = " ".join(text.split())
    for name in endpoint.metrics + endpoint.sort_properties + endpoint.fixed_fields + endpoint.filters:
        assert name in flat
    if endpoint.paginated:
        assert "limit, nextCursor" in text and "pageNumber, pageSize" in text
    assert all(len(line) <= 110 for line in text.splitlines())


def test_both_generations_filter_names_are_shown():
    """platform/contentType and the older platformTypes spelling are both documented."""
    text = render_catalogue("posts/performance")
    assert "platform " in text and "contentType" in text and "platformTypes" in text


def test_alias_name_resolves_to_the_platforms_endpoint():
    """`networks/performance` shows the platforms endpoint with its alias path."""
    text = render_catalogue("networks/performance")
    assert text.startswith("platforms/performance") and "alias: GET /v2/networks/performance" in text


def test_unknown_name_suggests_the_closest():
    """A typo raises UsageError with a did-you-mean suggestion."""
    with pytest.raises(UsageError, match="did you mean campaigns/performance"):
        render_catalogue("campaign/performance")
