"""The CartPole environment, seeded and safe to render without a screen.

Taught in notebooks/01_cartpole.py.
"""

from __future__ import annotations

import os

# SDL (used by gymnasium's renderer through pygame) prints "XDG_RUNTIME_DIR is invalid" at C level
# when there is no display, and pygame prints a banner on import. Both would show up as red text
# in notebook outputs, so they are silenced before gymnasium can import pygame.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

from dqn_lib.i18n import tr  # noqa: E402
from dqn_lib.seeding import as_seed  # noqa: E402

ENV_ID = "CartPole-v1"
"""The environment of the whole course."""

OBSERVATION_NAMES = ("cart position", "cart velocity", "pole angle", "pole angular velocity")
"""What the four numbers of a CartPole observation are, in order."""

ACTION_NAMES = ("push left", "push right")
"""What the two CartPole actions do: 0 pushes the cart left, 1 pushes it right."""


def display_name(name: str) -> str:
    """An observation's or an action's name (``OBSERVATION_NAMES``, ``ACTION_NAMES``) in the
    language chosen by ``set_language``: what a lesson prints or draws. The names themselves stay
    English, because code compares and looks them up.

    Taught in notebooks/01_cartpole.py.

    >>> display_name("push left")
    'push left'
    """
    labels = {
        "cart position": tr("cart position"),
        "cart velocity": tr("cart velocity"),
        "pole angle": tr("pole angle"),
        "pole angular velocity": tr("pole angular velocity"),
        "push left": tr("push left"),
        "push right": tr("push right"),
    }
    if name not in labels:
        raise ValueError(
            tr(
                "display_name takes one of OBSERVATION_NAMES or ACTION_NAMES, got {name!r}: for "
                "example display_name(ACTION_NAMES[action])."
            ).format(name=name)
        )
    return labels[name]


ANGLE_LIMIT_RADIANS = 12 * 2 * np.pi / 360
"""The episode terminates when the pole leans more than 12 degrees (0.2094 rad) either way."""

POSITION_LIMIT = 2.4
"""The episode terminates when the cart's centre leaves [-2.4, 2.4] (metres, in the simulation)."""

MAX_EPISODE_STEPS = 500
"""CartPole-v1 truncates an episode after 500 steps: a time-out, not a fall."""

SOLVED = 475.0
"""CartPole-v1's ``reward_threshold``: a greedy mean return of 475 or more is solved. The one
home of this number in the library; presets, plots, the playground, the checks, the benchmark and
the tools import it."""


def make_env(seed: int | None = None, render: bool = False) -> gym.Env:
    """Make CartPole-v1, optionally seeded and ready to render frames headless.

    Taught in notebooks/01_cartpole.py.

    Args:
        seed: seeds the first ``reset`` and the action space, so ``env.action_space.sample()``
            and the first episode repeat exactly. Later ``env.reset()`` calls without a seed go
            on from that generator. ``None`` leaves both unseeded.
        render: when True, ``env.render()`` returns an RGB frame, an array of shape
            ``(400, 600, 3)`` and dtype uint8.

    Returns:
        The environment, already reset once when ``seed`` is given (call ``env.reset()`` to get
        the first observation as usual: the seeded generator carries on).
    """
    if seed is not None:
        seed = as_seed(seed)
    env = gym.make(ENV_ID, render_mode="rgb_array" if render else None)
    if seed is not None:
        env.reset(seed=seed)
        env.action_space.seed(seed)
    return env
