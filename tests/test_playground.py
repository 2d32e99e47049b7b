"""Lesson 11's playground: its widgets set, its buttons clicked from code, as a learner would.

The budgets are a few hundred steps, below ``learning_starts``, so a click takes well under a
second; what is tested is the plumbing from widgets to ``DQNConfig``, to ``train`` and back to
the page (runs, curves, messages, GIFs).
"""

from __future__ import annotations

import base64
import dataclasses

import pytest

from dqn_lib import REWARD_FUNCTIONS, DQNAgent, DQNConfig, Evaluation, get_reward_function, train
from dqn_lib.playground import (
    COURSE_PRESET,
    CSS_CLASS,
    Playground,
    RunSettings,
    train_run,
)
from dqn_lib.presets import get_preset, train_preset

STEPS, EVAL_EVERY = 300, 100


@pytest.fixture
def playground() -> Playground:
    return Playground(steps=STEPS, eval_every=EVAL_EVERY, eval_episodes=2, progress=False)


def run_lines(playground: Playground) -> list[str]:
    """The labels of the evaluation curves on a fresh figure of the playground."""
    (ax,) = playground.figure().axes
    return [line.get_label() for line in ax.get_lines() if line.get_label().startswith("run ")]


def test_widget_values_map_to_the_config_fields(playground):
    playground.learning_rate.value = 10**-2.7  # where a log slider lands: 0.0019952...
    playground.learning_rate_decay.value = False
    playground.gamma.value = 0.95
    playground.epsilon_start.value = 0.9
    playground.epsilon_end.value = 0.05
    playground.epsilon_decay_steps.value = 2_000
    playground.buffer_size.value = 5_000
    playground.target_update.value = "hard"
    playground.target_update_every.value = 1_000
    playground.reward.value = "pole_angle"
    playground.exploring_starts.value = False
    playground.steps.value = 200
    playground.seed.value = 3
    settings = playground.settings_from_widgets()
    assert settings.config == DQNConfig(
        learning_rate=0.002,
        final_learning_rate=0.002,
        gamma=0.95,
        epsilon_start=0.9,
        epsilon_end=0.05,
        epsilon_decay_steps=2_000,
        buffer_size=5_000,
        target_update="hard",
        target_update_every=1_000,
    )
    assert (settings.reward, settings.exploring_starts) == ("pole_angle", False)
    assert (settings.steps, settings.seed) == (200, 3)
    assert settings.label() == (
        "learning_rate=0.002, final_learning_rate=0.002, gamma=0.95, buffer_size=5000, "
        "target_update=hard, target_update_every=1000, epsilon_start=0.9, epsilon_end=0.05, "
        "epsilon_decay_steps=2000, reward=pole_angle, exploring_starts=off; seed 3"
    )


def test_the_default_widgets_are_the_courses_dqn(playground):
    """DQNConfig()'s settings, and the reward and exploring starts of the "double" preset."""
    assert playground.config_from_widgets() == DQNConfig()
    settings = playground.settings_from_widgets()
    assert settings.label() == "defaults; seed 0" and settings.exploring_starts
    course, preset = get_preset(COURSE_PRESET), settings.preset()
    assert COURSE_PRESET == "double" and course.reward == "environment"
    assert (preset.config, preset.reward) == (course.config, course.reward)
    assert (preset.start_box, preset.start_fraction) == (course.start_box, course.start_fraction)
    assert course.start_box is not None and course.start_fraction > 0


def test_turning_exploring_starts_off_leaves_cartpoles_own_starts(playground):
    playground.exploring_starts.value = False
    settings = playground.settings_from_widgets()
    assert (settings.preset().start_box, settings.preset().start_fraction) == (None, 0.0)
    assert "CartPole's own starts" in playground.summary.value
    assert settings.label() == "exploring_starts=off; seed 0"


def test_the_settings_line_changes_when_a_slider_moves(playground):
    before = playground.summary.value
    assert "gamma 0.99;" in before and "reward environment; exploring starts (50%" in before
    playground.gamma.value = 0.98
    assert playground.summary.value != before and "gamma 0.98;" in playground.summary.value


def test_hard_updates_disable_the_tau_slider(playground):
    assert not playground.tau.disabled and playground.target_update_every.disabled
    playground.target_update.value = "hard"
    assert playground.tau.disabled and not playground.target_update_every.disabled
    assert "target copied every 500 steps" in playground.summary.value


def test_train_adds_a_run_a_curve_and_an_image(playground):
    assert run_lines(playground) == [] and playground.watch_button.disabled
    playground.train_button.click()
    assert len(playground.runs) == 1
    run = playground.runs[0]
    assert run.history.steps == STEPS and run.error is None
    assert run.history.eval_steps == [100, 200, 300]
    assert run_lines(playground) == ["run 1: defaults; seed 0"]
    (output,) = playground.plot_output.outputs
    assert base64.b64decode(output["data"]["image/png"]).startswith(b"\x89PNG")
    assert playground.message.value == "" and not playground.watch_button.disabled


def test_a_second_run_keeps_the_first_on_the_same_axes(playground):
    playground.train_button.click()
    playground.gamma.value = 0.9
    playground.train_button.click()
    assert [run.number for run in playground.runs] == [1, 2]
    assert run_lines(playground) == ["run 1: defaults; seed 0", "run 2: gamma=0.9; seed 0"]


def test_clear_removes_every_run(playground):
    playground.train_button.click()
    playground.watch_button.click()
    playground.clear_button.click()
    assert playground.runs == [] and run_lines(playground) == []
    assert playground.watch_button.disabled and playground.gif_output.outputs == ()
    playground.train_button.click()
    assert playground.runs[0].label.startswith("run 1:")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"epsilon_start": 0.2, "epsilon_end": 0.5}, r"epsilon_end \(0.5\) is above epsilon_start"),
        ({"buffer_size": 100}, r"batch_size \(128\) is larger than buffer_size \(100\)"),
    ],
)
def test_invalid_settings_are_explained_in_words_and_not_trained(playground, changes, message):
    for name, value in changes.items():
        getattr(playground, name).value = value
    assert "These settings are invalid" in playground.summary.value
    playground.train_button.click()  # no exception escapes the button
    assert playground.runs == []
    assert "Not trained: DQNConfig." in playground.message.value
    with pytest.raises(ValueError, match=message):
        playground.config_from_widgets()
    assert "Traceback" not in playground.message.value


def test_watch_shows_the_latest_agent_as_a_gif(playground):
    playground.train_button.click()
    playground.watch_button.click()
    caption, gif = playground.gif_output.outputs
    assert "run 1: defaults; seed 0" in caption["data"]["text/html"]
    assert base64.b64decode(gif["data"]["image/gif"]).startswith(b"GIF89a")


def test_watch_before_any_run_says_so(playground):
    playground.on_watch()
    assert "train" in playground.message.value.lower()
    with pytest.raises(ValueError, match="train a run first"):
        playground.watch()


def test_a_run_that_diverges_is_kept_and_explained(monkeypatch):
    monkeypatch.setitem(REWARD_FUNCTIONS, "explodes", lambda o, r, t: 3e38)
    playground = Playground(steps=1_100, eval_every=500, eval_episodes=1, progress=False)
    playground.reward.value = "explodes"
    playground.train_button.click()
    (run,) = playground.runs
    assert run.error is not None and run.history.steps == 999 and run.agent is not None
    expected = "Run 1 stopped after 999 steps: The loss became inf at step 1000"
    assert expected in playground.message.value
    assert run_lines(playground) == ["run 1: reward=explodes; seed 0 (stopped early)"]


def test_a_playground_run_is_the_same_run_as_one_train_call():
    """The callback that redraws the curve changes nothing: the History is train's, step for
    step."""
    config = DQNConfig(hidden=(32, 32), batch_size=32, buffer_size=1_000, learning_starts=50)
    settings = RunSettings(
        config=config, reward="pole_angle", exploring_starts=False, steps=450, seed=1
    )
    calls = []
    _, chunked = train_run(
        settings,
        eval_every=100,
        eval_episodes=2,
        on_evaluation=lambda agent, history: calls.append(history.steps),
    )
    assert calls == [100, 200, 300, 400]
    straight = train(
        DQNAgent(config, seed=1),
        steps=450,
        reward_fn=get_reward_function("pole_angle"),
        seed=1,
        callbacks=[Evaluation(100, episodes=2)],
        progress=False,
    )
    for field in dataclasses.fields(straight):
        if field.name not in ("train_seconds", "train_seconds_at_eval"):
            assert getattr(chunked, field.name) == getattr(straight, field.name), field.name


def test_a_playground_run_with_exploring_starts_is_the_presets_run():
    """With the course's reward and exploring starts, a playground run is ``train_preset``'s run of
    the same preset (a smaller network and batch here, so that it learns within 450 steps)."""
    small = {"hidden": (32, 32), "batch_size": 32, "buffer_size": 1_000, "learning_starts": 50}
    preset = get_preset(COURSE_PRESET).replace("small", "the course's DQN, smaller", **small)
    settings = RunSettings(config=preset.config, steps=450, seed=2)
    _, chunked = train_run(settings, eval_every=150, eval_episodes=2)
    straight = train_preset(preset, 2, 450, eval_every=150, eval_episodes=2).history
    assert max(chunked.lengths) > 30, "exploring starts should not all end at once"
    for field in dataclasses.fields(straight):
        if field.name not in ("train_seconds", "train_seconds_at_eval"):
            assert getattr(chunked, field.name) == getattr(straight, field.name), field.name


def test_the_curve_and_the_progress_bar_follow_the_run_as_it_trains(monkeypatch):
    """Live, not only at the end: after each evaluation (every eval_every steps) the plot is
    redrawn with one more evaluation, and the progress bar has moved to the steps done so far."""
    import dqn_lib.playground as playground_module

    bars = []

    class RecordingBar:
        def __init__(self, total, **kwargs):
            self.total, self.n, self.postfixes, self.closed = total, 0, [], False
            bars.append(self)

        def update(self, n):
            self.n += n

        def set_postfix(self, **values):
            self.postfixes.append(values)

        def close(self):
            self.closed = True

    monkeypatch.setattr(playground_module, "tqdm", RecordingBar)
    playground = Playground(steps=STEPS, eval_every=EVAL_EVERY, eval_episodes=1, progress=False)
    seen = []  # at each redraw: (evaluations so far, steps on the bar, the image shown)
    redraw = playground._redraw

    def recording_redraw():
        redraw()
        run = playground.runs[-1] if playground.runs else None
        evaluations = len(run.history.eval_returns) if run and run.history else 0
        seen.append((evaluations, bars[-1].n if bars else 0, playground.plot_output.outputs))

    monkeypatch.setattr(playground, "_redraw", recording_redraw)
    playground.train_button.click()
    (bar,) = bars
    assert bar.total == STEPS and bar.closed
    assert [(evaluations, steps) for evaluations, steps, _ in seen] == [
        (1, 100),
        (2, 200),
        (3, 300),
    ]
    images = [outputs[0]["data"]["image/png"] for _, _, outputs in seen]
    assert len(set(images)) == 3, "each redraw should show a new picture of the curve"
    assert [list(p) for p in bar.postfixes] == [["evaluation"]] * 3


def test_the_progress_bar_and_summary_line(capsys):
    playground = Playground(steps=STEPS, eval_every=EVAL_EVERY, eval_episodes=1)
    playground.train_once()
    assert capsys.readouterr().out.startswith("run 1: defaults; seed 0: 300 steps in ")


def test_the_parts_have_css_classes_for_browser_tests(playground):
    assert CSS_CLASS in playground.widget._dom_classes
    assert f"{CSS_CLASS}-gamma" in playground.gamma._dom_classes
    assert f"{CSS_CLASS}-learning-rate" in playground.learning_rate._dom_classes
    assert f"{CSS_CLASS}-exploring-starts" in playground.exploring_starts._dom_classes
    assert f"{CSS_CLASS}-train" in playground.train_button._dom_classes
    assert f"{CSS_CLASS}-summary" in playground.summary._dom_classes
    assert f"{CSS_CLASS}-plot" in playground.plot_output._dom_classes


def test_bad_arguments_are_refused_with_clear_errors():
    with pytest.raises(ValueError, match="eval_every must be a positive int"):
        Playground(eval_every=0)
    with pytest.raises(ValueError, match="Unknown reward function 'angle'"):
        RunSettings(reward="angle")
    with pytest.raises(ValueError, match="steps must be a positive int"):
        RunSettings(steps=0)
    with pytest.raises(TypeError, match="config must be a DQNConfig"):
        RunSettings(config={"gamma": 0.9})
    with pytest.raises(ValueError, match="exploring_starts must be True or False"):
        RunSettings(exploring_starts="yes")


@pytest.mark.parametrize(("steps", "eval_every"), [(150, 100), (80, 100)])
def test_a_run_that_ends_between_evaluations_keeps_its_agent_and_whole_history(steps, eval_every):
    """The last redraw comes at the run's end, not only at its last evaluation: the agent to
    watch and every step are there (80 steps with evaluations every 100: no evaluation at all)."""
    playground = Playground(steps=steps, eval_every=eval_every, eval_episodes=1, progress=False)
    history = playground.train_once()
    (run,) = playground.runs
    assert run.agent is not None and run.history is history and history.steps == steps
    assert history.eval_steps == list(range(eval_every, steps + 1, eval_every))
