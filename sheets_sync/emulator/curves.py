"""Closed-form cumulative curves: a post's value for any date range in O(1), exact integers.

A post accrues each total over `window` days from its publication day along a front-loaded
quadratic: after n days it holds floor(total * (w² - (w-n)²) / w²). Daily values are differences
of that, so they are non-negative integers and a range is C(end) - C(start - 1).
"""

from __future__ import annotations


def progress(window: int, days_elapsed: int) -> int:
    """Numerator of the accrued fraction after `days_elapsed` days (denominator window²)."""
    if days_elapsed <= 0:
        return 0
    if days_elapsed >= window:
        return window * window
    rest = window - days_elapsed
    return window * window - rest * rest


def range_factors(post_day: int, window: int, start: int, end: int) -> tuple[int, int, int]:
    """(numerator at end, numerator before start, denominator) for the inclusive day range."""
    return (progress(window, end - post_day + 1), progress(window, start - post_day), window * window)


def active(post_day: int, window: int, start: int, end: int) -> bool:
    """Whether the post's activity window overlaps the inclusive day range."""
    return post_day <= end and post_day + window - 1 >= start
