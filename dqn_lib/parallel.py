"""Training runs side by side: each in a fresh process of its own, with one torch thread.

Taught in notebooks/06_training.py (the online agent's seeds) and used by
``dqn_lib.presets.train_seeds`` (the ladder's). A seeded single-threaded run gives the same
result whichever process trains it and whatever runs beside it, so running two at a time on a
two-core machine halves the wait and changes no number.

The test session (conftest.py) sets ``DQN_LIB_RUN_CACHE`` to a private temporary folder that it
creates and deletes: each run computed there is kept, under a hash of the function, its job and
the library's own source, so that a lesson run again with the same code (the Japanese edition's,
whose code is the English one's, tests/test_i18n.py; the student edition's in the browser) and a
lesson that trains a run an earlier one trained (lesson 8 trains lesson 7's replay runs again,
lesson 9 lesson 8's target network) reuse the identical runs instead of training them again.
Only that session's own files are read back. A lesson never sets it; the committed outputs come
from runs without it (tools/build_outputs.py).
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from dqn_lib.agents import OnlineAgent
from dqn_lib.files import write_atomically
from dqn_lib.history import History
from dqn_lib.i18n import tr
from dqn_lib.rewards import RewardFunction
from dqn_lib.training import train
from dqn_lib.validation import positive_int

__all__ = ["run_in_processes", "train_online_agent"]


def _one_thread() -> None:
    torch.set_num_threads(1)


def run_in_processes(
    function: Callable[..., Any],
    jobs: Sequence[Mapping[str, Any]],
    *,
    workers: int = 2,
    description: str = "training",
    progress: bool = True,
) -> list[Any]:
    """Call ``function(**job)`` for every job, ``workers`` at a time, each call in a freshly
    spawned process with one torch thread; return the results in the order of ``jobs``.

    ``function`` must be importable by name from a module (a library function, not one defined
    in a notebook cell): a spawned process starts from a fresh interpreter and imports it.
    ``workers=1`` runs the jobs one after another in this process (on one torch thread too).
    """
    positive_int(workers, "workers")
    if getattr(function, "__module__", None) in (None, "__main__"):
        raise ValueError(
            tr(
                "run_in_processes needs a function a new process can import, got {function!r} "
                "from __main__ (a notebook cell or a script): put it in a module, or use "
                "workers=1."
            ).format(function=function)
        )
    jobs = [dict(job) for job in jobs]
    kept = [_kept_run(function, job) for job in jobs]
    results: list[Any] = [None] * len(jobs)
    todo = []
    for i, path in enumerate(kept):
        if path is not None and path.is_file():
            results[i] = pickle.loads(path.read_bytes())  # this test session's own file
        else:
            todo.append(i)
    bar = tqdm(
        total=len(jobs),
        initial=len(jobs) - len(todo),
        desc=description,
        unit="run",
        disable=not progress,
    )

    def done(i: int, result: Any) -> None:
        results[i] = result
        path = kept[i]
        if path is not None:
            write_atomically(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        bar.update(1)

    if workers == 1:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for i in todo:
                done(i, function(**jobs[i]))
        finally:
            torch.set_num_threads(threads)
    else:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no shared state
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_thread) as pool:
            futures = {pool.submit(function, **jobs[i]): i for i in todo}
            for future in as_completed(futures):
                done(futures[future], future.result())
    bar.close()
    return results


RUN_CACHE = "DQN_LIB_RUN_CACHE"
"""The environment variable the test session sets (see the module docstring)."""


def _kept_run(function: Callable[..., Any], job: dict[str, Any]) -> Path | None:
    """Where the test session keeps this run, or None outside it."""
    folder = os.environ.get(RUN_CACHE)
    if not folder:
        return None
    digest = hashlib.sha256(_library_source())
    digest.update(f"{function.__module__}.{function.__qualname__}".encode())
    digest.update(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
    return Path(folder) / f"{digest.hexdigest()}.pickle"


@functools.cache
def _library_source() -> bytes:
    package = Path(__file__).resolve().parent
    return b"".join(path.read_bytes() for path in sorted(package.rglob("*.py")))


def train_online_agent(
    seed: int,
    episodes: int,
    reward_fn: RewardFunction,
    *,
    bootstrap_through_termination: bool = False,
) -> tuple[OnlineAgent, History]:
    """``OnlineAgent(seed=seed, bootstrap_through_termination=...)`` trained by
    ``train(agent, episodes=episodes, reward_fn=reward_fn, seed=seed)``: lesson 6's run, as a
    function a new process can import. Returns the trained agent and its ``History``."""
    agent = OnlineAgent(seed=seed, bootstrap_through_termination=bootstrap_through_termination)
    history = train(agent, episodes=episodes, reward_fn=reward_fn, seed=seed, progress=False)
    return agent, history
