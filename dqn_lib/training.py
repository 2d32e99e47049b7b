"""The training loop and the history it returns.

Taught in notebooks/05_training.py. The loop is the original notebook's ``train``, made
general: any agent, any reward function, a budget in episodes or in environment steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np
from tqdm.auto import tqdm

from dqn_lib.agents import Agent
from dqn_lib.env import make_env
from dqn_lib.evaluation import evaluate
from dqn_lib.rewards import RewardFunction, environment_reward
from dqn_lib.seeding import check_seed


@dataclass
class History:
    """What happened during training, one entry per finished episode or per update.

    Taught in notebooks/05_training.py. ``returns`` are the environment's returns (steps the
    pole stayed up, whatever reward the agent learned from), so runs trained with different
    reward functions compare on one scale; ``shaped_returns`` sum the reward the agent saw.
    """

    returns: list[float] = field(default_factory=list)
    shaped_returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    episode_end_steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    loss_steps: list[int] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_returns: list[float] = field(default_factory=list)
    eval_seconds: list[float] = field(default_factory=list)
    steps: int = 0
    train_seconds: float = 0.0

    @property
    def episodes(self) -> int:
        """How many episodes finished."""
        return len(self.returns)


def _check_budget(episodes: int | None, steps: int | None) -> None:
    if (episodes is None) == (steps is None):
        raise ValueError(
            f"train needs exactly one budget: episodes=... or steps=...; got episodes={episodes!r} "
            f"and steps={steps!r}."
        )
    budget = episodes if episodes is not None else steps
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"The training budget must be a positive int, got {budget!r}.")


def train(
    agent: Agent,
    env: gym.Env | None = None,
    *,
    episodes: int | None = None,
    steps: int | None = None,
    reward_fn: RewardFunction = environment_reward,
    seed: int = 0,
    eval_every: int | None = None,
    eval_episodes: int = 20,
    eval_seed: int = 10_000,
    progress: bool = True,
    description: str = "training",
) -> History:
    """Act, step, reward, learn, repeated for ``episodes`` episodes or ``steps`` steps.

    Taught in notebooks/05_training.py.

    Args:
        agent: anything with ``act(observation)`` and ``observe(...)`` (see ``Agent``).
        env: the training environment; by default ``make_env(seed)``.
        episodes: stop after this many finished episodes (give this or ``steps``).
        steps: stop after this many environment steps (an unfinished episode is not recorded).
        reward_fn: turns each step into the reward the agent learns from.
        seed: seeds the default environment.
        eval_every: every this many steps, a greedy ``evaluate`` on its own environment; the
            clock in ``History.eval_seconds`` stops while it runs.
        eval_episodes, eval_seed: the evaluation's episodes and first seed.
        progress: show a ``tqdm`` progress bar (a widget in JupyterLab).
        description: the progress bar's label.
    """
    _check_budget(episodes, steps)
    env = make_env(check_seed(seed)) if env is None else env
    history = History()
    observation, _ = env.reset()
    episode_return = shaped_return = 0.0
    episode_length = 0
    total = episodes if episodes is not None else steps
    bar = tqdm(
        total=total, desc=description, unit="episode" if episodes else "step", disable=not progress
    )
    start = time.perf_counter()
    while (history.episodes < episodes) if episodes is not None else (history.steps < steps):
        action = agent.act(observation)
        next_observation, env_reward, terminated, truncated, _ = env.step(action)
        reward = reward_fn(next_observation, float(env_reward), bool(terminated))
        loss = agent.observe(observation, action, reward, next_observation, terminated, truncated)
        history.steps += 1
        if loss is not None:
            history.losses.append(loss)
            history.loss_steps.append(history.steps)
        episode_return += float(env_reward)
        shaped_return += reward
        episode_length += 1
        observation = next_observation
        if terminated or truncated:
            history.returns.append(episode_return)
            history.shaped_returns.append(shaped_return)
            history.lengths.append(episode_length)
            history.episode_end_steps.append(history.steps)
            episode_return = shaped_return = 0.0
            episode_length = 0
            observation, _ = env.reset()
            if episodes is not None:
                bar.update(1)
                bar.set_postfix(last_return=history.returns[-1])
        if steps is not None:
            bar.update(1)
        if eval_every is not None and history.steps % eval_every == 0:
            history.train_seconds += time.perf_counter() - start
            mean_return = float(np.mean(evaluate(agent, episodes=eval_episodes, seed=eval_seed)))
            history.eval_steps.append(history.steps)
            history.eval_returns.append(mean_return)
            history.eval_seconds.append(history.train_seconds)
            start = time.perf_counter()
    history.train_seconds += time.perf_counter() - start
    bar.close()
    if progress:  # a saved notebook keeps the bar as it was first drawn (0%): say how it ended
        print(_summary(description, history))
    return history


def _summary(description: str, history: History) -> str:
    recent = history.returns[-20:]
    mean = f"{np.mean(recent):.1f}" if recent else "n/a"
    return (
        f"{description}: {history.episodes} episodes, {history.steps} steps in "
        f"{history.train_seconds:.1f} s; mean return of the last {len(recent)} episodes: {mean}"
    )
