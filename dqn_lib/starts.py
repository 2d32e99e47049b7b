"""Where episodes start: CartPole's reset box, wider boxes set after ``reset``, and the
four-gain linear policy that a trained agent is judged against from them.

Taught in notebooks/10_inside.py. CartPole's ``reset`` draws every state variable uniformly in
[-0.05, 0.05]: an agent evaluated only there has been tested on a cart that starts at the centre
and a pole that starts upright and still. A *start box* gives the half-width of the uniform
draw for each of the four state variables, in the observation's order and units (m, m/s, rad,
rad/s).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from dqn_lib.env import ANGLE_LIMIT_RADIANS, POSITION_LIMIT
from dqn_lib.i18n import tr

__all__ = [
    "ExploringStarts",
    "LINEAR_POLICY_GAINS",
    "PERTURBED_STARTS",
    "RESET_BOX",
    "StartBox",
    "TRAINING_STARTS",
    "WIDE_PERTURBED_STARTS",
    "check_start_box",
    "linear_policy",
    "set_start",
]

StartBox = tuple[float, float, float, float]
"""Half-widths of a uniform start: cart position (m), cart velocity (m/s), pole angle (rad),
pole angular velocity (rad/s)."""

RESET_BOX: StartBox = (0.05, 0.05, 0.05, 0.05)
"""CartPole's own ``reset``: every variable uniform in [-0.05, 0.05]."""

PERTURBED_STARTS: StartBox = (1.0, 0.5, 0.1, 0.5)
"""The perturbed-start evaluation: the cart up to 1 m off centre and moving, the pole up to
0.1 rad (5.7 degrees) off upright and turning."""

WIDE_PERTURBED_STARTS: StartBox = (1.8, 0.5, 0.1, 0.5)
"""As ``PERTURBED_STARTS``, with the cart up to 1.8 m off centre (the track ends at 2.4 m)."""

TRAINING_STARTS: StartBox = (2.0, 0.5, 0.1, 0.5)
"""The exploring starts of the robust presets: the whole track but its last 0.4 m."""

LINEAR_POLICY_GAINS = (0.03, 0.2, 1.0, 0.3)
"""The gains of the reference linear policy, one per observation variable."""


def check_start_box(box: object) -> StartBox:
    """Return ``box`` as a tuple of four floats, or raise a clear error.

    Not taught in a lesson: the check behind ``PERTURBED_STARTS`` and every start box
    (notebooks/10_inside.py).

    Each half-width must be finite and >= 0, and the box must lie inside the termination
    limits (a start outside them would end the episode at its first step).
    """
    if (
        not isinstance(box, Sequence)
        or isinstance(box, str)
        or len(box) != 4
        or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in box)
    ):
        raise ValueError(
            tr(
                "A start box is four half-widths (cart position, cart velocity, pole angle, pole "
                "angular velocity), such as {example}; got {box!r}."
            ).format(example=PERTURBED_STARTS, box=box)
        )
    values = tuple(float(v) for v in box)
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise ValueError(
            tr("A start box's half-widths must be finite and >= 0, got {values}.").format(
                values=values
            )
        )
    if values[0] >= POSITION_LIMIT or values[2] >= ANGLE_LIMIT_RADIANS:
        raise ValueError(
            tr(
                "A start box must lie inside the termination limits (cart position < "
                "{position_limit} m, pole angle < {angle_limit:.4f} rad); got {values}. Narrow "
                "the box."
            ).format(position_limit=POSITION_LIMIT, angle_limit=ANGLE_LIMIT_RADIANS, values=values)
        )
    return values  # type: ignore[return-value]


def set_start(env: gym.Env, box: StartBox) -> np.ndarray:
    """Put a just-reset CartPole in a state drawn uniformly from ``box``; return the observation.

    The draw comes from the environment's own generator (``env.unwrapped.np_random``), so a
    seeded ``reset`` followed by ``set_start`` repeats exactly, and a training checkpoint
    (which saves that generator) resumes exactly.
    """
    half_widths = np.array(check_start_box(box))
    unwrapped = env.unwrapped
    unwrapped.state = unwrapped.np_random.uniform(-half_widths, half_widths)
    return np.array(unwrapped.state, dtype=np.float32)


class ExploringStarts(gym.Wrapper):
    """Start a share of the episodes from a wider box: "exploring starts" (Sutton & Barto, 5.3).

    Taught in notebooks/10_inside.py. After each ``reset``, with probability ``fraction``, the
    state is redrawn from ``box`` with ``set_start``. The other episodes start as CartPole's own.

    Args:
        env: a CartPole environment (its ``unwrapped.state`` is set).
        box: the half-widths of the wider start (see ``StartBox``).
        fraction: the share of episodes that start from ``box``, in [0, 1].
    """

    def __init__(
        self, env: gym.Env, box: StartBox = TRAINING_STARTS, fraction: float = 1.0
    ) -> None:
        super().__init__(env)
        self.box = check_start_box(box)
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, numbers.Real)
            or not 0.0 <= fraction <= 1.0
        ):
            raise ValueError(
                tr("fraction must be a probability in [0, 1], got {fraction!r}.").format(
                    fraction=fraction
                )
            )
        self.fraction = float(fraction)

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:  # type: ignore[override]
        """``env.reset(**kwargs)``, then, with probability ``fraction``, a start from ``box``."""
        observation, info = self.env.reset(**kwargs)
        if self.env.unwrapped.np_random.random() < self.fraction:
            observation = set_start(self.env, self.box)
        return observation, info


def linear_policy(observation: np.ndarray) -> int:
    """Push right when ``LINEAR_POLICY_GAINS @ observation > 0``: four numbers, no learning.

    Taught in notebooks/01_cartpole.py (the hand-written policies) and used in
    notebooks/10_inside.py as the reference a trained agent is judged against from perturbed
    starts. The position and velocity gains are positive: to bring a cart back from the right,
    it first pushes further right, so the pole leans left and the balancing pushes that follow
    carry the cart left (CartPole is non-minimum-phase).
    """
    return int(np.dot(LINEAR_POLICY_GAINS, observation) > 0)
