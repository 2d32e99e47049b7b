"""save_checkpoint and load_checkpoint: an agent saved is the agent loaded, and every bad file is
refused with one CheckpointError that names the file and the cause (lesson 7)."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import os

import numpy as np
import pytest
import torch

from dqn_lib import (
    FORMAT_VERSION,
    CheckpointError,
    DQNAgent,
    DQNConfig,
    OnlineAgent,
    load_checkpoint,
    save_checkpoint,
    train,
)
from dqn_lib.checkpoint import MAGIC

SMALL_CONFIG = DQNConfig(
    hidden=(16,), batch_size=8, buffer_size=100, learning_starts=10, train_every=1
)


def trained_dqn(steps: int = 60) -> DQNAgent:
    agent = DQNAgent(SMALL_CONFIG, seed=0)
    train(agent, steps=steps, progress=False)
    return agent


def same_state(first: torch.nn.Module, second: torch.nn.Module) -> bool:
    pairs = zip(first.state_dict().values(), second.state_dict().values(), strict=True)
    return all(torch.equal(a, b) for a, b in pairs)


def write_payload(path, content: object, version: int = FORMAT_VERSION) -> None:
    """A checkpoint file around any payload, with a valid header and checksum (format 1's over
    the payload alone, later formats' over the header too)."""
    buffer = io.BytesIO()
    torch.save(content, buffer)
    payload = buffer.getvalue()
    prefix = MAGIC + version.to_bytes(4, "big")
    checked = payload if version == 1 else prefix + payload
    path.write_bytes(prefix + hashlib.sha256(checked).digest() + payload)


def saved_content(agent, **kwargs) -> dict:
    """The payload save_checkpoint writes for ``agent``, as a dict to tamper with."""
    from dqn_lib.checkpoint import _payload

    return _payload(agent, kwargs.get("include_replay", False), None)


def test_save_load_dqn_agent_restores_everything(tmp_path):
    agent = trained_dqn()
    path = save_checkpoint(agent, tmp_path / "agent.ckpt", include_replay=True)
    loaded = load_checkpoint(path)
    copy = loaded.agent
    assert isinstance(copy, DQNAgent) and copy.config == agent.config
    assert same_state(copy.q_network, agent.q_network)
    assert same_state(copy.target_network, agent.target_network)
    assert (copy.steps, copy.updates, copy.epsilon) == (agent.steps, agent.updates, agent.epsilon)
    assert copy.rng.bit_generator.state == agent.rng.bit_generator.state
    assert copy.replay_buffer.rng.bit_generator.state == agent.replay_buffer.rng.bit_generator.state
    for name in ("observations", "actions", "rewards", "terminated", "truncated"):
        np.testing.assert_array_equal(
            getattr(copy.replay_buffer, name), getattr(agent.replay_buffer, name)
        )
    assert len(copy.replay_buffer) == len(agent.replay_buffer) == 60
    assert loaded.trainer is None and loaded.history is None
    metadata = loaded.metadata
    assert metadata["format_version"] == FORMAT_VERSION and metadata["env_id"] == "CartPole-v1"
    assert metadata["observation_shape"] == [4] and metadata["n_actions"] == 2
    assert metadata["torch_version"] == torch.__version__
    # The copy goes on exactly like the original: same next actions, losses and weights.
    observation = np.array([0.01, 0.02, -0.03, 0.04], dtype=np.float32)
    for _ in range(20):
        assert copy.act(observation) == agent.act(observation)
        loss = agent.observe(observation, 1, 1.0, observation, False, False)
        assert copy.observe(observation, 1, 1.0, observation, False, False) == loss
    assert same_state(copy.q_network, agent.q_network)


def test_save_load_without_replay_keeps_the_replay_generator(tmp_path):
    agent = trained_dqn()
    copy = load_checkpoint(save_checkpoint(agent, tmp_path / "a.ckpt")).agent
    assert len(copy.replay_buffer) == 0
    assert copy.replay_buffer.rng.bit_generator.state == agent.replay_buffer.rng.bit_generator.state


def test_save_load_online_agent(tmp_path):
    agent = OnlineAgent(seed=3, hidden=(8, 8), learning_rate=1e-3, gamma=0.9, epsilon=0.3)
    train(agent, steps=50, progress=False)
    copy = load_checkpoint(save_checkpoint(agent, tmp_path / "online.ckpt")).agent
    assert isinstance(copy, OnlineAgent)
    assert (copy.hidden, copy.learning_rate, copy.gamma, copy.epsilon) == ((8, 8), 1e-3, 0.9, 0.3)
    assert same_state(copy.q_network, agent.q_network)
    observation = np.zeros(4, dtype=np.float32)
    for _ in range(10):
        assert copy.act(observation) == agent.act(observation)
        loss = agent.observe(observation, 0, 1.0, observation, False, False)
        assert copy.observe(observation, 0, 1.0, observation, False, False) == loss


def test_load_checks_expected_config(tmp_path):
    path = save_checkpoint(DQNAgent(SMALL_CONFIG, seed=0), tmp_path / "a.ckpt")
    assert load_checkpoint(path, expect_config=SMALL_CONFIG).agent.config == SMALL_CONFIG
    with pytest.raises(
        CheckpointError,
        match=r"a\.ckpt: its settings differ from expect_config: "
        r"hidden=\(16,\) \(expected \(32,\)\)",
    ):
        load_checkpoint(path, expect_config=SMALL_CONFIG.replace(hidden=(32,)))


def test_pickled_code_is_refused_and_never_runs(tmp_path):
    sentinel = tmp_path / "code-ran"

    class Payload:
        def __reduce__(self):
            return (exec, (f"open({str(sentinel)!r}, 'w').close()",))

    path = tmp_path / "evil.ckpt"
    write_payload(path, {"metadata": Payload()})  # a valid checksum: only weights_only stands
    with pytest.raises(
        CheckpointError, match=r"evil\.ckpt: it holds pickled objects other than"
    ) as e:
        load_checkpoint(path)
    assert not sentinel.exists()
    assert "GLOBAL exec" in str(e.value) and "unless you trust" in str(e.value)
    assert "will likely succeed" not in str(e.value)  # torch's own advice is not passed on
    # The control: the same payload, read without weights_only, does run the code.
    torch.load(io.BytesIO(path.read_bytes()[len(MAGIC) + 36 :]), weights_only=False)
    assert sentinel.exists()


def flip_a_byte_inside_a_tensor(data: bytes, agent: DQNAgent) -> bytes:
    weight = agent.q_network.net[0].weight.detach().numpy().tobytes()
    at = data.index(weight) + 5
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def newer_version(data: bytes) -> bytes:
    """``data`` as a later format would write it: the next version, its checksum recomputed."""
    prefix = MAGIC + (FORMAT_VERSION + 1).to_bytes(4, "big")
    payload = data[len(MAGIC) + 36 :]
    return prefix + hashlib.sha256(prefix + payload).digest() + payload


def test_bad_files_are_refused_with_the_file_and_the_cause(tmp_path):
    agent = DQNAgent(SMALL_CONFIG, seed=0)
    good = save_checkpoint(agent, tmp_path / "good.ckpt").read_bytes()
    cases = {
        "missing": (None, "the file does not exist"),
        "empty": (b"", "the file is empty"),
        "random": (np.random.default_rng(0).bytes(5000), "it is not a dqn_lib checkpoint"),
        "short": (good[:30], r"the file is truncated \(30 bytes"),
        "truncated": (good[: len(good) // 2], "its SHA-256 checksum does not match its content"),
        "flipped": (
            flip_a_byte_inside_a_tensor(good, agent),
            "its SHA-256 checksum does not match",
        ),
        "newer": (
            newer_version(good),
            f"it has format version {FORMAT_VERSION + 1}, newer than the {FORMAT_VERSION} this",
        ),
        "damaged_version": (
            MAGIC + (FORMAT_VERSION + 1).to_bytes(4, "big") + good[len(MAGIC) + 4 :],
            "its SHA-256 checksum does not match",
        ),
    }
    for name, (data, cause) in cases.items():
        path = tmp_path / f"{name}.ckpt"
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(
            CheckpointError, match=rf"Cannot load checkpoint .*{name}\.ckpt: {cause}"
        ):
            load_checkpoint(path)


def test_non_finite_weights_are_refused(tmp_path):
    agent = DQNAgent(SMALL_CONFIG, seed=0)
    with torch.no_grad():
        agent.q_network.net[0].weight[0, 0] = float("nan")
    path = tmp_path / "nan.ckpt"
    with pytest.raises(ValueError, match=r"save_checkpoint will not write .*nan\.ckpt: load_"):
        save_checkpoint(agent, path)  # save writes nothing that load would refuse
    assert not path.exists()
    write_payload(path, saved_content(agent))  # the checksum is right
    with pytest.raises(
        CheckpointError, match=r"nan\.ckpt: q_network\.net\.0\.weight contains NaN or infinite"
    ):
        load_checkpoint(path)


def test_weights_that_do_not_fit_the_stored_config_are_refused(tmp_path):
    content = saved_content(DQNAgent(SMALL_CONFIG, seed=0))
    content["config"]["hidden"] = (32,)
    path = tmp_path / "shape.ckpt"
    write_payload(path, content)
    with pytest.raises(
        CheckpointError,
        match=r"shape\.ckpt: its q_network weights do not fit the network its stored settings "
        r"build \(hidden=\(32,\)\): stored net\.0\.weight \(16, 4\)",
    ):
        load_checkpoint(path)


def test_another_environments_spaces_are_refused(tmp_path):
    path = save_checkpoint(DQNAgent(SMALL_CONFIG, 3, 1, seed=0), tmp_path / "other.ckpt")
    with pytest.raises(
        CheckpointError,
        match=r"other\.ckpt: it was saved for observations of shape \(3,\) and 1 actions, but "
        r"CartPole-v1 has \(4,\) and 2",
    ):
        load_checkpoint(path)


def test_content_that_is_not_a_checkpoint_is_refused(tmp_path):
    path = tmp_path / "dict.ckpt"
    write_payload(path, {"weights": torch.zeros(3)})
    with pytest.raises(CheckpointError, match=r"dict\.ckpt: its content is not what a dqn_lib"):
        load_checkpoint(path)


def files_in(folder) -> list[str]:
    return sorted(os.listdir(folder))


def test_disk_full_while_saving_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = save_checkpoint(DQNAgent(SMALL_CONFIG, seed=0), tmp_path / "agent.ckpt")
    before = path.read_bytes()

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        save_checkpoint(trained_dqn(), path)
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["agent.ckpt"]  # no temporary file left behind


def test_save_refuses_other_agents(tmp_path):
    with pytest.raises(TypeError, match="saves a DQNAgent or an OnlineAgent, got str"):
        save_checkpoint("agent", tmp_path / "a.ckpt")


def test_the_original_as_written_reloads_as_written(tmp_path):
    agent = OnlineAgent(seed=0, bootstrap_through_termination=True)
    save_checkpoint(agent, tmp_path / "as_written.ckpt")
    loaded = load_checkpoint(tmp_path / "as_written.ckpt").agent
    assert loaded.bootstrap_through_termination is True


def test_a_history_saved_before_the_rename_of_eval_seconds_loads():
    """Checkpoints store History's fields by name; the field once called ``eval_seconds`` is
    ``train_seconds_at_eval`` now, and an old file's history still loads, under the new name."""
    from dqn_lib.history import History

    old = {**dataclasses.asdict(History()), "eval_seconds": [1.5, 3.0]}
    del old["train_seconds_at_eval"]
    assert History.from_dict(old).train_seconds_at_eval == [1.5, 3.0]
