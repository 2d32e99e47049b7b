"""QNet: the original 4-32-32-2 network by default, any widths on request."""

from __future__ import annotations

import pytest
import torch

from dqn_lib import QNet


def test_qnet_shapes_single_and_batch():
    q_network = QNet(4, 2)
    assert q_network(torch.zeros(4)).shape == (2,)
    assert q_network(torch.zeros(8, 4)).shape == (8, 2)


def test_qnet_default_is_the_original_4_32_32_2():
    q_network = QNet(4, 2)
    widths = [layer.out_features for layer in q_network.net if isinstance(layer, torch.nn.Linear)]
    assert widths == [32, 32, 2]
    assert sum(p.numel() for p in q_network.parameters()) == 4 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2


def test_qnet_hidden_widths():
    q_network = QNet(4, 3, hidden=(64, 16, 8))
    widths = [layer.out_features for layer in q_network.net if isinstance(layer, torch.nn.Linear)]
    assert widths == [64, 16, 8, 3]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 2), "n_observations must be a positive int, got 0"),
        ((4, 2.0), "n_actions must be a positive int, got 2.0"),
        ((4, 2, ()), "hidden must be a non-empty sequence of positive ints"),
        ((4, 2, (32, -1)), "hidden must be a non-empty sequence of positive ints"),
    ],
)
def test_qnet_refuses_bad_sizes(args, message):
    with pytest.raises(ValueError, match=message):
        QNet(*args)


def test_readme_quotes_the_true_parameter_count():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    count = sum(p.numel() for p in QNet(4, 2).parameters())
    assert f"{count:,} parameters" in readme
