"""Acting and learning: epsilon-greedy, the TD target, and the original notebook's online agent.

Taught in notebooks/04_agent.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import torch
from torch import nn

from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network
from dqn_lib.seeding import as_seed, numpy_generator


@runtime_checkable
class Agent(Protocol):
    """What ``train``, ``evaluate`` and ``animate_episode`` need from an agent."""

    n_actions: int

    def act(self, observation: np.ndarray, greedy: bool = False) -> int:
        """The action to take: epsilon-greedy while learning, the best one when ``greedy``."""
        ...

    def observe(
        self,
        observation: np.ndarray,
        action: int,
        reward: float,
        next_observation: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> float | None:
        """Learn from one transition; return the loss if a gradient step was taken."""
        ...


def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> int:
    """With probability ``epsilon`` a uniformly random action, otherwise the argmax of Q.

    Taught in notebooks/04_agent.py. ``q_values`` has shape ``(n_actions,)``. The random draw
    comes from ``rng``, the agent's own generator, so nothing else in a notebook can change it.
    """
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(
            tr("epsilon must be a probability in [0, 1], got {epsilon!r}.").format(epsilon=epsilon)
        )
    if q_values.ndim != 1:
        raise ValueError(
            tr(
                "epsilon_greedy expects the Q-values of one observation, shape (n_actions,), "
                "got shape {shape}."
            ).format(shape=tuple(q_values.shape))
        )
    if rng.random() < epsilon:
        return int(rng.integers(q_values.shape[0]))
    return int(q_values.argmax())


def td_target(
    reward: torch.Tensor,
    next_q: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """The temporal-difference target ``reward + gamma * (1 - terminated) * max_a next_q``.

    Taught in notebooks/04_agent.py. Shapes: ``reward`` and ``terminated`` ``(batch,)``,
    ``next_q`` ``(batch, n_actions)``, the result ``(batch,)``. Only a *terminated* transition
    (the pole fell, the cart left the track) stops the bootstrap; a *truncated* one (the 500-step
    time limit) still bootstraps, because the pole was fine and the future had value.

    >>> td_target(torch.tensor([1.0, 1.0]), torch.tensor([[2.0, 3.0], [2.0, 3.0]]),
    ...           torch.tensor([0.0, 1.0]), gamma=0.5)
    tensor([2.5000, 1.0000])
    """
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(tr("gamma must be in [0, 1], got {gamma!r}.").format(gamma=gamma))
    if next_q.ndim != 2 or reward.shape != next_q.shape[:1] or terminated.shape != reward.shape:
        raise ValueError(
            tr(
                "td_target expects reward (batch,), next_q (batch, n_actions) and terminated "
                "(batch,); got {reward}, {next_q} and {terminated}."
            ).format(
                reward=tuple(reward.shape),
                next_q=tuple(next_q.shape),
                terminated=tuple(terminated.shape),
            )
        )
    not_terminated = 1.0 - terminated.to(next_q.dtype)
    return reward.to(next_q.dtype) + gamma * not_terminated * next_q.max(dim=1).values


def as_observation_tensor(observation: object, n_observations: int) -> torch.Tensor:
    """Check one observation and return it as a float32 tensor of shape ``(n_observations,)``.

    Catches the mistakes a learner makes at the boundary: passing ``env.reset()``'s
    ``(observation, info)`` tuple, the wrong shape, or an observation with NaN or infinity.
    """
    if (
        isinstance(observation, tuple)
        and len(observation) == 2
        and isinstance(observation[1], dict)
    ):
        raise TypeError(
            tr(
                "Expected an observation array, got an (observation, info) tuple. env.reset() "
                "returns both: write `observation, info = env.reset()` and pass `observation`."
            )
        )
    try:
        with np.errstate(over="ignore"):  # a number past float32's range: infinity, refused below
            array = np.asarray(observation, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise TypeError(
            tr(
                "Expected an observation array of {n_observations} numbers, got {observation!r}."
            ).format(n_observations=n_observations, observation=observation)
        ) from error
    if array.shape != (n_observations,):
        raise ValueError(
            tr(
                "Expected one observation of shape ({n_observations},), got shape {shape}. Pass a "
                "single observation, not a batch or a nested list."
            ).format(n_observations=n_observations, shape=array.shape)
        )
    if not np.isfinite(array).all():
        raise ValueError(
            tr("The observation contains NaN or infinity: {values}.").format(values=array.tolist())
        )
    return torch.from_numpy(array)


class OnlineAgent:
    """The original notebook's agent: one Huber-loss Adam update on every transition, no replay.

    Taught in notebooks/04_agent.py and trained in notebooks/06_training.py. What changed from
    the original: the TD target stops at a termination (the original bootstrapped through every
    fall; ``bootstrap_through_termination=True`` puts its bug back), and the random choices come
    from the agent's own seeded generator.

    Args:
        n_observations: length of an observation (4 for CartPole).
        n_actions: number of actions (2 for CartPole).
        hidden: hidden layer widths of the Q-network; the original is (32, 32).
        learning_rate: Adam's step size; the original is 1e-4.
        gamma: discount factor; the original trains with 0.99.
        epsilon: probability of a random action while learning; the original uses 0.2.
        seed: seeds the network's initial weights and the exploration generator.
        bootstrap_through_termination: if True, the agent as the original notebook wrote it:
            the TD target is ``reward + gamma * max_a Q(next_observation, a)`` on every
            transition, a fall included (``terminated`` is ignored, as the original ignored
            ``done``). False (the default) stops the bootstrap at a termination. Taught in
            notebooks/06_training.py, which trains both.
    """

    def __init__(
        self,
        n_observations: int = 4,
        n_actions: int = 2,
        *,
        hidden: Sequence[int] = (32, 32),
        learning_rate: float = 1e-4,
        gamma: float = 0.99,
        epsilon: float = 0.2,
        seed: int = 0,
        bootstrap_through_termination: bool = False,
    ) -> None:
        if not isinstance(bootstrap_through_termination, bool):
            raise TypeError(
                tr(
                    "bootstrap_through_termination must be True (the original's bug: the TD "
                    "target ignores terminated) or False (the corrected target), got {value!r}."
                ).format(value=bootstrap_through_termination)
            )
        if not learning_rate > 0:
            raise ValueError(
                tr("learning_rate must be positive, got {learning_rate!r}.").format(
                    learning_rate=learning_rate
                )
            )
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(tr("gamma must be in [0, 1], got {gamma!r}.").format(gamma=gamma))
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(
                tr("epsilon must be a probability in [0, 1], got {epsilon!r}.").format(
                    epsilon=epsilon
                )
            )
        seed = as_seed(seed)
        self.n_observations = n_observations
        self.n_actions = n_actions
        self.hidden = tuple(hidden)
        self.learning_rate = learning_rate
        self.gamma = gamma
        self.epsilon = epsilon
        self.bootstrap_through_termination = bootstrap_through_termination
        self.q_network = new_q_network(n_observations, n_actions, seed, hidden=hidden)
        self.optimizer = torch.optim.Adam(self.q_network.parameters(), lr=learning_rate)
        self.loss_fn = nn.SmoothL1Loss()  # the Huber loss
        self.rng = numpy_generator(seed)

    def q_values(self, observation: np.ndarray) -> torch.Tensor:
        """Q-values of one observation, shape ``(n_actions,)``, without tracking gradients."""
        with torch.no_grad():
            return self.q_network(as_observation_tensor(observation, self.n_observations))

    def act(self, observation: np.ndarray, greedy: bool = False) -> int:
        """Epsilon-greedy while learning; the argmax when ``greedy`` (evaluation, animations).

        A greedy action draws nothing from the agent's generator, so evaluating in the middle
        of training does not change the rest of the training run.
        """
        q_values = self.q_values(observation)
        if greedy:
            return int(q_values.argmax())
        return epsilon_greedy(q_values, self.epsilon, self.rng)

    def observe(
        self,
        observation: np.ndarray,
        action: int,
        reward: float,
        next_observation: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> float:
        """One gradient step on this transition alone; returns its Huber loss.

        With ``bootstrap_through_termination`` the target treats every transition as ongoing,
        the original notebook's bug: a fall is valued as if the episode went on after it.
        """
        observations = as_observation_tensor(observation, self.n_observations).unsqueeze(0)
        next_observations = as_observation_tensor(next_observation, self.n_observations)
        if not np.isfinite(reward):
            raise ValueError(
                tr("The reward must be a finite number, got {reward!r}.").format(reward=reward)
            )
        q = self.q_network(observations)[0, action]  # the value of the action taken, a scalar
        # 1.0 stops the bootstrap; the original's bug (on request) never stops it, even at a fall
        stops = 0.0 if self.bootstrap_through_termination else float(terminated)
        with torch.no_grad():  # the target is a fixed number, no gradient flows through it
            next_q = self.q_network(next_observations.unsqueeze(0))  # (1, n_actions)
            target = td_target(
                torch.tensor([float(reward)]), next_q, torch.tensor([stops]), self.gamma
            )[0]
        loss = self.loss_fn(q, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()
