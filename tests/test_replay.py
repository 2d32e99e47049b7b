"""ReplayBuffer: a ring of preallocated arrays, sampled with its own generator (lesson 7)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from dqn_lib import train
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.replay import ReplayBuffer

N_OBSERVATIONS = 4


def filled_buffer(count: int, capacity: int = 100, seed: int = 0) -> ReplayBuffer:
    """A buffer holding transitions 0..count-1; transition i has every number equal to i."""
    buffer = ReplayBuffer(capacity, N_OBSERVATIONS, seed=seed)
    for i in range(count):
        observation = np.full(N_OBSERVATIONS, i, dtype=np.float32)
        buffer.add(observation, i % 2, float(i), observation + 0.5, i % 3 == 0, i % 3 == 1)
    return buffer


def test_arrays_are_preallocated_with_the_documented_dtypes_and_shapes():
    buffer = ReplayBuffer(7, N_OBSERVATIONS)
    expected = {
        "observations": (np.float32, (7, N_OBSERVATIONS)),
        "next_observations": (np.float32, (7, N_OBSERVATIONS)),
        "actions": (np.int64, (7,)),
        "rewards": (np.float32, (7,)),
        "terminated": (np.bool_, (7,)),
        "truncated": (np.bool_, (7,)),
    }
    arrays = {name: getattr(buffer, name) for name in expected}
    for name, (dtype, shape) in expected.items():
        assert arrays[name].dtype == dtype, name
        assert arrays[name].shape == shape, name
    filled = filled_buffer(20, capacity=7)
    for name in expected:  # adding writes in place, it never grows or reallocates
        assert getattr(filled, name).shape == expected[name][1], name
    buffer.add(np.ones(N_OBSERVATIONS), 1, 1.0, np.ones(N_OBSERVATIONS), False, False)
    for name, array in arrays.items():
        assert getattr(buffer, name) is array, name


def test_add_and_len():
    buffer = ReplayBuffer(10, N_OBSERVATIONS)
    assert len(buffer) == 0
    observation = np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32)
    buffer.add(observation, 1, -5.0, observation * 2, True, False)
    assert len(buffer) == 1
    np.testing.assert_array_equal(buffer.observations[0], observation)
    np.testing.assert_array_equal(buffer.next_observations[0], observation * 2)
    assert (buffer.actions[0], buffer.rewards[0]) == (1, -5.0)
    assert (buffer.terminated[0], buffer.truncated[0]) == (True, False)
    assert len(filled_buffer(6)) == 6


def test_ring_keeps_the_newest_capacity_transitions_and_overwrites_the_oldest_first():
    buffer = filled_buffer(4, capacity=3)  # transitions 0, 1, 2, then 3 replaces 0
    assert len(buffer) == 3
    assert buffer.rewards.tolist() == [3.0, 1.0, 2.0]
    buffer = filled_buffer(8, capacity=3)
    assert len(buffer) == 3
    assert sorted(buffer.rewards.tolist()) == [5.0, 6.0, 7.0]
    assert sorted(buffer.observations[:, 0].tolist()) == [5.0, 6.0, 7.0]
    assert buffer.position == 8 % 3  # the next transition replaces the oldest, number 5


def test_terminated_is_stored_apart_from_truncated():
    buffer = ReplayBuffer(4, N_OBSERVATIONS)
    zeros = np.zeros(N_OBSERVATIONS)
    for terminated, truncated in [(True, False), (False, True), (False, False), (True, True)]:
        buffer.add(zeros, 0, 1.0, zeros, terminated, truncated)
    assert buffer.terminated.tolist() == [True, False, False, True]
    assert buffer.truncated.tolist() == [False, True, False, True]


def test_sampled_terminated_ignores_truncation():
    """Only a termination stops the bootstrap: a batch of time-outs has terminated all 0."""
    buffer = ReplayBuffer(5, N_OBSERVATIONS)
    for _ in range(5):
        buffer.add(np.zeros(N_OBSERVATIONS), 0, 1.0, np.ones(N_OBSERVATIONS), False, True)
    assert buffer.sample(16).terminated.sum().item() == 0.0


class RecordSteps(gym.Wrapper):
    """Keeps what every ``step`` and ``reset`` returned, in order."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.events: list[tuple[str, np.ndarray, bool, bool]] = []

    def reset(self, **kwargs):
        observation, info = self.env.reset(**kwargs)
        self.events.append(("reset", observation.copy(), False, False))
        return observation, info

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.events.append(("step", observation.copy(), bool(terminated), bool(truncated)))
        return observation, reward, terminated, truncated, info


def test_truncated_transition_keeps_its_true_final_observation():
    """Run the library's own loop on CartPole cut to 5 steps: at each time-out the buffer holds
    the observation ``step`` returned, never the next episode's reset observation."""
    env = RecordSteps(gym.make("CartPole-v1", max_episode_steps=5))
    env.reset(seed=0)
    env.action_space.seed(0)
    env.events.clear()
    config = DQNConfig(batch_size=8, buffer_size=100, learning_starts=100)  # no learning: fast
    agent = DQNAgent(config, seed=0)
    train(agent, env=env, steps=20, progress=False)
    buffer = agent.replay_buffer
    steps = [(i, e) for i, e in enumerate(env.events) if e[0] == "step"]
    assert len(steps) == len(buffer) == 20
    truncations = 0
    for index, (event_index, (_, observation, terminated, truncated)) in enumerate(steps):
        np.testing.assert_array_equal(buffer.next_observations[index], observation)
        assert (buffer.terminated[index], buffer.truncated[index]) == (terminated, truncated)
        if truncated and not terminated:
            truncations += 1
            kind, reset_observation, _, _ = env.events[event_index + 1]
            assert kind == "reset"
            assert not np.array_equal(buffer.next_observations[index], reset_observation)
            if index + 1 < len(buffer):  # the reset observation starts the next transition
                np.testing.assert_array_equal(buffer.observations[index + 1], reset_observation)
    assert truncations >= 3  # CartPole cannot fall in 5 steps: every episode is cut short


def test_sample_shapes_and_dtypes():
    batch = filled_buffer(10).sample(32)
    assert batch.observations.shape == (32, N_OBSERVATIONS)
    assert batch.observations.dtype == torch.float32
    assert batch.next_observations.shape == (32, N_OBSERVATIONS)
    assert batch.next_observations.dtype == torch.float32
    assert batch.actions.shape == (32,) and batch.actions.dtype == torch.int64
    assert batch.rewards.shape == (32,) and batch.rewards.dtype == torch.float32
    assert batch.terminated.shape == (32,) and batch.terminated.dtype == torch.float32


def test_sample_rows_are_whole_transitions():
    """Every field of a sampled row comes from the same stored transition."""
    batch = filled_buffer(10).sample(64)
    index = batch.rewards  # transition i was stored with reward i
    torch.testing.assert_close(batch.observations[:, 0], index)
    torch.testing.assert_close(batch.next_observations[:, 0], index + 0.5)
    assert torch.equal(batch.actions, index.long() % 2)
    assert torch.equal(batch.terminated, (index.long() % 3 == 0).float())


def test_sample_draws_only_from_filled_slots():
    """An empty slot holds zeros, and transition i has next_observation i + 0.5."""
    batch = filled_buffer(10, capacity=100).sample(2000)
    drawn = set(batch.next_observations[:, 0].tolist())
    assert drawn == {i + 0.5 for i in range(10)}  # all of them, and never an empty slot
    batch = filled_buffer(13, capacity=5).sample(500)  # wrapped: 8..12 remain
    assert set(batch.rewards.tolist()) == {8.0, 9.0, 10.0, 11.0, 12.0}


def test_sample_same_seed_same_batches_different_seed_different():
    first, second, other = filled_buffer(50, seed=3), filled_buffer(50, seed=3), filled_buffer(50)
    for _ in range(3):
        a, b, c = first.sample(16), second.sample(16), other.sample(16)
        assert torch.equal(a.rewards, b.rewards)
        assert not torch.equal(a.rewards, c.rewards)


def test_sample_uses_the_generator_it_was_given():
    buffer = ReplayBuffer(10, N_OBSERVATIONS, rng=np.random.default_rng(5))
    reference = ReplayBuffer(10, N_OBSERVATIONS, seed=5)
    for target in (buffer, reference):
        for i in range(10):
            target.add(
                np.zeros(N_OBSERVATIONS), 0, float(i), np.zeros(N_OBSERVATIONS), False, False
            )
    assert torch.equal(buffer.sample(20).rewards, reference.sample(20).rewards)


def test_sample_leaves_global_random_state_alone():
    buffer = filled_buffer(50, seed=1)
    numpy_state, torch_state = np.random.get_state(), torch.get_rng_state()  # noqa: NPY002
    first = buffer.sample(32).rewards
    after = np.random.get_state()  # noqa: NPY002 (the point: global state must not change)
    assert all(np.array_equal(x, y) for x, y in zip(numpy_state, after, strict=True))
    assert torch.equal(torch_state, torch.get_rng_state())
    np.random.seed(99)  # noqa: NPY002 (the point: global state must not matter)
    torch.manual_seed(99)
    assert torch.equal(first, filled_buffer(50, seed=1).sample(32).rewards)


def test_sample_refuses_an_empty_buffer():
    with pytest.raises(ValueError, match="Cannot sample from an empty replay buffer: add"):
        ReplayBuffer(10, N_OBSERVATIONS).sample(1)


@pytest.mark.parametrize(
    ("batch_size", "shown"), [(0, "0"), (-3, "-3"), (2.5, "2.5"), (True, "True"), ("8", "'8'")]
)
def test_sample_refuses_bad_batch_size(batch_size, shown):
    with pytest.raises(ValueError, match=f"batch_size must be a positive int, got {shown}\\."):
        filled_buffer(3).sample(batch_size)


@pytest.mark.parametrize(
    ("capacity", "shown"), [(0, "0"), (-1, "-1"), (10.0, "10.0"), (True, "True"), (None, "None")]
)
def test_refuses_bad_capacity(capacity, shown):
    with pytest.raises(ValueError, match=f"capacity must be a positive int, got {shown}\\."):
        ReplayBuffer(capacity, N_OBSERVATIONS)


def test_add_refuses_an_observation_of_the_wrong_shape():
    buffer = ReplayBuffer(3, N_OBSERVATIONS)
    with pytest.raises(ValueError, match=r"shape"):
        buffer.add(np.array([7.0]), 0, 1.0, np.zeros(N_OBSERVATIONS), False, False)
