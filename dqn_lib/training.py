"""The training loop and the history it returns.

Taught in notebooks/06_training.py. The loop is the original notebook's ``train``, made
general: any agent, any reward function, a budget in episodes or in environment steps.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from tqdm.auto import tqdm

from dqn_lib.agents import Agent, OnlineAgent
from dqn_lib.checkpoint import (
    Checkpoint,
    check_trainer_state,
    restore_trainer,
    save_checkpoint,
    time_limit,
    trainer_state,
)
from dqn_lib.dqn import DQNAgent
from dqn_lib.env import make_env
from dqn_lib.evaluation import (
    EVAL_EPISODES,
    EVAL_SEED,
    _valued_episodes,
    evaluate,
    evaluation_env,
)
from dqn_lib.files import check_file_target
from dqn_lib.history import History, UnfinishedEpisode
from dqn_lib.i18n import tr
from dqn_lib.rewards import RewardFunction, environment_reward
from dqn_lib.seeding import as_seed
from dqn_lib.validation import (
    as_path,
    check_action,
    check_reward,
    one_of_types,
    positive_int,
)


def _check_budget(episodes: int | None, steps: int | None) -> None:
    if (episodes is None) == (steps is None):
        raise ValueError(
            tr(
                "train needs exactly one budget: episodes=... or steps=...; got "
                "episodes={episodes!r} and steps={steps!r}."
            ).format(episodes=episodes, steps=steps)
        )
    budget = episodes if episodes is not None else steps
    positive_int(budget, tr("The training budget"))


@dataclass(frozen=True)
class Callback:
    """Call ``function(agent, history)`` during ``train``, after every ``every``-th environment
    step (after that step's learning, evaluation and checkpoint), with the training clock
    stopped: a live curve, measurements of the agent, anything that watches a run without
    changing it.

    Taught in notebooks/10_inside.py (``train_diagnosed`` measures the agent through one); the
    ``Playground`` redraws its live curve through one.

    >>> Callback(1_000, lambda agent, history: print(history.steps))  # doctest: +ELLIPSIS
    Callback(every=1000, function=<function <lambda> at ...>)
    """

    every: int
    function: Callable[[Any, History], None]

    def __post_init__(self) -> None:
        positive_int(self.every, "Callback's every")
        if not callable(self.function):
            raise TypeError(
                tr(
                    "Callback's function must be a function (agent, history) -> None, got "
                    "{value!r}."
                ).format(value=self.function)
            )


@dataclass(frozen=True)
class Evaluation:
    """In ``train(..., callbacks=[Evaluation(every)])``: every ``every`` environment steps, a
    greedy ``evaluate`` of ``episodes`` episodes from seed ``seed`` on an environment of its own
    (built from the training environment's spec), recorded in the History
    (``eval_steps``, ``eval_returns``, ``train_seconds_at_eval``) with the training clock stopped.

    ``values=True`` also records what the agent predicts the evaluation's first states are
    worth and what it obtained from them (``value_estimates``, with the agent's
    ``config.gamma``), in ``History.eval_predicted_values`` and ``eval_obtained_values``.

    Taught in notebooks/09_double_dqn.py (``values=True``); ``presets.train_preset`` evaluates
    through one.

    >>> Evaluation(2_000, values=True)
    Evaluation(every=2000, episodes=20, seed=10000, values=True)
    """

    every: int
    episodes: int = EVAL_EPISODES
    seed: int = EVAL_SEED
    values: bool = False

    def __post_init__(self) -> None:
        settings = (self.every, self.episodes, self.seed, self.values)
        _check_evaluation_settings(settings, "Evaluation's {}")


def _check_evaluation_settings(settings: tuple[object, ...], name: str) -> None:
    """Every, episodes, seed and values, checked in one place; ``name`` says how an error names
    each ("Evaluation's {}", or "eval_{}" for a function's arguments)."""
    every, episodes, seed, values = settings
    positive_int(every, name.format("every"))
    positive_int(episodes, name.format("episodes"))
    as_seed(seed, name.format("seed"))
    one_of_types(values, bool, name.format("values"), tr("True or False"))


def evaluation_settings(
    eval_every: object,
    eval_episodes: object = EVAL_EPISODES,
    eval_seed: object = EVAL_SEED,
    eval_values: object = False,
) -> Evaluation:
    """An ``Evaluation`` from a caller's ``eval_every``, ``eval_episodes``, ``eval_seed`` and
    ``eval_values`` arguments, each named so in an error. Not taught in a lesson: how
    ``train_preset``, ``train_seeds``, ``train_diagnosed`` and the ``Playground`` check theirs
    before anything trains (notebooks/07_replay.py)."""
    settings = (eval_every, eval_episodes, eval_seed, eval_values)
    _check_evaluation_settings(settings, "eval_{}")
    return Evaluation(*settings)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Checkpointing:
    """In ``train(..., callbacks=[Checkpointing(path, every)])``: every ``every`` environment
    steps, save the agent, its replay buffer and the loop's state (environment, unfinished
    episode, History) to ``path`` with ``save_checkpoint``, replacing the previous one
    atomically; ``train(..., resume_from=load_checkpoint(path))`` goes on from it.

    ``overwrite``: replace a file already at ``path`` (another run's checkpoint, say). By default
    such a file is kept and ``train`` refuses to start, unless it is the file ``resume_from`` was
    loaded from. A symlink is followed: the file it points to is the one replaced.

    Not taught in a lesson: periodic checkpoints of a long run (lesson 9 saves one agent with
    ``save_checkpoint``); tests/test_resume.py shows a resumed run ending as one trained straight.
    """

    path: str | os.PathLike[str]
    every: int
    overwrite: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", as_path(self.path, "Checkpointing's path"))
        positive_int(self.every, "Checkpointing's every")
        one_of_types(self.overwrite, bool, "Checkpointing's overwrite", tr("True or False"))


def train(
    agent: Agent,
    env: gym.Env | None = None,
    *,
    episodes: int | None = None,
    steps: int | None = None,
    reward_fn: RewardFunction = environment_reward,
    seed: int = 0,
    callbacks: Sequence[Callback | Evaluation | Checkpointing] = (),
    resume_from: Checkpoint | None = None,
    progress: bool = True,
    description: str | None = None,
) -> History:
    """Act, step, reward, learn, repeated for ``episodes`` episodes or ``steps`` steps.

    Taught in notebooks/06_training.py.

    Args:
        agent: anything with ``act(observation)`` and ``observe(...)`` (see ``Agent``).
        env: the training environment; by default ``make_env(seed)``. Its actions must be
            discrete and its observations vectors (checked before the first step).
        episodes: stop after this many finished episodes (give this or ``steps``).
        steps: stop after this many environment steps (an unfinished episode is not recorded).
        reward_fn: turns each step into the reward the agent learns from.
        seed: seeds the default environment.
        callbacks: what happens every so many steps, with the training clock stopped: at most
            one ``Evaluation`` (greedy evaluations), at most one ``Checkpointing`` (periodic
            checkpoints), and any ``Callback``s. At a step where several are due, the
            evaluation comes first, then the checkpoint (which holds that evaluation), then the
            ``Callback``s in the order given.
        resume_from: a ``Checkpoint`` that ``train`` saved (``load_checkpoint(path)``); pass its
            agent as ``agent``. The run goes on exactly as if it had never stopped; ``episodes``
            and ``steps`` count the whole run, the steps before the checkpoint included. The
            Checkpoint is never changed; once its agent has trained on (the same cell run
            twice), resuming from it again is refused: load the file again.
        progress: show a ``tqdm`` progress bar (a widget in JupyterLab).
        description: the progress bar's label; by default (``None``) "training", said in the
            language ``set_language`` chose.

    Every argument is checked before the first step.

    If an exception (or ``KeyboardInterrupt``) stops training, the History so far is attached to
    it as ``error.history``, and the last periodic checkpoint stays loadable.
    """
    _check_budget(episodes, steps)
    seed = as_seed(seed)
    _check_agent(agent)
    if not callable(reward_fn):
        raise TypeError(
            tr(
                "reward_fn must be a function (next_observation, env_reward, terminated) -> float "
                "such as dqn_lib.pole_angle_reward, got {reward_fn!r}."
            ).format(reward_fn=reward_fn)
        )
    evaluation, checkpointing, callbacks = _split_callbacks(callbacks)
    _check_evaluation(agent, evaluation)
    one_of_types(progress, bool, "progress", tr("True or False"))
    if description is None:
        description = tr("training")
    one_of_types(description, str, "description", tr("a str"))
    _check_resume_from(agent, resume_from)
    if env is not None and not isinstance(env, gym.Env):
        raise TypeError(
            tr(
                "env must be a gymnasium environment such as dqn_lib.make_env(0), or None for "
                "CartPole seeded with seed; got {type}."
            ).format(type=type(env).__name__)
        )
    env = make_env(seed) if env is None else env
    _check_env(env, agent)
    if checkpointing is not None:
        _check_checkpoint_target(checkpointing, agent, env, resume_from)
    eval_env = evaluation_env(env) if evaluation is not None else None
    if resume_from is None:
        history = History()
        observation, _ = env.reset()
        episode = UnfinishedEpisode()
    else:
        state = getattr(env.unwrapped, "state", None)
        shape = env.observation_space.shape if state is None else np.shape(state)
        check_trainer_state(resume_from, shape)
        _check_budget_left(resume_from, episodes, steps)
        history, observation, episode = restore_trainer(resume_from, env)
    by_episodes = episodes is not None
    total = episodes if by_episodes else steps
    bar = tqdm(
        total=total,
        initial=history.episodes if by_episodes else history.steps,
        desc=description,
        unit="episode" if by_episodes else "step",
        disable=not progress,
    )
    acts = f"{type(agent).__name__}.act"  # what an error names
    n_actions = env.action_space.n
    start: float | None = time.perf_counter()
    try:
        while (history.episodes < episodes) if by_episodes else (history.steps < steps):
            action = agent.act(observation)
            if type(action) is not int or not 0 <= action < n_actions:  # else: checked below
                check_action(action, n_actions, acts, _at_step(history.steps + 1))
            next_observation, env_reward, terminated, truncated, _ = env.step(action)
            reward = reward_fn(next_observation, float(env_reward), bool(terminated))
            _check_finite(next_observation, history.steps + 1)
            if type(reward) is not float or not math.isfinite(reward):  # else: checked below
                check_reward(reward, reward_fn, _at_step(history.steps + 1))
                reward = float(reward)  # a NumPy or Fraction number: the same value, a float
            loss = agent.observe(
                observation, action, reward, next_observation, terminated, truncated
            )
            history.steps += 1
            if loss is not None:
                _check_loss(loss, history.steps)
                history.losses.append(loss)
                history.loss_steps.append(history.steps)
            episode.add(float(env_reward), reward)
            observation = next_observation
            if terminated or truncated:
                episode.record(history)
                episode = UnfinishedEpisode()
                observation, _ = env.reset()
                if by_episodes:
                    bar.update(1)
                    bar.set_postfix(last_return=history.returns[-1])
            if not by_episodes:
                bar.update(1)
            if evaluation is not None and history.steps % evaluation.every == 0:
                history.train_seconds += time.perf_counter() - start
                if evaluation.values:  # the same greedy episodes, played once for both records
                    returns, predicted, obtained = _valued_episodes(
                        agent,
                        agent.config.gamma,  # type: ignore[attr-defined]
                        evaluation.episodes,
                        evaluation.seed,
                        eval_env,
                    )
                    history.eval_predicted_values.append(float(predicted.mean()))
                    history.eval_obtained_values.append(float(obtained.mean()))
                else:
                    returns = evaluate(
                        agent, episodes=evaluation.episodes, seed=evaluation.seed, env=eval_env
                    )
                history.eval_steps.append(history.steps)
                history.eval_returns.append(float(np.mean(returns)))
                history.train_seconds_at_eval.append(history.train_seconds)
                start = time.perf_counter()
            if checkpointing is not None and history.steps % checkpointing.every == 0:
                history.train_seconds += time.perf_counter() - start
                trainer = trainer_state(env, observation, episode, history)
                save_checkpoint(agent, checkpointing.path, include_replay=True, trainer=trainer)
                start = time.perf_counter()
            for callback in callbacks:
                if history.steps % callback.every == 0:
                    history.train_seconds += time.perf_counter() - start
                    start = None  # stopped: an error in the callback adds no time
                    callback.function(agent, history)
                    start = time.perf_counter()
    except BaseException as error:
        if start is not None:
            history.train_seconds += time.perf_counter() - start
        with contextlib.suppress(AttributeError):  # a few built-in exceptions take no attributes
            error.history = history  # type: ignore[attr-defined]
        bar.close()
        if eval_env is not None:
            eval_env.close()
        raise
    history.train_seconds += time.perf_counter() - start
    bar.close()
    if eval_env is not None:
        eval_env.close()
    if progress:  # a saved notebook keeps the bar as it was first drawn (0%): say how it ended
        print(_summary(description, history))
    return history


def _check_budget_left(checkpoint: Checkpoint, episodes: int | None, steps: int | None) -> None:
    saved = checkpoint.trainer["history"]  # type: ignore[index]
    budget, asked = ("episodes", episodes) if episodes is not None else ("steps", steps)
    done = len(saved.get("returns", [])) if budget == "episodes" else saved.get("steps", 0)
    if done > asked:  # type: ignore[operator]
        raise ValueError(
            tr(
                "{budget}={asked} counts the whole run, and resume_from is already at "
                "{budget} {done}: ask for more than {done} to train on."
            ).format(budget=budget, asked=asked, done=done)
        )


def _at_step(step: int) -> str:
    return tr("at step {step}").format(step=step)


def _check_resume_from(agent: Agent, resume_from: object) -> None:
    if resume_from is None:
        return
    if not isinstance(resume_from, Checkpoint) or resume_from.trainer is None:
        if isinstance(resume_from, Checkpoint):
            message = tr(
                "resume_from must be a Checkpoint that train saved (load_checkpoint of a file "
                "written with Checkpointing(path, every) in callbacks), got {type} without the "
                "training loop's state."
            )
        else:
            message = tr(
                "resume_from must be a Checkpoint that train saved (load_checkpoint of a file "
                "written with Checkpointing(path, every) in callbacks), got {type}."
            )
        raise ValueError(message.format(type=type(resume_from).__name__))
    if resume_from.agent is not agent:
        raise ValueError(
            tr(
                "train(agent, resume_from=checkpoint) goes on with the checkpoint's own agent: "
                "pass checkpoint.agent as agent."
            )
        )
    if not resume_from.agent_unchanged():
        raise ValueError(
            tr(
                "resume_from's agent has changed since load_checkpoint({path!r}) built it (it "
                "trained on: a cell run twice?), so it no longer matches the checkpoint's "
                "training state and resuming would not continue the saved run. Load the "
                "checkpoint again, checkpoint = load_checkpoint(path), and resume from that."
            ).format(path=str(resume_from.path))
        )


def _check_env(env: gym.Env, agent: Agent) -> None:
    if not isinstance(env.action_space, spaces.Discrete):
        raise ValueError(
            tr(
                "train needs an environment with a discrete action space, such as CartPole's "
                "Discrete(2): a Q-network scores a finite set of actions. Got action space "
                "{space}. Use a discrete environment, or discretize this one's actions with a "
                "wrapper."
            ).format(space=env.action_space)
        )
    shape = env.observation_space.shape
    if shape is None or len(shape) != 1:
        raise ValueError(
            tr(
                "train needs observations that are vectors, shape (n,) like CartPole's (4,); got "
                "observation space {space} with shape {shape}. Flatten them with "
                "gymnasium.wrappers.FlattenObservation(env)."
            ).format(space=env.observation_space, shape=shape)
        )
    n_actions, n_observations = int(env.action_space.n), shape[0]
    for name, expected in (("n_actions", n_actions), ("n_observations", n_observations)):
        given = getattr(agent, name, expected)
        if given != expected:
            raise ValueError(
                tr(
                    "The agent has {name}={given} but the environment has {expected}: build the "
                    "agent with {name}={expected}."
                ).format(name=name, given=given, expected=expected)
            )


def _check_finite(next_observation: np.ndarray, step: int) -> None:
    if not np.isfinite(next_observation).all():
        raise ValueError(
            tr(
                "The environment returned an observation with NaN or infinity at step {step}: "
                "{values}. Check the environment."
            ).format(step=step, values=np.asarray(next_observation).tolist())
        )


def _check_agent(agent: object) -> None:
    missing = [name for name in ("act", "observe") if not callable(getattr(agent, name, None))]
    if missing:
        raise TypeError(
            tr(
                "train needs an agent with act(observation) and observe(...) methods, such as a "
                "DQNAgent or an OnlineAgent; got {type}, without {missing}."
            ).format(type=type(agent).__name__, missing=tr(" and ").join(missing))
        )


def _split_callbacks(
    callbacks: object,
) -> tuple[Evaluation | None, Checkpointing | None, tuple[Callback, ...]]:
    kinds = (Evaluation, Checkpointing, Callback)
    if isinstance(callbacks, kinds) or not isinstance(callbacks, list | tuple):
        raise TypeError(
            tr(
                "callbacks must be a list such as [Evaluation(2_000), Checkpointing(path, 1_000), "
                "Callback(1_000, function)], got {value!r}."
            ).format(value=callbacks)
        )
    for callback in callbacks:
        if not isinstance(callback, kinds):
            raise TypeError(
                tr(
                    "callbacks must hold dqn_lib.Evaluation, dqn_lib.Checkpointing or "
                    "dqn_lib.Callback objects, got {value!r} of type {type}."
                ).format(value=callback, type=type(callback).__name__)
            )
    found: list[Any] = []
    for kind in (Evaluation, Checkpointing):
        of_kind = [callback for callback in callbacks if isinstance(callback, kind)]
        if len(of_kind) > 1:
            raise ValueError(
                tr("callbacks holds {count} {kind}s; train runs one of each: keep one.").format(
                    count=len(of_kind), kind=kind.__name__
                )
            )
        found.append(of_kind[0] if of_kind else None)
    return found[0], found[1], tuple(c for c in callbacks if isinstance(c, Callback))


def _check_evaluation(agent: object, evaluation: Evaluation | None) -> None:
    if evaluation is not None and evaluation.values:
        gamma = getattr(getattr(agent, "config", None), "gamma", None)
        if gamma is None or not callable(getattr(agent, "q_values", None)):
            raise ValueError(
                tr(
                    "Evaluation(values=True) records the agent's predicted values, with its "
                    "q_values method and config.gamma (a DQNAgent's); {type} has not both. Leave "
                    "values=False."
                ).format(type=type(agent).__name__)
            )


def _check_checkpoint_target(
    checkpointing: Checkpointing, agent: Agent, env: gym.Env, resume_from: Checkpoint | None
) -> None:
    """Before the first step: the agent and the environment can be checkpointed, and the file
    at ``checkpointing.path``, if any, may be replaced."""
    if not isinstance(agent, DQNAgent | OnlineAgent):
        raise TypeError(
            tr(
                "train can checkpoint a DQNAgent or an OnlineAgent (what save_checkpoint saves), "
                "got {type}; leave Checkpointing out of callbacks."
            ).format(type=type(agent).__name__)
        )
    if not hasattr(env.unwrapped, "state"):
        raise ValueError(
            tr(
                "train can checkpoint CartPole-like environments, whose state is "
                "env.unwrapped.state; {type} has none. Leave Checkpointing out of callbacks."
            ).format(type=type(env.unwrapped).__name__)
        )
    time_limit(env)
    path = checkpointing.path
    check_file_target(path, "Checkpointing's path")
    if checkpointing.overwrite or not os.path.lexists(path):
        return
    if resume_from is not None:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, resume_from.path):
                return  # the run goes on in its own file
    raise FileExistsError(
        tr(
            "Checkpointing's path {path} already holds a file (another run's checkpoint?), which "
            "train would replace. Choose another path, pass Checkpointing(..., overwrite=True) to "
            "replace it, or continue "
            "that run with train(checkpoint.agent, ..., resume_from=checkpoint) where "
            "checkpoint = load_checkpoint(path)."
        ).format(path=path)
    )


def _check_loss(loss: float, step: int) -> None:
    if not math.isfinite(loss):
        raise FloatingPointError(
            tr(
                "The loss became {loss} at step {step}: lower learning_rate or clip the gradient."
            ).format(loss=loss, step=step)
        )


def _summary(description: str, history: History) -> str:
    recent = history.returns[-20:]
    mean = f"{np.mean(recent):.1f}" if recent else tr("n/a")
    return tr(
        "{description}: {episodes} episodes, {steps} steps in {seconds:.1f} s; mean return of "
        "the last {recent} episodes: {mean}"
    ).format(
        description=description,
        episodes=history.episodes,
        steps=history.steps,
        seconds=history.train_seconds,
        recent=len(recent),
        mean=mean,
    )
