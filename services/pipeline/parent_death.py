"""Linux's parent-death signal: a process asks to be sent SIGTERM when the process that started it dies,
even by SIGKILL, so nothing a supervisor started outlives it."""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # prctl option, linux/prctl.h


def term_on_parent_death() -> Callable[[], None] | None:
    """A function that asks for SIGTERM at the parent's death, for the calling process (or, as a Popen
    ``preexec_fn``, for a child before it runs its program; the request survives exec). None off Linux.

    The C function is looked up here, in the caller, so a forked child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def request() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return request
