"""The find-the-bug and predict-then-run checks: the reference answer passes, the bugs the
lessons show and every malformed answer fail with a message that names them, and a prediction
is reported as right or wrong without failing."""

from __future__ import annotations

import numpy as np
import pytest

import dqn_lib
from dqn_lib.checks import (
    ExerciseError,
    check_bootstrap_bug_prediction,
    check_finer_table_prediction,
    check_greedy_mean_return,
    check_push_right_prediction,
    check_run_3_prediction,
    check_spread_prediction,
    check_transition_recorder,
    check_wide_starts_prediction,
)

# --- find the bug: the transition recorder -------------------------------------------------


def _recorder(policy, steps, seed, *, after_reset=False, time_limit=False, as_list=False):
    env = dqn_lib.make_env()
    observation, _ = env.reset(seed=seed)
    transitions = []
    for _ in range(steps):
        action = policy(observation)
        next_observation, reward, terminated, truncated, _ = env.step(action)
        stored = next_observation
        if terminated or truncated:
            next_observation, _ = env.reset()
            if after_reset:
                stored = next_observation
        done = (terminated or truncated) if time_limit else terminated
        transition = (observation, action, reward, stored, done)
        transitions.append(list(transition) if as_list else transition)
        observation = next_observation
    return transitions


def test_recorder_reference_passes(capsys):
    check_transition_recorder(_recorder)
    assert "all 3 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda p, n, s: _recorder(p, n, s, after_reset=True, time_limit=True), "after env.reset"),
        (lambda p, n, s: _recorder(p, n, s, after_reset=True), "first observation of the \\*next"),
        (lambda p, n, s: _recorder(p, n, s, time_limit=True), "A time limit is a truncation"),
        (lambda p, n, s: _recorder(p, n, s)[:-1], "expected 40 transitions"),
        (lambda p, n, s: _recorder(p, n, s, as_list=True), "transition 0 is list"),
        (lambda p, n, s: tuple(_recorder(p, n, s)), "expected a list of transitions, got tuple"),
        (lambda p, n, s: _recorder(p, n, s + 1), "transition 0 differs"),
        (lambda p, n, s: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_recorder_mutants_fail(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_transition_recorder(wrong)


def test_recorder_not_implemented():
    def record_transitions(policy, steps, seed):
        raise NotImplementedError()

    with pytest.raises(ExerciseError, match="not implemented yet"):
        check_transition_recorder(record_transitions)


# --- find the bug: the greedy evaluation -------------------------------------------------------


def _greedy_mean(agent, episodes, seed, *, explore=False, same_seed=False, as_numpy=False):
    env = dqn_lib.make_env()
    returns = []
    for i in range(episodes):
        observation, _ = env.reset(seed=seed if same_seed else seed + i)
        total, terminated, truncated = 0.0, False, False
        while not (terminated or truncated):
            action = agent.act(observation) if explore else agent.act(observation, greedy=True)
            observation, reward, terminated, truncated, _ = env.step(action)
            total += reward
        returns.append(total)
    mean = np.mean(returns)
    return mean if as_numpy else float(mean)


def test_greedy_mean_reference_passes(capsys):
    check_greedy_mean_return(_greedy_mean)
    assert "all 3 cases pass" in capsys.readouterr().out


def test_greedy_mean_agrees_with_the_library_on_a_real_agent():
    agent = dqn_lib.OnlineAgent(seed=3)
    assert _greedy_mean(agent, 5, 100) == dqn_lib.evaluate(agent, episodes=5, seed=100).mean()


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda a, n, s: _greedy_mean(a, n, s, explore=True, same_seed=True),
            "without greedy=True",
        ),
        (lambda a, n, s: _greedy_mean(a, n, s, explore=True), "the agent explored"),
        (lambda a, n, s: _greedy_mean(a, n, s, same_seed=True), "Reset episode i with seed \\+ i"),
        (lambda a, n, s: _greedy_mean(a, n, s, as_numpy=True), "expected a Python float"),
        (lambda a, n, s: _greedy_mean(a, n, s + 1), "expected"),
        (lambda a, n, s: _greedy_mean(a, max(n - 1, 1), s), "expected"),
    ],
)
def test_greedy_mean_mutants_fail(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_greedy_mean_return(wrong)


# --- predict, then run ---------------------------------------------------------------------

WHY = "because of what the lesson showed"


@pytest.mark.parametrize(
    "prediction, message",
    [
        (lambda: None, "return a pair"),
        (lambda: 22, "return a pair"),
        (lambda: (22,), "return a pair"),
        (lambda: (22, None), "is not a sentence"),
        (lambda: (22, "because"), "at least 3 words"),
        (lambda: ("twenty", WHY), "expected a number, got str"),
        (lambda: (True, WHY), "expected a number, got bool"),
        (lambda: (float("nan"), WHY), "outside 1 to 500"),
        (lambda: (600, WHY), "outside 1 to 500"),
        (lambda: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_malformed_predictions_fail(prediction, message):
    with pytest.raises(ExerciseError, match=message):
        check_push_right_prediction(prediction, [20.0, 24.0])


def test_a_prediction_not_made_yet_is_not_implemented():
    def my_prediction():
        raise NotImplementedError()

    with pytest.raises(ExerciseError, match="not implemented yet"):
        check_push_right_prediction(my_prediction, [20.0])


@pytest.mark.parametrize(
    "guess, held", [(22, "held"), (np.float64(30.0), "held"), (100, "otherwise")]
)
def test_push_right_prediction_reports_without_failing(guess, held, capsys):
    check_push_right_prediction(lambda: (guess, WHY), [20.0, 24.0])
    out = capsys.readouterr().out
    assert "the run measured 22.0 steps over 2 episodes" in out and held in out


@pytest.mark.parametrize(
    "answer, as_written, held",
    [
        ("about the same", [22.0, 25.0], "held"),
        ("lower", [22.0, 25.0], "otherwise"),
        ("lower", [2.0, 5.0], "held"),
        ("higher", [52.0, 55.0], "held"),
    ],
)
def test_bootstrap_bug_prediction(answer, as_written, held, capsys):
    check_bootstrap_bug_prediction(lambda: (answer, WHY), [20.0, 20.0], as_written)
    assert held in capsys.readouterr().out


@pytest.mark.parametrize("answer", ["same", "lowest", 0, None])
def test_bootstrap_bug_prediction_refuses_other_answers(answer):
    with pytest.raises(ExerciseError, match="is not one of 'lower', 'about the same', 'higher'"):
        check_bootstrap_bug_prediction(lambda: (answer, WHY), [20.0], [20.0])


def test_wide_starts_prediction(capsys):
    dqn, linear = [500.0] * 90 + [100.0] * 10, [500.0] * 100
    check_wide_starts_prediction(lambda: ((85, 100), WHY), dqn, linear)
    assert "DQN 90, linear policy 100 of 100" in capsys.readouterr().out
    check_wide_starts_prediction(lambda: ((50, 100), WHY), dqn, linear)
    assert "otherwise" in capsys.readouterr().out
    for answer, message in [
        (85, "not a pair"),
        ((85, 101), "outside 0 to 100"),
        ((85, "all"), "got str"),
    ]:
        with pytest.raises(ExerciseError, match=message):
            check_wide_starts_prediction(lambda answer=answer: (answer, WHY), dqn, linear)


@pytest.mark.parametrize(
    "answer, returns, held",
    [
        ("in between", [456.6, 229.0, 196.7, 245.4], "held"),
        ("solved", [456.6, 229.0, 196.7, 245.4], "otherwise"),
        ("solved", [313.4, 500.0], "held"),
        ("failing", [130.0, 94.3], "held"),
    ],
)
def test_run_3_prediction(answer, returns, held, capsys):
    check_run_3_prediction(lambda: (answer, WHY), returns)
    assert held in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="is not one of"):
        check_run_3_prediction(lambda: ("unsolved", WHY), returns)


@pytest.mark.parametrize(
    "answer, fine, held",
    [
        ("worse", [40.0, 50.0], "held"),
        ("about the same", [170.0, 200.0], "held"),
        ("better", [300.0, 320.0], "held"),
        ("better", [40.0, 50.0], "otherwise"),
    ],
)
def test_finer_table_prediction(answer, fine, held, capsys):
    check_finer_table_prediction(lambda: (answer, WHY), [180.0, 190.0], fine)
    assert held in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="is not one of 'better', 'about the same', 'worse'"):
        check_finer_table_prediction(lambda: ("smaller", WHY), [180.0], fine)


WIDE = [1.0, 20.0, 40.0, 15.0]  # standard deviation about 14
NARROW = [18.0, 19.0, 20.0, 19.5]  # about 0.7


@pytest.mark.parametrize(
    "answer, mc, td, held",
    [
        ("monte carlo", WIDE, NARROW, "held"),
        ("td", WIDE, NARROW, "otherwise"),
        ("td", NARROW, WIDE, "held"),
        ("about the same", WIDE, [x + 1 for x in WIDE], "held"),
        # Case and spaces do not matter: the prediction is judged on what it says.
        (" Monte  Carlo ", WIDE, NARROW, "predicted 'monte carlo'"),
    ],
)
def test_spread_prediction(answer, mc, td, held, capsys):
    check_spread_prediction(lambda: (answer, WHY), mc, td)
    assert held in capsys.readouterr().out


@pytest.mark.parametrize(
    "prediction, message",
    [
        (lambda: ("mc", WHY), "is not one of 'monte carlo', 'td', 'about the same'"),
        (lambda: ("td", "why"), "is not a sentence"),
        (lambda: "td", "return a pair \\(answer, why\\)"),
    ],
)
def test_spread_prediction_refuses_a_malformed_one(prediction, message):
    with pytest.raises(ExerciseError, match=message):
        check_spread_prediction(prediction, WIDE, NARROW)


@pytest.mark.parametrize(
    "why, accepted",
    [
        ("because the angle grows", True),
        ("角度が大きいほど速く倒れるから", True),  # Japanese spaces no words: letters count
        ("速いから", False),  # too short to say why
        ("td td", False),
        ("abcdefghijkl", False),  # one ASCII word is not a sentence, however long
    ],
)
def test_a_reason_in_japanese_counts_letters_not_words(why, accepted):
    if accepted:
        check_spread_prediction(lambda: ("td", why), WIDE, NARROW)
    else:
        with pytest.raises(ExerciseError, match="is not a sentence"):
            check_spread_prediction(lambda: ("td", why), WIDE, NARROW)
