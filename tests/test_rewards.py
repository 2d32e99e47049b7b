"""The two reward functions of lesson 5."""

from __future__ import annotations

import numpy as np
import pytest

from dqn_lib import (
    FALL_PENALTY,
    REWARD_FUNCTIONS,
    environment_reward,
    get_reward_function,
    pole_angle_reward,
)

UPRIGHT = np.array([0.0, 0.0, 0.0, 0.0])
LEANING = np.array([0.5, 0.0, -0.1, 0.3])


def test_environment_reward_is_the_env_reward():
    assert environment_reward(LEANING, 1.0, False) == 1.0
    assert environment_reward(LEANING, 1.0, True) == 1.0


def test_pole_angle_reward_is_minus_abs_angle():
    assert pole_angle_reward(UPRIGHT, 1.0, False) == 0.0
    assert pole_angle_reward(LEANING, 1.0, False) == pytest.approx(-0.1)


def test_pole_angle_reward_punishes_a_fall_only():
    assert pole_angle_reward(LEANING, 1.0, True) == FALL_PENALTY == -5.0


def test_reward_functions_by_name():
    assert get_reward_function("pole_angle") is pole_angle_reward
    assert set(REWARD_FUNCTIONS) == {"environment", "pole_angle", "angle_and_position"}
    with pytest.raises(ValueError, match=r"Unknown reward function 'angle'; expected one of"):
        get_reward_function("angle")


def test_angle_and_position_reward_sees_the_cart():
    from dqn_lib import angle_and_position_reward

    assert angle_and_position_reward(UPRIGHT, 1.0, False) == 0.0
    assert angle_and_position_reward(LEANING, 1.0, False) == pytest.approx(-0.1 - 0.1 * 0.5)
    assert angle_and_position_reward(LEANING, 1.0, True) == FALL_PENALTY
