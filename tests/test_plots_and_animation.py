"""Learning curves and GIFs."""

from __future__ import annotations

import io
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from dqn_lib import (  # noqa: E402
    OnlineAgent,
    animate_episode,
    episode_gif,
    moving_average,
    plot_learning_curve,
    plot_runs,
    record_episode,
    train,
)


def lean_policy(observation):
    return int(observation[2] + observation[3] > 0)


def test_moving_average_uses_fewer_values_at_the_start():
    np.testing.assert_allclose(moving_average([2, 4, 6, 8], 3), [2, 3, 4, 6])


def test_plot_learning_curve_draws_returns_and_average():
    history = train(OnlineAgent(seed=0), episodes=6, progress=False)
    ax = plot_learning_curve(history, window=3)
    assert len(ax.lines) >= 2
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), history.returns)
    plt.close("all")


def test_plot_runs_mean_and_band_over_seeds():
    histories = [train(OnlineAgent(seed=s), episodes=6, seed=s, progress=False) for s in range(3)]
    ax = plot_runs(histories, label="online", window=3)
    assert "online: mean of 3 seeds" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")


def test_plot_runs_needs_histories():
    with pytest.raises(ValueError, match="at least one History"):
        plot_runs([])


def test_record_episode_keeps_one_frame_per_state():
    episode = record_episode(OnlineAgent(seed=0), seed=0)
    assert len(episode.frames) == len(episode.observations) == episode.length + 1
    assert episode.terminated != episode.truncated


def test_episode_gif_is_an_animated_gif_of_every_second_frame():
    episode = record_episode(lean_policy, seed=0, max_steps=40)
    image = Image.open(io.BytesIO(episode_gif(episode, every=2)))
    assert image.format == "GIF" and image.n_frames == 21


def test_animate_episode_saves_atomically(tmp_path):
    target = tmp_path / "episode.gif"
    shown = animate_episode(lean_policy, seed=0, path=target, max_steps=20)
    assert target.read_bytes() == shown.data
    assert os.listdir(tmp_path) == ["episode.gif"]  # no temporary file left


def test_animate_episode_gif_of_a_full_episode_is_small():
    data = episode_gif(record_episode(lean_policy, seed=1))
    assert len(data) < 500_000


def test_episode_gif_refuses_bad_arguments():
    episode = record_episode(lean_policy, seed=0, max_steps=3)
    with pytest.raises(ValueError, match="every must be a positive int"):
        episode_gif(episode, every=0)
