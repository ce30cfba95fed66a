"""Reporting API client: token, pagination (page/cursor/auto), retries, rate budget, v1 compatibility."""

from sheets_sync.api.client import ApiClient, FetchResult
from sheets_sync.api.paging import ProgressEvent
from sheets_sync.api.rate import RateBudget
from sheets_sync.api.settings import ApiSettings

__all__ = ["ApiClient", "ApiSettings", "FetchResult", "ProgressEvent", "RateBudget"]
