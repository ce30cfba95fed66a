"""argparse types shared by the commands, the emulators' included (stdlib only, so any layer may use them)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def port(text: str) -> int:
    """A TCP port number, 0-65535; anything else is an argparse error (one line, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected a whole number 0-65535") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: expected 0-65535 (0 = a free port)")
    return value


def at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= `low` (a negative latency or a zero rate limit is refused)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number of at least {low}, not {value}")
        return value
    return parse
