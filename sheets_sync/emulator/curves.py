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


def reported_share(age: int, restate_days: int) -> tuple[int, int]:
    """(numerator, denominator) of a day's final value reported when the day is `age` days old.

    Late data: a day `age` days before the clock is reported as (age + 1) / (N + 1) of its final value
    (today and any later day as 1 / (N + 1)); from N days old on it is final.
    """
    if age >= restate_days:
        return 1, 1
    return max(age, 0) + 1, restate_days + 1


def withheld(total: int, post_day: int, window: int, first: int, last: int, as_of: int, restate_days: int) -> int:
    """How much of a post's `total` accrued on days first..last is not reported yet on day `as_of`.

    Only the last `restate_days` days before `as_of` (and any after it) hold back part of their value, so
    at most that many daily values are computed, each exact: the difference of two curve points.
    """
    den = window * window
    lo = max(first, post_day, as_of - restate_days + 1)
    hi = min(last, post_day + window - 1)
    out = 0
    for day in range(lo, hi + 1):
        daily = total * progress(window, day - post_day + 1) // den - total * progress(window, day - post_day) // den
        num, share_den = reported_share(as_of - day, restate_days)
        out += daily - daily * num // share_den
    return out
