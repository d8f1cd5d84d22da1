"""Where chunks of samples run: in this process, in local worker processes, or on a Dask cluster.

An executor maps :func:`munisim.experiments.evaluate.evaluate` over tasks and
yields ``(task number, result)`` as each finishes, in any order.  Results do
not depend on the executor: every task is a pure function of its inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from munisim.errors import MunisimError

__all__ = ["run_tasks", "DaskMissingError", "SchedulerError", "CONNECT_TIMEOUT_S", "WORKER_WAIT_S"]

#: Seconds to wait for the Dask scheduler to answer.
CONNECT_TIMEOUT_S = 30
#: Seconds to wait for the scheduler to have at least one worker before giving up.
WORKER_WAIT_S = 120

T = TypeVar("T")
R = TypeVar("R")


class DaskMissingError(MunisimError):
    """dask.distributed is needed for --scheduler but is not installed."""


class SchedulerError(MunisimError):
    """The Dask scheduler cannot be reached, or has no workers."""


def run_tasks(
    fn: Callable[[T], R], tasks: Sequence[T], *, workers: int = 1, scheduler: str | None = None
) -> Iterator[tuple[int, R]]:
    """Run ``fn`` on every task; yield ``(index, result)`` as tasks finish.

    Parameters
    ----------
    workers : int
        Local worker processes (1: run here, in order).
    scheduler : str, optional
        Address of a dask.distributed scheduler (``tcp://HOST:PORT``); overrides ``workers``.
    """
    if scheduler:
        yield from _dask(fn, tasks, scheduler)
    elif workers <= 1:
        for i, task in enumerate(tasks):
            yield i, fn(task)
    else:
        yield from _processes(fn, tasks, workers)


def _processes(fn: Callable[[T], R], tasks: Sequence[T], workers: int) -> Iterator[tuple[int, R]]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        todo = iter(enumerate(tasks))
        running: dict[Any, int] = {}
        # Keep at most 2 tasks per worker in flight, so memory stays bounded whatever the task count.
        for i, task in todo:
            running[pool.submit(fn, task)] = i
            if len(running) >= 2 * workers:
                break
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                i = running.pop(fut)
                nxt = next(todo, None)
                if nxt is not None:
                    running[pool.submit(fn, nxt[1])] = nxt[0]
                yield i, fut.result()


def _dask(fn: Callable[[T], R], tasks: Sequence[T], address: str) -> Iterator[tuple[int, R]]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise DaskMissingError("--scheduler needs dask.distributed: pip install 'munisim[dask]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {address} ({exc}); expected the address a running `dask scheduler` "
            "prints, e.g. tcp://HOST:8786 (see docs/howto/dask.md)"
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            raise SchedulerError(
                f"the Dask scheduler at {address} has had no worker for {WORKER_WAIT_S} s; start workers with "
                f"`dask worker {address}` on machines where munisim is installed"
            ) from None
        futures = {client.submit(fn, task, pure=False): i for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
