"""The DQN agent's settings: one typed dataclass, checked when it is built.

Taught in notebooks/07_replay.py.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dqn_lib.i18n import tr
from dqn_lib.validation import int_at_least


@dataclass(frozen=True)
class DQNConfig:
    """Every setting of ``DQNAgent``; the defaults are the course's DQN (``presets.BASE``).

    Taught in notebooks/07_replay.py. Build one with keywords, ``DQNConfig(learning_rate=3e-4)``,
    or from a dict, ``DQNConfig.from_dict({...})``; both check every value. Change a built one
    with ``config.replace(gamma=0.98)``, which checks again.
    """

    hidden: tuple[int, ...] = (64, 64)
    """Widths of the Q-network's hidden layers."""
    learning_rate: float = 5e-4
    """Adam's step size at the start of training."""
    final_learning_rate: float = 5e-5
    """The learning rate after ``learning_rate_decay_steps`` steps (a linear decay; equal to
    ``learning_rate`` for none)."""
    learning_rate_decay_steps: int = 16_000
    """Environment steps over which the learning rate goes from ``learning_rate`` to
    ``final_learning_rate``."""
    gamma: float = 0.99
    """Discount factor of the TD target."""
    batch_size: int = 128
    """Transitions per gradient step, sampled from the replay buffer."""
    buffer_size: int = 50_000
    """Capacity of the replay buffer, in transitions; the oldest is overwritten first."""
    learning_starts: int = 1_000
    """Environment steps of acting before the first gradient step, so that the first batches are
    drawn from more than a handful of transitions."""
    train_every: int = 1
    """Environment steps between gradient phases (1: after every step)."""
    gradient_steps: int = 1
    """Gradient steps in each phase."""
    double_dqn: bool = True
    """Choose the next action with the online network, value it with the target network."""
    target_update: str = "soft"
    """``"soft"``: after every gradient step move the target network ``tau`` of the way to the
    online one (Polyak averaging); ``"hard"``: copy it every ``target_update_every``
    environment steps; ``"none"``: no target network, the TD target comes from the online
    network itself (as in the original online agent)."""
    tau: float = 0.01
    """Fraction of the way the target network moves per gradient step (soft updates)."""
    target_update_every: int = 500
    """Environment steps between copies (hard updates). Mnih et al. (2015) count their period
    ``C`` in parameter updates (10,000, with an update every 4 environment steps); with
    ``train_every`` and ``gradient_steps`` both 1, an interval of environment steps is the same
    number of updates once learning has started."""
    epsilon_start: float = 1.0
    """Probability of a random action at step 0."""
    epsilon_end: float = 0.01
    """Probability of a random action after ``epsilon_decay_steps``."""
    epsilon_decay_steps: int = 10_000
    """Environment steps over which epsilon falls linearly from start to end."""
    loss: str = "mse"
    """``"mse"``: ``nn.MSELoss``, the mean of the squared TD errors, not halved (its slope is
    twice the TD error); ``"huber"``: ``nn.SmoothL1Loss``, whose slope is at most 1 in size, so
    that a transition counts in its batch's gradient no more than one with a TD error of 1."""
    max_grad_norm: float | None = 10.0
    """Before each Adam step, scale the gradient of all the weights, taken as one vector, down to
    this norm if it is longer (``clip_grad_norm_``); ``None`` for no clipping."""

    def __post_init__(self) -> None:
        if isinstance(self.hidden, list | tuple):
            object.__setattr__(self, "hidden", tuple(self.hidden))
        _check_config(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> DQNConfig:
        """A config from a mapping; an unknown key is an error that suggests the closest name."""
        names = [f.name for f in dataclasses.fields(cls)]
        for key in values:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = tr(" Did you mean {name!r}?").format(name=close[0]) if close else ""
                raise ValueError(
                    tr("Unknown DQNConfig key {key!r}.{hint} Valid keys: {keys}.").format(
                        key=key, hint=hint, keys=", ".join(names)
                    )
                )
        return cls(**values)

    def replace(self, **changes: Any) -> DQNConfig:
        """A copy with ``changes`` applied, checked like a new one."""
        return DQNConfig.from_dict({**dataclasses.asdict(self), **changes})


def _positive_int(config: DQNConfig, name: str, minimum: int = 1) -> None:
    value = getattr(config, name)
    int_at_least(value, minimum, f"DQNConfig.{name}")


def _in_range(config: DQNConfig, name: str, low: float, high: float, low_open: bool) -> None:
    value = getattr(config, name)
    bracket = "(" if low_open else "["
    message = tr("DQNConfig.{name} must be in {bracket}{low}, {high}], got {value!r}.").format(
        name=name, bracket=bracket, low=low, high=high, value=value
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(message)
    value = float(value)  # NumPy floats are welcome; they are stored as Python floats
    below = value <= low if low_open else value < low
    if math.isnan(value) or below or value > high:
        raise ValueError(message)
    object.__setattr__(config, name, value)


def _check_config(config: DQNConfig) -> None:
    if (
        not isinstance(config.hidden, tuple)
        or not config.hidden
        or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in config.hidden)
    ):
        raise ValueError(
            tr("DQNConfig.hidden must be positive ints like (64, 64), got {hidden!r}.").format(
                hidden=config.hidden
            )
        )
    for name in (
        "batch_size",
        "buffer_size",
        "train_every",
        "gradient_steps",
        "target_update_every",
        "learning_rate_decay_steps",
        "epsilon_decay_steps",
    ):
        _positive_int(config, name)
    _positive_int(config, "learning_starts", minimum=0)
    for name in ("learning_rate", "final_learning_rate"):
        _in_range(config, name, 0.0, 1.0, low_open=True)
    for name in ("gamma", "epsilon_start", "epsilon_end"):
        _in_range(config, name, 0.0, 1.0, low_open=False)
    _in_range(config, "tau", 0.0, 1.0, low_open=True)
    if config.batch_size > config.buffer_size:
        raise ValueError(
            tr(
                "DQNConfig.batch_size ({batch_size}) is larger than buffer_size ({buffer_size}): a "
                "batch would repeat transitions. Lower batch_size or raise buffer_size."
            ).format(batch_size=config.batch_size, buffer_size=config.buffer_size)
        )
    if config.epsilon_end > config.epsilon_start:
        raise ValueError(
            tr(
                "DQNConfig.epsilon_end ({epsilon_end}) is above epsilon_start ({epsilon_start}): "
                "epsilon should fall as the agent learns."
            ).format(epsilon_end=config.epsilon_end, epsilon_start=config.epsilon_start)
        )
    if not isinstance(config.double_dqn, bool):
        raise ValueError(
            tr("DQNConfig.double_dqn must be True or False, got {value!r}.").format(
                value=config.double_dqn
            )
        )
    if config.target_update not in ("soft", "hard", "none"):
        raise ValueError(
            tr("DQNConfig.target_update must be 'soft', 'hard' or 'none', got {value!r}.").format(
                value=config.target_update
            )
        )
    if config.target_update == "none" and config.double_dqn:
        raise ValueError(
            tr(
                "DQNConfig.double_dqn needs a target network: with target_update='none' the online "
                "network would both choose and value the next action, which is plain DQN. Set "
                "double_dqn=False, or target_update='soft' or 'hard'."
            )
        )
    if config.loss not in ("huber", "mse"):
        raise ValueError(
            tr("DQNConfig.loss must be 'huber' or 'mse', got {value!r}.").format(value=config.loss)
        )
    if config.max_grad_norm is not None:
        _in_range(config, "max_grad_norm", 0.0, float("inf"), low_open=True)
