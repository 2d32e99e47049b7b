"""Learning curves: one run, or the mean and a band over several seeds.

Taught in notebooks/06_training.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from dqn_lib.env import SOLVED
from dqn_lib.history import History
from dqn_lib.i18n import tr


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each value and the ``window - 1`` before it (fewer at the start).

    >>> moving_average([0, 2, 4, 6], window=2).tolist()
    [0.0, 1.0, 3.0, 5.0]
    """
    if window < 1:
        raise ValueError(f"window must be a positive int, got {window!r}.")
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    return (sums[1:] - sums[starts]) / (np.arange(1, len(values) + 1) - starts)


def _new_axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    return ax


def _label_axes(ax: Axes, xlabel: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(tr("return (steps the pole stayed up)"))
    ax.set_ylim(0, 520)
    ax.axhline(500, color="grey", linewidth=0.8, linestyle=":")
    ax.grid(alpha=0.3)


def plot_learning_curve(
    history: History,
    ax: Axes | None = None,
    label: str | None = None,
    window: int = 20,
    color: str | None = None,
) -> Axes:
    """One run: every episode's return (faint) and its moving average over ``window`` episodes.

    Taught in notebooks/06_training.py. ``label`` defaults to "training episodes".
    """
    label = tr("training episodes") if label is None else label
    ax = _new_axes(ax)
    episodes = np.arange(1, history.episodes + 1)
    (line,) = ax.plot(episodes, history.returns, alpha=0.25, color=color)
    ax.plot(
        episodes,
        moving_average(history.returns, window),
        color=line.get_color(),
        label=tr("{label} (mean of last {window})").format(label=label, window=window),
    )
    _label_axes(ax, tr("episode"))
    ax.legend(loc="upper left")
    return ax


def plot_runs(
    histories: Sequence[History],
    ax: Axes | None = None,
    label: str | None = None,
    window: int = 20,
    color: str | None = None,
    n_points: int = 200,
) -> Axes:
    """Several seeds of one agent: the mean of their smoothed returns over environment steps,
    and a band from the worst to the best seed.

    Taught in notebooks/06_training.py. Runs are compared by environment steps, not episodes,
    because a good agent's episodes are long: 100 episodes can be 1,000 steps or 50,000. The
    curves stop where the shortest run's last finished episode ends, so every point averages
    every seed. ``label`` defaults to "agent".
    """
    label = tr("agent") if label is None else label
    if not histories:
        raise ValueError("plot_runs needs at least one History, got none.")
    ax = _new_axes(ax)
    last_step = min(h.episode_end_steps[-1] for h in histories if h.episode_end_steps)
    grid = np.linspace(0, last_step, n_points)
    curves = np.array(
        [np.interp(grid, h.episode_end_steps, moving_average(h.returns, window)) for h in histories]
    )
    (line,) = ax.plot(
        grid,
        curves.mean(axis=0),
        color=color,
        label=tr("{label}: mean of {seeds} seeds").format(label=label, seeds=len(histories)),
    )
    ax.fill_between(
        grid,
        curves.min(axis=0),
        curves.max(axis=0),
        color=line.get_color(),
        alpha=0.2,
        label=tr("{label}: worst to best seed").format(label=label),
    )
    _label_axes(ax, tr("environment steps"))
    ax.legend(loc="upper left")
    return ax


def plot_evaluations(
    runs: Mapping[str, Sequence[History]],
    ax: Axes | None = None,
    solved: float = SOLVED,
) -> Axes:
    """Greedy evaluations over training, several presets side by side: each seed as a thin
    line, the median over seeds as a thick one, one color a preset.

    Taught in notebooks/07_replay.py. ``runs`` maps a label to the histories of its seeds
    (trained with an ``Evaluation``). The dashed line is CartPole's solved mark.
    """
    if not runs or any(not histories for histories in runs.values()):
        raise ValueError("plot_evaluations needs at least one label with at least one History.")
    ax = _new_axes(ax)
    for i, (label, histories) in enumerate(runs.items()):
        color = f"C{i}"
        for history in histories:
            ax.plot(history.eval_steps, history.eval_returns, color=color, alpha=0.3, lw=0.8)
        length = min(len(h.eval_returns) for h in histories)
        median = np.median([h.eval_returns[:length] for h in histories], axis=0)
        ax.plot(
            histories[0].eval_steps[:length],
            median,
            "o-",
            color=color,
            lw=2.5,
            markersize=4,
            label=tr("{label}: median of {seeds} seeds (thin: each seed)").format(
                label=label, seeds=len(histories)
            ),
        )
    ax.axhline(
        solved,
        color="black",
        linestyle="--",
        linewidth=1,
        label=tr("solved ({solved:.0f})").format(solved=solved),
    )
    ax.set(
        xlabel=tr("environment steps"),
        ylabel=tr("greedy evaluation: mean return of 20 episodes"),
    )
    ax.set_ylim(0, 520)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return ax
