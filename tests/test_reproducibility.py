"""Same seed, versions and threads: the same actions, losses and weights, for both agents; a
different seed differs; stray global random draws between steps change nothing (lessons 4, 6
and 7). DQNAgent's losses and weights through train: tests/test_dqn_probes.py."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dqn_lib import DQNAgent, DQNConfig, OnlineAgent, pole_angle_reward, train

CONFIG = DQNConfig(hidden=(32, 32), batch_size=32, buffer_size=1000, learning_starts=50)
STEPS = 300


class Recorder:
    """Wraps an agent: records its actions, and may draw from the global generators between
    steps, as a notebook cell might."""

    def __init__(self, agent: DQNAgent | OnlineAgent, disturb: bool = False):
        self.agent, self.disturb, self.actions = agent, disturb, []
        self.n_actions, self.n_observations = agent.n_actions, agent.n_observations

    def act(self, observation, greedy=False):
        if self.disturb:
            np.random.rand()  # noqa: NPY002 (the point: global state must not matter)
            torch.rand(2)
        self.actions.append(self.agent.act(observation, greedy))
        return self.actions[-1]

    def observe(self, *transition):
        return self.agent.observe(*transition)


def run(kind: str, seed: int, disturb: bool = False) -> tuple[Recorder, list[float]]:
    agent = DQNAgent(CONFIG, seed=seed) if kind == "dqn" else OnlineAgent(seed=seed)
    recorder = Recorder(agent, disturb)
    history = train(recorder, steps=STEPS, seed=seed, reward_fn=pole_angle_reward, progress=False)
    return recorder, history.losses


def same_weights(first: Recorder, second: Recorder) -> bool:
    pairs = zip(
        first.agent.q_network.parameters(), second.agent.q_network.parameters(), strict=True
    )
    return all(torch.equal(a, b) for a, b in pairs)


@pytest.mark.parametrize("kind", ["dqn", "online"])
def test_same_seed_gives_identical_actions_losses_and_weights(kind):
    (first, losses_a), (second, losses_b) = run(kind, 7), run(kind, 7)
    assert first.actions == second.actions and len(first.actions) == STEPS
    assert losses_a == losses_b and losses_a
    assert same_weights(first, second)


@pytest.mark.parametrize("kind", ["dqn", "online"])
def test_different_seeds_give_different_runs(kind):
    (first, losses_a), (second, losses_b) = run(kind, 7), run(kind, 8)
    assert first.actions != second.actions and losses_a != losses_b
    assert not same_weights(first, second)


@pytest.mark.parametrize("kind", ["dqn", "online"])
def test_global_random_draws_between_steps_change_nothing(kind):
    (first, losses_a), (second, losses_b) = run(kind, 7), run(kind, 7, disturb=True)
    assert first.actions == second.actions and losses_a == losses_b
    assert same_weights(first, second)
