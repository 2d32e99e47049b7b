"""The Q-network: an observation in, one value per action out.

Taught in notebooks/03_q_network.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F  # noqa: N812 (PyTorch's own name for it)
from torch import nn

from dqn_lib.i18n import tr
from dqn_lib.seeding import as_seed
from dqn_lib.validation import positive_int


class QNet(nn.Module):
    """A small multilayer perceptron that estimates Q(observation, action) for every action.

    Taught in notebooks/03_q_network.py. The default ``hidden=(32, 32)`` is the original
    notebook's 4-32-32-2 network for CartPole.

    Args:
        n_observations: length of an observation vector (4 for CartPole).
        n_actions: number of discrete actions (2 for CartPole).
        hidden: width of each hidden layer, each followed by a ReLU.

    >>> QNet(4, 2)(torch.zeros(5, 4)).shape  # (batch, n_actions)
    torch.Size([5, 2])
    """

    def __init__(
        self, n_observations: int, n_actions: int, hidden: Sequence[int] = (32, 32)
    ) -> None:
        super().__init__()
        for name, value in (("n_observations", n_observations), ("n_actions", n_actions)):
            positive_int(value, tr("QNet's {name}").format(name=name))
        hidden = tuple(hidden)
        if not hidden or any(
            isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in hidden
        ):
            raise ValueError(
                tr(
                    "QNet's hidden must be a non-empty sequence of positive ints such as "
                    "(32, 32), got {hidden!r}."
                ).format(hidden=hidden)
            )
        self.n_observations = n_observations
        self.n_actions = n_actions
        self.hidden = hidden
        layers: list[nn.Module] = []
        width = n_observations
        for next_width in hidden:
            layers += [nn.Linear(width, next_width), nn.ReLU()]
            width = next_width
        layers.append(nn.Linear(width, n_actions))
        self.net = nn.Sequential(*layers)
        self._linears = tuple(m for m in layers if isinstance(m, nn.Linear))

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        """Q-values: ``(batch, n_observations) -> (batch, n_actions)``, or one unbatched row.

        The same computation as ``self.net(observations)``, the same kernels and the same
        numbers, written out: a network this small spends much of a forward pass in calling
        modules, and the agent runs four a step.
        """
        x = observations
        for layer in self._linears[:-1]:
            x = torch.relu(F.linear(x, layer.weight, layer.bias))
        last = self._linears[-1]
        return F.linear(x, last.weight, last.bias)


def new_q_network(
    n_observations: int, n_actions: int, seed: int, *, hidden: Sequence[int] = (32, 32)
) -> QNet:
    """A ``QNet`` whose initial weights depend on ``seed`` only.

    Taught in notebooks/03_q_network.py. The weights are drawn inside ``torch.random.fork_rng``,
    so torch's global random state is the same afterwards as before: creating a network in one
    cell does not change what ``torch.rand`` gives in another.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(as_seed(seed))
        return QNet(n_observations, n_actions, hidden)
