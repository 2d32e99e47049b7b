"""Greedy evaluation on an environment of its own.

Taught in notebooks/05_training.py.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dqn_lib.agents import Agent
from dqn_lib.env import make_env
from dqn_lib.seeding import check_seed

Policy = Callable[[np.ndarray], int]
"""A policy maps one observation to an action."""


def as_policy(agent_or_policy: Agent | Policy) -> Policy:
    """The greedy policy of an agent, or the policy itself when given a plain function."""
    if isinstance(agent_or_policy, Agent):
        agent = agent_or_policy
        return lambda observation: agent.act(observation, greedy=True)
    if callable(agent_or_policy):
        return agent_or_policy
    raise TypeError(
        "Expected an agent (with act and observe methods) or a function observation -> action, "
        f"got {type(agent_or_policy).__name__}."
    )


def evaluate(
    agent: Agent | Policy, episodes: int = 20, seed: int = 10_000, max_steps: int = 500
) -> np.ndarray:
    """The environment's returns of ``episodes`` greedy episodes of an agent (or of a policy
    function), episode ``i`` reset with seed ``seed + i``.

    Taught in notebooks/05_training.py. The agent never explores here and its training
    environment is not touched, so evaluating does not change how training goes on. The
    default seeds 10000.. are the benchmark's, kept apart from the training seeds 0..9.
    """
    seed = check_seed(seed)
    if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
        raise ValueError(f"episodes must be a positive int, got {episodes!r}.")
    policy = as_policy(agent)
    env = make_env()
    returns = np.zeros(episodes)
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        for _ in range(max_steps):
            observation, reward, terminated, truncated, _ = env.step(policy(observation))
            returns[i] += reward
            if terminated or truncated:
                break
    env.close()
    return returns
