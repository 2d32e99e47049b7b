"""The lessons' inline definitions agree with their library twins, at unit-test speed.

Each lesson first writes a piece inline and explains it; later lessons import the library's
version from ``dqn_lib``. A check cell in the lesson proves the two agree, but only when the whole
lesson runs (minutes). Here each inline definition is read from the lesson's ``.py`` source with
``ast`` (the top-level ``def`` or ``class`` of that name, and the module-level constants it
needs), executed in a fresh namespace that names everything it uses, and compared with the
library's twin on seeded random inputs. Each comparison makes the claim the lesson's own check
cell makes: exact where the lesson says "the same" (``torch.equal``, ``==``), close where it only
says close (``allclose``, a bound).

Exercise solutions (cells with nbgrader's ``"solution": true``) are not compared here: each has
its own check in ``dqn_lib.checks``. ``test_an_altered_definition_is_caught`` shows that a
comparison here can fail.
"""

from __future__ import annotations

import ast
import copy
import functools
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import dqn_lib
from dqn_lib.starts import PERTURBED_STARTS, linear_policy, set_start

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SEEDS = (0, 1, 7)
SOLUTION_CELL = re.compile(r'^# %%.*"solution": true', re.MULTILINE)


# --- Reading a lesson's definitions -------------------------------------------------------------


@functools.cache
def _lesson(lesson: str) -> tuple[str, ast.Module]:
    path = NOTEBOOKS / f"{lesson}.py"
    assert path.is_file(), f"notebooks/{lesson}.py is missing"
    source = path.read_text(encoding="utf-8")
    return source, ast.parse(source, filename=str(path))


def _defines(node: ast.stmt, name: str) -> bool:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(target, ast.Name) and target.id == name for target in node.targets)
    return False


def definition(lesson: str, name: str) -> str:
    """The source of the top-level ``def``, ``class`` or constant ``name`` in the lesson."""
    source, tree = _lesson(lesson)
    nodes = [node for node in tree.body if _defines(node, name)]
    assert nodes, (
        f"notebooks/{lesson}.py has no top-level definition of {name!r}: the inline version "
        f"that this test compares with its dqn_lib twin is gone or renamed"
    )
    assert len(nodes) == 1, (
        f"notebooks/{lesson}.py defines {name!r} {len(nodes)} times at top level (lines "
        f"{[node.lineno for node in nodes]}): say which one this test should compare"
    )
    node = nodes[0]
    lines = source.splitlines()
    header = next(
        (line for line in reversed(lines[: node.lineno - 1]) if line.startswith("# %%")), ""
    )
    assert not SOLUTION_CELL.match(header), (
        f"notebooks/{lesson}.py: {name!r} is now an exercise solution (nbgrader solution cell), "
        "which dqn_lib.checks checks; move it out of this test"
    )
    segment = ast.get_source_segment(source, node)
    assert segment is not None, f"notebooks/{lesson}.py: no source for {name!r}"
    return segment


def run_source(source: str, namespace: dict, where: str) -> dict:
    """Execute one definition's source in ``namespace`` (changed in place); return it."""
    exec(compile(source, where, "exec"), namespace)  # noqa: S102 (the course's own lesson code)
    return namespace


def load(lesson: str, *names: str, namespace: dict) -> dict:
    """A fresh namespace: ``namespace`` plus the lesson's definitions of ``names``, in order."""
    fresh = dict(namespace)
    for name in names:
        run_source(definition(lesson, name), fresh, f"notebooks/{lesson}.py:{name}")
    return fresh


def loop_statements(lesson: str, first: str, last: str) -> str:
    """The statements of a top-level ``for`` loop of the lesson, from the one that assigns
    ``first`` to the one that calls ``last``, dedented: an inline step the lesson writes in a loop
    rather than in a function."""
    source, tree = _lesson(lesson)
    for node in tree.body:
        if not isinstance(node, ast.For):
            continue
        body = node.body
        starts = [
            i
            for i, statement in enumerate(body)
            if isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == first for t in statement.targets)
        ]
        ends = [
            i
            for i, statement in enumerate(body)
            if isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name)
            and statement.value.func.id == last
        ]
        if starts and ends and starts[0] < ends[0]:
            return "\n".join(
                ast.get_source_segment(source, statement)
                for statement in body[starts[0] : ends[0] + 1]
            )
    raise AssertionError(
        f"notebooks/{lesson}.py has no top-level loop that assigns {first!r} and then calls "
        f"{last}(...): the inline update step this test compares with DQNAgent.learn is gone"
    )


def same_weights(a: nn.Module, b: nn.Module) -> list[str]:
    """The names of the state-dict entries that are not bit for bit equal (none: the same)."""
    a_state, b_state = a.state_dict(), b.state_dict()
    if list(a_state) != list(b_state):
        return [f"parameter names {list(a_state)} != {list(b_state)}"]
    return [name for name in a_state if not torch.equal(a_state[name], b_state[name])]


def max_difference(a: nn.Module, b: nn.Module) -> float:
    return max(
        (x - y).abs().max().item()
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )


# --- Lesson 3: the Q-network --------------------------------------------------------------------

Q_NETWORK_NAMESPACE = {"torch": torch, "nn": nn}


def test_lesson_03_q_net_is_the_librarys():
    """Lesson 3's check: the library's QNet loads the inline network's weights with strict=True
    (same names and shapes) and then gives exactly its Q-values."""
    inline = load("03_q_network", "QNet", namespace=Q_NETWORK_NAMESPACE)
    for seed in SEEDS:
        for n_observations, n_actions in ((4, 2), (6, 3)):
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                ours = inline["QNet"](n_observations, n_actions)
            library = dqn_lib.QNet(n_observations, n_actions)
            library.load_state_dict(ours.state_dict(), strict=True)
            generator = torch.Generator().manual_seed(seed)
            batch = torch.randn(8, n_observations, generator=generator)
            with torch.no_grad():
                for observations in (batch, batch[0]):  # a batch, and one unbatched row
                    q_ours, q_library = ours(observations), library(observations)
                    assert torch.equal(q_ours, q_library), (
                        f"seed {seed}, QNet({n_observations}, {n_actions}): with the same weights "
                        f"the inline QNet and dqn_lib.QNet differ by up to "
                        f"{(q_ours - q_library).abs().max():.2e}"
                    )


def test_lesson_03_new_q_network_is_the_librarys():
    """Lesson 3's check: the same seed gives the very same weights inline and from the library,
    and building them leaves torch's global generator as it was."""
    inline = load("03_q_network", "QNet", "new_q_network", namespace=Q_NETWORK_NAMESPACE)
    for seed in SEEDS:
        for n_observations, n_actions in ((4, 2), (6, 3)):
            global_state = torch.random.get_rng_state()
            ours = inline["new_q_network"](n_observations, n_actions, seed=seed)
            assert torch.equal(torch.random.get_rng_state(), global_state), (
                "the inline new_q_network changed torch's global random state"
            )
            library = dqn_lib.new_q_network(n_observations, n_actions, seed=seed)
            differ = same_weights(ours, library)
            assert not differ, (
                f"seed {seed}: dqn_lib.new_q_network({n_observations}, {n_actions}, seed) differs "
                f"from the inline new_q_network in {differ}"
            )


# --- Lesson 4: acting and the TD target ---------------------------------------------------------


def epsilon_greedy_differences(ours: Callable, theirs: Callable) -> list[str]:
    """Lesson 4's check: generators of the same seed, the same Q-values, the same choices (and the
    two generators end in the same state: they drew the same numbers)."""
    differences = []
    for seed in SEEDS:
        q_rng = np.random.default_rng(seed)
        q_values = [torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])] + [
            torch.as_tensor(q_rng.normal(size=n_actions), dtype=torch.float32)
            for n_actions in (2, 2, 3, 5)
        ]
        for epsilon in (0.0, 0.05, 0.2, 0.5, 1.0):
            rng_ours, rng_theirs = np.random.default_rng(seed), np.random.default_rng(seed)
            for draw in range(300):
                q = q_values[draw % len(q_values)]
                a, b = ours(q, epsilon, rng_ours), theirs(q, epsilon, rng_theirs)
                if a != b or type(a) is not type(b):
                    differences.append(
                        f"seed {seed}, epsilon {epsilon}, draw {draw}, Q {q.tolist()}: "
                        f"inline {a!r}, library {b!r}"
                    )
                    break
            if rng_ours.bit_generator.state != rng_theirs.bit_generator.state:
                differences.append(f"seed {seed}, epsilon {epsilon}: the generators drew apart")
    return differences


def test_lesson_04_epsilon_greedy_is_the_librarys():
    inline = load("04_agent", "epsilon_greedy", namespace={"np": np, "torch": torch})
    differences = epsilon_greedy_differences(inline["epsilon_greedy"], dqn_lib.epsilon_greedy)
    assert not differences, "inline epsilon_greedy and dqn_lib.epsilon_greedy differ:\n" + (
        "\n".join(differences)
    )


def td_target_cases() -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]]:
    """Lesson 4's worked batch, then seeded random batches: (reward, next_q, terminated, gamma)."""
    yield (
        torch.tensor([1.0, 1.0, 1.0]),
        torch.tensor([[10.0, 20.0], [18.0, 15.0], [40.0, 50.0]]),
        torch.tensor([0.0, 1.0, 0.0]),
        0.99,
    )
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        for gamma in (0.0, 0.5, 0.9, 0.99, 1.0):
            batch, n_actions = int(rng.integers(1, 40)), int(rng.integers(2, 5))
            yield (
                torch.as_tensor(rng.normal(size=batch), dtype=torch.float32),
                torch.as_tensor(
                    rng.normal(scale=30.0, size=(batch, n_actions)), dtype=torch.float32
                ),
                torch.as_tensor(rng.random(batch) < 0.3, dtype=torch.float32),
                gamma,
            )


def td_target_differences(ours: Callable, theirs: Callable) -> list[str]:
    """Lesson 4's check: ``torch.allclose`` of the two targets on each batch."""
    differences = []
    for i, (reward, next_q, terminated, gamma) in enumerate(td_target_cases()):
        a = ours(reward.clone(), next_q.clone(), terminated.clone(), gamma)
        b = theirs(reward, next_q, terminated, gamma)
        if a.shape != b.shape or not torch.allclose(a, b):
            differences.append(
                f"case {i} (gamma {gamma}): inline {a.tolist()}, library {b.tolist()}"
            )
    return differences


def test_lesson_04_td_target_is_the_librarys():
    inline = load("04_agent", "td_target", namespace={"torch": torch})
    differences = td_target_differences(inline["td_target"], dqn_lib.td_target)
    assert not differences, "inline td_target and dqn_lib.td_target differ:\n" + "\n".join(
        differences
    )


def test_an_altered_definition_is_caught():
    """The comparisons can fail: lesson 4's td_target with gamma applied twice is reported."""
    source = definition("04_agent", "td_target")
    right, wrong = "gamma * (1.0 - terminated)", "gamma * gamma * (1.0 - terminated)"
    assert right in source, f"lesson 4's td_target no longer contains {right!r}: update this test"
    altered = run_source(source.replace(right, wrong), {"torch": torch}, "altered td_target")
    differences = td_target_differences(altered["td_target"], dqn_lib.td_target)
    assert differences, "td_target with gamma applied twice passed as the library's"
    # gamma 0 and 1 (and every terminated row) cannot tell gamma from gamma squared: the others do
    assert len(differences) < len(list(td_target_cases()))


# --- Lesson 5: the reward functions -------------------------------------------------------------


def reward_cases() -> Iterator[tuple[np.ndarray, float, bool]]:
    """Observations as CartPole returns them (float32), around and beyond its limits, each step
    ongoing and terminated, with the environment's +1."""
    yield np.zeros(4, dtype=np.float32), 1.0, False
    yield np.array([2.5, -1.0, -0.21, 0.4], dtype=np.float32), 1.0, True
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        for _ in range(50):
            observation = rng.uniform([-2.6, -3, -0.25, -3], [2.6, 3, 0.25, 3]).astype(np.float32)
            yield observation, 1.0, bool(rng.random() < 0.5)


@pytest.mark.parametrize("name", ["environment_reward", "pole_angle_reward"])
def test_lesson_05_reward_function_is_the_librarys(name):
    """Lesson 5's check: ``==`` on every step, and its FALL_PENALTY is the library's."""
    inline = load("05_reward", "FALL_PENALTY", name, namespace={})
    assert inline["FALL_PENALTY"] == dqn_lib.FALL_PENALTY, (
        f"lesson 5's FALL_PENALTY {inline['FALL_PENALTY']} != {dqn_lib.FALL_PENALTY}"
    )
    library = getattr(dqn_lib.rewards, name)
    for observation, env_reward, terminated in reward_cases():
        args = (observation, env_reward, terminated)
        assert inline[name](*args) == library(*args), (
            f"{name}{args}: inline {inline[name](*args)!r}, dqn_lib {library(*args)!r}"
        )


# --- Lesson 6: the training loop ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "reward_name"), [(0, "pole_angle_reward"), (1, "environment_reward")]
)
def test_lesson_06_train_inline_is_dqn_lib_train(seed, reward_name):
    """Lesson 6's check: two OnlineAgents of one seed, one trained by the inline loop and one by
    dqn_lib.train on environments of the same seed, end with the same returns and the very same
    weights (a few episodes: a few hundred steps)."""
    inline = load("06_training", "train_inline", namespace={})
    reward_fn = getattr(dqn_lib, reward_name)
    episodes = 20  # as lesson 6's check: about 200 steps here
    inline_agent = dqn_lib.OnlineAgent(seed=seed)
    inline_returns = inline["train_inline"](
        inline_agent, dqn_lib.make_env(seed), episodes, reward_fn
    )
    library_agent = dqn_lib.OnlineAgent(seed=seed)
    history = dqn_lib.train(
        library_agent, episodes=episodes, reward_fn=reward_fn, seed=seed, progress=False
    )
    assert inline_returns == history.returns, (
        f"seed {seed}: the episode returns differ: inline {inline_returns}, "
        f"library {history.returns}"
    )
    differ = same_weights(inline_agent.q_network, library_agent.q_network)
    assert not differ, f"seed {seed}: after {episodes} episodes the weights {differ} differ"


# --- Lesson 7: the replay buffer ----------------------------------------------------------------


def random_transitions(count: int, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return [
        (
            rng.normal(size=4).astype(np.float32),
            int(rng.integers(2)),
            float(rng.normal()),
            rng.normal(size=4).astype(np.float32),
            bool(rng.random() < 0.1),
            bool(rng.random() < 0.05),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize(("capacity", "count"), [(50, 30), (50, 173), (7, 7)])
def test_lesson_07_ring_buffer_is_dqn_lib_replay_buffer(capacity, count):
    """Lesson 7's check: the same capacity, transitions and seed give the same arrays, the same
    position and size, and identical sampled batches (here before, at and after wrapping)."""
    inline = load(
        "07_replay", "RingBuffer", namespace={"np": np, "torch": torch, "dqn_lib": dqn_lib}
    )
    for seed in SEEDS:
        ours = inline["RingBuffer"](capacity, n_observations=4, seed=seed)
        library = dqn_lib.ReplayBuffer(capacity, n_observations=4, seed=seed)
        for transition in random_transitions(count, seed):
            ours.add(*transition)
            library.add(*transition)
        for name in (
            "observations",
            "actions",
            "rewards",
            "next_observations",
            "terminated",
            "truncated",
        ):
            a, b = getattr(ours, name), getattr(library, name)
            assert a.dtype == b.dtype and np.array_equal(a, b), f"the {name} arrays differ"
        assert (ours.position, ours.size) == (library.position, len(library)), (
            f"position/size: ours {ours.position}/{ours.size}, "
            f"library {library.position}/{len(library)}"
        )
        for draw in range(10):
            batch_size = (1, 32, 128)[draw % 3]
            ours_batch, library_batch = ours.sample(batch_size), library.sample(batch_size)
            for field in ours_batch.__dataclass_fields__:
                a, b = getattr(ours_batch, field), getattr(library_batch, field)
                assert a.dtype == b.dtype and torch.equal(a, b), (
                    f"seed {seed}, draw {draw}: the sampled {field} differ between RingBuffer "
                    "and ReplayBuffer"
                )


# --- Lessons 8 and 9: the target network, the DQN update, Double DQN ----------------------------


def dqn_namespace(config: dqn_lib.DQNConfig) -> dict:
    return {"torch": torch, "nn": nn, "dqn_lib": dqn_lib, "config": config}


def random_batch(batch_size: int, seed: int) -> dqn_lib.Batch:
    buffer = dqn_lib.ReplayBuffer(4 * batch_size, n_observations=4, seed=seed)
    for transition in random_transitions(4 * batch_size, seed):
        buffer.add(*transition)
    return buffer.sample(batch_size)


def agent_with_other_target(config: dqn_lib.DQNConfig, seed: int) -> dqn_lib.DQNAgent:
    """A DQNAgent whose target network holds another seed's weights, so that the target network
    and the Q-network disagree (as lesson 9's check arranges)."""
    agent = dqn_lib.DQNAgent(config, seed=seed)
    other = dqn_lib.new_q_network(4, 2, seed + 1, hidden=config.hidden)
    agent.target_network.load_state_dict(other.state_dict())
    return agent


def test_lesson_08_soft_update_is_the_librarys():
    """Lesson 8's check: after one soft update the inline and library target networks differ by
    less than 1e-7 in every weight (torch's fused lerp may round differently)."""
    config = dqn_lib.DQNConfig()
    inline = load("08_target_network", "soft_update", namespace=dqn_namespace(config))
    for seed in SEEDS:
        for tau in (config.tau, 0.1, 0.5):
            target_ours = dqn_lib.new_q_network(4, 2, seed, hidden=config.hidden)
            target_library = copy.deepcopy(target_ours)
            online = dqn_lib.new_q_network(4, 2, seed + 1, hidden=config.hidden)
            online_before = copy.deepcopy(online)
            inline["soft_update"](target_ours, online, tau)
            dqn_lib.soft_update(target_library, online, tau)
            difference = max_difference(target_ours, target_library)
            assert difference < 1e-7, (
                f"seed {seed}, tau {tau}: soft_update differs by up to {difference:.2e}"
            )
            assert max_difference(target_ours, online_before) > 0, "soft_update moved nothing"
            assert not same_weights(online, online_before), "soft_update changed the Q-network"


@pytest.mark.parametrize("lesson", ["08_target_network", "09_double_dqn"])
@pytest.mark.parametrize("target_update", ["soft", "hard", "none"])
def test_lessons_08_09_targets_from_is_dqn_agent_td_targets(lesson, target_update):
    """``targets_from(network, batch)`` of lessons 8 and 9, bootstrapped from the network the
    agent bootstraps from (its target network, or with ``target_update="none"`` its Q-network),
    is exactly ``DQNAgent.td_targets`` without Double DQN: the same computation, bit for bit."""
    config = dqn_lib.DQNConfig(double_dqn=False, target_update=target_update)
    inline = load(lesson, "targets_from", namespace=dqn_namespace(config))
    for seed in SEEDS:
        agent = agent_with_other_target(config, seed)
        valuer = agent.q_network if target_update == "none" else agent.target_network
        batch = random_batch(config.batch_size, seed)
        ours, library = inline["targets_from"](valuer, batch), agent.td_targets(batch)
        assert torch.equal(ours, library), (
            f"seed {seed}: {lesson}'s targets_from and DQNAgent.td_targets differ by up to "
            f"{(ours - library).abs().max():.2e}"
        )
        assert torch.equal(
            inline["targets_from"](valuer, batch, 0.5),
            dqn_lib.td_target(
                batch.rewards, valuer(batch.next_observations).detach(), batch.terminated, 0.5
            ),
        ), f"seed {seed}: {lesson}'s targets_from ignores its gamma"


@pytest.mark.parametrize("loss", ["mse", "huber"])
@pytest.mark.parametrize("fused", [False, True])
def test_lesson_08_dqn_update_is_dqn_agent_learn(loss, fused):
    """Lesson 8's update step, the statements of its training loop from the loss to the soft
    update (with its q_of_actions_taken, targets_from, soft_update and loss_fn), against
    DQNAgent.learn from the same weights on the same batch, three updates in a row.

    The lesson does not clip gradients, so the agent here has ``max_grad_norm=None``. The lesson
    makes no claim of exactness for the update; what holds: the first loss is the same number
    (the same forward computation), and the weights agree to 1e-6 (Q-network) and 1e-7 (target
    network) after every update. The lesson's Adam is PyTorch's default implementation, the
    agent's the fused kernel, which rounds differently in the last bit; with ``fused=True`` the
    first update gives bit for bit the agent's Q-network, so the kernel is the only difference.
    (The lesson's soft_update and the agent's fused lerp round differently too, within lesson
    8's 1e-7, so later updates start from targets a few ulps apart.) Lesson 8's own check: after
    ``learn`` the agent's target network is the one before, soft-updated towards the new
    Q-network, within 1e-7.
    """
    config = dqn_lib.DQNConfig(target_update="soft", double_dqn=False, loss=loss).replace(
        max_grad_norm=None
    )
    lesson = "08_target_network"
    inline = load(
        lesson,
        "q_of_actions_taken",
        "targets_from",
        "soft_update",
        "loss_fn",
        namespace=dqn_namespace(config),
    )
    update_step = compile(
        loop_statements(lesson, first="loss", last="soft_update"), f"{lesson} update", "exec"
    )
    seed = 3
    agent = agent_with_other_target(config, seed)
    q_network = copy.deepcopy(agent.q_network)
    soft_target = copy.deepcopy(agent.target_network)
    inline.update(
        q_network=q_network,
        soft_target=soft_target,
        optimizer=torch.optim.Adam(q_network.parameters(), lr=config.learning_rate, fused=fused),
    )
    for update in range(3):
        batch = random_batch(config.batch_size, seed + update)
        target_before = copy.deepcopy(agent.target_network)
        step = {**inline, "batch": batch}  # the objects are shared, the names are not
        exec(update_step, step)  # noqa: S102 (the lesson's own code)
        library_loss = agent.learn(batch)
        inline_loss = step["loss"].item()
        if update == 0:  # from identical weights: the same forward computation, the same loss
            assert inline_loss == library_loss, f"loss: inline {inline_loss}, learn {library_loss}"
        else:
            assert math.isclose(inline_loss, library_loss, rel_tol=1e-5), (
                f"update {update}: loss inline {inline_loss}, learn {library_loss}"
            )
        if fused and update == 0:  # the agent's Adam kernel, identical inputs: the same weights
            differ = same_weights(q_network, agent.q_network)
            assert not differ, f"update {update}: with fused Adam, {differ} differ"
        difference = max_difference(q_network, agent.q_network)
        assert difference < 1e-6, f"update {update}: the Q-networks differ by {difference:.2e}"
        # the target networks: the lesson's soft_update against the agent's fused lerp
        difference = max_difference(soft_target, agent.target_network)
        assert difference < 1e-7, f"update {update}: the targets differ by {difference:.2e}"
        expected_target = copy.deepcopy(target_before)
        inline["soft_update"](expected_target, agent.q_network, config.tau)
        difference = max_difference(expected_target, agent.target_network)
        assert difference < 1e-7, f"after learn, the agent's target is off by {difference:.2e}"


def test_lesson_09_double_dqn_td_target_is_dqn_agent_td_targets():
    """Lesson 9's check: with a target network that disagrees with the Q-network on some rows,
    the inline Double DQN target and DQNAgent.td_targets agree within ``atol=1e-6``."""
    config = dqn_lib.DQNConfig()
    assert config.double_dqn, "lesson 9 says the default agent uses Double DQN"
    inline = load("09_double_dqn", "double_dqn_td_target", namespace=dqn_namespace(config))
    for seed in SEEDS:
        agent = agent_with_other_target(config, seed)
        batch = random_batch(config.batch_size, seed)
        ours = inline["double_dqn_td_target"](
            batch, agent.q_network, agent.target_network, config.gamma
        )
        library = agent.td_targets(batch)
        with torch.no_grad():
            online_pick = agent.q_network(batch.next_observations).argmax(dim=1)
            target_pick = agent.target_network(batch.next_observations).argmax(dim=1)
        assert (online_pick != target_pick).any(), "the networks agree: the check is blind"
        assert torch.allclose(ours, library, atol=1e-6), (
            f"seed {seed}: double_dqn_td_target and DQNAgent.td_targets differ by up to "
            f"{(ours - library).abs().max():.2e}"
        )


# --- Lessons 1 and 10: playing episodes, and the IQM --------------------------------------------


@pytest.mark.parametrize("seed", [0, 100])
def test_lesson_01_episode_returns_is_dqn_lib_evaluate(seed):
    """Lesson 1's check: for a deterministic policy, the inline loop (episode ``i`` reset with
    ``seed + i``) gives exactly ``dqn_lib.evaluate``'s returns: its hand-written lean_policy, and
    the library's linear policy, whose episodes run to the time limit."""
    inline = load(
        "01_cartpole",
        "SEED",
        "run_episode",
        "episode_returns",
        "lean_policy",
        namespace={"np": np, "env": dqn_lib.make_env(seed=0)},
    )
    for policy in (inline["lean_policy"], linear_policy):
        ours = inline["episode_returns"](policy, episodes=10, seed=seed)
        library = dqn_lib.evaluate(policy, episodes=10, seed=seed)
        assert np.array_equal(ours, library), (
            f"seed {seed}: the inline loop gave {ours.tolist()}, evaluate {library.tolist()}"
        )


def test_lesson_10_perturbed_episodes_is_dqn_lib_evaluate():
    """Lesson 10's check: ``perturbed_episodes`` plays from the same perturbed starts as
    ``dqn_lib.evaluate(..., start_box=...)``, with the same returns (the lesson's agent is a
    trained checkpoint; here the library's linear policy, also deterministic)."""
    inline = load(
        "10_inside",
        "perturbed_episodes",
        namespace={
            "np": np,
            "dqn_lib": dqn_lib,
            "set_start": set_start,
            "POSITION": 0,
            "POSITION_LIMIT": dqn_lib.POSITION_LIMIT,
        },
    )
    for seed in (0, 2_000):
        _, ours, _, _ = inline["perturbed_episodes"](linear_policy, PERTURBED_STARTS, 8, seed)
        library = dqn_lib.evaluate(linear_policy, episodes=8, seed=seed, start_box=PERTURBED_STARTS)
        assert np.array_equal(ours, library), (
            f"seed {seed}: perturbed_episodes gave {ours.tolist()}, evaluate {library.tolist()}"
        )


def test_lesson_10_iqm_interval_is_dqn_lib_stats_iqm_interval():
    """Lesson 10 writes rliable's IQM and interval inline, as ``dqn_lib.stats.iqm_interval``
    (taught in lesson 9) computes it with its default bootstrap seed and repetitions: the same
    point and the same ends, exactly (the lesson makes no claim; both seed the same generator)."""
    from rliable import library as rly
    from rliable import metrics

    from dqn_lib.stats import iqm_interval

    inline = load("10_inside", "iqm_interval", namespace={"np": np, "rly": rly, "metrics": metrics})
    rng = np.random.default_rng(0)
    for values in (rng.uniform(0, 500, size=10),):  # ten seeds, as the benchmark's
        point, (low, high) = inline["iqm_interval"](values)
        assert (point, low, high) == iqm_interval(values), (
            f"inline {(point, low, high)}, dqn_lib.stats {iqm_interval(values)}"
        )
