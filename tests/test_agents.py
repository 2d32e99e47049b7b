"""Epsilon-greedy, the TD target, and the original notebook's online agent."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dqn_lib import DQNAgent, DQNConfig, OnlineAgent, epsilon_greedy, make_env, td_target

GAMMA = 0.9
NEXT_Q = torch.tensor([[1.0, 3.0]])


def test_td_target_ongoing_transition_bootstraps():
    target = td_target(torch.tensor([1.0]), NEXT_Q, torch.tensor([False]), GAMMA)
    assert target.item() == pytest.approx(1.0 + 0.9 * 3.0)


def test_td_target_terminated_transition_is_the_reward_alone():
    target = td_target(torch.tensor([1.0]), NEXT_Q, torch.tensor([True]), GAMMA)
    assert target.item() == 1.0


def test_td_target_truncated_transition_still_bootstraps():
    """A time-out is not a fall: td_target has no truncated argument and must not need one."""
    truncated_but_not_terminated = torch.tensor([False])
    target = td_target(torch.tensor([1.0]), NEXT_Q, truncated_but_not_terminated, GAMMA)
    assert target.item() == pytest.approx(3.7)


def test_td_target_batch_and_shapes():
    target = td_target(
        torch.tensor([1.0, 0.0, -5.0]),
        torch.tensor([[1.0, 2.0], [4.0, 3.0], [9.0, 9.0]]),
        torch.tensor([0.0, 0.0, 1.0]),
        gamma=0.5,
    )
    torch.testing.assert_close(target, torch.tensor([2.0, 2.0, -5.0]))


def test_td_target_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"reward \(batch,\), next_q \(batch, n_actions\)"):
        td_target(torch.tensor([1.0, 2.0]), NEXT_Q, torch.tensor([0.0, 0.0]), GAMMA)


def test_td_target_refuses_gamma_outside_0_1():
    with pytest.raises(ValueError, match="gamma must be in"):
        td_target(torch.tensor([1.0]), NEXT_Q, torch.tensor([0.0]), 1.5)


def test_epsilon_greedy_zero_is_always_greedy():
    rng = np.random.default_rng(0)
    q_values = torch.tensor([0.1, 0.7, 0.2])
    assert {epsilon_greedy(q_values, 0.0, rng) for _ in range(200)} == {1}


def test_epsilon_greedy_one_is_uniform():
    rng = np.random.default_rng(0)
    actions = [epsilon_greedy(torch.tensor([0.0, 1.0]), 1.0, rng) for _ in range(4000)]
    assert abs(np.mean(actions) - 0.5) < 0.03


def test_epsilon_greedy_explores_at_the_rate_asked():
    rng = np.random.default_rng(1)
    actions = [epsilon_greedy(torch.tensor([1.0, 0.0]), 0.2, rng) for _ in range(10_000)]
    assert abs(np.mean(actions) - 0.1) < 0.015  # a random pick is the non-greedy one half the time


def test_epsilon_greedy_refuses_bad_epsilon():
    with pytest.raises(ValueError, match=r"epsilon must be a probability in \[0, 1\], got 1.2"):
        epsilon_greedy(torch.zeros(2), 1.2, np.random.default_rng(0))


def test_agent_refuses_reset_tuple():
    agent = OnlineAgent(seed=0)
    with pytest.raises(TypeError, match="observation, info = env.reset"):
        agent.act(make_env(0).reset())


def test_agent_refuses_wrong_shape_and_nan():
    agent = OnlineAgent(seed=0)
    with pytest.raises(ValueError, match=r"shape \(4,\), got shape \(2, 4\)"):
        agent.act(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN or infinity"):
        agent.act(np.array([0.0, np.nan, 0.0, 0.0]))


def test_online_agent_deterministic_for_a_seed():
    first, second = OnlineAgent(seed=5), OnlineAgent(seed=5)
    observation = np.array([0.01, -0.02, 0.03, 0.04], dtype=np.float32)
    assert [first.act(observation) for _ in range(50)] == [
        second.act(observation) for _ in range(50)
    ]
    for a, b in zip(first.q_network.parameters(), second.q_network.parameters(), strict=True):
        assert torch.equal(a, b)


def test_online_agent_different_seeds_differ():
    first, second = OnlineAgent(seed=0), OnlineAgent(seed=1)
    assert not torch.equal(first.q_network.net[0].weight, second.q_network.net[0].weight)


def test_online_agent_ignores_global_random_state():
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 (the point: global state must not matter)
    reference = OnlineAgent(seed=2)
    torch.manual_seed(999)
    np.random.seed(999)  # noqa: NPY002 (the point: global state must not matter)
    other = OnlineAgent(seed=2)
    assert torch.equal(reference.q_network.net[0].weight, other.q_network.net[0].weight)
    observation = np.zeros(4, dtype=np.float32)
    assert [reference.act(observation) for _ in range(30)] == [
        other.act(observation) for _ in range(30)
    ]


def test_online_agent_update_lowers_the_loss_on_its_transition():
    """A terminated transition has a fixed target (the reward), so repeated updates must fit it."""
    agent = OnlineAgent(seed=0, learning_rate=1e-2)
    transition = (
        np.array([0.0, 0.1, 0.02, -0.1]),
        1,
        -5.0,
        np.array([0.0, 0.2, 0.3, -0.2]),
        True,
        False,
    )
    losses = [agent.observe(*transition) for _ in range(30)]
    assert losses[-1] < losses[0]


def test_online_agent_refuses_bad_hyperparameters():
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        OnlineAgent(learning_rate=0.0)
    with pytest.raises(ValueError, match="epsilon must be a probability"):
        OnlineAgent(epsilon=-0.1)


def test_online_agent_refuses_non_finite_reward():
    agent = OnlineAgent(seed=0)
    with pytest.raises(ValueError, match="reward must be a finite number, got nan"):
        agent.observe(np.zeros(4), 0, float("nan"), np.zeros(4), False, False)


def _huber_loss_to_target(agent: OnlineAgent, transition: tuple, stop_at_fall: bool) -> float:
    """The loss ``observe`` should return, computed by hand from the agent's current network."""
    observation, action, reward, next_observation, terminated, _ = transition
    with torch.no_grad():
        q = agent.q_network(torch.tensor(observation, dtype=torch.float32))[action]
        next_q = agent.q_network(torch.tensor(next_observation, dtype=torch.float32))
    stops = float(terminated and stop_at_fall)
    target = reward + agent.gamma * (1.0 - stops) * next_q.max()
    return torch.nn.SmoothL1Loss()(q, target).item()


@pytest.mark.parametrize(
    ("terminated", "truncated"), [(False, False), (False, True), (True, False), (True, True)]
)
def test_bootstrap_through_termination_changes_the_target_only_at_a_fall(terminated, truncated):
    """The original's bug changes the update on terminated transitions and nowhere else."""
    # A reward near Q keeps both errors under 1, where Huber's gradient depends on the target
    # (beyond 1 it is +-1 whatever the target, and two different targets give the same step).
    transition = (
        np.array([0.01, 0.2, 0.05, -0.3], dtype=np.float32),
        1,
        -0.5,
        np.array([0.02, 0.4, 0.21, 0.5], dtype=np.float32),
        terminated,
        truncated,
    )
    corrected = OnlineAgent(seed=4, learning_rate=1e-2)
    original = OnlineAgent(seed=4, learning_rate=1e-2, bootstrap_through_termination=True)
    expected_corrected = _huber_loss_to_target(corrected, transition, stop_at_fall=True)
    expected_original = _huber_loss_to_target(original, transition, stop_at_fall=False)
    assert corrected.observe(*transition) == pytest.approx(expected_corrected, rel=1e-6)
    assert original.observe(*transition) == pytest.approx(expected_original, rel=1e-6)
    same_weights = all(
        torch.equal(a, b)
        for a, b in zip(
            corrected.q_network.parameters(), original.q_network.parameters(), strict=True
        )
    )
    if terminated:  # the bug bootstraps through the fall: another target, another update
        assert expected_original != pytest.approx(expected_corrected, rel=1e-3)
        assert not same_weights
    else:  # an ongoing or timed-out step bootstraps in both: the very same update
        assert expected_original == expected_corrected
        assert same_weights


def test_bootstrap_through_termination_defaults_to_the_corrected_target():
    assert OnlineAgent(seed=0).bootstrap_through_termination is False


@pytest.mark.parametrize("bad", ["yes", 1, None, np.True_])
def test_bootstrap_through_termination_refuses_non_bool(bad):
    with pytest.raises(TypeError, match=r"bootstrap_through_termination must be True .* or False"):
        OnlineAgent(seed=0, bootstrap_through_termination=bad)


def test_dqn_agent_acts_as_epsilon_greedy_on_its_q_values():
    # DQNAgent.act draws its coin before computing Q: the same draws, so the same actions and
    # the same generator state afterwards, as epsilon_greedy on the agent's Q-values.
    agent = DQNAgent(DQNConfig(epsilon_decay_steps=400), seed=3)
    twin = np.random.default_rng()
    twin.bit_generator.state = agent.rng.bit_generator.state
    observations = np.random.default_rng(0).normal(size=(600, 4)).astype(np.float32)
    for step, observation in enumerate(observations):
        agent.steps = step  # epsilon falls from 1 to its end over the 600 calls
        expected = epsilon_greedy(agent.q_values(observation), agent.epsilon, twin)
        assert agent.act(observation) == expected
    assert agent.rng.bit_generator.state == twin.bit_generator.state


@pytest.mark.parametrize("field", ["observation", "next_observation"])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.array([0.0, np.inf, 0.0, 0.0], dtype=np.float32), "NaN or infinity"),
        (np.zeros(4, dtype=np.float64) * np.nan, "NaN or infinity"),
        ([0.0, 0.0, 0.0, np.nan], "NaN or infinity"),
        (np.zeros((1, 4), dtype=np.float32), r"shape \(4,\), got shape \(1, 4\)"),
    ],
)
def test_dqn_agent_observe_refuses_a_bad_observation(field, bad, message):
    agent = DQNAgent(seed=0)
    transition = {
        "observation": np.zeros(4, dtype=np.float32),
        "action": 0,
        "reward": 1.0,
        "next_observation": np.zeros(4, dtype=np.float32),
        "terminated": False,
        "truncated": False,
    }
    transition[field] = bad
    with pytest.raises(ValueError, match=message):
        agent.observe(**transition)
    assert len(agent.replay_buffer) == 0


@pytest.mark.parametrize("double_dqn", [False, True])
def test_dqn_agent_td_targets_are_td_target_bit_for_bit(double_dqn):
    """DQNAgent.td_targets writes td_target's arithmetic out (without its checks): the same
    numbers, to the last bit, for plain and Double DQN."""
    agent = DQNAgent(DQNConfig(double_dqn=double_dqn, buffer_size=200), seed=4)
    with torch.no_grad():  # a target network apart from the online one
        for parameter in agent.target_network.parameters():
            parameter.add_(0.1)
    rng = np.random.default_rng(0)
    for _ in range(150):
        observation = rng.normal(size=4).astype(np.float32)
        next_observation = rng.normal(size=4).astype(np.float32)
        terminated = bool(rng.random() < 0.2)
        agent.replay_buffer.add(
            observation,
            int(rng.integers(2)),
            float(rng.normal()),
            next_observation,
            terminated,
            False,
        )
    batch = agent.replay_buffer.sample(64)
    with torch.no_grad():
        next_q = agent.target_network(batch.next_observations)
        if double_dqn:
            best = agent.q_network(batch.next_observations).argmax(dim=1, keepdim=True)
            next_q = next_q.gather(1, best)
        expected = td_target(batch.rewards, next_q, batch.terminated, agent.config.gamma)
    assert torch.equal(agent.td_targets(batch), expected)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        ("reset", TypeError, "observation, info = env.reset"),
        (np.full(4, np.nan, dtype=np.float32), ValueError, "NaN or infinity"),
        (np.zeros(7, dtype=np.float32), ValueError, r"shape \(4,\), got shape \(7,\)"),
        (np.array([1e39, 0.0, 0.0, 0.0]), ValueError, "NaN or infinity"),  # inf as float32
    ],
)
def test_dqn_agent_act_refuses_a_bad_observation_even_when_it_explores(bad, error, message):
    agent = DQNAgent(seed=0)  # epsilon 1 at step 0: every action is random
    bad = make_env(0).reset() if isinstance(bad, str) else bad
    with pytest.raises(error, match=message):
        agent.act(bad)


def test_dqn_agent_observe_refuses_what_float32_cannot_hold_and_odd_dtypes():
    agent = DQNAgent(seed=0)
    fine = np.zeros(4, dtype=np.float32)
    with pytest.raises(ValueError, match="NaN or infinity"):
        agent.observe(fine, 0, 1.0, np.array([1e39, 0.0, 0.0, 0.0]), False, False)
    with pytest.raises(TypeError, match="Expected an observation array of 4 numbers"):
        agent.observe(fine, 0, 1.0, np.array(["a", "b", "c", "d"], dtype=object), False, False)
    assert len(agent.replay_buffer) == 0
