"""Exercise checks of notebooks/02_q_table.py: SARSA's update of a Q-table, and a prediction (does
a finer table learn better?).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dqn_lib.checks.harness import Check, choice, fmt, known_mistake, prediction, type_name, verdict
from dqn_lib.i18n import tr

TABLE_OPTIONS = ("better", "about the same", "worse")


def check_finer_table_prediction(
    my_prediction: Callable[[], Any], coarse_returns: Sequence[float], fine_returns: Sequence[float]
) -> None:
    """The tabular lesson's prediction: a table over all four variables, with finer bins,
    trained for the same number of episodes: is its greedy policy ``"better"``, ``"about the
    same"`` (within a quarter of the coarse table's mean return) or ``"worse"``?

    Taught in notebooks/02_q_table.py.
    """
    check = Check("check_finer_table_prediction")
    answer, _ = prediction(check, my_prediction)
    said = choice(check, answer, TABLE_OPTIONS)
    coarse, fine = float(np.mean(coarse_returns)), float(np.mean(fine_returns))
    measured = (
        "about the same"
        if abs(fine - coarse) <= coarse / 4
        else ("better" if fine > coarse else "worse")
    )
    verdict(
        check,
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


def _sarsa(q, state, action, reward, next_state, next_action, terminated, alpha, gamma):
    """The reference: SARSA's update in place; returns the TD error."""
    future = 0.0 if terminated else gamma * q[next_state][next_action]
    error = reward + future - q[state][action]
    q[state][action] += alpha * error
    return float(error)


def _variants(q, state, action, reward, next_state, next_action, terminated, alpha, gamma):
    """What the usual mistakes return, by name, each on its own copy of the table."""
    out = {}
    for name in ("q-learning", "through the end", "no alpha", "no gamma"):
        table = q.copy()
        if name == "q-learning":
            future = 0.0 if terminated else gamma * table[next_state].max()
        elif name == "through the end":
            future = gamma * table[next_state][next_action]
        elif name == "no gamma":
            future = 0.0 if terminated else table[next_state][next_action]
        else:
            future = 0.0 if terminated else gamma * table[next_state][next_action]
        error = reward + future - table[state][action]
        table[state][action] += error if name == "no alpha" else 0.1 * error
        out[name] = table
    return out


def _hints() -> dict[str, str]:
    """What the message says about each usual mistake (built at each failure, so that it is said
    in the language chosen by then)."""
    return {
        "q-learning": tr(
            "you bootstrapped from the best next action, max_a Q(s', a): that is "
            "Q-learning. SARSA bootstraps from the action the agent will actually take next, "
            "Q(s', a'), so it learns the values of the policy it follows, exploration included"
        ),
        "through the end": tr(
            "when the episode ended (terminated) there is no next state to "
            "bootstrap from: the target is the reward alone"
        ),
        "no alpha": tr(
            "the step must be alpha times the TD error, a small move towards the target"
        ),
        "no gamma": tr("the next state's value must be discounted by gamma"),
    }


def check_sarsa_update(sarsa_update: Callable) -> None:
    """Check ``sarsa_update(q_table, state, action, reward, next_state, next_action, terminated,
    alpha, gamma) -> float``: SARSA's update of ``q_table[state][action]`` in place, towards
    ``reward + gamma * q_table[next_state][next_action]`` (the reward alone when
    ``terminated``), returning the TD error as a Python float and changing no other entry.

    Taught in notebooks/02_q_table.py. Tried on fixed cases where the next action is not the
    greedy one (so Q-learning's max is caught), a terminal one, and seeded random ones.
    """
    check = Check("check_sarsa_update")
    rng = np.random.default_rng(0)
    base = np.array([[[1.0, 3.0], [2.0, -1.0]], [[0.5, 0.0], [4.0, 2.5]]])  # (2, 2, 2)
    cases = [
        (tr("next action not the greedy one"), base, (0, 0), 1, 1.0, (1, 1), 1, False, 0.1, 0.9),
        (tr("the episode ended"), base, (1, 0), 0, 1.0, (0, 0), 1, True, 0.1, 0.9),
        (tr("a negative reward"), base, (0, 1), 0, -2.0, (1, 0), 0, False, 0.1, 0.5),
    ]
    for i in range(3):
        table = rng.normal(size=(3, 4, 2))
        state, next_state = tuple(rng.integers((3, 4))), tuple(rng.integers((3, 4)))
        cases.append(
            (
                tr("random case {i}").format(i=i + 1),
                table,
                state,
                int(rng.integers(2)),
                float(rng.normal()),
                next_state,
                int(np.argmin(table[next_state])),  # not the greedy next action
                bool(rng.random() < 0.3),
                0.1,
                0.99,
            )
        )
    for label, table, *args in check.each(cases):
        state, action, reward, next_state, next_action, terminated, alpha, gamma = args
        case = tr(
            "{label}: state {state}, action {action}, reward {reward:g}, next_state "
            "{next_state}, next_action {next_action}, terminated {terminated}"
        ).format(
            label=label,
            state=state,
            action=action,
            reward=reward,
            next_state=next_state,
            next_action=next_action,
            terminated=terminated,
        )
        theirs, ours = table.copy(), table.copy()
        result = check.call(sarsa_update, theirs, *args, case=case)
        expected = _sarsa(ours, *args)
        if not np.allclose(theirs, ours, rtol=0, atol=1e-9):
            variants = _variants(table, *args)  # (one that leaves the table unchanged says nothing)
            mistake = known_mistake(
                theirs,
                {m: v for m, v in variants.items() if not np.array_equal(v, table)},
                functools.partial(np.allclose, rtol=0, atol=1e-9),
            )
            if mistake:
                raise check.fail(tr("{case}: {hint}.").format(case=case, hint=_hints()[mistake]))
            if np.array_equal(theirs, table):
                raise check.fail(
                    tr(
                        "{case}: the table did not change; update q_table[state][action] in place "
                        "(q_table[state][action] += ...), do not build a new table."
                    ).format(case=case)
                )
            raise check.fail(
                tr(
                    "{case}: after your update the table differs from the reference at "
                    "{cells}; Q[state][action] should become {expected}, got "
                    "{got}. Only that one entry may change."
                ).format(
                    case=case,
                    cells=[
                        tuple(int(k) for k in c) for c in np.argwhere(~np.isclose(theirs, ours))
                    ],
                    expected=fmt(ours[state][action]),
                    got=fmt(theirs[state][action]),
                )
            )
        if type(result) is not float:
            kind = type_name(result)
            if not isinstance(result, numbers.Real):
                raise check.fail(
                    tr("{case}: expected the TD error as a Python float, got {kind}.").format(
                        case=case, kind=kind
                    )
                )
            raise check.fail(
                tr("{case}: expected a Python float, got {kind}; return float(td_error).").format(
                    case=case, kind=kind
                )
            )
        if abs(result - expected) > 1e-9:
            raise check.fail(
                tr(
                    "{case}: returned {got}, expected the TD error {expected}, "
                    "target minus the old Q(s, a), before the update."
                ).format(case=case, got=fmt(result), expected=fmt(expected))
            )
    check.passed()
