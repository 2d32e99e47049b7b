"""DQNConfig: one frozen dataclass, every value checked when it is built or replaced (lesson 7)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dqn_lib.config import DQNConfig

POSITIVE_INTS = (
    "batch_size",
    "buffer_size",
    "train_every",
    "gradient_steps",
    "target_update_every",
    "learning_rate_decay_steps",
    "epsilon_decay_steps",
)


def test_defaults_are_valid_and_round_trip():
    config = DQNConfig()
    assert DQNConfig.from_dict({}) == config
    assert DQNConfig.from_dict(dataclasses.asdict(config)) == config
    assert config.replace() == config
    assert isinstance(config.hidden, tuple) and config.batch_size <= config.buffer_size


def test_boundary_values_are_accepted():
    config = DQNConfig(
        gamma=0.0,
        epsilon_start=0.0,
        epsilon_end=0.0,
        tau=1.0,
        learning_rate=1.0,
        learning_starts=0,
        batch_size=10,
        buffer_size=10,
        max_grad_norm=None,
        target_update="hard",
        loss="mse",
        double_dqn=False,
    )
    assert config.replace(gamma=1.0, epsilon_start=1.0, epsilon_end=1.0).gamma == 1.0


@pytest.mark.parametrize("name", POSITIVE_INTS)
@pytest.mark.parametrize(("value", "shown"), [(0, "0"), (-2, "-2"), (8.0, "8.0"), (True, "True")])
def test_positive_int_fields_refuse_bad_values(name, value, shown):
    with pytest.raises(
        ValueError, match=rf"^DQNConfig\.{name} must be an int >= 1, got {shown}\.$"
    ):
        DQNConfig(**{name: value})


@pytest.mark.parametrize(("value", "shown"), [(-1, "-1"), (10.5, "10.5"), (False, "False")])
def test_learning_starts_may_be_zero_but_must_be_an_int(value, shown):
    with pytest.raises(
        ValueError, match=rf"DQNConfig\.learning_starts must be an int >= 0, got {shown}"
    ):
        DQNConfig(learning_starts=value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("learning_rate", 0.0, r"learning_rate must be in \(0\.0, 1\.0\], got 0\.0\."),
        ("learning_rate", 1.5, r"learning_rate must be in \(0\.0, 1\.0\], got 1\.5\."),
        ("learning_rate", True, r"learning_rate must be in \(0\.0, 1\.0\], got True\."),
        (
            "final_learning_rate",
            -1e-3,
            r"final_learning_rate must be in \(0\.0, 1\.0\], got -0\.001\.",
        ),
        ("gamma", -0.1, r"gamma must be in \[0\.0, 1\.0\], got -0\.1\."),
        ("gamma", 1.01, r"gamma must be in \[0\.0, 1\.0\], got 1\.01\."),
        ("gamma", False, r"gamma must be in \[0\.0, 1\.0\], got False\."),
        ("epsilon_start", 1.5, r"epsilon_start must be in \[0\.0, 1\.0\], got 1\.5\."),
        ("epsilon_end", -0.01, r"epsilon_end must be in \[0\.0, 1\.0\], got -0\.01\."),
        ("tau", 0, r"tau must be in \(0\.0, 1\.0\], got 0\."),
        ("tau", 2.0, r"tau must be in \(0\.0, 1\.0\], got 2\.0\."),
        ("max_grad_norm", 0.0, r"max_grad_norm must be in \(0\.0, inf\], got 0\.0\."),
        ("max_grad_norm", -1, r"max_grad_norm must be in \(0\.0, inf\], got -1\."),
    ],
)
def test_range_errors_name_the_field_the_range_and_the_value(name, value, message):
    with pytest.raises(ValueError, match=rf"^DQNConfig\.{message}$"):
        DQNConfig(**{name: value})


def test_batch_size_larger_than_buffer_size_is_refused():
    with pytest.raises(
        ValueError,
        match=r"batch_size \(128\) is larger than buffer_size \(100\): a batch would repeat "
        r"transitions\. Lower batch_size or raise buffer_size\.",
    ):
        DQNConfig(batch_size=128, buffer_size=100)


def test_epsilon_end_above_epsilon_start_is_refused():
    with pytest.raises(
        ValueError,
        match=r"epsilon_end \(0\.5\) is above epsilon_start \(0\.2\): epsilon should fall",
    ):
        DQNConfig(epsilon_start=0.2, epsilon_end=0.5)


@pytest.mark.parametrize("value", ["Hard", "every", None, "None"])
def test_target_update_must_be_soft_hard_or_none(value):
    with pytest.raises(
        ValueError, match=rf"target_update must be 'soft', 'hard' or 'none', got {value!r}\."
    ):
        DQNConfig(target_update=value, double_dqn=False)


@pytest.mark.parametrize("value", ["l2", "Huber", None])
def test_loss_must_be_huber_or_mse(value):
    with pytest.raises(ValueError, match=rf"loss must be 'huber' or 'mse', got {value!r}\."):
        DQNConfig(loss=value)


@pytest.mark.parametrize("value", [1, "yes", None])
def test_double_dqn_must_be_a_bool(value):
    with pytest.raises(ValueError, match=rf"double_dqn must be True or False, got {value!r}\."):
        DQNConfig(double_dqn=value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [((), r"\(\)"), ((64, 0), r"\(64, 0\)"), ((32.0,), r"\(32\.0,\)"), ((True,), r"\(True,\)")],
)
def test_hidden_must_be_positive_ints(value, shown):
    with pytest.raises(
        ValueError, match=rf"hidden must be positive ints like \(64, 64\), got {shown}\."
    ):
        DQNConfig(hidden=value)


def test_hidden_list_becomes_a_tuple():
    config = DQNConfig(hidden=[32, 16])
    assert config.hidden == (32, 16) and isinstance(config.hidden, tuple)
    assert DQNConfig.from_dict({"hidden": [8]}).hidden == (8,)  # as from a JSON file
    assert config.replace(hidden=[4, 4]).hidden == (4, 4)
    hash(config)  # a tuple keeps the frozen config hashable


def test_from_dict_unknown_key_suggests_the_closest_name():
    with pytest.raises(
        ValueError,
        match=r"Unknown DQNConfig key 'gama'\. Did you mean 'gamma'\? Valid keys: hidden,",
    ):
        DQNConfig.from_dict({"gama": 0.9})
    with pytest.raises(ValueError, match=r"Unknown DQNConfig key 'lr'\. Valid keys: "):
        DQNConfig.from_dict({"lr": 1e-3})  # nothing close: no suggestion


def test_from_dict_checks_values_too():
    with pytest.raises(ValueError, match=r"DQNConfig\.gamma must be in \[0\.0, 1\.0\], got 2"):
        DQNConfig.from_dict({"gamma": 2})


def test_replace_checks_again():
    config = DQNConfig(gamma=0.9, batch_size=64)
    assert config.replace(gamma=0.5).gamma == 0.5 and config.gamma == 0.9  # a copy
    with pytest.raises(
        ValueError, match=r"DQNConfig\.batch_size \(64\) is larger than buffer_size \(32\)"
    ):
        config.replace(buffer_size=32)
    with pytest.raises(ValueError, match=r"Unknown DQNConfig key 'taus'\. Did you mean 'tau'\?"):
        config.replace(taus=0.1)


def test_config_is_frozen():
    config = DQNConfig(gamma=0.9)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.gamma = 0.5
    assert config.gamma == 0.9


@pytest.mark.parametrize(
    "name", ["gamma", "learning_rate", "tau", "epsilon_start", "max_grad_norm"]
)
def test_nan_is_refused(name):
    with pytest.raises(ValueError, match=rf"DQNConfig\.{name} must be in .*, got nan\."):
        DQNConfig(**{name: float("nan")})


@pytest.mark.parametrize(("name", "value"), [("gamma", "0.99"), ("learning_rate", None)])
def test_non_number_is_refused_with_the_field_named(name, value):
    with pytest.raises(ValueError, match=rf"DQNConfig\.{name} must be in .*, got {value!r}\."):
        DQNConfig(**{name: value})


def test_hidden_as_a_single_int_is_refused_with_the_hidden_message():
    with pytest.raises(ValueError, match=r"hidden must be positive ints like \(64, 64\), got 64"):
        DQNConfig(hidden=64)


def test_numpy_floats_are_accepted_and_stored_as_floats():
    config = DQNConfig(gamma=np.float32(0.5))
    assert config.gamma == 0.5 and type(config.gamma) is float
