"""DQNAgent: probe environments whose Q-values are known, then its schedules, target network
and seeds (lesson 7).

Each probe is a tiny environment with the gymnasium API whose true Q-values can be worked out by
hand; a few hundred steps of DQN must find them. A probe isolates one part of the algorithm, so a
wrong value points at the mistake (see each probe's docstring for the bug it catches).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from dqn_lib import Evaluation, train
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import (
    DQNAgent,
    adam_step,
    clip_gradients,
    linear_schedule,
    soft_update,
)

GAMMA = 0.5  # a short horizon: values stay small and the bootstrap converges in a few hundred steps
PROBE_STEPS = 500
TOLERANCE = 0.05
PROBE_CONFIG = DQNConfig(
    hidden=(16,),
    learning_rate=1e-2,
    final_learning_rate=1e-2,
    gamma=GAMMA,
    batch_size=32,
    buffer_size=1000,
    learning_starts=32,
    train_every=1,
    gradient_steps=1,
    max_grad_norm=10.0,
    double_dqn=True,
    target_update="soft",
    tau=0.1,
    epsilon_start=1.0,  # the probes need every action tried: act at random throughout
    epsilon_end=1.0,
)


def observation(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


class Probe(gym.Env):
    """A probe environment: observations of ``n_observations`` numbers, ``n_actions`` actions."""

    def __init__(self, n_observations: int = 1, n_actions: int = 1):
        self.observation_space = spaces.Box(-1.0, 1.0, (n_observations,), np.float32)
        self.action_space = spaces.Discrete(n_actions)
        self.t = 0

    def reset(self, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.t = 0
        return observation(1.0), {}


class OneStep(Probe):
    """One step, reward 1, terminated: Q = 1."""

    def step(self, action):
        return observation(0.0), 1.0, True, False, {}


class TwoSteps(Probe):
    """Observation 0 then 1; reward 0 then 1, terminated: Q(0) = gamma, Q(1) = 1."""

    def reset(self, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        return observation(0.0), {}

    def step(self, action):
        self.t += 1
        if self.t == 1:
            return observation(1.0), 0.0, False, False, {}
        return observation(0.0), 1.0, True, False, {}


class TimeOut(Probe):
    """A time limit of 2 steps: A -> B with reward 0, then B -> B with reward 1, truncated.

    B loops on itself forever but the clock stops the episode, so the true values bootstrap
    through the time-out: Q(B) = 1 + gamma Q(B) = 1 / (1 - gamma) = 2 and Q(A) = gamma Q(B) = 1.
    Treating the time-out as a fall gives Q(B) = 1, Q(A) = 0.5; storing the next episode's reset
    observation (A) in place of B gives Q(B) = 4/3, Q(A) = 2/3.
    """

    def reset(self, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        return observation(0.0), {}  # A

    def step(self, action):
        self.t += 1
        return observation(1.0), float(self.t == 2), False, self.t == 2, {}  # B


class Bandit(Probe):
    """Two actions, one step: action 1 gives +1, action 0 gives 0, terminated."""

    def __init__(self):
        super().__init__(n_actions=2)

    def step(self, action):
        return observation(0.0), float(action == 1), True, False, {}


class BestNextAction(Probe):
    """Two actions, two steps: from A any action leads to B with reward 0; in B action 1 gives
    +1 and action 0 gives 0, terminated. Q(B) = (0, 1); Q(A, either) = gamma * max Q(B) = gamma,
    although half of the random actions taken in B earn nothing."""

    def __init__(self):
        super().__init__(n_actions=2)

    def reset(self, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        return observation(0.0), {}

    def step(self, action):
        self.t += 1
        if self.t == 1:
            return observation(1.0), 0.0, False, False, {}
        return observation(0.0), float(action == 1), True, False, {}


def trained_on(env: Probe, config: DQNConfig = PROBE_CONFIG, steps: int = PROBE_STEPS) -> DQNAgent:
    n_actions = int(env.action_space.n)
    agent = DQNAgent(config, n_observations=1, n_actions=n_actions, seed=0)
    history = train(agent, env=env, steps=steps, progress=False)
    assert history.steps == steps and history.losses  # it learned, on the environment given
    return agent


def q(agent: DQNAgent, value: float) -> list[float]:
    return agent.q_values(observation(value)).tolist()


def test_probe_one_step_reward_ends_at_the_reward():
    """Catches a TD target that bootstraps through a termination (it would give 2)."""
    assert q(trained_on(OneStep()), 1.0) == pytest.approx([1.0], abs=TOLERANCE)


@pytest.mark.parametrize("target_update", ["soft", "hard"])
def test_probe_two_steps_discounts_by_gamma(target_update):
    """Catches a missing or wrong gamma (Q(0) = 1 or 0.25), a target that ignores the next
    observation's value (Q(0) = 0), and a target network that never follows (hard updates)."""
    config = PROBE_CONFIG.replace(target_update=target_update, target_update_every=50)
    agent = trained_on(TwoSteps(), config)
    assert q(agent, 0.0) == pytest.approx([GAMMA], abs=TOLERANCE)
    assert q(agent, 1.0) == pytest.approx([1.0], abs=TOLERANCE)


def test_probe_time_out_bootstraps_from_the_true_final_observation():
    """Catches truncation treated as termination (Q(B) = 1) and a next observation replaced by
    the reset one (Q(B) = 4/3)."""
    agent = trained_on(TimeOut())
    assert q(agent, 1.0) == pytest.approx([1.0 / (1.0 - GAMMA)], abs=TOLERANCE)
    assert q(agent, 0.0) == pytest.approx([GAMMA / (1.0 - GAMMA)], abs=TOLERANCE)


def test_probe_reward_depends_on_the_action():
    """Catches a loss on the wrong action's Q-value (both would be near 0.5)."""
    agent = trained_on(Bandit())
    assert q(agent, 1.0) == pytest.approx([0.0, 1.0], abs=TOLERANCE)
    assert agent.act(observation(1.0), greedy=True) == 1


@pytest.mark.parametrize("double_dqn", [True, False])
def test_probe_target_uses_the_best_next_action(double_dqn):
    """Catches a target that averages or takes the min over next actions (Q(A) = 0.25 or 0),
    in td_target's max (plain DQN) or in the online network's choice (Double DQN)."""
    agent = trained_on(BestNextAction(), PROBE_CONFIG.replace(double_dqn=double_dqn))
    assert q(agent, 1.0) == pytest.approx([0.0, 1.0], abs=TOLERANCE)
    assert q(agent, 0.0) == pytest.approx([GAMMA, GAMMA], abs=TOLERANCE)


# What the agent promises beyond the values it learns.

SMALL_CONFIG = DQNConfig(
    hidden=(16,), batch_size=8, buffer_size=100, learning_starts=10, train_every=1, gradient_steps=1
)


def feed(agent: DQNAgent, steps: int, seed: int = 0) -> list[float | None]:
    """``steps`` random CartPole-shaped transitions through ``observe``; the losses it returns."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        observations = rng.normal(size=(2, 4)).astype(np.float32)
        action, reward = int(rng.integers(2)), float(rng.normal())
        losses.append(agent.observe(observations[0], action, reward, observations[1], False, False))
    return losses


def same_weights(first: torch.nn.Module, second: torch.nn.Module) -> bool:
    pairs = zip(first.state_dict().values(), second.state_dict().values(), strict=True)
    return all(torch.equal(a, b) for a, b in pairs)


def test_hard_target_update_copies_every_target_update_every_steps():
    agent = DQNAgent(SMALL_CONFIG.replace(target_update="hard", target_update_every=25), seed=0)
    feed(agent, 9)
    assert same_weights(agent.target_network, agent.q_network)  # nothing learned yet
    feed(agent, 15)  # step 24: learning since step 10, no copy yet
    assert not same_weights(agent.target_network, agent.q_network)
    feed(agent, 1)  # step 25
    assert same_weights(agent.target_network, agent.q_network)
    feed(agent, 1)  # step 26: the online network moves on, the target waits
    assert not same_weights(agent.target_network, agent.q_network)
    feed(agent, 24)  # step 50
    assert same_weights(agent.target_network, agent.q_network)


def test_soft_target_update_moves_tau_of_the_way():
    tau = 0.25
    agent = DQNAgent(SMALL_CONFIG.replace(target_update="soft", tau=tau), seed=0)
    feed(agent, 20)
    before = {k: v.clone() for k, v in agent.target_network.state_dict().items()}
    loss = agent.observe(np.zeros(4), 0, 1.0, np.ones(4), False, False)
    assert loss is not None and agent.updates == 12  # one gradient step, then the soft update
    online, target = agent.q_network.state_dict(), agent.target_network.state_dict()
    for name, old in before.items():
        torch.testing.assert_close(target[name], old + tau * (online[name] - old))
        assert not torch.equal(target[name], online[name])


def test_soft_update_function_moves_tau_of_the_way():
    online, target = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    before = {k: v.clone() for k, v in target.state_dict().items()}
    soft_update(target, online, 0.1)
    for name, old in before.items():
        expected = old + 0.1 * (online.state_dict()[name] - old)
        torch.testing.assert_close(target.state_dict()[name], expected)


def test_target_network_is_not_trained_by_the_optimizer():
    agent = DQNAgent(SMALL_CONFIG, seed=0)
    optimized = {id(p) for group in agent.optimizer.param_groups for p in group["params"]}
    assert not optimized & {id(p) for p in agent.target_network.parameters()}
    assert not any(p.requires_grad for p in agent.target_network.parameters())


CARTPOLE_CONFIG = DQNConfig(
    hidden=(32, 32), batch_size=32, buffer_size=1000, learning_starts=50, train_every=2
)


def run_on_cartpole(seed: int, reward_fn=None) -> tuple[DQNAgent, list[float]]:
    agent = DQNAgent(CARTPOLE_CONFIG, seed=seed)
    kwargs = {} if reward_fn is None else {"reward_fn": reward_fn}
    history = train(agent, steps=300, seed=seed, progress=False, **kwargs)
    return agent, history.losses


def test_same_seed_same_losses_and_weights_on_cartpole():
    (first, losses_a), (second, losses_b) = run_on_cartpole(3), run_on_cartpole(3)
    assert len(losses_a) == (300 - 50) // 2 + 1  # a gradient step every train_every=2 steps
    assert losses_a == losses_b
    assert same_weights(first.q_network, second.q_network)
    assert same_weights(first.target_network, second.target_network)


def test_different_seeds_differ_on_cartpole():
    (first, losses_a), (second, losses_b) = run_on_cartpole(3), run_on_cartpole(4)
    assert losses_a != losses_b
    assert not same_weights(first.q_network, second.q_network)


def test_agent_ignores_global_random_state():
    """A notebook cell that draws from numpy's or torch's global generator changes nothing."""
    np.random.seed(1)  # noqa: NPY002 (the point: global state must not matter)
    torch.manual_seed(1)
    reference, losses = run_on_cartpole(5)

    def reward_that_draws_globally(next_observation, env_reward, terminated):
        np.random.rand()  # noqa: NPY002 (the point: global state must not matter)
        torch.rand(3)
        return float(env_reward)

    np.random.seed(2)  # noqa: NPY002 (the point: global state must not matter)
    torch.manual_seed(2)
    disturbed, disturbed_losses = run_on_cartpole(5, reward_fn=reward_that_draws_globally)
    assert losses == disturbed_losses
    assert same_weights(reference.q_network, disturbed.q_network)


def test_greedy_act_draws_nothing_from_the_agent_generator():
    agent = DQNAgent(SMALL_CONFIG, seed=0)
    state = agent.rng.bit_generator.state
    for _ in range(5):
        agent.act(np.zeros(4, dtype=np.float32), greedy=True)
    assert agent.rng.bit_generator.state == state


def test_epsilon_falls_linearly_from_start_to_end():
    config = SMALL_CONFIG.replace(
        epsilon_start=1.0, epsilon_end=0.1, epsilon_decay_steps=100, learning_starts=1000
    )
    agent = DQNAgent(config, seed=0)
    assert agent.epsilon == 1.0
    feed(agent, 50)
    assert agent.epsilon == pytest.approx(0.55)
    feed(agent, 50)
    assert agent.epsilon == pytest.approx(0.1)
    feed(agent, 50)
    assert agent.epsilon == pytest.approx(0.1)


def test_epsilon_zero_acts_greedily_and_one_explores():
    greedy = DQNAgent(SMALL_CONFIG.replace(epsilon_start=0.0, epsilon_end=0.0), seed=0)
    state = np.array([0.1, -0.2, 0.05, 0.3], dtype=np.float32)
    best = int(greedy.q_values(state).argmax())
    assert {greedy.act(state) for _ in range(100)} == {best}
    explorer = DQNAgent(SMALL_CONFIG.replace(epsilon_start=1.0, epsilon_end=1.0), seed=0)
    assert {explorer.act(state) for _ in range(100)} == {0, 1}


def test_learning_rate_schedule_is_applied_to_the_optimizer():
    config = SMALL_CONFIG.replace(
        learning_rate=1e-2, final_learning_rate=1e-3, learning_rate_decay_steps=100
    )
    agent = DQNAgent(config, seed=0)
    assert agent.optimizer.param_groups[0]["lr"] == 1e-2
    for steps in (20, 50, 100, 130):
        feed(agent, steps - agent.steps)
        expected = linear_schedule(1e-2, 1e-3, 100, steps)
        assert agent.learning_rate == pytest.approx(expected)
        assert agent.optimizer.param_groups[0]["lr"] == pytest.approx(expected)
    assert agent.optimizer.param_groups[0]["lr"] == pytest.approx(1e-3)


@pytest.mark.parametrize(("learning_starts", "train_every", "first"), [(10, 1, 10), (10, 4, 12)])
def test_no_learning_before_learning_starts(learning_starts, train_every, first):
    config = SMALL_CONFIG.replace(learning_starts=learning_starts, train_every=train_every)
    agent = DQNAgent(config, seed=0)
    initial = {k: v.clone() for k, v in agent.q_network.state_dict().items()}
    losses = feed(agent, first - 1)
    assert losses == [None] * (first - 1) and agent.updates == 0
    assert all(torch.equal(initial[k], v) for k, v in agent.q_network.state_dict().items())
    assert isinstance(feed(agent, 1)[0], float) and agent.updates == 1


def test_gradient_steps_per_phase():
    agent = DQNAgent(SMALL_CONFIG.replace(train_every=5, gradient_steps=3), seed=0)
    feed(agent, 20)  # phases at steps 10, 15 and 20
    assert agent.updates == 9


@pytest.mark.parametrize("reward", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_reward_is_refused(reward):
    agent = DQNAgent(SMALL_CONFIG, seed=0)
    with pytest.raises(ValueError, match=rf"reward must be a finite number, got {reward!r}\."):
        agent.observe(np.zeros(4), 0, reward, np.zeros(4), False, False)
    assert len(agent.replay_buffer) == 0 and agent.steps == 0  # nothing was stored


def test_config_as_a_dict_is_refused_with_a_pointer_to_dqnconfig():
    with pytest.raises(
        TypeError,
        match=r"config must be a DQNConfig, got dict; build one with DQNConfig\(\.\.\.\) or "
        r"DQNConfig\.from_dict\(\.\.\.\)\.",
    ):
        DQNAgent(config={"gamma": 0.9})


def test_train_evaluates_on_the_environment_it_trains_on():
    """An evaluation during training plays the training environment's kind, not CartPole: a
    probe environment with one-number observations trains with an Evaluation."""
    agent = DQNAgent(
        DQNConfig(learning_starts=8, batch_size=8, buffer_size=64, hidden=(8,)),
        n_observations=1,
        n_actions=1,
        seed=0,
    )
    history = train(
        agent, steps=40, env=OneStep(), callbacks=[Evaluation(20, episodes=3)], progress=False
    )
    assert history.eval_returns == [1.0, 1.0]  # one step, reward 1, on the probe
    assert history.eval_steps == [20, 40]


def _gradient_steps(agent, batches, *, reference: bool) -> list[float]:
    """Train on ``batches``; with ``reference``, through torch's own clip_grad_norm_ and
    optimizer.step() instead of DQNAgent's direct calls of the same kernels."""
    losses = []
    for batch in batches:
        if not reference:
            losses.append(agent.learn(batch))
            continue
        agent.optimizer.param_groups[0]["lr"] = agent.learning_rate
        q = agent.q_network(batch.observations).gather(1, batch.actions.unsqueeze(1)).squeeze(1)
        loss = agent.loss_fn(q, agent.td_targets(batch))
        agent.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(agent.q_network.parameters(), agent.config.max_grad_norm)
        agent.optimizer.step()
        if agent.config.target_update == "soft":
            soft_update(agent.target_network, agent.q_network, agent.config.tau)
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("max_grad_norm", [10.0, 0.01])
def test_learn_equals_torch_clip_and_adam_bit_for_bit(max_grad_norm):
    """DQNAgent.learn clips and steps Adam by calling torch's kernels directly (dqn.clip_gradients,
    dqn.adam_step); the weights, Adam's state and the losses must equal torch's own
    clip_grad_norm_ and Adam.step exactly, clipping active (0.01) or not (10)."""
    config = DQNConfig(batch_size=32, max_grad_norm=max_grad_norm, learning_rate=1e-3)
    fast, reference = DQNAgent(config, seed=3), DQNAgent(config, seed=3)
    rng = np.random.default_rng(0)
    for _ in range(200):
        observation = rng.normal(size=4).astype(np.float32)
        for agent in (fast, reference):
            agent.replay_buffer.add(observation, 1, 1.0, observation * 0.9, False, False)
    batches = [fast.replay_buffer.sample(32) for _ in range(60)]
    assert _gradient_steps(fast, batches, reference=False) == _gradient_steps(
        reference, batches, reference=True
    )
    for mine, theirs in zip(
        fast.q_network.parameters(), reference.q_network.parameters(), strict=True
    ):
        assert torch.equal(mine, theirs)
    states = fast.optimizer.state_dict()["state"], reference.optimizer.state_dict()["state"]
    for index, state in states[1].items():
        for name, value in state.items():
            assert torch.equal(states[0][index][name], value), (index, name)


def test_adam_step_falls_back_to_optimizer_step_for_other_options():
    """With an option adam_step does not reproduce (amsgrad here), it calls optimizer.step()."""
    network = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(network.parameters(), lr=0.1, amsgrad=True, fused=True)
    copy_network = torch.nn.Linear(3, 2)
    copy_network.load_state_dict(network.state_dict())
    copy_optimizer = torch.optim.Adam(copy_network.parameters(), lr=0.1, amsgrad=True, fused=True)
    for _ in range(3):
        for net in (network, copy_network):
            net.zero_grad()
            net(torch.ones(1, 3)).sum().backward()
        adam_step(optimizer, 0.1)
        copy_optimizer.step()
    assert torch.equal(network.weight, copy_network.weight)
    assert "max_exp_avg_sq" in optimizer.state[network.weight]


def test_clip_gradients_equals_clip_grad_norm():
    gradients = [torch.randn(5, 4, generator=torch.Generator().manual_seed(i)) for i in range(3)]
    theirs = [g.clone() for g in gradients]
    parameters = [torch.nn.Parameter(torch.zeros_like(g)) for g in theirs]
    for parameter, gradient in zip(parameters, theirs, strict=True):
        parameter.grad = gradient
    clip_gradients(gradients, 0.5)
    torch.nn.utils.clip_grad_norm_(parameters, 0.5)
    assert all(torch.equal(g, p.grad) for g, p in zip(gradients, parameters, strict=True))
    assert float(torch.linalg.vector_norm(torch.cat([g.flatten() for g in gradients]))) < 0.5 + 1e-5
