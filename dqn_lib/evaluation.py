"""Greedy evaluation on an environment of its own.

Taught in notebooks/06_training.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import gymnasium as gym
import numpy as np

from dqn_lib.agents import Agent
from dqn_lib.env import ENV_ID, make_env
from dqn_lib.i18n import tr
from dqn_lib.seeding import as_seed
from dqn_lib.starts import StartBox, check_start_box, set_start
from dqn_lib.validation import check_action, function_name, positive_int

Policy = Callable[[np.ndarray], int]
"""A policy maps one observation to an action."""

EVAL_EVERY = 2_000
"""The benchmark's schedule: a greedy evaluation every this many environment steps
(``train_preset``, the ``Playground``, ``train_diagnosed``, benchmarks/solve.py)."""
EVAL_EPISODES = 20
"""Greedy episodes in one evaluation."""
EVAL_SEED = 10_000
"""The first evaluation episode's seed (seeds 10000, 10001, ...): starts no training episode
uses, whose seeds are small."""


def as_policy(agent_or_policy: Agent | Policy) -> Policy:
    """The greedy policy of an agent, or the policy itself when given a plain function.

    Not taught in a lesson: how ``evaluate`` (notebooks/06_training.py) takes an agent or a policy.
    """
    if isinstance(agent_or_policy, Agent):
        agent = agent_or_policy
        return lambda observation: agent.act(observation, greedy=True)
    if callable(agent_or_policy):
        return agent_or_policy
    raise TypeError(
        tr(
            "Expected an agent (with act and observe methods) or a function observation -> "
            "action, got {type}."
        ).format(type=type(agent_or_policy).__name__)
    )


def evaluate(
    agent: Agent | Policy,
    episodes: int = EVAL_EPISODES,
    seed: int = EVAL_SEED,
    max_steps: int = 500,
    start_box: StartBox | None = None,
    env: gym.Env | None = None,
) -> np.ndarray:
    """The environment's returns of ``episodes`` greedy episodes of an agent (or of a policy
    function), episode ``i`` reset with seed ``seed + i``.

    With ``start_box`` (for example ``PERTURBED_STARTS``), each episode starts from a state drawn
    uniformly from that box after its seeded ``reset`` (``set_start``), so the same seed gives
    the same start (perturbed starts: notebooks/10_inside.py). ``env``: the environment to play
    (reset for every episode, not closed); by default a new CartPole.

    Taught in notebooks/06_training.py. The agent never explores here and its training
    environment is not touched, so evaluating does not change how training goes on. The
    default seeds 10000.. are the benchmark's, kept apart from the training seeds 0..9.
    """
    seed = as_seed(seed)
    positive_int(episodes, "episodes")
    positive_int(max_steps, "max_steps")
    if start_box is not None:
        start_box = check_start_box(start_box)
    policy = as_policy(agent)
    source = _policy_name(agent)
    _check_env_argument(env)
    own_env = env is None
    env = make_env() if env is None else env
    n_actions = int(env.action_space.n)  # type: ignore[attr-defined]
    returns = np.zeros(episodes)
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        if start_box is not None:
            observation = set_start(env, start_box)
        for t in range(max_steps):
            action = policy(observation)
            check_action(
                action,
                n_actions,
                source,
                tr("in episode {episode} (seed {seed}), step {step}").format(
                    episode=i, seed=seed + i, step=t + 1
                ),
            )
            observation, reward, terminated, truncated, _ = env.step(action)
            returns[i] += reward
            if terminated or truncated:
                break
    if own_env:
        env.close()
    return returns


def _policy_name(agent: object) -> str:
    """How an error names what chose the action: ``MyAgent.act`` or ``policy lean_policy``."""
    if isinstance(agent, Agent):
        return f"{type(agent).__name__}.act"
    return tr("The policy {name}").format(name=function_name(agent))


def _check_env_argument(env: object) -> None:
    if env is None:
        return
    if not isinstance(env, gym.Env):
        raise TypeError(
            tr(
                "env must be a gymnasium environment such as dqn_lib.make_env(), or None for a "
                "new CartPole; got {type}."
            ).format(type=type(env).__name__)
        )
    if not isinstance(env.action_space, gym.spaces.Discrete):
        raise ValueError(
            tr(
                "env's action space is {space}; evaluate plays a discrete one, such as "
                "CartPole's Discrete(2)."
            ).format(space=env.action_space)
        )


def evaluation_env(training_env: gym.Env) -> gym.Env | None:
    """A fresh environment of the same kind as ``training_env``, for ``train`` to evaluate on:
    ``None`` for CartPole (``evaluate`` builds its own), a new one from the registered spec of
    any other environment, else a copy of the unwrapped environment (an unregistered one, such as
    a test's probe). Exploring starts and other training wrappers are left out: the evaluation
    starts where the environment's own ``reset`` does.

    Not taught in a lesson: how ``train`` (notebooks/06_training.py) evaluates on the
    environment it trains on.
    """
    spec = training_env.spec
    if spec is not None and spec.id == ENV_ID:
        return None
    if spec is not None:
        return gym.make(spec)
    return copy.deepcopy(training_env.unwrapped)


def value_estimates(
    agent: Agent, gamma: float, episodes: int = EVAL_EPISODES, seed: int = EVAL_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """What the agent predicts its first state is worth, and what it then actually got.

    Taught in notebooks/09_double_dqn.py. For each of ``episodes`` greedy episodes (reset with
    seed ``seed + i``, as in ``evaluate``): the predicted value ``max_a Q(first observation, a)``
    and the discounted return the greedy policy then obtained from that state,
    ``sum_t gamma**t * reward_t`` with the environment's +1 reward. A prediction above what was
    obtained, on average over many starts, is overestimation (van Hasselt et al., 2016). The
    500-step time limit cuts the obtained sum short by at most ``gamma**500 / (1 - gamma)`` (0.66
    for gamma 0.99), a small downward bias of the obtained value.
    """
    seed = as_seed(seed)
    if not 0.0 <= gamma < 1.0:
        raise ValueError(tr("gamma must be in [0, 1), got {gamma!r}.").format(gamma=gamma))
    positive_int(episodes, "episodes")
    _, predicted, obtained = _valued_episodes(agent, gamma, episodes, seed)
    return predicted, obtained


def _valued_episodes(
    agent: Agent, gamma: float, episodes: int, seed: int, env: gym.Env | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The greedy episodes of ``evaluate`` and ``value_estimates`` played once: each episode's
    return (as ``evaluate`` gives it), predicted value and obtained discounted return. ``train``
    uses it when it records both, so the same 20 episodes are not played twice."""
    own_env = env is None
    env = make_env() if env is None else env
    n_actions = int(env.action_space.n)  # type: ignore[attr-defined]
    source = f"{type(agent).__name__}.act"
    returns = np.zeros(episodes)
    predicted, obtained = np.zeros(episodes), np.zeros(episodes)
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        predicted[i] = float(agent.q_values(observation).max())  # type: ignore[attr-defined]
        discount = 1.0
        t = 0
        while True:
            t += 1
            action = agent.act(observation, greedy=True)
            where = tr("in episode {episode} (seed {seed}), step {step}").format(
                episode=i, seed=seed + i, step=t
            )
            check_action(action, n_actions, source, where)
            observation, reward, terminated, truncated, _ = env.step(action)
            returns[i] += reward
            obtained[i] += discount * float(reward)
            discount *= gamma
            if terminated or truncated:
                break
    if own_env:
        env.close()
    return returns, predicted, obtained
