"""Lesson 10's exercise checks: right answers pass, each usual wrong answer is named in words."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dqn_lib.checks import ExerciseError, check_q_value_grid, check_terminal_share
from dqn_lib.checks.harness import NOT_IMPLEMENTED
from dqn_lib.inspection import q_value_grid, terminal_share


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check", [check_q_value_grid, check_terminal_share])
def test_a_stub_says_not_implemented_without_a_traceback_chain(check):
    with pytest.raises(ExerciseError, match="not implemented yet") as error:
        check(not_implemented)
    assert NOT_IMPLEMENTED in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


# --- check_q_value_grid -----------------------------------------------------------------------


def grid_with_loops(q_network, angles, angular_velocities, cart_position, cart_velocity):
    """A differently written right answer: one observation at a time, a tensor returned."""
    rows = []
    for angular_velocity in angular_velocities:
        row = []
        for angle in angles:
            observation = torch.tensor(
                [cart_position, cart_velocity, angle, angular_velocity], dtype=torch.float32
            )
            with torch.no_grad():
                row.append(q_network(observation))
        rows.append(torch.stack(row))
    return torch.stack(rows)  # (n_velocities, n_angles, n_actions)


def _grid(q_network, observations_of, angles, angular_velocities):
    angle, velocity = np.meshgrid(angles, angular_velocities)
    observations = np.stack(np.broadcast_arrays(*observations_of(angle, velocity)), axis=-1)
    with torch.no_grad():
        return q_network(torch.tensor(observations, dtype=torch.float32)).numpy()


def grid_transposed(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return q_value_grid(
        q_network, angles, angular_velocities, cart_position, cart_velocity
    ).swapaxes(0, 1)


def grid_swapped_angles(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return _grid(
        q_network,
        lambda a, w: (cart_position, cart_velocity, w, a),
        angles,
        angular_velocities,
    )


def grid_angles_first(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return _grid(
        q_network,
        lambda a, w: (a, w, cart_position, cart_velocity),
        angles,
        angular_velocities,
    )


def grid_cart_ignored(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return _grid(q_network, lambda a, w: (0.0, 0.0, a, w), angles, angular_velocities)


def grid_in_degrees(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return q_value_grid(
        q_network, np.radians(angles), np.radians(angular_velocities), cart_position, cart_velocity
    )


def grid_ij_reshaped(q_network, angles, angular_velocities, cart_position, cart_velocity):
    angle, velocity = np.meshgrid(angles, angular_velocities, indexing="ij")
    observations = np.stack(
        np.broadcast_arrays(cart_position, cart_velocity, angle, velocity), axis=-1
    ).reshape(-1, 4)
    with torch.no_grad():
        q = q_network(torch.tensor(observations, dtype=torch.float32)).numpy()
    return q.reshape(len(angular_velocities), len(angles), -1)


def grid_max_only(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return q_value_grid(q_network, angles, angular_velocities, cart_position, cart_velocity).max(-1)


def grid_flat(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return q_value_grid(
        q_network, angles, angular_velocities, cart_position, cart_velocity
    ).reshape(-1, 2)


def grid_list(q_network, angles, angular_velocities, cart_position, cart_velocity):
    return q_value_grid(
        q_network, angles, angular_velocities, cart_position, cart_velocity
    ).tolist()


@pytest.mark.parametrize("answer", [q_value_grid, grid_with_loops], ids=["reference", "loops"])
def test_q_value_grid_right_answers_pass(answer, capsys):
    check_q_value_grid(answer)
    assert capsys.readouterr().out == "check_q_value_grid: all 5 cases pass.\n"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (grid_transposed, r"expected shape \(3, 5, 2\).*got \(5, 3, 2\).*the rows are the angles"),
        (grid_swapped_angles, "angle and its angular velocity are swapped"),
        (grid_angles_first, "angles went into the first two places"),
        (grid_cart_ignored, r"case 1 .*cart_position and cart_velocity are ignored"),
        (grid_in_degrees, "converted again: they are already in radians"),
        (grid_ij_reshaped, r"built in \(angle, angular velocity\) order and then reshaped"),
        (grid_max_only, "keep every action's Q-value"),
        (grid_flat, r"reshape the network's output to \(n_velocities, n_angles, n_actions\)"),
        (grid_list, "returned list; expected a NumPy array"),
    ],
)
def test_q_value_grid_wrong_answers_are_named(answer, message):
    with pytest.raises(ExerciseError, match=message) as error:
        check_q_value_grid(answer)
    assert str(error.value).startswith("check_q_value_grid: ")


def test_q_value_grid_failure_names_the_case_expected_and_got():
    with pytest.raises(ExerciseError) as error:
        check_q_value_grid(grid_swapped_angles)
    message = str(error.value)
    assert "case 0 (5 angles, 3 angular velocities" in message
    assert "expected Q" in message and ", got " in message


# --- check_terminal_share ---------------------------------------------------------------------


def share_with_flatnonzero(replay_buffer):
    """A differently written right answer."""
    stored = len(replay_buffer)
    return len(np.flatnonzero(replay_buffer.terminated[:stored])) / stored


def share_count(replay_buffer):
    return int(replay_buffer.terminated[: replay_buffer.size].sum())


def share_percent(replay_buffer):
    return 100 * replay_buffer.terminated[: replay_buffer.size].mean()


def share_of_capacity(replay_buffer):
    return replay_buffer.terminated.mean()


def share_with_truncated(replay_buffer):
    size = replay_buffer.size
    return (replay_buffer.terminated[:size] | replay_buffer.truncated[:size]).mean()


def share_from_rewards(replay_buffer):
    return (replay_buffer.rewards[: replay_buffer.size] < 0).mean()


def share_as_bool(replay_buffer):
    return bool(replay_buffer.terminated.any())


def share_that_writes(replay_buffer):
    replay_buffer.terminated[replay_buffer.size :] = False
    replay_buffer.truncated[:] = False
    return terminal_share(replay_buffer)


@pytest.mark.parametrize(
    "answer", [terminal_share, share_with_flatnonzero], ids=["reference", "flatnonzero"]
)
def test_terminal_share_right_answers_pass(answer, capsys):
    check_terminal_share(answer)
    assert capsys.readouterr().out == "check_terminal_share: all 7 cases pass.\n"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (share_count, r"expected 0.25, got 1\. Likely mistake: it returns a count"),
        (share_percent, "it returns a percentage"),
        (share_of_capacity, r"capacity 10.*expected 0.25, got 0.1.*divides by the capacity"),
        (share_with_truncated, "truncated.*counts truncated transitions"),
        (share_from_rewards, "it looks at the rewards"),
        (share_as_bool, "of type bool"),
        (share_that_writes, "changed the buffer's arrays"),
    ],
)
def test_terminal_share_wrong_answers_are_named(answer, message):
    with pytest.raises(ExerciseError, match=message) as error:
        check_terminal_share(answer)
    assert str(error.value).startswith("check_terminal_share: ")


def test_checks_leave_the_global_random_state_alone():
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    torch_state = torch.random.get_rng_state()
    check_q_value_grid(q_value_grid)
    check_terminal_share(terminal_share)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert torch.equal(torch.random.get_rng_state(), torch_state)
