"""Lesson 10's tools: Q-value grids, inspected episodes, the scrubber widget, diagnostics."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import dqn_lib  # noqa: E402
from dqn_lib.inspection import (  # noqa: E402
    DiagnosticsRecorder,
    EpisodeScrubber,
    InspectedEpisode,
    greedy_action_map,
    inspect_episode,
    mean_max_q,
    plot_diagnostics,
    plot_episode_steps,
    plot_q_maps,
    q_value_grid,
    terminal_share,
    train_diagnosed,
)
from dqn_lib.presets import get_preset, train_preset  # noqa: E402


@pytest.fixture(scope="module")
def network():
    return dqn_lib.new_q_network(4, 2, seed=3)


@pytest.fixture(scope="module")
def short_episode():
    agent = dqn_lib.DQNAgent(seed=0)  # untrained: a short episode
    return inspect_episode(agent, seed=1, reward_fn=dqn_lib.pole_angle_reward)


# --- q_value_grid and the maps ----------------------------------------------------------------


def test_q_value_grid_rows_are_angular_velocities_and_columns_angles(network):
    angles, velocities = np.array([-0.1, 0.0, 0.1, 0.2]), np.array([-1.0, 1.0])
    grid = q_value_grid(network, angles, velocities, cart_position=0.3, cart_velocity=-0.4)
    assert grid.shape == (2, 4, 2)
    observation = torch.tensor([0.3, -0.4, 0.2, -1.0])
    with torch.no_grad():
        assert np.allclose(grid[0, 3], network(observation).numpy(), atol=1e-6)


def test_q_value_grid_tracks_no_gradients(network):
    grid = q_value_grid(network, [0.0], [0.0])
    assert isinstance(grid, np.ndarray)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"angles": []}, ValueError, "angles must be a non-empty 1-D sequence"),
        ({"angles": [[0.1, 0.2]]}, ValueError, "angles must be a non-empty 1-D"),
        ({"angular_velocities": [0.0, np.nan]}, ValueError, "with NaN or infinity"),
        ({"cart_position": float("inf")}, ValueError, "cart_position must be a finite number"),
        ({"cart_velocity": "fast"}, ValueError, "cart_velocity must be a finite number"),
    ],
)
def test_q_value_grid_bad_input_says_what_to_pass(network, kwargs, error, match):
    arguments = {"angles": [0.0, 0.1], "angular_velocities": [0.0], **kwargs}
    with pytest.raises(error, match=match):
        q_value_grid(network, **arguments)


def test_q_value_grid_refuses_an_agent_and_says_pass_its_network():
    with pytest.raises(TypeError, match="Pass agent.q_network, not the agent"):
        q_value_grid(dqn_lib.DQNAgent(seed=0), [0.0], [0.0])


def test_greedy_action_map_is_the_argmax_and_checks_its_input():
    assert greedy_action_map(np.array([[[1.0, 2.0], [3.0, 0.0]]])).tolist() == [[1, 0]]
    with pytest.raises(ValueError, match=r"shape \(n_velocities, n_angles, n_actions\)"):
        greedy_action_map(np.zeros((3, 2)))


def test_plot_q_maps_draws_two_panels_a_slice_and_a_colorbar(network):
    fig = plot_q_maps(network, [(0.0, 0.0), (1.0, 0.5)], resolution=11, visited=np.zeros((5, 4)))
    titles = [ax.get_title() for ax in fig.axes]
    assert sum("Value" in t for t in titles) == 2 and sum("Greedy" in t for t in titles) == 2
    assert any("discounted return" in ax.get_ylabel() for ax in fig.axes)  # the colorbar
    plt.close(fig)


def test_plot_q_maps_bad_input(network):
    with pytest.raises(ValueError, match="at least one"):
        plot_q_maps(network, [])
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        plot_q_maps(network, [(0.0, 0.0)], resolution=1)


# --- inspect_episode and the scrubber ---------------------------------------------------------


def test_inspect_episode_keeps_what_the_agent_saw_and_chose(short_episode):
    episode = short_episode
    assert len(episode.frames) == len(episode.observations) == episode.length + 1
    assert episode.q_values.shape == (episode.length, 2)
    assert np.array_equal(episode.actions, episode.q_values.argmax(axis=1))
    assert episode.terminated and episode.rewards[-1] == dqn_lib.FALL_PENALTY
    assert episode.return_before(0) == 0.0
    assert episode.return_before(episode.length) == pytest.approx(episode.rewards.sum())


def test_inspect_episode_plays_like_the_greedy_agent():
    agent = dqn_lib.DQNAgent(seed=4)
    episode = inspect_episode(agent, seed=3)
    recorded = dqn_lib.record_episode(agent, seed=3)
    assert episode.actions.tolist() == recorded.actions
    assert np.allclose(episode.observations, np.array(recorded.observations))


def test_inspect_episode_start_state_replaces_the_reset_state():
    start = [0.5, 0.0, 0.1, 0.0]
    episode = inspect_episode(dqn_lib.DQNAgent(seed=0), seed=0, start_state=start, max_steps=3)
    assert np.allclose(episode.observations[0], start)
    assert episode.length == 3
    with pytest.raises(ValueError, match="start_state must be 4 finite numbers"):
        inspect_episode(dqn_lib.DQNAgent(seed=0), start_state=[0.0, 0.1])


def test_scrubber_slider_updates_image_and_text(short_episode):
    scrubber = EpisodeScrubber(short_episode)
    assert scrubber.slider.max == short_episode.length - 1
    first_text, first_image = scrubber.text.value, scrubber.image.value
    assert "step 0 of" in first_text and "return so far +0.00" in first_text
    scrubber.slider.value = 5
    assert "step 5 of" in scrubber.text.value
    assert f"return so far {short_episode.return_before(5):+.2f}" in scrubber.text.value
    assert scrubber.image.value != first_image
    assert scrubber.image.value[:4] == b"\x89PNG"
    chosen = dqn_lib.ACTION_NAMES[short_episode.actions[5]]
    assert f"chose {chosen}" in scrubber.text.value


def test_scrubber_start_and_bad_steps(short_episode):
    scrubber = EpisodeScrubber(short_episode, start=3)
    assert scrubber.slider.value == 3 and "step 3 of" in scrubber.text.value
    with pytest.raises(ValueError, match=r"step must be an int from 0 to"):
        scrubber.show(short_episode.length)
    with pytest.raises(ValueError, match="step must be an int"):
        EpisodeScrubber(short_episode, start=-1)
    with pytest.raises(TypeError, match="needs an InspectedEpisode"):
        EpisodeScrubber(dqn_lib.record_episode(lambda observation: 0, seed=0))


def test_scrubber_without_steps_is_refused():
    empty = InspectedEpisode(
        [np.zeros((2, 2, 3), np.uint8)],
        np.zeros((1, 4)),
        np.zeros((0, 2)),
        np.zeros(0, np.int64),
        np.zeros(0),
    )
    with pytest.raises(ValueError, match="no steps"):
        EpisodeScrubber(empty)


def test_scrubber_shows_a_line_of_text_without_a_kernel(short_episode):
    bundle = EpisodeScrubber(short_episode)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("EpisodeScrubber: a slider over the")


def test_plot_episode_steps_draws_a_frame_and_the_q_values_per_step(short_episode):
    fig = plot_episode_steps(short_episode, [0, 2], title="t")
    assert len(fig.axes) == 4
    assert "chose" in fig.axes[1].get_title() or "chose" in fig.axes[3].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="outside the episode"):
        plot_episode_steps(short_episode, [short_episode.length])
    with pytest.raises(ValueError, match="at least one step"):
        plot_episode_steps(short_episode, [])


# --- diagnostics ------------------------------------------------------------------------------


def test_mean_max_q_and_its_bad_input():
    network = nn.Linear(4, 2)
    with torch.no_grad():
        network.weight.zero_()
        network.bias.copy_(torch.tensor([1.0, 3.0]))
    assert mean_max_q(network, np.zeros((5, 4))) == 3.0
    with pytest.raises(ValueError, match="non-empty batch of finite observations"):
        mean_max_q(network, np.zeros(4))


def test_terminal_share_counts_stored_terminations_only():
    buffer = dqn_lib.ReplayBuffer(10, 4)
    assert terminal_share(buffer) == 0.0
    for terminated, truncated in ((False, False), (True, False), (False, True), (False, False)):
        buffer.add(np.zeros(4), 0, 1.0, np.zeros(4), terminated, truncated)
    assert terminal_share(buffer) == 0.25
    with pytest.raises(TypeError, match="expects a ReplayBuffer"):
        terminal_share([True, False])


def test_the_diagnostics_recorder_changes_nothing_in_the_run_and_logs_every_n_steps():
    config = dqn_lib.DQNConfig(learning_starts=100, buffer_size=1_000)
    plain, watched = dqn_lib.DQNAgent(config, seed=1), dqn_lib.DQNAgent(config, seed=1)
    probe = np.zeros((3, 4), dtype=np.float32)
    recorder = DiagnosticsRecorder(probe, every=100)
    reward = dqn_lib.pole_angle_reward
    dqn_lib.train(plain, steps=400, reward_fn=reward, seed=2, progress=False)
    history = dqn_lib.train(
        watched,
        steps=400,
        reward_fn=reward,
        seed=2,
        progress=False,
        callbacks=[dqn_lib.Evaluation(200, episodes=1), recorder.callback],
    )
    for a, b in zip(plain.q_network.parameters(), watched.q_network.parameters(), strict=True):
        assert torch.equal(a, b)
    log = recorder.diagnostics
    assert log.steps == [100, 200, 300, 400] and history.eval_steps == [200, 400]
    assert np.isnan(log.td_loss[0]) or log.td_loss[0] > 0  # learning starts at step 100
    since_last = [
        [
            loss
            for loss, step in zip(history.losses, history.loss_steps, strict=True)
            if end - 100 < step <= end
        ]
        for end in log.steps
    ]
    for logged, losses in zip(log.td_loss, since_last, strict=True):
        assert (np.isnan(logged) and not losses) or logged == float(np.mean(losses))
    assert log.terminal_share[-1] == terminal_share(watched.replay_buffer)
    assert log.mean_max_q[-1] == mean_max_q(watched.q_network, probe)
    fig = plot_diagnostics({"run": (history, log)})
    assert len(fig.axes) == 4
    plt.close(fig)


def test_diagnostics_recorder_and_plot_bad_input():
    recorder = DiagnosticsRecorder(np.zeros((2, 4)))
    with pytest.raises(TypeError, match="DiagnosticsRecorder measures a DQNAgent"):
        recorder.record(object(), dqn_lib.History())
    with pytest.raises(ValueError, match="every must be a positive int"):
        DiagnosticsRecorder(np.zeros((2, 4)), every=0)
    with pytest.raises(ValueError, match="at least one run"):
        plot_diagnostics({})
    with pytest.raises(ValueError, match="no greedy evaluations"):
        plot_diagnostics(
            {
                "run": (
                    dqn_lib.History(),
                    DiagnosticsRecorder(np.zeros((2, 4))).diagnostics,
                )
            }
        )
    with pytest.raises(ValueError, match="got 1 colours for 2 runs"):
        empty = (
            dqn_lib.History(),
            DiagnosticsRecorder(np.zeros((2, 4))).diagnostics,
        )
        plot_diagnostics({"a": empty, "b": empty}, colors=["C0"])


# --- train_diagnosed --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_preset():
    return get_preset("double").replace(
        "small", "double, learning after 100 steps", learning_starts=100, buffer_size=1_000
    )


def test_train_diagnosed_is_the_presets_run_with_diagnostics(small_preset):
    probe = np.zeros((3, 4), dtype=np.float32)
    runs = train_diagnosed(
        [small_preset], 1, 400, probe, every=100, eval_every=200, eval_episodes=1, workers=1
    )
    assert list(runs) == ["small"]
    run = runs["small"]
    plain = train_preset(small_preset, 1, 400, eval_every=200, eval_episodes=1)
    for a, b in zip(
        plain.agent.q_network.parameters(), run.agent.q_network.parameters(), strict=True
    ):
        assert torch.equal(a, b)
    assert run.history.eval_returns == plain.history.eval_returns
    assert run.diagnostics.steps == [100, 200, 300, 400] and run.seed == 1
    assert run.agent.replay_buffer.size == 400  # the buffer comes back with the agent


@pytest.mark.slow
def test_train_diagnosed_in_processes_gives_the_same_runs(small_preset):
    probe = np.zeros((3, 4), dtype=np.float32)
    kwargs = {"every": 100, "eval_every": 200, "eval_episodes": 1}
    presets = [small_preset, "reset_starts"]
    alone = train_diagnosed(presets, 2, 200, probe, workers=1, **kwargs)
    side_by_side = train_diagnosed(presets, 2, 200, probe, workers=2, **kwargs)
    assert list(side_by_side) == ["small", "reset_starts"]
    for name, run in alone.items():
        np.testing.assert_equal(vars(run.diagnostics), vars(side_by_side[name].diagnostics))
        assert run.history.eval_returns == side_by_side[name].history.eval_returns


@pytest.mark.parametrize(
    ("presets", "kwargs", "match"),
    [
        (["double", "double"], {}, "presets with different names"),
        ([], {}, "one or more presets"),
        (["double"], {"workers": 0}, "workers must be a positive int"),
        (["no_such_preset"], {}, "Unknown preset"),
        (["double"], {"probe_observations": np.zeros(4)}, "non-empty batch of finite"),
    ],
)
def test_train_diagnosed_bad_input(presets, kwargs, match):
    arguments = {"probe_observations": np.zeros((2, 4)), **kwargs}
    with pytest.raises(ValueError, match=match):
        train_diagnosed(presets, 0, 100, **arguments)
