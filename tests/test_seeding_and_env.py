"""make_env and seeds: the environment of the course, seeded, headless-safe."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from dqn_lib import MAX_EPISODE_STEPS, as_seed, make_env


def test_check_seed_accepts_numpy_integers_and_returns_int():
    seed = as_seed(np.int64(7))
    assert seed == 7 and type(seed) is int


@pytest.mark.parametrize("bad", [1.0, "3", None, True])
def test_check_seed_refuses_non_integers(bad):
    with pytest.raises(TypeError, match="must be a non-negative integer"):
        as_seed(bad)


def test_check_seed_refuses_negative_seeds():
    with pytest.raises(ValueError, match="got -1. Use 0 or more"):
        as_seed(-1)


def rollout(env, actions):
    observation, _ = env.reset()
    observations = [observation]
    for action in actions:
        observation, *_ = env.step(action)
        observations.append(observation)
    return np.array(observations)


def test_make_env_same_seed_repeats_exactly():
    actions = [0, 1, 1, 0, 1]
    first, second = rollout(make_env(3), actions), rollout(make_env(3), actions)
    np.testing.assert_array_equal(first, second)
    assert make_env(3).action_space.sample() == make_env(3).action_space.sample()


def test_make_env_different_seeds_differ():
    assert not np.array_equal(rollout(make_env(0), [0]), rollout(make_env(1), [0]))


def test_make_env_accepts_numpy_seed():
    observation, _ = make_env(np.int32(4)).reset()
    assert observation.shape == (4,)


def test_make_env_truncates_at_500_steps():
    env = make_env(0)
    assert env.spec.max_episode_steps == MAX_EPISODE_STEPS


def test_render_gives_rgb_frame():
    env = make_env(0, render=True)
    env.reset()
    frame = env.render()
    assert frame.shape == (400, 600, 3) and frame.dtype == np.uint8


@pytest.mark.slow
def test_render_headless_prints_nothing():
    """SDL's XDG_RUNTIME_DIR message and pygame's banner would show up in notebook outputs."""
    code = "from dqn_lib import make_env; e = make_env(0, render=True); e.reset(); e.render()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        check=True,
    )
    assert result.stdout == "" and result.stderr == ""


def test_the_solved_threshold_is_cartpoles_own():
    """The library's one home of 475: gymnasium's registered reward threshold for CartPole-v1."""
    import gymnasium

    from dqn_lib import env

    assert gymnasium.spec(env.ENV_ID).reward_threshold == env.SOLVED
