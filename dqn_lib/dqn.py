"""The DQN agent: experience replay and a target network (Mnih et al., 2015).

Taught in notebooks/07_replay.py (the agent, replay), notebooks/08_target_network.py (the target
network) and notebooks/09_double_dqn.py (Double DQN's target).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd.graph import _engine_run_backward

from dqn_lib.agents import as_observation_tensor
from dqn_lib.config import DQNConfig
from dqn_lib.networks import new_q_network
from dqn_lib.replay import Batch, ReplayBuffer
from dqn_lib.seeding import as_seed

_ONE = torch.ones(())
"""The gradient of the loss with respect to itself, as ``loss.backward()`` makes it."""


def linear_schedule(start: float, end: float, duration: int, step: int) -> float:
    """``start`` at step 0, ``end`` from step ``duration`` on, a straight line between.

    Taught in notebooks/11_playground.py (exercise 11.2 writes it); the agents' epsilon and learning
    rate follow it.

    >>> linear_schedule(1.0, 0.0, 10, 5)
    0.5
    """
    return end + (start - end) * max(0.0, 1.0 - step / duration)


def soft_update(target_network: nn.Module, q_network: nn.Module, tau: float) -> None:
    """Move every weight of the target network ``tau`` of the way towards the online one:
    ``target = target + tau * (online - target)`` (Polyak averaging).

    Taught in notebooks/08_target_network.py.
    """
    _polyak(list(target_network.parameters()), list(q_network.parameters()), tau)


def _polyak(targets: list[torch.Tensor], onlines: list[torch.Tensor], tau: float) -> None:
    # One fused call for all weights (torch's foreach kernel; a loop of lerp_ is several times
    # slower per update). DQNAgent keeps the two lists to skip rebuilding them every step.
    with torch.no_grad():
        torch._foreach_lerp_(targets, onlines, tau)


class DQNAgent:
    """DQN: learns from random batches of remembered transitions against a slow target network.

    Taught in notebooks/07_replay.py.

    Args:
        config: every setting, checked when built (see ``DQNConfig``).
        n_observations: length of an observation (4 for CartPole).
        n_actions: number of actions (2 for CartPole).
        seed: seeds the initial weights, exploration and replay sampling, each from its own
            generator, so nothing else in a notebook can change the run.
    """

    def __init__(
        self,
        config: DQNConfig | None = None,
        n_observations: int = 4,
        n_actions: int = 2,
        *,
        seed: int = 0,
    ) -> None:
        self.config = config = DQNConfig() if config is None else config
        if not isinstance(config, DQNConfig):
            raise TypeError(
                f"config must be a DQNConfig, got {type(config).__name__}; build one with "
                "DQNConfig(...) or DQNConfig.from_dict(...)."
            )
        seed = as_seed(seed)
        self.n_observations, self.n_actions = n_observations, n_actions
        self.q_network = new_q_network(n_observations, n_actions, seed, hidden=config.hidden)
        self.target_network = copy.deepcopy(self.q_network).requires_grad_(False)
        # fused=True: one kernel for the whole Adam step, about 0.1 ms faster an update here.
        self.optimizer = torch.optim.Adam(
            self.q_network.parameters(), lr=config.learning_rate, fused=True
        )
        self._online_parameters = list(self.q_network.parameters())
        self._target_parameters = list(self.target_network.parameters())
        self.loss_fn = nn.SmoothL1Loss() if config.loss == "huber" else nn.MSELoss()
        # What learn calls: the function loss_fn's forward calls, with loss_fn's defaults.
        self._loss = F.smooth_l1_loss if config.loss == "huber" else F.mse_loss
        exploration_seed, replay_seed = np.random.SeedSequence(seed).spawn(2)
        self.rng = np.random.default_rng(exploration_seed)
        self.replay_buffer = ReplayBuffer(
            config.buffer_size, n_observations, rng=np.random.default_rng(replay_seed)
        )
        self.steps = 0  # environment steps observed
        self.updates = 0  # gradient steps taken

    @property
    def epsilon(self) -> float:
        """The probability of a random action now (it falls linearly with the steps)."""
        c = self.config
        return linear_schedule(c.epsilon_start, c.epsilon_end, c.epsilon_decay_steps, self.steps)

    @property
    def learning_rate(self) -> float:
        """Adam's step size now (it falls linearly with the steps, if the config says so)."""
        c = self.config
        return linear_schedule(
            c.learning_rate, c.final_learning_rate, c.learning_rate_decay_steps, self.steps
        )

    def q_values(self, observation: np.ndarray) -> torch.Tensor:
        """Q-values of one observation, shape ``(n_actions,)``, without tracking gradients."""
        with torch.no_grad():
            return self.q_network(as_observation_tensor(observation, self.n_observations))

    def act(self, observation: np.ndarray, greedy: bool = False) -> int:
        """Epsilon-greedy while learning, the argmax when ``greedy`` (draws nothing then).

        The same draws as ``epsilon_greedy(self.q_values(observation), self.epsilon, self.rng)``,
        in the same order, so the same actions; but a random action is chosen before the
        Q-values are computed, which it does not need (most of the early steps)."""
        if greedy:
            return int(self.q_values(observation).argmax())
        self._check_observation(observation)  # also when the action is random
        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.n_actions))
        return int(self.q_values(observation).argmax())

    def _check_observation(self, value: object) -> None:
        """``as_observation_tensor``'s checks (the ``(observation, info)`` mix-up, the shape,
        NaN or infinity), with a quick path for what an environment gives: one finite float32
        vector of the right length."""
        if not (
            type(value) is np.ndarray
            and value.dtype == np.float32
            and value.shape == (self.n_observations,)
            and np.isfinite(value).all()
        ):
            as_observation_tensor(value, self.n_observations)  # says what is wrong, if anything

    def observe(
        self,
        observation: np.ndarray,
        action: int,
        reward: float,
        next_observation: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> float | None:
        """Remember the transition; every ``train_every`` steps (from the ``learning_starts``-th
        environment step on), take ``gradient_steps`` gradient steps; with hard target updates,
        copy the target network every ``target_update_every`` environment steps. Returns the
        last loss."""
        self._check_observation(observation)
        self._check_observation(next_observation)
        if not np.isfinite(reward):
            raise ValueError(f"The reward must be a finite number, got {reward!r}.")
        self.replay_buffer.add(
            observation, action, reward, next_observation, bool(terminated), bool(truncated)
        )
        self.steps += 1
        c = self.config
        loss = None
        if self.steps >= c.learning_starts and self.steps % c.train_every == 0:
            for _ in range(c.gradient_steps):
                loss = self.learn(self.replay_buffer.sample(c.batch_size))
        if c.target_update == "hard" and self.steps % c.target_update_every == 0:
            self.target_network.load_state_dict(self.q_network.state_dict())
        return loss

    def td_targets(self, batch: Batch) -> torch.Tensor:
        """``reward + gamma * (1 - terminated) * Q_target(next_observation, a')``, ``(batch,)``;
        ``a'`` is the target network's argmax, or the online network's with Double DQN. With
        ``target_update="none"`` the online network stands in for the target network.

        ``td_target``'s arithmetic, in its order (so the same numbers), on a batch the replay
        buffer made (so without its checks); the networks' ``forward`` is called directly, as
        in ``learn``."""
        with torch.no_grad():
            valuer = self.q_network if self.config.target_update == "none" else self.target_network
            next_q = valuer.forward(batch.next_observations)  # (batch, n_actions)
            if self.config.double_dqn:
                best = self.q_network.forward(batch.next_observations).argmax(dim=1, keepdim=True)
                next_q = next_q.gather(1, best)  # (batch, 1): the max below is then this value
            not_terminated = 1.0 - batch.terminated.to(next_q.dtype)
            rewards = batch.rewards.to(next_q.dtype)
            return rewards + self.config.gamma * not_terminated * next_q.max(dim=1).values

    def learn(self, batch: Batch) -> float:
        """One gradient step on ``batch``, its norm clipped to ``max_grad_norm``; the target
        network follows if updates are soft.

        The networks' ``forward`` is called directly, so hooks registered on them are not run;
        the backward pass starts at torch's engine as ``loss.backward()`` does after its
        argument handling: the same kernels, so the same numbers."""
        c = self.config
        learning_rate = self.learning_rate
        self.optimizer.param_groups[0]["lr"] = learning_rate
        q = self.q_network.forward(batch.observations)
        q = q.gather(1, batch.actions.unsqueeze(1)).squeeze(1)  # (batch,)
        loss = self._loss(q, self.td_targets(batch))
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            raise FloatingPointError(
                f"The loss became {loss_value} at step {self.steps}: lower learning_rate or set "
                "max_grad_norm."
            )
        for parameter in self._online_parameters:  # optimizer.zero_grad(), without its hooks
            parameter.grad = None
        _engine_run_backward(
            (loss,), (_ONE,), False, False, (), allow_unreachable=True, accumulate_grad=True
        )
        gradients = [parameter.grad for parameter in self._online_parameters]
        if c.max_grad_norm is not None:
            clip_gradients(gradients, c.max_grad_norm)
        adam_step(self.optimizer, learning_rate)
        self.updates += 1
        if c.target_update == "soft":
            _polyak(self._target_parameters, self._online_parameters, c.tau)
        return loss_value


# The two functions below do what torch.nn.utils.clip_grad_norm_ and torch.optim.Adam.step do,
# with the same kernels in the same order and so the same numbers (tests/test_agents.py compares
# them bit for bit), minus the per-call bookkeeping both make for many devices and options. For a
# network this small that bookkeeping was a fifth of a gradient step's time.


def clip_gradients(gradients: list[torch.Tensor], max_norm: float) -> None:
    """Scale ``gradients`` in place so that their joint L2 norm is at most ``max_norm``:
    ``torch.nn.utils.clip_grad_norm_``'s arithmetic (``min(max_norm / (norm + 1e-6), 1)``)."""
    with torch.no_grad():
        norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(gradients, 2.0)), 2.0)
        torch._foreach_mul_(gradients, torch.clamp(max_norm / (norm + 1e-6), max=1.0))


def adam_step(optimizer: torch.optim.Adam, learning_rate: float) -> None:
    """``optimizer.step()`` for a fused Adam with one parameter group and default options: the
    same step counters and the same fused kernel, called directly. Anything else (the first step,
    which creates Adam's state, or other options) goes through ``optimizer.step()``."""
    group = optimizer.param_groups[0]
    parameters = group["params"]
    states = [optimizer.state.get(parameter) for parameter in parameters]
    if (
        len(optimizer.param_groups) != 1
        or not group["fused"]
        or group["amsgrad"]
        or group["maximize"]
        or group["weight_decay"] != 0
        or group["decoupled_weight_decay"]
        or group["capturable"]
        or group["differentiable"]
        or any(parameter.grad is None for parameter in parameters)
        or any(not state or not torch.is_tensor(state["step"]) for state in states)
    ):
        optimizer.step()
        return
    with torch.no_grad():
        steps = [state["step"] for state in states]
        torch._foreach_add_(steps, 1)
        beta1, beta2 = group["betas"]
        torch._fused_adam_(
            parameters,
            [parameter.grad for parameter in parameters],
            [state["exp_avg"] for state in states],
            [state["exp_avg_sq"] for state in states],
            [],
            steps,
            amsgrad=False,
            lr=learning_rate,
            beta1=beta1,
            beta2=beta2,
            weight_decay=0.0,
            eps=group["eps"],
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )
