"""Exercise checks of notebooks/01_cartpole.py: a hand-written policy, the length of an episode,
a prediction (how long does pushing right last?) and a find-the-bug exercise (a transition
recorder that stores what the environment returned, not what a reset gave afterwards).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium
import numpy as np
import torch

from dqn_lib.checks.harness import (
    Check,
    always_left,
    cartpole_observations,
    is_int,
    lean,
    learner_line,
    linear_policy,
    number_in_range,
    prediction,
    type_name,
    verdict,
)
from dqn_lib.env import MAX_EPISODE_STEPS, make_env
from dqn_lib.evaluation import evaluate
from dqn_lib.i18n import tr


def check_cartpole_policy(policy: Callable[[np.ndarray], int], margin: float = 100.0) -> None:
    """Check a hand-written CartPole policy, a function observation -> action.

    Taught in notebooks/01_cartpole.py. The policy must return a Python int, 0 or 1, for real
    CartPole observations, must not always return the same action, and its mean return over 20
    seeded episodes must beat a random policy's by at least ``margin``.
    """
    check = Check("check_cartpole_policy")
    observations = cartpole_observations(200, seed=7)
    actions = []
    for i, observation in check.each(enumerate(observations)):
        where = tr("observation {i} ({values})").format(
            i=i, values=np.array2string(observation, precision=3)
        )
        action = check.call(policy, observation, case=tr("for {where}").format(where=where))
        if isinstance(action, torch.Tensor):
            raise check.fail(
                tr(
                    "for {where} your policy returned a tensor ({action!r}); return a Python int: "
                    "int(...) around it."
                ).format(where=where, action=action)
            )
        if isinstance(action, bool | np.bool_):
            raise check.fail(
                tr(
                    "for {where} your policy returned {action!r}, a bool; return the action "
                    "number, 1 if ... else 0."
                ).format(where=where, action=action)
            )
        if isinstance(action, float | np.floating):
            raise check.fail(
                tr(
                    "for {where} your policy returned {action!r}, a float; actions are the ints "
                    "0 (push left) and 1 (push right)."
                ).format(where=where, action=action)
            )
        message = tr(
            "for {where} your policy returned {action!r} of type {type}; expected the int 0 or 1."
        )
        check.expect(action, int | np.integer, message, where=where, action=action)
        if action not in (0, 1):
            raise check.fail(
                tr(
                    "for {where} your policy returned {action}; CartPole's actions are 0 (push "
                    "left) and 1 (push right)."
                ).format(where=where, action=action)
            )
        actions.append(int(action))
    if len(set(actions)) == 1:
        raise check.fail(
            tr(
                "your policy always returns action {action}, whatever the observation: it must "
                "look at the observation (the pole's angle, its angular velocity) to choose."
            ).format(action=actions[0])
        )
    rng = np.random.default_rng(0)
    random_mean = evaluate(lambda _: int(rng.integers(2)), episodes=20, seed=1_000).mean()
    policy_mean = check.call(
        evaluate, policy, 20, 1_000, case=tr("playing 20 episodes (seeds 1000-1019)")
    ).mean()
    if policy_mean < random_mean:
        raise check.fail(
            tr(
                "your policy averaged {policy_mean:.1f} steps over 20 episodes, worse than a "
                "random policy ({random_mean:.1f}): does it push away from the side the pole "
                "falls to? (action 1 pushes right)"
            ).format(policy_mean=policy_mean, random_mean=random_mean)
        )
    if policy_mean < random_mean + margin:
        raise check.fail(
            tr(
                "your policy averaged {policy_mean:.1f} steps over 20 episodes, only "
                "{gain:.1f} more than a random policy ({random_mean:.1f}); "
                "expected at least {margin:.0f} more. Hint: react to the pole's angular velocity "
                "too, not only its angle."
            ).format(
                policy_mean=policy_mean,
                gain=policy_mean - random_mean,
                random_mean=random_mean,
                margin=margin,
            )
        )
    check.count(20)  # the episodes played
    check.passed()


class _EpisodeOver(Exception):
    """Raised by the watched environment when a learner's loop steps past the episode's end."""


class _WatchedEnv(gymnasium.Wrapper):
    """CartPole that records how the learner's ``episode_length`` uses it."""

    def __init__(self, env: gymnasium.Env) -> None:
        super().__init__(env)
        self.reset_seeds: list[int | None] = []
        self.steps = 0
        self.ended_by: str | None = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self.reset_seeds.append(seed)
        self.steps, self.ended_by = 0, None
        return self.env.reset(seed=seed, options=options)

    def step(self, action):
        if self.ended_by is not None:
            raise _EpisodeOver(self.ended_by)
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        if terminated or truncated:
            self.ended_by = "terminated" if terminated else "truncated"
        return observation, reward, terminated, truncated, info


def _reference_episode_length(policy: Callable[[np.ndarray], int], seed: int) -> tuple[int, str]:
    env = make_env()
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            env.close()
            return steps, "terminated" if terminated else "truncated"


def _balancer(observation: np.ndarray) -> int:
    return int(observation[2] + 0.5 * observation[3] + 0.01 * observation[0] > 0)


def _random_linear_policy(seed: int) -> tuple[Callable[[np.ndarray], int], str]:
    """A policy drawn at random, but fixed once drawn: push right where ``observation @ w > 0``,
    and its description. (A policy that drew a new random action at every call would act
    differently in the reference's episode and the learner's.)"""
    weights = np.random.default_rng(seed).normal(size=4).round(2)

    def policy(observation: np.ndarray) -> int:
        return int(observation @ weights > 0)

    return policy, tr(
        "a random linear policy (push right when observation @ {weights} > 0)"
    ).format(weights=weights.tolist())


def _episode_cases() -> list[tuple[int, str, Callable[[np.ndarray], int]]]:
    """(seed, description, policy): three policies on fixed seeds, then seeded random ones."""
    policies = [
        (tr("a policy that always pushes left"), always_left),
        (tr("a policy that pushes towards the lean"), lean),
        (tr("a policy that balances to the time limit"), _balancer),
    ]
    cases = [(seed, text, policy) for seed in (0, 7, 123) for text, policy in policies]
    rng = np.random.default_rng(2026)
    for _ in range(3):
        seed = int(rng.integers(1_000_000))
        policy, description = _random_linear_policy(seed)
        cases.append((seed, description, policy))
    return cases


def check_episode_length(episode_length: Callable) -> None:
    """Check ``episode_length(env, policy, seed) -> int``: reset ``env`` with ``seed``, act with
    ``policy(observation) -> action`` until the episode ends, return the number of steps taken.

    Taught in notebooks/01_cartpole.py. Tries a policy that always pushes left (the pole falls
    in about 10 steps), one that pushes towards the lean (about 40) and one that balances until
    the 500-step time limit, on three seeds, then three seeded random policies on seeded random
    seeds, against the reference. A loop that stops only on ``terminated`` is stopped by the
    check at the time limit and told so.
    """
    check = Check("check_episode_length")
    for seed, description, policy in check.each(_episode_cases()):
        expected, ending = _reference_episode_length(policy, seed)
        env = _WatchedEnv(make_env())
        case = tr("with seed={seed} and {description}").format(seed=seed, description=description)
        try:
            got = check.call(episode_length, env, policy, seed, case=case, reraise=(_EpisodeOver,))
        except _EpisodeOver as over:
            at = learner_line(over)
            again = (
                tr("called env.step again (at {line})").format(line=at)
                if at
                else tr("called env.step again")
            )
            raise check.fail(
                tr(
                    "{case}, the episode ended after {expected} steps ({over}), but your loop "
                    "{again}. Stop when terminated OR truncated: at 500 steps the time limit "
                    "truncates the episode, and the pole has not fallen."
                ).format(case=case, expected=expected, over=over, again=again)
                if str(over) == "truncated"
                else tr(
                    "{case}, the episode ended after {expected} steps (the pole fell, "
                    "terminated=True), but your loop {again}: stop when terminated or truncated."
                ).format(case=case, expected=expected, again=again)
            ) from None
        finally:
            env.close()
        if seed not in env.reset_seeds:
            raise check.fail(
                tr(
                    "{case}, your function never called env.reset(seed={seed}) (its resets: "
                    "{resets}). Reset with the seed you are given, so the same seed "
                    "gives the same episode."
                ).format(case=case, seed=seed, resets=env.reset_seeds)
            )
        message = tr(
            "{case}, expected the number of steps as an int ({expected}), got {got!r} of type "
            "{type}."
        )
        check.expect(got, is_int, message, case=case, expected=expected, got=got)
        if got == expected:
            continue
        if got == expected - 1:
            mistake = tr(
                "one too few: count the step that ended the episode too (add 1 after every "
                "env.step, before checking whether it ended)"
            )
        elif got == expected + 1:
            mistake = tr("one too many: count env.step calls, not resets or observations")
        elif env.steps == expected and env.ended_by is not None:
            mistake = tr("your loop took the right steps but returned another number")
        else:
            mistake = tr("count one per env.step call, from the reset to the end")
        raise check.fail(
            tr(
                "{case}, the episode lasts {expected} steps (it ends {ending}); your function "
                "returned {got}. Likely mistake: {mistake}."
            ).format(case=case, expected=expected, ending=ending, got=got, mistake=mistake)
        )
    check.passed()


def check_push_right_prediction(
    my_prediction: Callable[[], Any], push_right_returns: Sequence[float]
) -> None:
    """Lesson 1's prediction: the mean number of steps a policy that always pushes right keeps
    the pole up.

    Taught in notebooks/01_cartpole.py. ``answer`` is a number of steps (1 to 500); it counts as
    close within a factor of 1.5 of the measured mean.
    """
    check = Check("check_push_right_prediction")
    answer, _ = prediction(check, my_prediction)
    guess = number_in_range(check, answer, tr("the mean number of steps"), 1, MAX_EPISODE_STEPS)
    mean = float(np.mean(push_right_returns))
    close = mean / 1.5 <= guess <= mean * 1.5
    verdict(
        check,
        close,
        tr("{guess:g} steps").format(guess=guess),
        tr("{mean:.1f} steps over {episodes} episodes").format(
            mean=mean, episodes=len(push_right_returns)
        ),
        tr(
            "Close means within a factor of 1.5. Pushing one way tips the pole the other way at "
            "once, and nothing ever pushes back: worse than a coin, which at least sometimes does."
        ),
    )


def _record(policy: Callable, steps: int, seed: int, *, bug: str | None = None) -> list[tuple]:
    """The reference recorder, or one of the shown bugs (``"after_reset"``, ``"time_limit"``)."""
    env = make_env()
    observation, _ = env.reset(seed=seed)
    transitions = []
    for _ in range(steps):
        action = policy(observation)
        next_observation, reward, terminated, truncated, _ = env.step(action)
        ended = terminated or truncated
        stored_next = next_observation
        if ended:
            next_observation, _ = env.reset()
            if bug == "after_reset":
                stored_next = next_observation
        done = ended if bug == "time_limit" else terminated
        transitions.append((observation, action, reward, stored_next, done))
        observation = next_observation
    env.close()
    return transitions


def _recorder_cases() -> list[tuple[str, Callable, int, int]]:
    """(label, policy, steps, seed), the label in the chosen language."""
    return [
        (tr("always push left, 40 steps (episodes end by a fall)"), always_left, 40, 3),
        (
            tr(
                "a linear policy of all four numbers, 520 steps (the first episode hits the time "
                "limit)"
            ),
            linear_policy,
            520,
            0,
        ),
        (tr("always push left, 25 steps, another seed"), always_left, 25, 11),
    ]


def _same_transitions(a: Sequence[tuple], b: Sequence[tuple]) -> bool:
    return len(a) == len(b) and all(
        np.array_equal(x[0], y[0])
        and x[1] == y[1]
        and x[2] == y[2]
        and np.array_equal(x[3], y[3])
        and bool(x[4]) == bool(y[4])
        for x, y in zip(a, b, strict=True)
    )


def check_transition_recorder(record_transitions: Callable[[Callable, int, int], Any]) -> None:
    """Check ``record_transitions(policy, steps, seed)``: ``steps`` transitions
    ``(observation, action, reward, next_observation, terminated)`` of ``policy`` in CartPole,
    reset with ``seed`` first and without a seed after each episode.

    Taught in notebooks/01_cartpole.py. Tried on a policy that falls within a few steps (many
    episode ends) and on one that reaches the 500-step time limit, and told apart from the two
    bugs the lesson shows.
    """
    check = Check("check_transition_recorder")
    for label, policy, steps, seed in check.each(_recorder_cases()):
        case = tr("{label}, seed {seed}").format(label=label, seed=seed)
        result = check.call(record_transitions, policy, steps, seed, case=case)
        message = tr("{case}: expected a list of transitions, got {type}.")
        check.expect(result, list, message, case=case)
        if len(result) != steps:
            raise check.fail(
                tr("{case}: expected {steps} transitions, one a step; got {got}.").format(
                    case=case, steps=steps, got=len(result)
                )
            )
        for i, transition in enumerate(result):
            if not isinstance(transition, tuple) or len(transition) != 5:
                raise check.fail(
                    tr(
                        "{case}: transition {i} is {type} {transition!r:.80}; expected a tuple "
                        "(observation, action, reward, next_observation, terminated)."
                    ).format(case=case, i=i, type=type_name(transition), transition=transition)
                )
            for field in (0, 3):
                if not isinstance(transition[field], np.ndarray) or transition[field].shape != (4,):
                    which = "observation" if field == 0 else "next_observation"
                    raise check.fail(
                        tr(
                            "{case}: transition {i}'s {which} is {type}; expected the array of 4 "
                            "numbers env.reset / env.step returned."
                        ).format(case=case, i=i, which=which, type=type_name(transition[field]))
                    )
            if not isinstance(transition[4], (bool, np.bool_)):
                raise check.fail(
                    tr(
                        "{case}: transition {i}'s terminated is {type}; expected the bool "
                        "env.step returned."
                    ).format(case=case, i=i, type=type_name(transition[4]))
                )
        expected = _record(policy, steps, seed)
        if _same_transitions(result, expected):
            continue
        for bug, message in (
            (
                "after_reset",
                tr(
                    "at the step that ends an episode, your next_observation is the first "
                    "observation of the *next* episode (taken after env.reset()), not the state "
                    "the step ended in. At a time limit the TD target bootstraps from "
                    "next_observation, so a DQN would value the end of a long episode as a fresh "
                    "upright start. Keep what env.step returned, and reset only for the next "
                    "step's observation"
                ),
            ),
            (
                "time_limit",
                tr(
                    "at the 500-step time limit your transition says terminated=True. A time "
                    "limit is a truncation: the pole did not fall, and the state still has a "
                    "future the TD target must bootstrap from. Store terminated alone"
                ),
            ),
        ):
            if _same_transitions(result, _record(policy, steps, seed, bug=bug)):
                raise check.fail(tr("{case}: {message}.").format(case=case, message=message))
        first = next(
            i
            for i, (x, y) in enumerate(zip(result, expected, strict=True))
            if not _same_transitions([x], [y])
        )
        raise check.fail(
            tr("{case}: transition {first} differs: got {got}, expected {expected}.").format(
                case=case, first=first, got=_show(result[first]), expected=_show(expected[first])
            )
        )
    check.passed()


def _show(transition: tuple) -> str:
    observation, action, reward, next_observation, terminated = transition
    return (
        f"(observation={np.round(observation, 3).tolist()}, action={action!r}, reward={reward!r}, "
        f"next_observation={np.round(next_observation, 3).tolist()}, terminated={terminated!r})"
    )
