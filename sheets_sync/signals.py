"""SIGTERM handled like Ctrl-C: it raises `Terminated` (a KeyboardInterrupt) so the same clean-up path runs.

A scheduler or a container stop sends SIGTERM; a user presses Ctrl-C (SIGINT). Both abandon the
write in progress (its temporary file is removed), record the unfinished reports as `interrupted`
and end with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell would report.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """The process was asked to stop by a signal other than SIGINT (SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name


def interrupt_exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the number of the signal that stopped the run (SIGINT when it was a plain Ctrl-C)."""
    return 128 + int(getattr(exc, "signum", signal.SIGINT))


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Inside the block SIGTERM raises `Terminated` in the main thread (once; a repeat is ignored during clean-up).

    Outside the main thread (where Python does not allow signal handlers) the block changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        if raised.is_set():
            return  # already stopping: let the clean-up finish
        raised.set()
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
