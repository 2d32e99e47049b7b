"""The check of the tabular lesson's exercise: the reference passes, every usual mistake fails
with a message that names it."""

from __future__ import annotations

import numpy as np
import pytest

from dqn_lib.checks import ExerciseError, check_sarsa_update


def _sarsa(q, s, a, r, s2, a2, terminated, alpha, gamma, *, mistake=None):
    if mistake == "max":
        future = 0.0 if terminated else gamma * q[s2].max()
    elif mistake == "through":
        future = gamma * q[s2][a2]
    elif mistake == "no gamma":
        future = 0.0 if terminated else q[s2][a2]
    else:
        future = 0.0 if terminated else gamma * q[s2][a2]
    error = r + future - q[s][a]
    if mistake == "new table":
        q = q.copy()
    q[s][a] += error if mistake == "no alpha" else alpha * error
    if mistake == "after":
        return float(r + future - q[s][a])
    if mistake == "numpy":
        return np.float64(error)
    if mistake == "neighbour":
        q[s][1 - a] += 0.0 if terminated else 0.5
    return float(error)


def test_reference_passes(capsys):
    check_sarsa_update(_sarsa)
    assert "all 6 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("max", "that is Q-learning"),
        ("through", "the target is the reward alone"),
        ("no alpha", "alpha times the TD error"),
        ("no gamma", "discounted by gamma"),
        ("new table", "the table did not change"),
        ("after", "expected the TD error"),
        ("numpy", "expected a Python float, got numpy.float64"),
        ("neighbour", "Only that one entry may change"),
    ],
)
def test_mistakes_are_named(mistake, message):
    def wrong(*args):
        return _sarsa(*args, mistake=mistake)

    with pytest.raises(ExerciseError, match=message):
        check_sarsa_update(wrong)


def test_not_implemented_and_raising():
    def not_yet(*args):
        raise NotImplementedError()

    with pytest.raises(ExerciseError, match="not implemented yet"):
        check_sarsa_update(not_yet)
    with pytest.raises(ExerciseError, match="raised KeyError"):
        check_sarsa_update(lambda *args: {}["q"])
