"""Exercise checks of the tabular lesson: notebooks/02_q_table.py.

Each check tries the learner's function on fixed cases chosen to expose the usual mistakes and on
seeded random ones, and raises ``ExerciseError`` with a message that names the case, what was
expected, what came back and the likely mistake (see ``dqn_lib.checks``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from dqn_lib.checks import _call, _fail, _fmt, _type_name
from dqn_lib.i18n import tr

__all__ = ["check_sarsa_update"]


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
    name = "check_sarsa_update"
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
    for (
        label,
        table,
        state,
        action,
        reward,
        next_state,
        next_action,
        terminated,
        alpha,
        gamma,
    ) in cases:
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
        args = (state, action, reward, next_state, next_action, terminated, alpha, gamma)
        result = _call(name, sarsa_update, theirs, *args, case=case)
        expected = _sarsa(ours, *args)
        if not np.allclose(theirs, ours, rtol=0, atol=1e-9):
            for mistake, variant in _variants(table, *args).items():
                same = np.allclose(theirs, variant, rtol=0, atol=1e-9)
                if same and not np.array_equal(variant, table):  # an unchanged table says nothing
                    raise _fail(
                        name, tr("{case}: {hint}.").format(case=case, hint=_hints()[mistake])
                    )
            if np.array_equal(theirs, table):
                raise _fail(
                    name,
                    tr(
                        "{case}: the table did not change; update q_table[state][action] in place "
                        "(q_table[state][action] += ...), do not build a new table."
                    ).format(case=case),
                )
            raise _fail(
                name,
                tr(
                    "{case}: after your update the table differs from the reference at "
                    "{cells}; Q[state][action] should become {expected}, got "
                    "{got}. Only that one entry may change."
                ).format(
                    case=case,
                    cells=[
                        tuple(int(k) for k in c) for c in np.argwhere(~np.isclose(theirs, ours))
                    ],
                    expected=_fmt(ours[state][action]),
                    got=_fmt(theirs[state][action]),
                ),
            )
        if type(result) is not float:
            kind = _type_name(result)
            if not isinstance(result, numbers.Real):
                raise _fail(
                    name,
                    tr("{case}: expected the TD error as a Python float, got {kind}.").format(
                        case=case, kind=kind
                    ),
                )
            raise _fail(
                name,
                tr("{case}: expected a Python float, got {kind}; return float(td_error).").format(
                    case=case, kind=kind
                ),
            )
        if abs(result - expected) > 1e-9:
            raise _fail(
                name,
                tr(
                    "{case}: returned {got}, expected the TD error {expected}, "
                    "target minus the old Q(s, a), before the update."
                ).format(case=case, got=_fmt(result), expected=_fmt(expected)),
            )
    print(tr("{check}: all {cases} cases pass.").format(check=name, cases=len(cases)))
