"""The exercise checks: a right answer passes, and each usual wrong answer is named in words."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from torch import nn

import dqn_lib
from dqn_lib.checks import (
    ExerciseError,
    check_cartpole_policy,
    check_q_network,
    check_replay_sample,
    check_reward_function,
    check_soft_target_weights,
    check_training_step,
)
from dqn_lib.checks.harness import NOT_IMPLEMENTED


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


def test_exercise_error_is_an_assertion_error_so_nbgrader_counts_a_failed_test():
    assert issubclass(ExerciseError, AssertionError)


@pytest.mark.parametrize(
    "check",
    [
        check_cartpole_policy,
        check_reward_function,
        check_training_step,
        check_replay_sample,
        check_soft_target_weights,
    ],
)
def test_a_stub_says_not_implemented_without_a_traceback_chain(check):
    with pytest.raises(ExerciseError, match="not implemented yet") as error:
        check(not_implemented)
    assert NOT_IMPLEMENTED in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_a_q_network_stub_says_not_implemented():
    class StubQNet(nn.Module):
        def __init__(self, n_observations, n_actions):
            raise NotImplementedError()

    with pytest.raises(ExerciseError, match="not implemented yet"):
        check_q_network(StubQNet)


def seed_globals(seed):
    np.random.seed(seed)  # noqa: NPY002 (the global state is what this test is about)
    random.seed(seed)
    torch.manual_seed(seed)


def global_draws():
    return np.random.rand(), random.random(), torch.rand(1).item()  # noqa: NPY002


def test_checks_leave_the_global_random_state_alone():
    seed_globals(5)
    expected = global_draws()
    seed_globals(5)
    check_q_network(dqn_lib.QNet)
    check_replay_sample(sample)
    assert global_draws() == expected


# --- check_cartpole_policy (lesson 1) ---------------------------------------------------------


def lean_policy(observation):
    return 1 if observation[2] + observation[3] > 0 else 0


def test_cartpole_policy_accepts_working_policies(capsys):
    check_cartpole_policy(lean_policy)
    assert capsys.readouterr().out.startswith("check_cartpole_policy: all ")

    def weighted(observation):  # another correct answer: a weighted sum, a numpy integer
        return np.int64(np.dot([0.0, 0.1, 1.0, 0.5], observation) > 0)

    check_cartpole_policy(weighted)


@pytest.mark.parametrize(
    "policy, message",
    [
        (lambda o: float(lean_policy(o)), "a float"),
        (lambda o: torch.tensor(lean_policy(o)), "a tensor"),
        (lambda o: o[2] + o[3] > 0, "a bool"),
        (lambda o: 1, "always returns action 1"),
        (lambda o: 1 - lean_policy(o), "worse than a random policy"),
        (lambda o: 1 if o[2] > 0 else 0, "only .* more than a random policy"),
        (lambda o: 2 * lean_policy(o), "CartPole's actions are 0 .* and 1"),
    ],
)
def test_cartpole_policy_names_the_mistake(policy, message):
    with pytest.raises(ExerciseError, match=message):
        check_cartpole_policy(policy)


# --- check_q_network (lesson 3) ---------------------------------------------------------------


class SequentialQNet(nn.Module):
    """Another correct answer: layers as attributes, functional ReLU."""

    def __init__(self, n_observations, n_actions):
        super().__init__()
        self.first = nn.Linear(n_observations, 32)
        self.second = nn.Linear(32, 32)
        self.out = nn.Linear(32, n_actions)

    def forward(self, x):
        return self.out(torch.relu(self.second(torch.relu(self.first(x)))))


def make_q_net(*layers_after_first):
    """A QNet-like class with these layers after the first. The layers are given as names of
    torch.nn classes with their arguments and built in __init__, so that the check's seeded
    construction decides their weights (not the order in which pytest collected the tests)."""

    class Net(nn.Module):
        def __init__(self, n_observations, n_actions):
            super().__init__()
            layers = [getattr(nn, kind)(*args) for kind, *args in layers_after_first]
            self.net = nn.Sequential(nn.Linear(n_observations, 32), *layers)

        def forward(self, x):
            return self.net(x)

    return Net


def test_q_network_accepts_the_class_an_instance_and_another_spelling(capsys):
    check_q_network(dqn_lib.QNet)
    check_q_network(dqn_lib.new_q_network(4, 2, seed=3))
    check_q_network(SequentialQNet)
    out = capsys.readouterr().out
    # A class is also built with other sizes; a built network cannot be.
    assert out.count("check_q_network: all 8 cases pass.") == 2
    assert out.count("check_q_network: all 7 cases pass.") == 1


class HardCodedSizes(SequentialQNet):
    """The task says: take the sizes from the arguments. This one ignores them."""

    def __init__(self, n_observations, n_actions):
        super().__init__(4, 2)


class HardCodedOutputOnly(SequentialQNet):
    """Reads n_observations but always outputs 2 Q-values."""

    def __init__(self, n_observations, n_actions):
        super().__init__(n_observations, 2)


class WiderHidden(SequentialQNet):
    """Hidden width grows with the input: right shapes, wrong layer sizes for QNet(6, 3)."""

    def __init__(self, n_observations, n_actions):
        super().__init__(n_observations, n_actions)
        width = 8 * n_observations
        self.first = nn.Linear(n_observations, width)
        self.second = nn.Linear(width, 32)


@pytest.mark.parametrize(
    "network, message",
    [
        (HardCodedSizes, "QNetwork(6, 3) for an input of shape (7, 6): your forward raised"),
        (HardCodedOutputOnly, "returned shape (7, 2); expected (7, 3)"),
        (WiderHidden, "expected 6->32, 32->32, 32->3"),
    ],
)
def test_q_network_must_take_its_sizes_from_its_arguments(network, message):
    network.__name__ = "QNetwork"
    with pytest.raises(ExerciseError) as raised:
        check_q_network(network)
    text = str(raised.value)
    assert "sizes from the arguments" in text, text
    assert message in text, text


@pytest.mark.parametrize(
    "network, message",
    [
        (
            make_q_net(("Linear", 32, 32), ("Linear", 32, 2)),
            "linear in its input.*largest gap.*no ReLU",
        ),
        (
            make_q_net(
                ("ReLU",), ("Linear", 32, 32), ("ReLU",), ("Linear", 32, 2), ("Softmax", -1)
            ),
            r"sums to 1 \(the first row is \[0\.\d+, 0\.\d+\]\): a softmax",
        ),
        (
            make_q_net(("ReLU",), ("Linear", 32, 32), ("ReLU",), ("Linear", 32, 2), ("Tanh",)),
            r"within \[-1, 1\] even for huge inputs \(.*from -?[0-9.e-]+ to",
        ),
        (
            make_q_net(("ReLU",), ("Linear", 32, 32), ("ReLU",), ("Linear", 32, 2), ("ReLU",)),
            r"never negative and often exactly 0 \(for 200.*\): a ReLU after the last layer",
        ),
        (
            make_q_net(("ReLU",), ("Linear", 32, 32), ("ReLU",), ("Linear", 32, 2), ("Softplus",)),
            r"never negative \(for 500 large inputs.*\): an activation after the last layer",
        ),
        (make_q_net(("ReLU",), ("Linear", 32, 2)), "has 226 weights and biases.*4->32, 32->2"),
        (
            make_q_net(("ReLU",), ("Linear", 32, 32), ("ReLU",), ("Linear", 32, 1)),
            r"shape \(5, 1\)",
        ),
        (
            make_q_net(("ReLU",), ("Linear", 32, 32), ("ReLU",), ("Linear", 32, 2), ("Flatten", 0)),
            r"returned shape \(10,\); expected \(5, 2\)",
        ),
    ],
)
def test_q_network_names_the_mistake(network, message):
    with pytest.raises(ExerciseError, match=message):
        check_q_network(network)


def test_q_network_accepts_a_correct_network_whose_outputs_happen_to_be_positive():
    """With seed 465 every output on the check's large inputs is positive; the network still
    ends with nn.Linear, so it is right."""
    network = dqn_lib.new_q_network(4, 2, seed=465)
    with torch.no_grad():
        assert (
            network(torch.randn(500, 4, generator=torch.Generator().manual_seed(0)) * 100) > 0
        ).all()
    check_q_network(network)


def test_q_network_names_a_final_relu_even_when_every_output_is_cut_to_zero():
    """A final ReLU whose inputs are all negative outputs 0 everywhere: constant, so it also
    looks linear and bounded; the check must still name the ReLU."""
    dead = dqn_lib.new_q_network(4, 2, seed=0)
    with torch.no_grad():
        dead.net[-1].bias.fill_(-1e6)
    network = nn.Sequential(dead, nn.ReLU())
    with pytest.raises(
        ExerciseError,
        match=r"never negative and often exactly 0 \(.*400 Q-values are 0.*\): a ReLU after",
    ):
        check_q_network(network)


# --- check_reward_function (lesson 5) ---------------------------------------------------------


def pole_angle_reward_alt(next_observation, env_reward, terminated):
    """Another correct answer: numpy, one expression."""
    return -5.0 if terminated else float(-np.abs(next_observation[2]))


def test_reward_function_accepts_the_references_and_another_spelling(capsys):
    check_reward_function(dqn_lib.pole_angle_reward)
    check_reward_function(pole_angle_reward_alt, name="pole_angle")
    check_reward_function(dqn_lib.angle_and_position_reward, name="angle_and_position")
    check_reward_function(dqn_lib.environment_reward, name="environment")
    assert capsys.readouterr().out.count("check_reward_function: all 20 cases pass.") == 4


@pytest.mark.parametrize(
    "reward_fn, message",
    [
        (lambda o, r, t: 5.0 if t else abs(float(o[2])), "the reward has the wrong sign"),
        (lambda o, r, t: -5.0 if not t else -abs(float(o[2])), "returns -5.0 when terminated is F"),
        (lambda o, r, t: -5.0, "returns -5.0 when terminated is False"),
        (lambda o, r, t: -abs(float(o[2])), "must return the fall penalty, -5.0"),
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[0])),
            r"reads observation\[0\] \(cart position\) where it should read observation\[2\]",
        ),
        (lambda o, r, t: -5.0 if t else -float(o[2]), "take abs"),
        (lambda o, r, t: torch.tensor(-5.0 if t else -abs(float(o[2]))), "type torch.Tensor"),
        # The task says a Python float: the right value as a NumPy number or an int is refused.
        (
            lambda o, r, t: -5.0 if t else -np.abs(np.float32(o[2])),
            "type numpy.float32; expected a Python f",
        ),
        (
            lambda o, r, t: -5.0 if t else -np.abs(np.float64(o[2])),
            r"type numpy.float64; expected a Python float.*float\(\.\.\.\)",
        ),
        (lambda o, r, t: -5 if t else -abs(float(o[2])), "type int; expected a Python float"),
    ],
)
def test_reward_function_names_the_mistake(reward_fn, message):
    with pytest.raises(ExerciseError, match=message):
        check_reward_function(reward_fn)


def angle_and_position_reward_alt(next_observation, env_reward, terminated):
    """Another correct answer: numpy, the penalty weights as a vector."""
    if terminated:
        return dqn_lib.FALL_PENALTY
    return float(-np.abs(next_observation) @ np.array([0.1, 0.0, 1.0, 0.0]))


def test_position_reward_accepts_another_spelling(capsys):
    check_reward_function(angle_and_position_reward_alt, name="angle_and_position")
    assert capsys.readouterr().out == "check_reward_function: all 20 cases pass.\n"


@pytest.mark.parametrize(
    "reward_fn, message",
    [
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[2])) - 0.1 * abs(float(o[1])),
            r"observation\[1\] \(cart velocity\)",
        ),
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[2])),
            "it ignores the cart: that is the lesson.s pole_angle_reward",
        ),
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[2])) + 0.1 * abs(float(o[0])),
            "the cart's term has the wrong sign",
        ),
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[2])) - 0.1 * float(o[0]),
            r"take abs\(\) of the cart position",
        ),
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[2])) - abs(float(o[0])),
            r"the cart's term is 1 \* \|cart position\|; the factor is 0.1",
        ),
        (
            lambda o, r, t: -5.0 if t else -abs(float(o[2])) - 0.1 * float(o[0]) ** 2,
            "see the docstring of dqn_lib.angle_and_position_reward",
        ),
    ],
)
def test_position_reward_names_the_mistake(reward_fn, message):
    with pytest.raises(ExerciseError, match=message):
        check_reward_function(reward_fn, name="angle_and_position")


def test_reward_function_refuses_nan_and_infinite_rewards():
    with pytest.raises(ExerciseError, match="returned nan; expected .*, a finite number"):
        check_reward_function(lambda o, r, t: float("nan"))
    with pytest.raises(ExerciseError, match="returned -inf; expected"):
        check_reward_function(lambda o, r, t: float("-inf"), name="angle_and_position")


def test_an_index_swap_is_named_only_when_it_explains_every_wrong_step():
    """On the step with the cart at exactly 1.0 m, a squared angle also looks like reading the
    angle where the position belongs; over all steps it does not."""

    def squared_angle(o, r, t):
        return -5.0 if t else -(float(o[2]) ** 2) - 0.1 * abs(float(o[0]))

    with pytest.raises(ExerciseError) as raised:
        check_reward_function(squared_angle, name="angle_and_position")
    assert "where it should read" not in str(raised.value)
    assert "see the docstring of dqn_lib.angle_and_position_reward" in str(raised.value)


def test_a_check_error_raised_from_another_names_its_cause_on_the_same_line():
    try:
        try:
            raise KeyError("your dict")
        except KeyError as error:
            raise ExerciseError("check_x: wrong") from error
    except ExerciseError as error:
        (line,) = error._render_traceback_()
    assert line.endswith("check_x: wrong (caused by KeyError: 'your dict')")


def test_a_check_shows_its_message_not_a_traceback_in_a_notebook():
    """IPython renders an ExerciseError with _render_traceback_: one line, the message."""
    with pytest.raises(ExerciseError) as raised:
        check_reward_function(
            lambda o, r, t: -5.0 if t else -abs(float(o[2])), "angle_and_position"
        )
    (line,) = raised.value._render_traceback_()
    assert "ExerciseError" in line and "it ignores the cart" in line and "Traceback" not in line


# --- check_training_step (lesson 6) -----------------------------------------------------------


def train_step(
    q_network, optimizer, observation, action, reward, next_observation, terminated, gamma
):
    """The exercise's solution, written as the lesson would."""
    q = q_network(torch.as_tensor(observation, dtype=torch.float32))[action]
    with torch.no_grad():
        next_q = q_network(torch.as_tensor(next_observation, dtype=torch.float32))
        target = reward + gamma * (1.0 - float(terminated)) * next_q.max()
    loss = nn.functional.smooth_l1_loss(q, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def batched_train_step(q_network, optimizer, observation, action, reward, next_observation,
                       terminated, gamma):  # fmt: skip
    """Another correct answer: a batch of one, td_target from the library, zero_grad last."""
    observations = torch.as_tensor(np.stack([observation]), dtype=torch.float32)
    q = q_network(observations).gather(1, torch.tensor([[action]])).squeeze(1)
    next_q = q_network(torch.as_tensor(np.stack([next_observation]))).detach()
    target = dqn_lib.td_target(
        torch.tensor([reward]), next_q, torch.tensor([float(terminated)]), gamma
    )
    loss = nn.SmoothL1Loss()(q, target)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.detach().item()


def test_training_step_accepts_two_correct_answers(capsys):
    check_training_step(train_step)
    check_training_step(batched_train_step)
    assert capsys.readouterr().out == "check_training_step: all 7 cases pass.\n" * 2


def wrong_train_step(**mistake):
    """train_step with one usual mistake."""

    def step(q_network, optimizer, observation, action, reward, next_observation, terminated, g):
        q_all = q_network(torch.as_tensor(observation))
        q = q_all[1 - action] if mistake.get("other_action") else q_all[action]
        next_q = q_network(torch.as_tensor(next_observation)).max()
        if not mistake.get("grad_through_target"):
            next_q = next_q.detach()
        alive = 1.0 if mistake.get("bootstrap_always") else 1.0 - float(terminated)
        target = reward + g * alive * next_q
        loss = (q - target) ** 2 if mistake.get("mse") else nn.functional.smooth_l1_loss(q, target)
        if not mistake.get("no_zero_grad"):
            optimizer.zero_grad()
        loss.backward()
        if not mistake.get("no_step"):
            optimizer.step()
        return loss if mistake.get("tensor") else loss.item()

    return step


@pytest.mark.parametrize(
    "mistake, message",
    [
        ("grad_through_target", "the loss is right .* weights differ .*torch.no_grad"),
        ("no_zero_grad", "call 1 .*optimizer.zero_grad"),
        ("other_action", "call 0 .*expected loss .*Q-value of the other action"),
        ("mse", "squared error; .*Huber"),
        ("bootstrap_always", "call 2 .*terminated=True.*bootstraps through a terminated"),
        ("no_step", "did not change the network's weights"),
        ("tensor", "returned a tensor .*loss.item"),
    ],
)
def test_training_step_names_the_mistake(mistake, message):
    with pytest.raises(ExerciseError, match=message):
        check_training_step(wrong_train_step(**{mistake: True}))


# --- check_replay_sample (lesson 7) -----------------------------------------------------------


def sample(observations, actions, rewards, next_observations, terminated, size, batch_size, rng):
    indices = rng.integers(0, size, size=batch_size)
    return (
        observations[indices],
        actions[indices],
        rewards[indices],
        next_observations[indices],
        terminated[indices],
    )


def choice_sample(observations, actions, rewards, next_observations, terminated, size, batch, rng):
    """Another correct answer: rng.choice, one index array for all five fields."""
    indices = rng.choice(size, size=batch, replace=True)
    fields = (observations, actions, rewards, next_observations, terminated)
    return tuple(field[indices] for field in fields)


def tensor_sample(observations, actions, rewards, next_observations, terminated, size, batch, rng):
    """The right rows as tensors, like ReplayBuffer.sample's Batch: the task asks for arrays."""
    fields = choice_sample(
        observations, actions, rewards, next_observations, terminated, size, batch, rng
    )
    return tuple(torch.from_numpy(field) for field in fields)


def test_replay_sample_accepts_two_correct_answers(capsys):
    check_replay_sample(sample)
    check_replay_sample(choice_sample)
    assert capsys.readouterr().out == "check_replay_sample: all 6 cases pass.\n" * 2


def wrong_sample(indices_fn, misalign=False):
    def sample_fn(observations, actions, rewards, next_observations, terminated, size, n, rng):
        indices = indices_fn(size, n, rng, len(observations))
        reward_indices = indices_fn(size, n, rng, len(observations)) if misalign else indices
        return (
            observations[indices],
            actions[indices],
            rewards[reward_indices],
            next_observations[indices],
            terminated[indices],
        )

    return sample_fn


@pytest.mark.parametrize(
    "sample_fn, message",
    [
        (
            wrong_sample(lambda size, n, rng, capacity: rng.integers(0, capacity, size=n)),
            "only the first 1 rows hold transitions .*not below the capacity 64",
        ),
        (
            wrong_sample(lambda size, n, rng, cap: rng.integers(0, size, size=n), misalign=True),
            "row 0: the observation is transition .* but rewards is transition .*one set of ind",
        ),
        (
            wrong_sample(lambda size, n, rng, cap: rng.integers(0, max(size - 1, 1), size=n)),
            r"transition\(s\) \[39\] never came",
        ),
        (
            wrong_sample(lambda size, n, rng, cap: np.random.randint(0, size, size=n)),  # noqa: NPY002
            "a random source other than the rng",
        ),
        (
            wrong_sample(lambda size, n, rng, cap: np.arange(n) % size),
            r"transition\(s\) \[32, .*never came",
        ),
        (
            lambda o, a, r, n, t, size, batch, rng: sample(o, a, r, n, t, size, batch, rng)[:4],
            "expected a tuple of 5 NumPy arrays",
        ),
        (
            lambda o, a, r, n, t, size, batch, rng: list(sample(o, a, r, n, t, size, batch, rng)),
            "returned a list of 5; expected a tuple of 5 NumPy arrays",
        ),
        (tensor_sample, "returned observations as torch.Tensor; expected a NumPy array"),
        (
            lambda o, a, r, n, t, size, batch, rng: tuple(
                field.astype(np.float32) for field in sample(o, a, r, n, t, size, batch, rng)
            ),
            "returned actions of dtype float32; the buffer stores them as int64",
        ),
        (
            lambda o, a, r, n, t, size, batch, rng: sample(o, a, r, n, t, size, batch, rng)[::-1],
            "observations of dtype bool; the buffer stores them as float32",
        ),
    ],
)
def test_replay_sample_names_the_mistake(sample_fn, message):
    with pytest.raises(ExerciseError, match=message):
        check_replay_sample(sample_fn)


# --- check_soft_target_weights (lesson 8) ----------------------------------------------------


def soft_target_weights(tau, n_updates):
    k = np.arange(1, n_updates + 1)
    return np.concatenate([[(1 - tau) ** n_updates], tau * (1 - tau) ** (n_updates - k)])


def looped_soft_target_weights(tau, n_updates):
    """Another correct answer: apply the update to a list of weights, n times."""
    weights = [1.0]
    for _ in range(n_updates):
        weights = [(1 - tau) * w for w in weights] + [tau]
    return np.array(weights)


def test_soft_target_weights_accepts_two_correct_answers(capsys):
    check_soft_target_weights(soft_target_weights)
    check_soft_target_weights(looped_soft_target_weights)
    out = capsys.readouterr().out
    assert out.count("check_soft_target_weights: all 8 cases pass.\n") == 2
    # The average age printed from the learner's weights: (1 - tau) / tau, less the tail that
    # the starting weights still hold after 2,000 updates.
    assert out.count("on average 99.0 updates behind the Q-network") == 2


def reversed_weights(tau, n):
    return np.concatenate([[(1 - tau) ** n], tau * (1 - tau) ** np.arange(n)])


def swapped_weights(tau, n):
    k = np.arange(1, n + 1)
    return np.concatenate([[tau**n], (1 - tau) * tau ** (n - k)])


@pytest.mark.parametrize(
    "weights_fn, message",
    [
        (reversed_weights, r"tau=0\.5, n_updates=3: element 1 .*the order is reversed"),
        (swapped_weights, r"tau=0\.1, n_updates=10: .*tau and 1 - tau are swapped"),
        (
            lambda tau, n: soft_target_weights(tau, n) * (1 - tau),
            "the exponents are one too high",
        ),
        (
            lambda tau, n: np.concatenate([[0.0], soft_target_weights(tau, n)[1:]]),
            "element 0 is the target's starting weights, still held",
        ),
        (
            lambda tau, n: soft_target_weights(tau, n)[1:],
            r"shape \(3,\); expected \(4,\).*n_updates \+ 1",
        ),
        (
            lambda tau, n: soft_target_weights(tau, n).tolist(),
            "returned list; expected a NumPy array",
        ),
        (lambda tau, n: torch.from_numpy(soft_target_weights(tau, n)), "returned torch.Tensor"),
        (lambda tau, n: np.ones(n + 1, dtype=np.int64), "dtype int64; expected floats"),
        (lambda tau, n: np.full(n + 1, 1 / (n + 1)), r"element 3 should be 0\.5, got 0\.25"),
    ],
)
def test_soft_target_weights_names_the_mistake(weights_fn, message):
    with pytest.raises(ExerciseError, match=message):
        check_soft_target_weights(weights_fn)


def without_replacement(o, a, r, n, t, size, batch_size, rng):
    """A careful student's rng.choice without replacement, guarded for batches above size."""
    indices = rng.choice(size, size=batch_size, replace=batch_size > size)
    return o[indices], a[indices], r[indices], n[indices], t[indices]


def test_replay_sample_must_draw_with_replacement():
    with pytest.raises(ExerciseError, match="no transition ever came twice in one sample: your s"):
        check_replay_sample(without_replacement)


def test_replay_sample_names_an_exclusive_upper_bound_taken_one_too_low():
    def one_too_low(o, a, r, n, t, size, batch_size, rng):
        indices = rng.integers(0, size - 1, size=batch_size)  # size 1: high 0, a ValueError
        return o[indices], a[indices], r[indices], n[indices], t[indices]

    with pytest.raises(ExerciseError) as raised:
        check_replay_sample(one_too_low)
    message = str(raised.value)
    assert "your one_too_low raised ValueError" in message, message
    assert "test_checks.py" in message and "_bounded_integers" not in message, message
    assert "rng.integers(low, high) draws below high" in message, message


def test_soft_target_weights_names_exponents_one_too_low_and_mentions_the_sum_only_when_off():
    def one_too_low(tau, n):
        k = np.arange(1, n + 1)
        return np.concatenate([[(1 - tau) ** (n - 1)], tau * (1 - tau) ** (n - k - 1.0)])

    with pytest.raises(ExerciseError, match="sum to 2, not 1.*exponents are one too low"):
        check_soft_target_weights(one_too_low)
    with pytest.raises(ExerciseError) as raised:
        check_soft_target_weights(reversed_weights)
    assert "sum" not in str(raised.value), "the reversed weights sum to 1: no remark expected"


def test_q_network_refuses_nan_q_values():
    """An all-NaN network has the right shapes and sizes; its Q-values are still not numbers."""
    network = dqn_lib.new_q_network(4, 2, seed=0)
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.fill_(float("nan"))
    with pytest.raises(ExerciseError, match=r"returned NaN or infinite Q-values .*expected finite"):
        check_q_network(network)
