"""Named training setups: the DQN ladder, one change per rung, and the steps beside it.

Taught in notebooks/07_replay.py, notebooks/08_target_network.py and
notebooks/09_double_dqn.py. A *preset* is everything a training run needs besides its seed and
its budget: the agent's settings, the reward, and where episodes start. The benchmark
(``benchmarks/solve.py --preset NAME``) and the lessons train the same presets, so a number in a
lesson and a row of the README's ladder come from the same setup.

The ladder starts from the online agent and adds one idea a rung, on one fixed base (network,
optimizer and learning-rate schedule, epsilon schedule, gamma, batch size, reward):

    online -> replay -> target -> double

``double`` is the course's DQN. The other presets each make one change to it, so that what
each step that is not part of the algorithm does is measured too.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.env import SOLVED, make_env
from dqn_lib.evaluation import EVAL_EPISODES, EVAL_EVERY, EVAL_SEED
from dqn_lib.history import History
from dqn_lib.i18n import pad, tr
from dqn_lib.parallel import run_in_processes
from dqn_lib.rewards import REWARD_FUNCTIONS, RewardFunction, get_reward_function
from dqn_lib.starts import TRAINING_STARTS, ExploringStarts, StartBox, check_start_box
from dqn_lib.training import evaluation_settings, train

__all__ = [
    "BASE",
    "LADDER",
    "PRESETS",
    "Preset",
    "RESULTS_FOLDER",
    "SOLVED",
    "START_FRACTION",
    "SeedRun",
    "get_preset",
    "load_results",
    "summarise_runs",
    "train_preset",
    "train_seeds",
]


@dataclass(frozen=True)
class Preset:
    """A named training setup: settings, reward and starts (everything but seed and budget).

    Not taught in a lesson by name: what ``PRESETS`` (notebooks/07_replay.py) holds.
    """

    name: str
    """The name the benchmark and the lessons use (``--preset NAME``)."""
    description: str
    """One line: what this preset changes, and from which preset."""
    config: DQNConfig
    """The agent's settings."""
    reward: str = "environment"
    """The reward function's name in ``REWARD_FUNCTIONS``; ``"environment"`` is CartPole's +1."""
    start_box: StartBox | None = None
    """Exploring starts: episodes start from this wider box (``ExploringStarts``); ``None`` for
    CartPole's own starts."""
    start_fraction: float = 0.0
    """The share of training episodes that start from ``start_box``."""
    parent: str | None = None
    """The preset this one changes one thing of (``None`` for the ladder's first rung)."""

    def __post_init__(self) -> None:
        if self.reward not in REWARD_FUNCTIONS:
            raise ValueError(
                tr("Preset {name!r}: unknown reward {reward!r}; expected one of {rewards}.").format(
                    name=self.name, reward=self.reward, rewards=sorted(REWARD_FUNCTIONS)
                )
            )
        if self.start_box is not None:
            object.__setattr__(self, "start_box", check_start_box(self.start_box))

    def describe(self) -> str:
        """``description`` in the language chosen by ``set_language`` (what lesson 11's table
        prints); a preset of your own is described as you wrote it."""
        return _description_in_language(self.description)

    @property
    def reward_fn(self) -> RewardFunction:
        """The reward function the agent learns from."""
        return get_reward_function(self.reward)

    def make_agent(self, seed: int) -> DQNAgent:
        """A new agent with this preset's settings."""
        return DQNAgent(self.config, seed=seed)

    def make_env(self, seed: int) -> gym.Env:
        """The training environment: ``make_env(seed)``, with exploring starts if any."""
        env = make_env(seed)
        if self.start_box is None or self.start_fraction == 0:
            return env
        return ExploringStarts(env, self.start_box, self.start_fraction)

    def replace(self, name: str, description: str, **changes: object) -> Preset:
        """A new preset that changes settings (``DQNConfig`` fields) or ``reward``,
        ``start_box``, ``start_fraction`` of this one; its parent is this preset."""
        fields = {f.name for f in dataclasses.fields(DQNConfig)}
        config_changes = {k: v for k, v in changes.items() if k in fields}
        other = {k: v for k, v in changes.items() if k not in fields}
        return dataclasses.replace(
            self,
            name=name,
            description=description,
            config=self.config.replace(**config_changes),
            parent=self.name,
            **other,  # type: ignore[arg-type]
        )


BASE = DQNConfig()
"""The ladder's fixed base, the final rung's settings: ``DQNConfig``'s defaults (64-64 network,
Adam from 5e-4 falling to 5e-5 over 16,000 steps, batch 128, gamma 0.99, MSE loss, epsilon from 1
to 0.01 over 10,000 steps, a gradient step every environment step, soft target updates with tau
0.01; ``DQNConfig`` documents each field)."""

START_FRACTION = 0.5
"""The share of training episodes that start anywhere on the track (``TRAINING_STARTS``): on
CartPole's +1 reward, an agent that only ever starts at the centre rarely sees the track's ends
until it drives off them (notebooks/10_inside.py measures it)."""

_double = Preset(
    "double",
    "DQN: replay, a target network and Double DQN's target (the course's DQN)",
    BASE,
    start_box=TRAINING_STARTS,
    start_fraction=START_FRACTION,
    parent="target",
)
_target = _double.replace(
    "target", "+ a target network (the replay rung with its soft-updated copy)", double_dqn=False
)
_replay = _target.replace(
    "replay",
    "+ experience replay (the online rung with a buffer and batches)",
    target_update="none",
)
_online = _replay.replace(
    "online",
    "the online agent: a batch of one, the latest transition, no target network",
    buffer_size=1,
    batch_size=1,
)
_small_buffer = _replay.replace(
    "small_buffer",
    "replay with a buffer of one batch (128): batches of the latest transitions, little memory",
    buffer_size=BASE.batch_size,
)
_target = dataclasses.replace(_target, parent="replay")
_replay = dataclasses.replace(_replay, parent="online")
_online = dataclasses.replace(_online, parent=None)

LADDER = ("online", "replay", "target", "double")
"""The algorithm's rungs, in order; each adds one idea to the one before."""

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        _online,
        _replay,
        _target,
        _double,
        _small_buffer,
        _double.replace(
            "constant_lr",
            "double with a constant learning rate (no decay)",
            final_learning_rate=BASE.learning_rate,
        ),
        _double.replace("narrow", "double with the original's 32-32 network", hidden=(32, 32)),
        _double.replace("gamma_0.98", "double with gamma 0.98", gamma=0.98),
        _double.replace(
            "shaped",
            "double on the shaped reward -|angle| - 0.1|x|, -5 on a fall",
            reward="angle_and_position",
        ),
        _double.replace(
            "reset_starts",
            "double with CartPole's own starts only (no exploring starts)",
            start_box=None,
            start_fraction=0.0,
        ),
    )
}
"""Every preset by name: the ladder, ``small_buffer`` (one change from ``replay``), then one
change each from ``double``."""


def _description_in_language(description: str) -> str:
    """A built-in preset's description in the chosen language (each written out for ``tr``)."""
    translated = {
        "DQN: replay, a target network and Double DQN's target (the course's DQN)": tr(
            "DQN: replay, a target network and Double DQN's target (the course's DQN)"
        ),
        "+ a target network (the replay rung with its soft-updated copy)": tr(
            "+ a target network (the replay rung with its soft-updated copy)"
        ),
        "+ experience replay (the online rung with a buffer and batches)": tr(
            "+ experience replay (the online rung with a buffer and batches)"
        ),
        "the online agent: a batch of one, the latest transition, no target network": tr(
            "the online agent: a batch of one, the latest transition, no target network"
        ),
        "replay with a buffer of one batch (128): batches of the latest transitions, little "
        "memory": tr(
            "replay with a buffer of one batch (128): batches of the latest transitions, little "
            "memory"
        ),
        "double with a constant learning rate (no decay)": tr(
            "double with a constant learning rate (no decay)"
        ),
        "double with the original's 32-32 network": tr("double with the original's 32-32 network"),
        "double with gamma 0.98": tr("double with gamma 0.98"),
        "double on the shaped reward -|angle| - 0.1|x|, -5 on a fall": tr(
            "double on the shaped reward -|angle| - 0.1|x|, -5 on a fall"
        ),
        "double with CartPole's own starts only (no exploring starts)": tr(
            "double with CartPole's own starts only (no exploring starts)"
        ),
    }
    return translated.get(description, description)


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (one of ``PRESETS``).

    Used in notebooks/10_inside.py and notebooks/11_playground.py.
    """
    if name not in PRESETS:
        raise ValueError(
            tr("Unknown preset {name!r}; expected one of {presets}.").format(
                name=name, presets=list(PRESETS)
            )
        )
    return PRESETS[name]


@dataclass
class SeedRun:
    """One preset trained on one seed: the trained agent and its ``History``.

    Not taught in a lesson by name: what ``train_seeds`` (notebooks/07_replay.py) returns.
    """

    preset: str
    seed: int
    agent: DQNAgent
    history: History


def train_preset(
    preset: str | Preset,
    seed: int,
    steps: int,
    *,
    eval_every: int = EVAL_EVERY,
    eval_episodes: int = EVAL_EPISODES,
    eval_seed: int = EVAL_SEED,
    eval_values: bool = False,
) -> SeedRun:
    """Train ``preset`` on ``seed`` for ``steps`` environment steps, on one torch thread, with the
    benchmark's greedy evaluation every ``eval_every`` steps.

    Used in notebooks/11_playground.py.

    Taught in notebooks/07_replay.py. The same run as ``benchmarks/solve.py --preset NAME``
    trains (without its final evaluations).
    """
    preset = get_preset(preset) if isinstance(preset, str) else preset
    torch.set_num_threads(1)  # small networks are fastest on one thread, and repeat exactly
    agent = preset.make_agent(seed)
    history = train(
        agent,
        preset.make_env(seed),
        steps=steps,
        reward_fn=preset.reward_fn,
        seed=seed,
        callbacks=[evaluation_settings(eval_every, eval_episodes, eval_seed, eval_values)],
        progress=False,
    )
    return SeedRun(preset.name, seed, agent, history)


def train_seeds(
    presets: Sequence[str | Preset],
    seeds: Sequence[int],
    steps: int,
    *,
    workers: int = 2,
    eval_values: bool = False,
    progress: bool = True,
) -> dict[str, list[SeedRun]]:
    """Train every preset on every seed, ``workers`` runs side by side, each in a process of its
    own with one torch thread; return the runs by preset name, in seed order.

    Taught in notebooks/07_replay.py. A run gives the same result whichever process trains it
    and whatever else runs beside it: each is seeded and single-threaded.
    """
    presets = [get_preset(p) if isinstance(p, str) else p for p in presets]
    evaluation_settings(EVAL_EVERY, eval_values=eval_values)  # refused before any process starts
    jobs = [
        {"preset": preset, "seed": seed, "steps": steps, "eval_values": eval_values}
        for preset in presets
        for seed in seeds
    ]
    runs = run_in_processes(
        train_preset, jobs, workers=workers, description=tr("training"), progress=progress
    )
    by_preset: dict[str, list[SeedRun]] = {preset.name: [] for preset in presets}
    for run in sorted(runs, key=lambda r: r.seed):
        by_preset[run.preset].append(run)
    if progress:
        print(
            tr("trained {runs} runs: {presets} on seeds {seeds}").format(
                runs=len(jobs), presets=", ".join(by_preset), seeds=list(seeds)
            )
        )
    return by_preset


def summarise_runs(runs: dict[str, list[SeedRun]], last: int = 3) -> dict[str, dict[str, float]]:
    """Per preset, over its seeds: how many solved (a greedy evaluation >= 475), the median
    step of the first such evaluation, the mean of the last evaluation, and the share of the
    ``last`` evaluations that are solved ("stays solved"). Prints one line a preset.

    Taught in notebooks/07_replay.py.
    """
    summary = {}
    print(
        pad(tr("preset"), 14, "<")
        + pad(tr("solved"), 8)
        + pad(tr("median steps"), 14)
        + pad(tr("final eval"), 12)
        + pad(tr("last {last} solved").format(last=last), 15)
        + f"   {tr('final eval by seed')}"
    )
    for name, seed_runs in runs.items():
        firsts = [
            next(
                (s for s, r in zip(h.eval_steps, h.eval_returns, strict=True) if r >= SOLVED), None
            )
            for h in (run.history for run in seed_runs)
        ]
        solved_at = [f for f in firsts if f is not None]
        finals = [run.history.eval_returns[-1] for run in seed_runs]
        stays = np.mean(
            [np.mean(np.array(run.history.eval_returns[-last:]) >= SOLVED) for run in seed_runs]
        )
        summary[name] = {
            "solved": len(solved_at),
            "seeds": len(seed_runs),
            "median_steps": float(np.median(solved_at)) if solved_at else float("nan"),
            "final_mean": float(np.mean(finals)),
            "stays_solved": float(stays),
        }
        median = f"{np.median(solved_at):,.0f}" if solved_at else "-"
        print(
            f"{name:<14}{len(solved_at):>5}/{len(seed_runs):<2}{median:>14}"
            f"{np.mean(finals):>12.1f}{stays:>15.0%}   " + ", ".join(f"{f:.0f}" for f in finals)
        )
    return summary


RESULTS_FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
"""Where the benchmark's committed results live: ``benchmarks/results/`` of the course's
repository, beside ``dqn_lib`` (installed editable by ``make lab``)."""


def load_results(name: str) -> list[dict]:
    """The benchmark's committed records of preset ``name``, one a seed.

    Taught in notebooks/07_replay.py. Found from the library's own location, so a lesson reads
    them wherever the notebook runs (the teacher's or the student's edition).
    """
    path = RESULTS_FOLDER / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            tr(
                "No benchmark results for {name!r}: expected {path}. They are committed in the "
                "course's repository; run the lessons from a clone of it with dqn_lib installed "
                "from that clone (make lab), or make them with: python benchmarks/solve.py "
                "--preset {name} --seeds 0-9 --budget 20000 --workers 2 --out {path}"
            ).format(name=name, path=path)
        )
    records = json.loads(path.read_text())
    if not isinstance(records, list) or not records:
        raise ValueError(
            tr("{path} should hold a JSON list of records, one a seed.").format(path=path)
        )
    return records
