"""Bad input is refused at the boundary with a message that says what was expected, what was
given and how to fix it (lessons 1, 4, 6 and 7). Config values: tests/test_config.py."""

from __future__ import annotations

import re

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from dqn_lib import DQNAgent, DQNConfig, OnlineAgent, evaluate, make_env, train

SMALL_CONFIG = DQNConfig(hidden=(8,), batch_size=4, buffer_size=50, learning_starts=4)


class GridObservations(gym.Env):
    """Observations that are (2, 2) grids, not vectors."""

    observation_space = spaces.Box(-1.0, 1.0, (2, 2), np.float32)
    action_space = spaces.Discrete(2)


def test_train_refuses_a_continuous_action_space():
    with pytest.raises(
        ValueError,
        match=r"train needs an environment with a discrete action space, such as CartPole's "
        r"Discrete\(2\).*Got action space Box\(-2\.0, 2\.0, \(1,\), float32\)\. Use a discrete "
        r"environment, or discretize",
    ):
        train(OnlineAgent(seed=0), gym.make("Pendulum-v1"), steps=10, progress=False)


def test_train_refuses_observations_that_are_not_vectors():
    with pytest.raises(
        ValueError,
        match=r"train needs observations that are vectors, shape \(n,\) like CartPole's \(4,\); "
        r"got .* with shape \(2, 2\)\. Flatten them with gymnasium\.wrappers\.FlattenObservation",
    ):
        train(OnlineAgent(seed=0), GridObservations(), steps=10, progress=False)


def test_train_refuses_an_agent_built_for_other_spaces():
    with pytest.raises(
        ValueError,
        match=r"The agent has n_observations=3 but the environment has 4: build the agent with "
        r"n_observations=4\.",
    ):
        train(OnlineAgent(n_observations=3, seed=0), steps=10, progress=False)


BAD_SEEDS = [
    (1.5, TypeError, r"seed must be a non-negative integer such as 0 or 42, got 1\.5"),
    (-1, ValueError, r"seed must be a non-negative integer, got -1\. Use 0 or more\."),
]
SEEDED = {
    "make_env": lambda seed: make_env(seed),
    "train": lambda seed: train(OnlineAgent(seed=0), steps=5, seed=seed, progress=False),
    "OnlineAgent": lambda seed: OnlineAgent(seed=seed),
    "DQNAgent": lambda seed: DQNAgent(SMALL_CONFIG, seed=seed),
    "evaluate": lambda seed: evaluate(OnlineAgent(seed=0), episodes=1, seed=seed),
}


@pytest.mark.parametrize("name", SEEDED)
@pytest.mark.parametrize(("seed", "error", "message"), BAD_SEEDS)
def test_bad_seeds_are_refused_everywhere(name, seed, error, message):
    with pytest.raises(error, match=message):
        SEEDED[name](seed)


@pytest.mark.parametrize("name", SEEDED)
def test_numpy_int_seeds_are_accepted_everywhere(name):
    SEEDED[name](np.int64(3))


@pytest.mark.parametrize("agent", [OnlineAgent(seed=0), DQNAgent(SMALL_CONFIG, seed=0)])
def test_observe_refuses_a_reset_tuple(agent):
    reset = make_env(0).reset()
    with pytest.raises(TypeError, match="observation, info = env.reset"):
        agent.observe(reset, 0, 1.0, np.zeros(4), False, False)
    with pytest.raises(ValueError, match="NaN or infinity"):
        agent.observe(np.zeros(4), 0, 1.0, np.array([0.0, np.inf, 0.0, 0.0]), False, False)


class FixedActionAgent(OnlineAgent):
    """Acts with one given action, whatever it is."""

    def __init__(self, action: object):
        super().__init__(seed=0)
        self.action = action

    def act(self, observation, greedy=False):
        return self.action


@pytest.mark.parametrize(
    ("action", "given"), [(2, "2"), (-1, "-1"), (1.0, "1.0 of type float"), (True, "True of type")]
)
def test_train_refuses_an_action_the_environment_would_reject(action, given):
    with pytest.raises(
        ValueError,
        match=rf"FixedActionAgent\.act returned {given}.* at step 1; the environment expects an "
        r"int in \[0, 1\]\. Return int\(\.\.\.\)",
    ):
        train(FixedActionAgent(action), steps=10, progress=False)


class NaNAtStep(gym.Wrapper):
    """CartPole whose observation turns NaN at one step."""

    def __init__(self, step: int):
        super().__init__(make_env(0))
        self.bad_step, self.t = step, 0

    def step(self, action):
        self.t += 1
        observation, reward, terminated, truncated, info = self.env.step(action)
        if self.t == self.bad_step:
            observation = np.full(4, np.nan, dtype=np.float32)
        return observation, reward, terminated, truncated, info


def test_train_names_the_step_of_a_nan_observation():
    with pytest.raises(ValueError, match=r"observation with NaN or infinity at step 7: \[nan"):
        train(OnlineAgent(seed=0), NaNAtStep(7), steps=20, progress=False)


def test_train_names_the_step_of_a_non_finite_reward():
    calls = 0

    def reward_that_overflows(next_observation, env_reward, terminated):
        nonlocal calls
        calls += 1
        return float("inf") if calls == 12 else env_reward

    with pytest.raises(
        ValueError,
        match=r"The reward function reward_that_overflows returned inf at step 12; it must return "
        r"a finite real number",
    ):
        train(OnlineAgent(seed=0), steps=20, reward_fn=reward_that_overflows, progress=False)


class DivergingAgent(OnlineAgent):
    """Its loss becomes NaN at the 5th update."""

    def observe(self, *transition):
        loss = super().observe(*transition)
        self.updates = getattr(self, "updates", 0) + 1
        return float("nan") if self.updates == 5 else loss


def test_train_names_the_step_of_a_non_finite_loss():
    with pytest.raises(FloatingPointError, match=r"The loss became nan at step 5: lower"):
        train(DivergingAgent(seed=0), steps=20, progress=False)


@pytest.mark.parametrize("value", [0, -3, True, 2.5, "3", None])
def test_one_check_for_every_count_argument_names_it_and_what_came(value):
    """dqn_lib.validation words every count's mistake once, the same way everywhere."""
    from dqn_lib.validation import int_at_least, positive_int

    with pytest.raises(
        ValueError, match=rf"^episodes must be a positive int, got {re.escape(repr(value))}\.$"
    ):
        positive_int(value, "episodes")
    with pytest.raises(ValueError, match=r"^resolution must be an int >= 2, got "):
        int_at_least(1 if value == 0 else value, 2, "resolution")
