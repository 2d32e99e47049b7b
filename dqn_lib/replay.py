"""Experience replay: a fixed-size memory of transitions, sampled uniformly at random.

Taught in notebooks/07_replay.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from dqn_lib.i18n import tr
from dqn_lib.seeding import numpy_generator
from dqn_lib.validation import positive_int


@dataclass
class Batch:
    """A batch of transitions as tensors: ``observations`` is ``(batch, n_observations)``,
    ``actions`` ``(batch,)`` int64, ``rewards`` and ``terminated`` ``(batch,)`` float32."""

    observations: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_observations: torch.Tensor
    terminated: torch.Tensor


class ReplayBuffer:
    """A ring buffer of the last ``capacity`` transitions in preallocated NumPy arrays.

    Taught in notebooks/07_replay.py. ``terminated`` and ``truncated`` are stored apart: only a
    termination stops the TD target's bootstrap. A truncated transition keeps its true final
    observation (the one ``env.step`` returned), never the next episode's reset observation.

    Args:
        capacity: how many transitions it holds; the oldest is overwritten first.
        n_observations: length of an observation (4 for CartPole).
        seed: seeds the buffer's own generator, used by ``sample``.
        rng: a generator to use instead of one made from ``seed``.
    """

    def __init__(
        self,
        capacity: int,
        n_observations: int,
        seed: int = 0,
        rng: np.random.Generator | None = None,
    ) -> None:
        for name, value in (("capacity", capacity), ("n_observations", n_observations)):
            positive_int(value, tr("ReplayBuffer's {name}").format(name=name))
        self.capacity = capacity
        self.observations = np.zeros((capacity, n_observations), dtype=np.float32)
        self.next_observations = np.zeros((capacity, n_observations), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.bool_)
        self.truncated = np.zeros(capacity, dtype=np.bool_)
        self.position = 0  # where the next transition goes
        self.size = 0
        self.rng = numpy_generator(seed) if rng is None else rng

    def __len__(self) -> int:
        return self.size

    def add(
        self,
        observation: np.ndarray,
        action: int,
        reward: float,
        next_observation: np.ndarray,
        terminated: bool,
        truncated: bool,
    ) -> None:
        """Store one transition, overwriting the oldest when full."""
        shape = self.observations.shape[1:]
        for name, value in (("observation", observation), ("next_observation", next_observation)):
            if np.shape(value) != shape:
                raise ValueError(
                    tr(
                        "ReplayBuffer.add expects {name} of shape {shape}, got shape {got}: pass "
                        "one observation, as env.step returns it."
                    ).format(name=name, shape=shape, got=np.shape(value))
                )
        i = self.position
        self.observations[i] = observation
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_observations[i] = next_observation
        self.terminated[i] = terminated
        self.truncated[i] = truncated
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly, with replacement, from what is stored."""
        if self.size == 0:
            raise ValueError(
                tr("Cannot sample from an empty replay buffer: add transitions first.")
            )
        positive_int(batch_size, "batch_size")
        indices = self.rng.integers(0, self.size, size=batch_size)
        return Batch(
            observations=torch.from_numpy(self.observations[indices]),
            actions=torch.from_numpy(self.actions[indices]),
            rewards=torch.from_numpy(self.rewards[indices]),
            next_observations=torch.from_numpy(self.next_observations[indices]),
            terminated=torch.from_numpy(self.terminated[indices].astype(np.float32)),
        )
