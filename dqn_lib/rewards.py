"""Reward functions: what the agent is told about how it is doing.

Taught in notebooks/05_reward.py. A reward function has the signature
``reward_fn(next_observation, env_reward, terminated) -> float``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dqn_lib.i18n import tr

RewardFunction = Callable[[np.ndarray, float, bool], float]

FALL_PENALTY = -5.0
"""The original notebook's reward when the episode terminates (the pole fell or the cart left)."""


def environment_reward(next_observation: np.ndarray, env_reward: float, terminated: bool) -> float:
    """CartPole's own reward: +1 for every step, the last one included.

    Taught in notebooks/05_reward.py. The return of an episode is its length, up to 500. The
    course's DQN trains on it (the default of ``train`` and of every preset but ``shaped``).
    """
    return float(env_reward)


def pole_angle_reward(next_observation: np.ndarray, env_reward: float, terminated: bool) -> float:
    """The original notebook's reward: ``-|pole angle|`` (radians), and -5 when the pole falls.

    Taught in notebooks/05_reward.py; lesson 6's online agent trains on it. It is never
    positive, with a penalty that ends the episode, so ending the episode is a way to stop
    paying: the lesson says when that is the cheaper future. Only a termination is punished,
    never the 500-step time limit. The original called its flag ``done``; unpacked from the
    five-value ``step`` it was ``terminated``, but ``done = terminated or truncated`` (old gym's
    meaning of ``done``) would punish a perfect 500-step episode exactly like a fall.
    """
    if terminated:
        return FALL_PENALTY
    return -abs(float(next_observation[2]))


POSITION_PENALTY = 0.1
"""Reward lost per metre the cart is from the centre, in ``angle_and_position_reward``."""


def angle_and_position_reward(
    next_observation: np.ndarray, env_reward: float, terminated: bool
) -> float:
    """``-|pole angle| - 0.1 * |cart position|``, and -5 when the episode terminates.

    Written in notebooks/05_reward.py (exercise 5.2); notebooks/10_inside.py trains the course's
    DQN on it (the benchmark's ``shaped`` preset) beside the +1 reward. The original's angle
    reward does not see the cart: an agent can balance the pole and let the cart drift off the
    track. The position term tells it, at every step, that the centre of the track is the safe
    place.
    """
    if terminated:
        return FALL_PENALTY
    return -abs(float(next_observation[2])) - POSITION_PENALTY * abs(float(next_observation[0]))


REWARD_FUNCTIONS: dict[str, RewardFunction] = {
    "environment": environment_reward,
    "pole_angle": pole_angle_reward,
    "angle_and_position": angle_and_position_reward,
}
"""The reward functions by name, for configs and widgets."""


def get_reward_function(name: str) -> RewardFunction:
    """The reward function called ``name`` (one of ``REWARD_FUNCTIONS``)."""
    if not isinstance(name, str) or name not in REWARD_FUNCTIONS:
        raise ValueError(
            tr("Unknown reward function {name!r}; expected one of {names}.").format(
                name=name, names=sorted(REWARD_FUNCTIONS)
            )
        )
    return REWARD_FUNCTIONS[name]
