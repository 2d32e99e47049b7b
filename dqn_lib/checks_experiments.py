"""Checks of the two exercise kinds that are not "write a function": find the bug, and predict,
then run.

Taught in notebooks/01_cartpole.py, notebooks/02_q_table.py, notebooks/06_training.py,
notebooks/10_inside.py and notebooks/11_playground.py.

- **Find the bug**: the lesson shows a function with a bug that breaks a DQN quietly; the learner
  writes the corrected function. The check compares it with a reference on seeded cases and,
  when the answer still has one of the shown bugs, names that bug.
- **Predict, then run**: before an experiment the learner writes down a prediction, as
  ``my_prediction()`` returning ``(answer, why)``; after it, the check reads the measurement
  beside the prediction and says how close it was. A wrong prediction is not a failure (that is
  what the experiment is for); a missing, malformed or unreasoned one is.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dqn_lib.checks import _call, _fail, _passed, _type_name
from dqn_lib.env import MAX_EPISODE_STEPS, SOLVED, make_env
from dqn_lib.evaluation import evaluate
from dqn_lib.i18n import tr
from dqn_lib.starts import LINEAR_POLICY_GAINS

__all__ = [
    "check_bootstrap_bug_prediction",
    "check_finer_table_prediction",
    "check_greedy_mean_return",
    "check_push_right_prediction",
    "check_run_3_prediction",
    "check_spread_prediction",
    "check_transition_recorder",
    "check_wide_starts_prediction",
]

MIN_WORDS = 3
"""A prediction's reason must have at least this many words: why, not just what."""
MIN_CHARACTERS = 8
"""The same for a reason written without spaces between words (Japanese, say): this many
characters, not counting spaces and punctuation."""


def _is_a_sentence(why: object) -> bool:
    """At least ``MIN_WORDS`` words, or, where words are not spaced (Japanese such as
    ``"角度が大きいと速く倒れるから"``), at least ``MIN_CHARACTERS`` letters, some not ASCII."""
    if not isinstance(why, str):
        return False
    if len(why.split()) >= MIN_WORDS:
        return True
    letters = [c for c in why if c.isalnum()]
    return len(letters) >= MIN_CHARACTERS and not all(c.isascii() for c in letters)


# --- Predict, then run: the shared part ----------------------------------------------------------


def _prediction(name: str, my_prediction: Callable[[], Any]) -> tuple[Any, str]:
    """Call ``my_prediction()``; return ``(answer, why)`` once their form is right."""
    result = _call(name, my_prediction, case="my_prediction()")
    if not isinstance(result, tuple) or len(result) != 2:
        raise _fail(
            name,
            tr(
                "my_prediction() returned {type} {result!r:.80}; return a pair "
                '(answer, why), for example return ("...", "because ...").'
            ).format(type=_type_name(result), result=result),
        )
    answer, why = result
    if not _is_a_sentence(why):
        raise _fail(
            name,
            tr(
                "the reason {why!r:.80} is not a sentence; write why you expect it, in at least "
                "{min_words} words, as a str: a prediction without a reason teaches little when it "
                "turns out wrong."
            ).format(why=why, min_words=MIN_WORDS),
        )
    return answer, why


def _choice(name: str, answer: Any, options: Sequence[str]) -> str:
    """The option the answer names; case and surrounding spaces do not matter ("Worse " is
    "worse"): a prediction is judged on what it says, not on how it is typed."""
    said = " ".join(answer.split()).lower() if isinstance(answer, str) else None
    if said not in options:
        listed = ", ".join(repr(o) for o in options)
        raise _fail(
            name,
            tr("the answer {answer!r:.80} is not one of {options}: pick one of them.").format(
                answer=answer, options=listed
            ),
        )
    return said


def _count(name: str, answer: Any, what: str, low: float, high: float) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise _fail(
            name,
            tr("{what}: expected a number, got {type} {answer!r:.80}.").format(
                what=what, type=_type_name(answer), answer=answer
            ),
        )
    if not math.isfinite(answer) or not low <= answer <= high:
        raise _fail(
            name,
            tr("{what}: {answer!r} is outside {low:g} to {high:g}, the possible range.").format(
                what=what, answer=answer, low=low, high=high
            ),
        )
    return float(answer)


def _verdict(name: str, right: bool, said: str, measured: str, lesson: str) -> None:
    outcome = tr("Your prediction held.") if right else tr("The measurement says otherwise.")
    print(
        tr("{name}: you predicted {said}; the run measured {measured}. {outcome} {lesson}").format(
            name=name, said=said, measured=measured, outcome=outcome, lesson=lesson
        )
    )


# --- Lesson 1: how long does a policy that always pushes right last? ---------------------------


def check_push_right_prediction(
    my_prediction: Callable[[], Any], push_right_returns: Sequence[float]
) -> None:
    """Lesson 1's prediction: the mean number of steps a policy that always pushes right keeps
    the pole up.

    Taught in notebooks/01_cartpole.py. ``answer`` is a number of steps (1 to 500); it counts as
    close within a factor of 1.5 of the measured mean.
    """
    name = "check_push_right_prediction"
    answer, _ = _prediction(name, my_prediction)
    guess = _count(name, answer, tr("the mean number of steps"), 1, MAX_EPISODE_STEPS)
    mean = float(np.mean(push_right_returns))
    close = mean / 1.5 <= guess <= mean * 1.5
    _verdict(
        name,
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


# --- Lesson 1: find the bug, a transition recorder ---------------------------------------------


def _linear_policy(observation: np.ndarray) -> int:
    return int(np.dot(LINEAR_POLICY_GAINS, observation) > 0)


def _always_left(observation: np.ndarray) -> int:
    return 0


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
        (tr("always push left, 40 steps (episodes end by a fall)"), _always_left, 40, 3),
        (
            tr(
                "a linear policy of all four numbers, 520 steps (the first episode hits the time "
                "limit)"
            ),
            _linear_policy,
            520,
            0,
        ),
        (tr("always push left, 25 steps, another seed"), _always_left, 25, 11),
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
    name = "check_transition_recorder"
    cases = _recorder_cases()
    for label, policy, steps, seed in cases:
        case = tr("{label}, seed {seed}").format(label=label, seed=seed)
        result = _call(name, record_transitions, policy, steps, seed, case=case)
        if not isinstance(result, list):
            raise _fail(
                name,
                tr("{case}: expected a list of transitions, got {type}.").format(
                    case=case, type=_type_name(result)
                ),
            )
        if len(result) != steps:
            raise _fail(
                name,
                tr("{case}: expected {steps} transitions, one a step; got {got}.").format(
                    case=case, steps=steps, got=len(result)
                ),
            )
        for i, transition in enumerate(result):
            if not isinstance(transition, tuple) or len(transition) != 5:
                raise _fail(
                    name,
                    tr(
                        "{case}: transition {i} is {type} {transition!r:.80}; expected a tuple "
                        "(observation, action, reward, next_observation, terminated)."
                    ).format(case=case, i=i, type=_type_name(transition), transition=transition),
                )
            for field in (0, 3):
                if not isinstance(transition[field], np.ndarray) or transition[field].shape != (4,):
                    which = "observation" if field == 0 else "next_observation"
                    raise _fail(
                        name,
                        tr(
                            "{case}: transition {i}'s {which} is {type}; expected the array of 4 "
                            "numbers env.reset / env.step returned."
                        ).format(case=case, i=i, which=which, type=_type_name(transition[field])),
                    )
            if not isinstance(transition[4], (bool, np.bool_)):
                raise _fail(
                    name,
                    tr(
                        "{case}: transition {i}'s terminated is {type}; expected the bool "
                        "env.step returned."
                    ).format(case=case, i=i, type=_type_name(transition[4])),
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
                raise _fail(name, tr("{case}: {message}.").format(case=case, message=message))
        first = next(
            i
            for i, (x, y) in enumerate(zip(result, expected, strict=True))
            if not _same_transitions([x], [y])
        )
        raise _fail(
            name,
            tr("{case}: transition {first} differs: got {got}, expected {expected}.").format(
                case=case, first=first, got=_show(result[first]), expected=_show(expected[first])
            ),
        )
    _passed(name, len(cases))


def _show(transition: tuple) -> str:
    observation, action, reward, next_observation, terminated = transition
    return (
        f"(observation={np.round(observation, 3).tolist()}, action={action!r}, reward={reward!r}, "
        f"next_observation={np.round(next_observation, 3).tolist()}, terminated={terminated!r})"
    )


# --- Lesson 6: find the bug, a greedy evaluation ------------------------------------------------


class _ScriptedAgent:
    """An agent with a fixed greedy policy and epsilon-greedy exploration from its own seeded
    generator; it remembers whether it was asked to explore."""

    def __init__(self, policy: Callable[[np.ndarray], int], epsilon: float, seed: int) -> None:
        self.policy, self.epsilon, self.seed = policy, epsilon, seed
        self.rng = np.random.default_rng(seed)
        self.explored = 0

    def act(self, observation: np.ndarray, greedy: bool = False) -> int:
        if not greedy:
            self.explored += 1
            if self.rng.random() < self.epsilon:
                return int(self.rng.integers(2))
        return self.policy(observation)

    def __repr__(self) -> str:
        return tr("an agent (epsilon {epsilon}, seed {seed})").format(
            epsilon=self.epsilon, seed=self.seed
        )


def _lean_policy(observation: np.ndarray) -> int:
    return int(observation[2] > 0)


def _one_start_mean(policy: Callable, seed: int) -> float:
    """The shown bug's mean: every episode reset with ``seed``, so one episode's return."""
    return float(np.mean(evaluate(policy, episodes=1, seed=seed)))


def _greedy_cases() -> list[tuple[str, Callable, float, int, int]]:
    """(label, policy, epsilon, episodes, seed), the label in the chosen language."""
    return [
        (tr("the lean policy"), _lean_policy, 0.5, 5, 100),
        (tr("a linear policy of all four numbers"), _linear_policy, 0.5, 3, 2_000),
        (tr("the lean policy, one episode"), _lean_policy, 0.5, 1, 7),
    ]


def check_greedy_mean_return(greedy_mean_return: Callable[[Any, int, int], Any]) -> None:
    """Check ``greedy_mean_return(agent, episodes, seed)``: the mean return of the agent's greedy
    policy (``agent.act(observation, greedy=True)``) over ``episodes`` episodes, episode ``i``
    reset with ``seed + i``, as a Python float.

    Taught in notebooks/06_training.py. Tried with scripted agents whose exploring policy differs
    from their greedy one, and told apart from the two bugs the lesson shows.
    """
    name = "check_greedy_mean_return"
    cases = _greedy_cases()
    for label, policy, epsilon, episodes, seed in cases:
        agent = _ScriptedAgent(policy, epsilon, seed)
        case = tr("{label} as the greedy policy, {episodes} episodes from seed {seed}").format(
            label=label, episodes=episodes, seed=seed
        )
        result = _call(name, greedy_mean_return, agent, episodes, seed, case=case)
        if agent.explored:
            raise _fail(
                name,
                tr(
                    "{case}: your function called agent.act(observation) {times} times without "
                    "greedy=True, so the agent explored (a random action one time in "
                    "{one_in:g}) during its evaluation. Pass greedy=True: an evaluation measures "
                    "the policy the agent would follow, not its exploration."
                ).format(case=case, times=agent.explored, one_in=1 / epsilon),
            )
        if type(result) is not float:
            raise _fail(
                name,
                tr(
                    "{case}: expected a Python float, got {type} {result!r:.60}; return "
                    "float(...) of the mean."
                ).format(case=case, type=_type_name(result), result=result),
            )
        expected = float(np.mean(evaluate(policy, episodes=episodes, seed=seed)))
        if abs(result - expected) <= 1e-9:
            continue
        if episodes > 1 and abs(result - _one_start_mean(policy, seed)) <= 1e-9:
            raise _fail(
                name,
                tr(
                    "{case}: got {result:g}, the mean of {episodes} copies of one episode: every "
                    "episode was reset with seed {seed}, so they all started in the same state. "
                    "Reset episode i with seed + i (expected {expected:g})."
                ).format(case=case, result=result, episodes=episodes, seed=seed, expected=expected),
            )
        raise _fail(
            name,
            tr("{case}: got {result:g}, expected {expected:g}.").format(
                case=case, result=result, expected=expected
            ),
        )
    _passed(name, len(cases))


# --- Lesson 6: predict, does the original's bug cost much? --------------------------------------

BUG_OPTIONS = ("lower", "about the same", "higher")
BUG_MARGIN = 10.0
"""Steps of mean final greedy return within which "about the same" holds."""


def check_bootstrap_bug_prediction(
    my_prediction: Callable[[], Any],
    corrected_finals: Sequence[float],
    as_written_finals: Sequence[float],
) -> None:
    """Lesson 6's prediction: with the original's TD target (bootstrapping through the fall),
    is the mean final greedy return over the seeds lower, about the same (within 10 steps) or
    higher than the corrected agent's?

    Taught in notebooks/06_training.py.
    """
    name = "check_bootstrap_bug_prediction"
    answer, _ = _prediction(name, my_prediction)
    said = _choice(name, answer, BUG_OPTIONS)
    difference = float(np.mean(as_written_finals) - np.mean(corrected_finals))
    measured = (
        "about the same"
        if abs(difference) <= BUG_MARGIN
        else ("lower" if difference < 0 else "higher")
    )
    _verdict(
        name,
        said == measured,
        repr(said),
        tr(
            "{measured!r} (as written minus corrected: {difference:+.1f} steps over {seeds} seeds)"
        ).format(measured=measured, difference=difference, seeds=len(corrected_finals)),
        tr(
            "A bug in the target matters only where the target matters: read the lesson's 'Why "
            "so little?' for what the measurements say."
        ),
    )


# --- Lesson 10: predict, how often does each policy hold from wide starts? ------------------------


def check_wide_starts_prediction(
    my_prediction: Callable[[], Any],
    dqn_returns: Sequence[float],
    linear_returns: Sequence[float],
) -> None:
    """Lesson 10's prediction: of the wide perturbed starts, how many episodes will the DQN (the
    checkpoint) and the four-gain linear policy each hold to the 500-step limit? ``answer`` is a
    pair of counts; each counts as close within 10.

    Taught in notebooks/10_inside.py.
    """
    name = "check_wide_starts_prediction"
    answer, _ = _prediction(name, my_prediction)
    n = len(dqn_returns)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise _fail(
            name,
            tr(
                "the answer {answer!r:.80} is not a pair; answer (dqn_count, linear_count), two "
                "numbers of episodes out of {n}."
            ).format(answer=answer, n=n),
        )
    guesses = [
        _count(name, value, what, 0, n)
        for value, what in zip(
            answer, (tr("the DQN's count"), tr("the linear policy's count")), strict=True
        )
    ]
    held = [int(np.sum(np.asarray(r) >= MAX_EPISODE_STEPS)) for r in (dqn_returns, linear_returns)]
    close = all(abs(g - h) <= 10 for g, h in zip(guesses, held, strict=True))
    _verdict(
        name,
        close,
        tr("DQN {dqn:g}, linear policy {linear:g} of {n}").format(
            dqn=guesses[0], linear=guesses[1], n=n
        ),
        tr("DQN {dqn}, linear policy {linear} of {n}").format(dqn=held[0], linear=held[1], n=n),
        tr(
            "Close means within 10 of each. A policy holds from the starts it learned to come "
            "back from: the lesson's next figures show where the DQN's failures start."
        ),
    )


# --- Lesson 11: predict, what does a run without exploring starts do? ---------------------------

RUN_3_OPTIONS = ("solved", "in between", "failing")


def check_run_3_prediction(my_prediction: Callable[[], Any], eval_returns: Sequence[float]) -> None:
    """Lesson 11's prediction: run 3's final greedy evaluation, ``"solved"`` (475 or more),
    ``"in between"`` (100 to 475) or ``"failing"`` (under 100).

    Taught in notebooks/11_playground.py.
    """
    name = "check_run_3_prediction"
    answer, _ = _prediction(name, my_prediction)
    said = _choice(name, answer, RUN_3_OPTIONS)
    final = float(eval_returns[-1])
    measured = "solved" if final >= SOLVED else ("in between" if final >= 100 else "failing")
    _verdict(
        name,
        said == measured,
        repr(said),
        tr("{measured!r} (final evaluation {final:.1f}; best {best:.1f})").format(
            measured=measured, final=final, best=max(eval_returns)
        ),
        tr("One seed is one draw; section 1's ten seeds say what to expect."),
    )


# --- Lesson 3: predict, does a finer table learn better? -----------------------------------------

TABLE_OPTIONS = ("better", "about the same", "worse")


def check_finer_table_prediction(
    my_prediction: Callable[[], Any],
    coarse_returns: Sequence[float],
    fine_returns: Sequence[float],
) -> None:
    """The tabular lesson's prediction: a table over all four variables, with finer bins,
    trained for the same number of episodes: is its greedy policy ``"better"``, ``"about the
    same"`` (within a quarter of the coarse table's mean return) or ``"worse"``?

    Taught in notebooks/02_q_table.py.
    """
    name = "check_finer_table_prediction"
    answer, _ = _prediction(name, my_prediction)
    said = _choice(name, answer, TABLE_OPTIONS)
    coarse, fine = float(np.mean(coarse_returns)), float(np.mean(fine_returns))
    measured = (
        "about the same"
        if abs(fine - coarse) <= coarse / 4
        else ("better" if fine > coarse else "worse")
    )
    _verdict(
        name,
        said == measured,
        repr(said),
        tr(
            "{measured!r} (greedy mean return {fine:.1f} for the fine table, {coarse:.1f} for "
            "the coarse one, over {seeds} seeds)"
        ).format(measured=measured, fine=fine, coarse=coarse, seeds=len(fine_returns)),
        tr(
            "More cells can tell more states apart, but each must be visited, many times, before "
            "its values mean anything."
        ),
    )


SPREAD_OPTIONS = ("monte carlo", "td", "about the same")


def check_spread_prediction(
    my_prediction: Callable[[], Any],
    monte_carlo_returns: Sequence[float],
    td_targets: Sequence[float],
) -> None:
    """The reward lesson's prediction: over the same episodes from one start, which estimate of
    the start's value spreads more from episode to episode, the ``"monte carlo"`` return or the
    ``"td"`` target (with the measured value of the next state), or are they ``"about the
    same"`` (standard deviations within a quarter of the larger)?

    Taught in notebooks/05_reward.py.
    """
    name = "check_spread_prediction"
    answer, _ = _prediction(name, my_prediction)
    said = _choice(name, answer, SPREAD_OPTIONS)
    mc, td = float(np.std(monte_carlo_returns)), float(np.std(td_targets))
    if abs(mc - td) <= max(mc, td) / 4:
        measured = "about the same"
    else:
        measured = "monte carlo" if mc > td else "td"
    _verdict(
        name,
        said == measured,
        repr(said),
        tr(
            "{measured!r} (standard deviation {mc:.2f} for the Monte Carlo returns, {td:.2f} for "
            "the TD targets, over {episodes:,} episodes)"
        ).format(measured=measured, mc=mc, td=td, episodes=len(td_targets)),
        tr(
            "A return adds up every coin flip of the episode; a TD target sees one step and "
            "leaves the rest to an estimate of the next state's value, the same each time that "
            "state comes."
        ),
    )
