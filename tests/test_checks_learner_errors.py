"""An error raised inside the learner's own function is reported by the check in one line: the
check, the case it tried, the error, and the learner's line that raised it (file or notebook
cell, line number, source). Never a traceback through the check's code: every check calls the
learner's code through one helper, ``dqn_lib.checks.harness.Check.call``."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from nbclient import NotebookClient
from torch import nn

from dqn_lib import checks
from dqn_lib.checks import ExerciseError, harness

HERE = Path(__file__).name


def divides_by_zero(*args):
    total = len(args)
    return total / 0


def misspelled(*args):
    total = len(args)
    return totl + total  # noqa: F821 (the learner's typo)


def raising_line(function) -> str:
    """How the check names the line that raises in ``divides_by_zero`` or ``misspelled``."""
    line = function.__code__.co_firstlineno + 2
    source = {divides_by_zero: "return total / 0", misspelled: "return totl + total"}[function]
    return f"{HERE}, line {line}: `{source}"


ERRORS = {
    divides_by_zero: "ZeroDivisionError: division by zero",
    misspelled: "NameError: name 'totl' is not defined",
}

# Each check, and the case it tries first, as its message names it.
FIRST_CASES = {
    checks.check_cartpole_policy: "for observation 0 (",
    checks.check_episode_length: "with seed=",
    checks.check_greedy_action: "for observation ",
    checks.check_epsilon_greedy_batch: "for q_values of shape (5, 3) [[1.0, 3.0, 2.0]",
    checks.check_n_step_target: "fixed batch, n=3",
    checks.check_reward_function: "for upright, centred",
    checks.check_training_step: "call 0 (action 1, reward 0.3, terminated=False)",
    checks.check_moving_average: "for values [0.0, 2.0, 4.0, 6.0] and window=2",
    checks.check_replay_sample: "with size=1 and batch_size=4",
    checks.check_soft_target_weights: "tau=0.5, n_updates=3",
    checks.check_q_value_grid: "case 0 (5 angles, 3 angular velocities",
    checks.check_terminal_share: "for a buffer of capacity 10, holding 4 transitions",
    checks.check_small_buffer_rung: "config=DQNConfig()",
    checks.check_target_network_copy: "network 0 (",
    checks.check_discounted_return: "rewards=[1.0, 1.0, 1.0], gamma=0.5",
    checks.check_max_bias: "true_values=[0.0, 0.0], noise_std=1.0, samples=20000",
    checks.check_linear_schedule: ("linear_schedule(start=1.0, end=0.0, duration=10, step=0)"),
    checks.check_hard_update: "networks with hidden layers (32, 32)",
    checks.check_sarsa_update: "next action not the greedy one: state (0, 0)",
    checks.check_transition_recorder: "always push left, 40 steps",
    checks.check_greedy_mean_return: "the lean policy as the greedy policy",
}

# The predict-then-run checks: each with the measurements its lesson passes after the learner's
# my_prediction(), which is the function they call.
PREDICTIONS = {
    checks.check_push_right_prediction: ([9.0, 10.0],),
    checks.check_finer_table_prediction: ([180.0], [40.0]),
    checks.check_bootstrap_bug_prediction: ([20.0], [22.0]),
    checks.check_wide_starts_prediction: ([500.0] * 3, [500.0] * 3),
    checks.check_run_3_prediction: ([456.6, 245.4],),
    checks.check_spread_prediction: ([1.0, 20.0, 35.0], [18.0, 19.0, 20.0]),
}


def test_every_check_of_every_lesson_is_tried_here():
    every = {name for name in checks.__all__ if name.startswith("check_")}
    tried = {check.__name__ for check in [*FIRST_CASES, *PREDICTIONS]} | {"check_q_network"}
    assert every == tried


def assert_one_line_naming(error: ExerciseError, check: str, case: str, function) -> None:
    message = str(error)
    assert message.startswith(f"{check}: {case}"), message
    assert f"your {function.__name__} raised {ERRORS[function]}, at " in message, message
    assert raising_line(function) in message, message
    assert "\n" not in message and "Traceback" not in message
    # The learner's error is kept as the cause, and named once, on the one line IPython shows.
    assert type(error.__cause__).__name__ == ERRORS[function].split(":")[0]
    (shown,) = error._render_traceback_()
    assert shown.endswith(message) and "caused by" not in shown


@pytest.mark.parametrize("function", list(ERRORS), ids=lambda f: f.__name__)
@pytest.mark.parametrize("check", list(FIRST_CASES), ids=[check.__name__ for check in FIRST_CASES])
def test_an_error_in_the_learners_function_names_the_case_and_the_line(check, function):
    with pytest.raises(ExerciseError) as raised:
        check(function)
    assert_one_line_naming(raised.value, check.__name__, FIRST_CASES[check], function)


@pytest.mark.parametrize("function", list(ERRORS), ids=lambda f: f.__name__)
@pytest.mark.parametrize("check", list(PREDICTIONS), ids=[c.__name__ for c in PREDICTIONS])
def test_an_error_in_a_prediction_names_it_and_the_line(check, function):
    with pytest.raises(ExerciseError) as raised:
        check(lambda: function(), *PREDICTIONS[check])
    assert_one_line_naming(raised.value, check.__name__, "my_prediction()", function)


class ForwardDividesByZero(nn.Module):
    def __init__(self, n_observations, n_actions):
        super().__init__()
        self.layer = nn.Linear(n_observations, n_actions)

    def forward(self, x):
        return self.layer(x) * divides_by_zero(x)


class BuildsWithATypo(nn.Module):
    def __init__(self, n_observations, n_actions):
        super().__init__()
        self.layer = misspelled(n_observations, n_actions)


def test_a_q_network_whose_forward_or_constructor_raises_names_the_line():
    with pytest.raises(ExerciseError) as raised:
        checks.check_q_network(ForwardDividesByZero)
    assert_one_line_naming(
        raised.value, "check_q_network", "for an input of shape (5, 4)", divides_by_zero
    )
    with pytest.raises(ExerciseError) as raised:
        checks.check_q_network(BuildsWithATypo)
    assert_one_line_naming(
        raised.value, "check_q_network", "building BuildsWithATypo(4, 2)", misspelled
    )


def test_an_error_inside_a_library_call_names_the_learners_line_that_made_it():
    def n_step_target(rewards, terminated, next_q, gamma):  # torch.cat of a 1-d and a 2-d tensor
        return torch.cat([rewards.sum(dim=1), next_q])

    with pytest.raises(ExerciseError) as raised:
        checks.check_n_step_target(n_step_target)
    message = str(raised.value)
    assert message.startswith(
        "check_n_step_target: fixed batch, n=3: your n_step_target raised RuntimeError"
    ), message
    line = n_step_target.__code__.co_firstlineno + 1
    assert f"{HERE}, line {line}: `return torch.cat([rewards.sum(dim=1), next_q])`" in message


def test_a_float64_observation_names_the_line_and_the_likely_mistake():
    def greedy_action(q_network, observation):
        return int(q_network(torch.from_numpy(observation)).argmax())

    with pytest.raises(ExerciseError) as raised:
        checks.check_greedy_action(greedy_action)
    message = str(raised.value)
    line = greedy_action.__code__.co_firstlineno + 1
    assert f"{HERE}, line {line}: `return int(q_network(torch.from_numpy(" in message
    assert "Likely mistake: the network's weights are float32" in message, message


def test_a_policy_that_fails_only_in_play_names_the_episodes():
    calls = []

    def policy(observation):
        calls.append(1)
        if len(calls) > 250:  # past the 200 observations the check tries first; 4 entries
            return observation[5]
        return int(observation[2] + observation[3] > 0)

    with pytest.raises(ExerciseError) as raised:
        checks.check_cartpole_policy(policy)
    message = str(raised.value)
    assert message.startswith(
        "check_cartpole_policy: playing 20 episodes (seeds 1000-1019): your policy raised "
        "IndexError"
    ), message
    assert "`return observation[5]`" in message


def test_a_loop_that_steps_past_the_end_names_its_env_step_line():
    def episode_length(env, policy, seed):
        observation, _ = env.reset(seed=seed)
        steps = 0
        while True:
            observation, _, terminated, _, _ = env.step(policy(observation))
            steps += 1
            if terminated:
                return steps

    with pytest.raises(ExerciseError, match="called env.step again") as raised:
        checks.check_episode_length(episode_length)
    line = episode_length.__code__.co_firstlineno + 4
    message = str(raised.value)
    assert "called env.step again (at " in message
    assert f"{HERE}, line {line}: `observation, _, terminated, _, _ = env.step(" in message


@pytest.mark.slow
def test_the_learners_error_stays_one_line_in_a_real_kernel(tmp_path):
    """What a student sees in JupyterLab: the kernel renders the check's error with
    ``_render_traceback_``, one line that names the notebook cell and line of the mistake."""
    cells = [
        "def reward(next_observation, env_reward, terminated):\n"
        "    angle = next_observation[2]\n"
        "    return -abs(angel)",
        "from dqn_lib.checks import check_reward_function\ncheck_reward_function(reward)",
        "def n_step_target(rewards, terminated, next_q, gamma):\n"
        "    alive = 1 - terminated\n"
        "    return rewards[:, 0] + gamma / (1 - 1) * alive[:, 0]",
        "from dqn_lib.checks import check_n_step_target\ncheck_n_step_target(n_step_target)",
    ]
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    expected = {
        1: ("check_reward_function: for upright, centred", "NameError", "Cell In[1], line 3"),
        3: ("check_n_step_target: fixed batch, n=3", "ZeroDivisionError", "Cell In[3], line 3"),
    }
    for index, (case, error, where) in expected.items():
        outputs = notebook.cells[index].outputs
        assert [o.output_type for o in outputs] == ["error"], outputs
        (output,) = outputs
        assert output.ename == "ExerciseError"
        assert output.evalue.startswith(case) and f"raised {error}" in output.evalue
        source = cells[index - 1].splitlines()[2].strip()
        assert f"at {where}: `{source}`" in output.evalue, output.evalue
        (line,) = output.traceback
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        assert plain == f"ExerciseError: {output.evalue}", plain
    assert not any(o.output_type == "error" for i in (0, 2) for o in notebook.cells[i].outputs)


def test_not_implemented_and_a_wrong_answer_are_reported_as_before():
    def moving_average(values, window):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(ExerciseError, match="not implemented yet") as raised:
        checks.check_moving_average(moving_average)
    assert raised.value.__cause__ is None
    with pytest.raises(ExerciseError, match="Likely mistake") as raised:
        checks.check_moving_average(lambda values, window: np.cumsum(values))
    assert raised.value.__cause__ is None


def never_returns(*args):
    while True:
        args = args  # the learner's loop, whose condition never becomes false


@pytest.mark.parametrize(
    ("check", "arguments"),
    [(check, ()) for check in FIRST_CASES] + list(PREDICTIONS.items()),
    ids=[c.__name__ for c in FIRST_CASES] + [c.__name__ for c in PREDICTIONS],
)
def test_a_learners_function_that_never_returns_is_stopped_and_named(check, arguments, monkeypatch):
    monkeypatch.setattr(harness, "CALL_SECONDS", 0.2)
    with pytest.raises(ExerciseError) as raised:
        check(never_returns, *arguments)
    message = str(raised.value)
    assert message.startswith(f"{check.__name__}: "), message
    assert "your never_returns did not return within 0.2 seconds (it was running " in message
    assert f"{HERE}, line " in message and "Likely mistake: a loop that never ends" in message
    assert "\n" not in message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), "the check left its timer on"
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL, "the check left its handler"


def test_the_time_limit_leaves_an_outer_timer_alone(monkeypatch):
    """A check called while another timer runs (a caller's own limit) sets no timer of its own."""
    monkeypatch.setattr(harness, "CALL_SECONDS", 0.2)
    signal.setitimer(signal.ITIMER_REAL, 100)
    try:
        with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
            checks.check_moving_average(divides_by_zero)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 90
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
