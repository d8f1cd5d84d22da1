"""Whether a process still runs: used to sweep up temporary files of writers killed outright."""

from __future__ import annotations

import os

__all__ = ["pid_alive"]


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (on this machine).

    Examples
    --------
    >>> pid_alive(os.getpid())
    True
    >>> pid_alive(2**22 + 1)  # above Linux's largest pid
    False
    """
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process, or not a pid at all
        return False
    except PermissionError:  # another user's process
        return True
    return True
