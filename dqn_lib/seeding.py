"""Seeds: one checked integer, turned into the generators the library uses.

Taught in notebooks/01_cartpole.py (seeding the environment) and notebooks/04_agent.py (the
agent's own generators). The library never touches numpy's or torch's global random state, so a
stray ``np.random.rand()`` in a notebook cell does not change a training run.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from dqn_lib.i18n import tr


def as_seed(seed: object, name: str = "seed") -> int:
    """Return ``seed`` as a non-negative Python ``int``, or raise a clear error.

    Not taught in a lesson: the seed check of every seeded function, such as ``make_env``
    (notebooks/01_cartpole.py).

    NumPy integers are accepted and converted (gymnasium 1.4 fails on them); floats, booleans,
    strings and negative numbers are refused.

    >>> as_seed(np.int64(3))
    3
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            tr(
                "{name} must be a non-negative integer such as 0 or 42, got {seed!r} of type "
                "{type}. Pass int({seed!r}) if you meant a whole number."
            ).format(name=name, seed=seed, type=type(seed).__name__)
        )
    seed = int(seed)
    if seed < 0:
        raise ValueError(
            tr("{name} must be a non-negative integer, got {seed}. Use 0 or more.").format(
                name=name, seed=seed
            )
        )
    return seed


def numpy_generator(seed: int) -> np.random.Generator:
    """A NumPy generator of its own for ``seed`` (never the global one)."""
    return np.random.default_rng(as_seed(seed))


def torch_generator(seed: int) -> torch.Generator:
    """A torch CPU generator of its own for ``seed`` (never the global one)."""
    generator = torch.Generator()
    generator.manual_seed(as_seed(seed))
    return generator
