"""Looking inside a trained agent: Q-value maps, an episode to scrub through, training diagnostics.

Taught in notebooks/10_inside.py. Three tools:

- ``q_value_grid`` and ``plot_q_maps``: the Q-network's values over a grid of pole angles and
  angular velocities, with the cart's position and velocity held fixed (one *slice* of the
  four-dimensional state space), and the greedy action at every point of it.
- ``inspect_episode`` and ``EpisodeScrubber``: one greedy episode with the Q-values of every
  step, and an ipywidgets slider over its steps (``plot_episode_steps`` draws a few steps as a
  static figure, for a notebook read without a kernel).
- ``DiagnosticsRecorder`` and ``plot_diagnostics``: training watched from the inside (a
  ``Callback`` of ``train``), every ``every`` steps the mean max-Q on fixed states, the TD loss
  and the share of terminal transitions in the replay buffer (``mean_max_q``,
  ``terminal_share``), beside ``train``'s greedy evaluations; ``train_diagnosed`` trains named
  presets that way, side by side in processes of their own.
"""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from PIL import Image as PILImage
from torch import nn

from dqn_lib.dqn import DQNAgent
from dqn_lib.env import (
    ACTION_NAMES,
    MAX_EPISODE_STEPS,
    OBSERVATION_NAMES,
    SOLVED,
    display_name,
    make_env,
)
from dqn_lib.evaluation import EVAL_EPISODES, EVAL_EVERY
from dqn_lib.history import History
from dqn_lib.i18n import tr
from dqn_lib.parallel import run_in_processes
from dqn_lib.presets import Preset, get_preset
from dqn_lib.replay import ReplayBuffer
from dqn_lib.rewards import RewardFunction, environment_reward
from dqn_lib.seeding import as_seed
from dqn_lib.training import Callback, evaluation_settings, train
from dqn_lib.validation import int_at_least, positive_int

__all__ = [
    "ACTION_COLORS",
    "DiagnosticsRecorder",
    "DiagnosedRun",
    "Diagnostics",
    "EpisodeScrubber",
    "InspectedEpisode",
    "greedy_action_map",
    "inspect_episode",
    "mean_max_q",
    "plot_diagnostics",
    "plot_episode_steps",
    "plot_q_maps",
    "q_value_grid",
    "terminal_share",
    "train_diagnosed",
]

ACTION_COLORS = ("#4c72b0", "#dd8452")
"""The colour of each action in every figure of lesson 10: push left blue, push right orange."""

_POSITION, _VELOCITY, _ANGLE, _ANGULAR_VELOCITY = range(4)  # the order of OBSERVATION_NAMES


# --- Q-value maps -----------------------------------------------------------------------------


def _axis_values(name: str, values: object) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0 or not np.isfinite(array).all():
        if array.ndim != 1 or array.size == 0:
            message = tr(
                "{name} must be a non-empty 1-D sequence of finite numbers (radians, or radians "
                "per second), like np.linspace(-0.2, 0.2, 41); got {shape} values."
            )
        else:
            message = tr(
                "{name} must be a non-empty 1-D sequence of finite numbers (radians, or radians "
                "per second), like np.linspace(-0.2, 0.2, 41); got {shape} values with NaN or "
                "infinity."
            )
        raise ValueError(message.format(name=name, shape=np.shape(values)))
    return array


def _finite_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(
            tr("{name} must be a finite number, got {value!r}.").format(name=name, value=value)
        )
    return float(value)


def _check_network(q_network: object) -> nn.Module:
    if not isinstance(q_network, nn.Module):
        raise TypeError(
            tr(
                "Expected a Q-network (a torch nn.Module such as agent.q_network), got {type}. "
                "Pass agent.q_network, not the agent."
            ).format(type=type(q_network).__name__)
        )
    return q_network


def q_value_grid(
    q_network: nn.Module,
    angles: Sequence[float] | np.ndarray,
    angular_velocities: Sequence[float] | np.ndarray,
    cart_position: float = 0.0,
    cart_velocity: float = 0.0,
) -> np.ndarray:
    """The Q-values of every (pole angle, angular velocity) pair, the cart's state held fixed.

    Taught in notebooks/10_inside.py. ``angles`` are in radians, ``angular_velocities`` in
    radians per second, as in an observation. Returns an array of shape
    ``(len(angular_velocities), len(angles), n_actions)``: row ``i`` is angular velocity ``i``,
    column ``j`` angle ``j``, so ``plt.imshow(grid[..., a], origin="lower")`` puts the angle on
    the x-axis. All observations go through the network in one batch, without gradients.

    >>> grid = q_value_grid(nn.Linear(4, 2), [-0.1, 0.0, 0.1], [0.0, 0.5])
    >>> grid.shape  # (angular velocities, angles, actions)
    (2, 3, 2)
    """
    q_network = _check_network(q_network)
    angles = _axis_values("angles", angles)
    angular_velocities = _axis_values("angular_velocities", angular_velocities)
    angle, angular_velocity = np.meshgrid(angles, angular_velocities)  # (n_velocities, n_angles)
    observations = np.zeros((*angle.shape, len(OBSERVATION_NAMES)), dtype=np.float32)
    observations[..., _POSITION] = _finite_number("cart_position", cart_position)
    observations[..., _VELOCITY] = _finite_number("cart_velocity", cart_velocity)
    observations[..., _ANGLE] = angle
    observations[..., _ANGULAR_VELOCITY] = angular_velocity
    with torch.no_grad():
        q_values = q_network(torch.from_numpy(observations.reshape(-1, len(OBSERVATION_NAMES))))
    return q_values.numpy().reshape(*angle.shape, -1)  # (n_velocities, n_angles, n_actions)


def greedy_action_map(q_grid: np.ndarray) -> np.ndarray:
    """The greedy action at every point of a ``q_value_grid``: its argmax over the last axis.

    Taught in notebooks/10_inside.py.

    >>> greedy_action_map(np.array([[[1.0, 2.0], [3.0, 0.0]]])).tolist()
    [[1, 0]]
    """
    q_grid = np.asarray(q_grid)
    if q_grid.ndim != 3 or q_grid.shape[-1] < 2:
        raise ValueError(
            tr(
                "greedy_action_map expects q_value_grid's output, shape (n_velocities, n_angles, "
                "n_actions) with at least 2 actions; got shape {shape}."
            ).format(shape=q_grid.shape)
        )
    return q_grid.argmax(axis=-1)


def plot_q_maps(
    q_network: nn.Module,
    slices: Sequence[tuple[float, float]],
    angle_limit_degrees: float = 12.0,
    angular_velocity_limit_degrees: float = 120.0,
    resolution: int = 81,
    visited: np.ndarray | None = None,
) -> Figure:
    """One row per slice: the state's value ``max_a Q`` as a heatmap, and the greedy action map.

    Taught in notebooks/10_inside.py. ``slices`` are ``(cart_position, cart_velocity)`` pairs
    (metres, metres per second); each row holds them fixed and varies the pole angle (x-axis,
    degrees) and angular velocity (y-axis, degrees per second) over ``+-angle_limit_degrees``
    and ``+-angular_velocity_limit_degrees``. The heatmaps share one colour scale; the black line
    on both is where the two actions' Q-values are equal. ``visited``, observations of shape
    ``(n, 4)``, are drawn as dots on the value maps: the states the agent really sees.
    """
    if not slices:
        raise ValueError(tr("plot_q_maps needs at least one (cart_position, cart_velocity) slice."))
    int_at_least(resolution, 2, "resolution")
    angles_deg = np.linspace(-angle_limit_degrees, angle_limit_degrees, resolution)
    velocities_deg = np.linspace(
        -angular_velocity_limit_degrees, angular_velocity_limit_degrees, resolution
    )
    grids = [
        q_value_grid(q_network, np.radians(angles_deg), np.radians(velocities_deg), x, v)
        for x, v in slices
    ]
    values = [grid.max(axis=-1) for grid in grids]  # (n_velocities, n_angles) each
    low, high = min(v.min() for v in values), max(v.max() for v in values)
    extent = (angles_deg[0], angles_deg[-1], velocities_deg[0], velocities_deg[-1])
    fig, axes = plt.subplots(
        len(slices), 2, figsize=(10.5, 3.6 * len(slices)), squeeze=False, layout="constrained"
    )
    for row, ((x, v), grid, value) in enumerate(zip(slices, grids, values, strict=True)):
        ax_value, ax_action = axes[row]
        image = ax_value.imshow(
            value, origin="lower", extent=extent, aspect="auto", vmin=low, vmax=high, cmap="viridis"
        )
        ax_action.imshow(
            greedy_action_map(grid),
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap=ListedColormap(ACTION_COLORS[: grid.shape[-1]]),
            vmin=0,
            vmax=grid.shape[-1] - 1,
        )
        for ax in (ax_value, ax_action):
            if grid.shape[-1] == 2:
                ax.contour(
                    angles_deg,
                    velocities_deg,
                    grid[..., 1] - grid[..., 0],
                    levels=[0.0],
                    colors="black",
                    linewidths=1.2,
                )
            ax.set(
                xlabel=tr("pole angle (degrees)"),
                ylabel=tr("pole angular velocity (degrees/s)"),
            )
            ax.axhline(0, color="white", linewidth=0.5, alpha=0.6)
            ax.axvline(0, color="white", linewidth=0.5, alpha=0.6)
        where = tr("cart at {x:+.1f} m, moving {v:+.1f} m/s").format(x=x, v=v)
        ax_value.set_title(tr("Value max_a Q, {where}").format(where=where), fontsize="medium")
        ax_action.set_title(tr("Greedy action, {where}").format(where=where), fontsize="medium")
        if visited is not None:
            states = np.asarray(visited)
            ax_value.scatter(
                np.degrees(states[:, _ANGLE]),
                np.degrees(states[:, _ANGULAR_VELOCITY]),
                s=2,
                color="white",
                alpha=0.5,
            )
    fig.colorbar(
        image,
        ax=axes[:, 0],
        label=tr("max_a Q (discounted return the agent expects)"),
        shrink=0.8,
    )
    handles = [
        Patch(color=c, label=display_name(n))
        for c, n in zip(ACTION_COLORS, ACTION_NAMES, strict=False)
    ] + [plt.Line2D([], [], color="black", label=tr("Q(push left) = Q(push right)"))]
    axes[0, 1].legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.9)
    if visited is not None:
        axes[0, 0].legend(
            handles=[plt.Line2D([], [], marker="o", linestyle="", color="white", markersize=3)],
            labels=[tr("states of a greedy episode")],
            loc="upper right",
            fontsize="small",
            facecolor="grey",
        )
    return fig


# --- An episode, step by step -----------------------------------------------------------------


@dataclass
class InspectedEpisode:
    """One greedy episode with what the agent thought at every step.

    Not taught in a lesson by name: what ``inspect_episode`` (notebooks/10_inside.py) returns. Step
    ``t`` shows ``frames[t]`` (the state
    ``observations[t]``), the agent's ``q_values[t]`` there (shape ``(n_actions,)``), the action
    it chose, ``actions[t]``, and the reward that action earned, ``rewards[t]``. There is one more
    frame and observation than actions: the state the episode ended in.
    """

    frames: list[np.ndarray]
    observations: np.ndarray
    q_values: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminated: bool = False
    truncated: bool = False

    @property
    def length(self) -> int:
        """Steps taken (actions chosen)."""
        return len(self.actions)

    def return_before(self, step: int) -> float:
        """The rewards collected before ``step``: the return so far when the agent chooses."""
        return float(self.rewards[:step].sum())


def inspect_episode(
    agent: Any,
    seed: int = 0,
    reward_fn: RewardFunction = environment_reward,
    max_steps: int = MAX_EPISODE_STEPS,
    start_state: Sequence[float] | np.ndarray | None = None,
) -> InspectedEpisode:
    """Play one greedy episode of ``agent`` and keep its frames, Q-values, actions and rewards.

    Taught in notebooks/10_inside.py. The agent needs a ``q_network`` (a ``DQNAgent`` or an
    ``OnlineAgent``); it chooses the argmax of its Q-values, as ``agent.act(greedy=True)``
    does. ``rewards`` are ``reward_fn``'s, the reward the agent learned from (CartPole's +1 a
    step by default). The environment is reset with ``seed``; ``start_state``, four numbers in
    the observation's order and units, then replaces the state it was reset to (to watch the
    agent recover from a state it would rarely reach on its own).
    """
    q_network = _check_network(getattr(agent, "q_network", agent))
    env = make_env(render=True)
    observation, _ = env.reset(seed=as_seed(seed))
    if start_state is not None:
        state = np.asarray(start_state, dtype=np.float64)
        if state.shape != (len(OBSERVATION_NAMES),) or not np.isfinite(state).all():
            raise ValueError(
                tr("start_state must be {n} finite numbers ({names}), got {values}.").format(
                    n=len(OBSERVATION_NAMES),
                    names=", ".join(map(display_name, OBSERVATION_NAMES)),
                    values=np.asarray(start_state).tolist(),
                )
            )
        env.unwrapped.state = state
        observation = state.astype(np.float32)
    frames, observations = [env.render()], [observation]
    q_values, actions, rewards = [], [], []
    terminated = truncated = False
    while len(actions) < max_steps and not (terminated or truncated):
        with torch.no_grad():
            q = q_network(torch.as_tensor(observation, dtype=torch.float32)).numpy()
        action = int(q.argmax())
        observation, env_reward, terminated, truncated, _ = env.step(action)
        q_values.append(q)
        actions.append(action)
        rewards.append(reward_fn(observation, float(env_reward), bool(terminated)))
        observations.append(observation)
        frames.append(env.render())
    env.close()
    return InspectedEpisode(
        frames=frames,
        observations=np.array(observations, dtype=np.float32),  # (steps + 1, 4)
        q_values=np.array(q_values),  # (steps, n_actions)
        actions=np.array(actions, dtype=np.int64),
        rewards=np.array(rewards, dtype=np.float64),
        terminated=bool(terminated),
        truncated=bool(truncated),
    )


def _step_description(episode: InspectedEpisode, step: int) -> str:
    observation, q = episode.observations[step], episode.q_values[step]
    action = int(episode.actions[step])
    qs = ", ".join(
        f"Q({display_name(name)}) = {value:+.3f}"
        for name, value in zip(ACTION_NAMES, q, strict=False)
    )
    return tr(
        "step {step} of {length}: pole {angle:+.1f} deg, turning {turning:+.0f} deg/s, cart at "
        "{position:+.2f} m; {q_values}; chose {action}; return so far {so_far:+.2f}"
    ).format(
        step=step,
        length=episode.length,
        angle=np.degrees(observation[_ANGLE]),
        turning=np.degrees(observation[_ANGULAR_VELOCITY]),
        position=observation[_POSITION],
        q_values=qs,
        action=display_name(ACTION_NAMES[action]),
        so_far=episode.return_before(step),
    )


def _png(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(frame).save(buffer, format="png")
    return buffer.getvalue()


class EpisodeScrubber:
    """An ipywidgets slider over an episode's steps: the frame, the Q-values, the action chosen
    and the return so far of the step it points at.

    Taught in notebooks/10_inside.py. ``scrubber.slider`` is an ``IntSlider`` (a ``Play``
    button beside it runs through the steps in JupyterLab); moving it calls ``show(step)``,
    which updates ``scrubber.image`` (the frame, PNG) and ``scrubber.text`` (an ``HTML`` line).
    Set ``scrubber.slider.value = 42`` to move it from code. A notebook read without a kernel
    shows a line of text in place of the widget: draw a few steps with ``plot_episode_steps``.
    """

    def __init__(self, episode: InspectedEpisode, start: int = 0) -> None:
        if not isinstance(episode, InspectedEpisode):
            raise TypeError(
                tr(
                    "EpisodeScrubber needs an InspectedEpisode, got {type}; make one with "
                    "inspect_episode(agent, seed=...)."
                ).format(type=type(episode).__name__)
            )
        if episode.length == 0:
            raise ValueError(tr("The episode has no steps: record one with inspect_episode first."))
        self.episode = episode
        last = episode.length - 1
        self.slider = widgets.IntSlider(
            value=0, min=0, max=last, description=tr("step"), continuous_update=True
        )
        self.play = widgets.Play(value=0, min=0, max=last, interval=40, description=tr("play"))
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.image = widgets.Image(format="png", width=480)
        self.text = widgets.HTML()
        self.widget = widgets.VBox([widgets.HBox([self.play, self.slider]), self.image, self.text])
        self.slider.observe(self._on_change, names="value")
        self.show(0)
        self.slider.value = self._checked_step(start)

    def _checked_step(self, step: object) -> int:
        last = self.episode.length - 1
        if (
            isinstance(step, bool)
            or not isinstance(step, numbers.Integral)
            or not 0 <= step <= last
        ):
            raise ValueError(
                tr("step must be an int from 0 to {last}, got {step!r}.").format(
                    last=last, step=step
                )
            )
        return int(step)

    def _on_change(self, change: Mapping[str, Any]) -> None:
        self.show(change["new"])

    def show(self, step: int) -> None:
        """Show ``step``: its frame in ``image`` and its numbers in ``text``."""
        step = self._checked_step(step)
        self.image.value = _png(self.episode.frames[step])
        self.text.value = f"<code>{_step_description(self.episode, step)}</code>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = tr(
            "EpisodeScrubber: a slider over the {steps} steps of an episode "
            "(run the notebook to move it)."
        ).format(steps=self.episode.length)
        return bundle


def plot_episode_steps(episode: InspectedEpisode, steps: Sequence[int], title: str = "") -> Figure:
    """A static strip of an episode: for each of ``steps``, the frame above and the Q-values
    below (the chosen action's bar outlined), titled with the angle and the return so far.

    Taught in notebooks/10_inside.py: what ``EpisodeScrubber`` shows, for a few steps at once.
    """
    if not steps:
        raise ValueError(tr("plot_episode_steps needs at least one step to draw."))
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, numbers.Integral):
            raise ValueError(tr("steps must be ints, got {step!r}.").format(step=step))
        if not 0 <= step < episode.length:
            raise ValueError(
                tr("step {step} is outside the episode: it has steps 0 to {last}.").format(
                    step=step, last=episode.length - 1
                )
            )
    fig, axes = plt.subplots(
        2,
        len(steps),
        figsize=(3.2 * len(steps), 4.6),
        squeeze=False,
        height_ratios=[1.1, 1],
        layout="constrained",
    )
    low = min(0.0, float(episode.q_values.min())) * 1.15
    high = max(0.0, float(episode.q_values.max())) * 1.15
    n_actions = episode.q_values.shape[1]
    names = [display_name(name) for name in ACTION_NAMES[:n_actions]]
    for column, step in enumerate(steps):
        ax_frame, ax_q = axes[0, column], axes[1, column]
        observation, action = episode.observations[step], int(episode.actions[step])
        ax_frame.imshow(episode.frames[step][60:330])  # crop the empty sky and ground
        ax_frame.set_axis_off()
        ax_frame.set_title(
            tr("step {step}: pole {angle:+.1f} deg,\nturning {turning:+.0f} deg/s").format(
                step=step,
                angle=np.degrees(observation[_ANGLE]),
                turning=np.degrees(observation[_ANGULAR_VELOCITY]),
            ),
            fontsize="medium",
        )
        bars = ax_q.bar(names, episode.q_values[step], color=ACTION_COLORS[:n_actions])
        bars[action].set_edgecolor("black")
        bars[action].set_linewidth(2.5)
        ax_q.set_ylim(low, high)
        ax_q.axhline(0, color="grey", linewidth=0.8)
        ax_q.set_title(
            tr("chose {action} (outlined)\nreturn so far {so_far:+.2f}").format(
                action=display_name(ACTION_NAMES[action]), so_far=episode.return_before(step)
            ),
            fontsize="medium",
        )
        ax_q.set_ylabel(tr("Q-value") if column == 0 else "")
    if title:
        fig.suptitle(title)
    return fig


# --- Diagnostics of a long run ----------------------------------------------------------------


def mean_max_q(q_network: nn.Module, observations: np.ndarray) -> float:
    """The mean over ``observations`` (shape ``(n, 4)``) of ``max_a Q(observation, a)``.

    Taught in notebooks/10_inside.py. On a fixed set of states, it shows how the network's
    estimate of what those states are worth moves during training.

    >>> network = nn.Linear(4, 2)
    >>> _ = network.weight.data.zero_(), network.bias.data.copy_(torch.tensor([1.0, 3.0]))
    >>> mean_max_q(network, np.zeros((5, 4)))
    3.0
    """
    q_network = _check_network(q_network)
    states = np.asarray(observations, dtype=np.float32)
    if states.ndim != 2 or len(states) == 0 or not np.isfinite(states).all():
        raise ValueError(
            tr(
                "mean_max_q expects a non-empty batch of finite observations, shape (n, "
                "n_observations); got shape {shape}. Stack observations with np.array(...)."
            ).format(shape=states.shape)
        )
    with torch.no_grad():
        return float(q_network(torch.from_numpy(states)).max(dim=1).values.mean())


def terminal_share(replay_buffer: ReplayBuffer) -> float:
    """The fraction of the transitions stored in ``replay_buffer`` that are terminations.

    Taught in notebooks/10_inside.py. Only the first ``size`` slots hold transitions; a
    truncated transition (the 500-step time limit) is not a termination. An empty buffer gives
    0.0.

    >>> buffer = ReplayBuffer(10, 4)
    >>> for terminated in (False, False, False, True):
    ...     buffer.add(np.zeros(4), 0, 1.0, np.zeros(4), terminated, False)
    >>> terminal_share(buffer)
    0.25
    """
    if not isinstance(replay_buffer, ReplayBuffer):
        raise TypeError(
            tr("terminal_share expects a ReplayBuffer (agent.replay_buffer), got {type}.").format(
                type=type(replay_buffer).__name__
            )
        )
    if replay_buffer.size == 0:
        return 0.0
    return float(replay_buffer.terminated[: replay_buffer.size].mean())


@dataclass
class Diagnostics:
    """What a ``DiagnosticsRecorder`` measured, one entry every ``every`` environment steps.

    Not taught in a lesson by name: what ``DiagnosticsRecorder`` (notebooks/10_inside.py)
    records.
    ``td_loss`` is the mean loss of the gradient steps since
    the previous entry (NaN before learning starts).
    """

    steps: list[int] = field(default_factory=list)
    mean_max_q: list[float] = field(default_factory=list)
    td_loss: list[float] = field(default_factory=list)
    terminal_share: list[float] = field(default_factory=list)


class DiagnosticsRecorder:
    """Measures a DQN agent while ``dqn_lib.train`` trains it, as a ``Callback``.

    Taught in notebooks/10_inside.py. Give ``train`` its callback,
    ``train(agent, ..., callbacks=[recorder.callback])``: every ``every`` environment steps it
    appends to ``diagnostics`` the mean max-Q on ``probe_observations``, the mean TD loss of the
    gradient steps since the last entry (from the History's losses), and the share of
    terminations in the replay buffer. It only reads the agent, so the run is the one ``train``
    makes without it. ``train(..., callbacks=[Evaluation(every), ...])`` adds the greedy
    evaluations at the same steps.

    Args:
        probe_observations: a fixed batch of observations, shape ``(n, 4)``.
        every: environment steps between measurements.
    """

    def __init__(self, probe_observations: np.ndarray, every: int = 1_000) -> None:
        positive_int(every, "every")
        with torch.random.fork_rng(devices=[]):  # a network just to check the probe states
            mean_max_q(nn.Linear(len(OBSERVATION_NAMES), 2), probe_observations)
        self.probe_observations = np.asarray(probe_observations, dtype=np.float32)
        self.every = every
        self.diagnostics = Diagnostics()
        self._losses_seen = 0

    @property
    def callback(self) -> Callback:
        """What to pass to ``train``'s ``callbacks``."""
        return Callback(self.every, self.record)

    def record(self, agent: Any, history: History) -> None:
        """One entry of ``diagnostics``, measured on ``agent`` (a ``DQNAgent``: its
        ``q_network`` and ``replay_buffer``) after ``history.steps`` steps."""
        for name in ("q_network", "replay_buffer"):
            if not hasattr(agent, name):
                raise TypeError(
                    tr(
                        "DiagnosticsRecorder measures a DQNAgent (with q_network and "
                        "replay_buffer); {type} has no {name}."
                    ).format(type=type(agent).__name__, name=name)
                )
        losses = history.losses[self._losses_seen :]
        self._losses_seen = len(history.losses)
        log = self.diagnostics
        log.steps.append(history.steps)
        log.mean_max_q.append(mean_max_q(agent.q_network, self.probe_observations))
        log.td_loss.append(float(np.mean(losses)) if losses else math.nan)
        log.terminal_share.append(terminal_share(agent.replay_buffer))


def plot_diagnostics(
    runs: Mapping[str, tuple[History, Diagnostics]],
    solved: float = SOLVED,
    colors: Sequence[str] | None = None,
) -> Figure:
    """Four panels on one step axis, a line per run: the greedy evaluation, the mean max-Q on
    the probe states, the TD loss (log scale) and the share of terminal transitions in the
    buffer (percent).

    Taught in notebooks/10_inside.py. ``runs`` maps a label to the ``History`` that ``train``
    returned (with an ``Evaluation``) and the ``DiagnosticsRecorder``'s ``diagnostics``.
    """
    if not runs:
        raise ValueError(tr("plot_diagnostics needs at least one run, got none."))
    fig, axes = plt.subplots(4, 1, figsize=(9, 11), sharex=True, layout="constrained")
    colors = list(colors) if colors is not None else [f"C{i}" for i in range(len(runs))]
    if len(colors) != len(runs):
        raise ValueError(
            tr(
                "plot_diagnostics needs one colour a run: got {colors} colours for {runs} runs; "
                "pass as many colours as runs, or leave colors out."
            ).format(colors=len(colors), runs=len(runs))
        )
    for (label, (history, log)), color in zip(runs.items(), colors, strict=True):
        if not history.eval_steps:
            raise ValueError(
                tr(
                    "run {label!r} has no greedy evaluations: train with an Evaluation in callbacks"
                ).format(label=label)
            )
        axes[0].plot(history.eval_steps, history.eval_returns, "o-", ms=3, color=color, label=label)
        axes[1].plot(log.steps, log.mean_max_q, color=color, label=label)
        axes[2].plot(log.steps, log.td_loss, color=color, label=label)
        axes[3].plot(log.steps, np.array(log.terminal_share) * 100, color=color, label=label)
    axes[0].axhline(
        solved,
        color="black",
        linestyle="--",
        linewidth=1,
        label=tr("solved ({solved:g})").format(solved=solved),
    )
    axes[0].set(ylabel=tr("greedy evaluation\n(mean return, steps)"), ylim=(0, 520))
    axes[0].set_title(tr("Training watched from the inside"))
    axes[1].set(ylabel=tr("mean max_a Q\non the probe states"))
    axes[2].set(ylabel=tr("TD loss\nmean since last point"), yscale="log")
    axes[3].set(
        ylabel=tr("terminal transitions\nin the buffer (%)"),
        xlabel=tr("environment steps"),
        ylim=(0, None),
    )
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower center", fontsize="small")
    return fig


@dataclass
class DiagnosedRun:
    """One preset trained on one seed with a ``DiagnosticsRecorder``: the trained agent (replay
    buffer included), the ``History`` of ``train`` and the ``Diagnostics``.

    Not taught in a lesson by name: what ``train_diagnosed`` (notebooks/10_inside.py) returns.
    """

    preset: str
    seed: int
    agent: DQNAgent
    history: History
    diagnostics: Diagnostics


def _train_one_diagnosed(
    preset: Preset,
    seed: int,
    steps: int,
    probe_observations: np.ndarray,
    every: int,
    eval_every: int,
    eval_episodes: int,
) -> DiagnosedRun:
    torch.set_num_threads(1)  # small networks are fastest on one thread, and repeat exactly
    agent = preset.make_agent(seed)
    recorder = DiagnosticsRecorder(probe_observations, every=every)
    history = train(
        agent,
        preset.make_env(seed),
        steps=steps,
        reward_fn=preset.reward_fn,
        seed=seed,
        progress=False,
        callbacks=[evaluation_settings(eval_every, eval_episodes), recorder.callback],
    )
    return DiagnosedRun(preset.name, seed, agent, history, recorder.diagnostics)


def train_diagnosed(
    presets: Sequence[str | Preset],
    seed: int,
    steps: int,
    probe_observations: np.ndarray,
    *,
    every: int = 1_000,
    eval_every: int = EVAL_EVERY,
    eval_episodes: int = EVAL_EPISODES,
    workers: int = 2,
) -> dict[str, DiagnosedRun]:
    """Train each preset on ``seed`` for ``steps`` steps with a ``DiagnosticsRecorder``, ``workers``
    runs side by side, each in a process of its own with one torch thread; return the runs by
    preset name, in the order given.

    Taught in notebooks/10_inside.py. Each run is the one ``presets.train_preset`` makes (same
    agent, environment, reward and starts; the recorder changes nothing in it), with the
    diagnostics measured every ``every`` steps and a greedy evaluation of ``eval_episodes``
    episodes every ``eval_every`` steps.
    """
    chosen = [get_preset(p) if isinstance(p, str) else p for p in presets]
    if not chosen or len({p.name for p in chosen}) != len(chosen):
        raise ValueError(
            tr(
                "train_diagnosed needs one or more presets with different names, got {names}."
            ).format(names=[p.name for p in chosen])
        )
    positive_int(workers, "workers")
    probe = DiagnosticsRecorder(probe_observations, every).probe_observations  # checks both here
    evaluation_settings(eval_every, eval_episodes)  # refused here, before any process starts
    arguments = (seed, steps, probe, every, eval_every, eval_episodes)
    names = ("seed", "steps", "probe_observations", "every", "eval_every", "eval_episodes")
    jobs = [{"preset": p, **dict(zip(names, arguments, strict=True))} for p in chosen]
    runs = run_in_processes(_train_one_diagnosed, jobs, workers=workers, progress=False)
    return {run.preset: run for run in runs}
