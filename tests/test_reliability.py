"""Reliability (issue 13): no file, argument or re-run can corrupt memory, lose a checkpoint or
give silently wrong results. Every case an adversary found is a test named after its promise:
unsafe and silent ones are refused with a clear error that names the file or the argument, the
cause and the fix; unclear ones now say what is wrong."""

from __future__ import annotations

import copy
import hashlib
import io
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from dqn_lib import (
    FORMAT_VERSION,
    CheckpointError,
    Checkpointing,
    DQNAgent,
    DQNConfig,
    Evaluation,
    OnlineAgent,
    evaluate,
    load_checkpoint,
    make_env,
    save_checkpoint,
    train,
)
from dqn_lib.checkpoint import _HEADER_SIZE, MAGIC, _payload

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "notebooks" / "data" / "cartpole_dqn.ckpt"
SMALL = DQNConfig(hidden=(16,), batch_size=8, buffer_size=100, learning_starts=10)


def write_payload(path: Path, content: object, version: int = FORMAT_VERSION) -> Path:
    """What anyone editing a file can do: any payload, its checksum recomputed."""
    buffer = io.BytesIO()
    torch.save(content, buffer)
    payload = buffer.getvalue()
    prefix = MAGIC + version.to_bytes(4, "big")
    checked = payload if version == 1 else prefix + payload
    path.write_bytes(prefix + hashlib.sha256(checked).digest() + payload)
    return path


def trained_content(include_replay: bool = True, steps: int = 60) -> tuple[DQNAgent, dict]:
    """A DQNAgent trained past its first updates, and the payload save_checkpoint writes."""
    agent = DQNAgent(SMALL, seed=0)
    train(agent, steps=steps, progress=False)
    return agent, copy.deepcopy(_payload(agent, include_replay, None))


def refused(path: Path, *patterns: str, **kwargs) -> str:
    """Load ``path``, expect a CheckpointError naming it, and every pattern in its message."""
    with pytest.raises(CheckpointError) as raised:
        load_checkpoint(path, **kwargs)
    message = str(raised.value)
    assert message.startswith(f"Cannot load checkpoint {path}: "), message
    for pattern in patterns:
        assert pattern in message, message
    return message


# --- Unsafe: a tampered optimizer state must never reach the fused Adam step --------------------


@pytest.mark.parametrize("moment", ["exp_avg", "exp_avg_sq"])
def test_adam_moments_of_the_wrong_shape_are_refused_before_anything_is_built(tmp_path, moment):
    _, content = trained_content()
    content["optimizer"]["state"][0][moment] = torch.zeros(3, 2)  # the weight is (16, 4)
    path = write_payload(tmp_path / "moments.ckpt", content)
    refused(path, f"optimizer.state[0].{moment} has shape (3, 2)", "imply (16, 4)", "earlier")


def test_a_loaded_checkpoint_learns_safely(tmp_path):
    """The control: what load accepts, learn() runs on (in a child, so a crash cannot hide)."""
    agent, _ = trained_content()
    path = save_checkpoint(agent, tmp_path / "ok.ckpt", include_replay=True)
    script = f"""
        from dqn_lib import load_checkpoint
        agent = load_checkpoint({str(path)!r}).agent
        for _ in range(5):
            agent.learn(agent.replay_buffer.sample(8))
    """
    subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=True, timeout=120)


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(lambda shape: torch.zeros(1).expand(shape), id="stride-0"),
        pytest.param(lambda shape: torch.zeros(shape[::-1]).t(), id="transposed"),
    ],
)
def test_adam_moments_that_share_memory_or_are_out_of_order_are_refused(tmp_path, layout):
    """The right shape and dtype over a 4-byte buffer (stride 0) made the fused Adam step write
    past it; a transposed moment would be read in the wrong order."""
    _, content = trained_content()
    content["optimizer"]["state"][0]["exp_avg"] = layout((16, 4))
    path = write_payload(tmp_path / "strided.ckpt", content)
    refused(path, "optimizer.state[0].exp_avg is laid out with strides", "use an earlier")


@pytest.mark.parametrize("shared", ["moments", "step counters"])
def test_two_tensors_of_adams_state_in_one_memory_are_refused(tmp_path, shared):
    """Shared memory would be written twice a step: two moments, or one step counter that
    every parameter's update adds to."""
    _, content = trained_content()
    state = content["optimizer"]["state"]
    if shared == "moments":
        state[0]["exp_avg_sq"] = state[0]["exp_avg"] = state[0]["exp_avg_sq"].clone()
    else:
        state[1]["step"] = state[0]["step"]
    refused(write_payload(tmp_path / "shared.ckpt", content), "shares its memory", "earlier")


@pytest.mark.parametrize(
    ("option", "value"),
    [("maximize", True), ("amsgrad", True), ("weight_decay", 1e3), ("weight_decay", -1.0)],
)
def test_adam_options_the_agents_never_set_are_refused(tmp_path, option, value):
    """Adam told to maximize (or to decay the weights) would train the wrong way, silently."""
    _, content = trained_content()
    content["optimizer"]["param_groups"][0][option] = value
    path = write_payload(tmp_path / "options.ckpt", content)
    refused(path, f"optimizer's {option} is {value!r}", "use an earlier")


# --- Silent: every tensor and number is checked against what the stored settings imply -------


def test_nan_in_the_optimizer_state_is_refused(tmp_path):
    _, content = trained_content()
    content["optimizer"]["state"][2]["exp_avg_sq"][0] = float("nan")
    path = write_payload(tmp_path / "adam.ckpt", content)
    refused(path, "optimizer.state[2].exp_avg_sq contains NaN or infinity")


def test_nan_in_a_stored_replay_observation_is_refused(tmp_path):
    _, content = trained_content()
    content["replay"]["observations"][3, 1] = float("nan")
    path = write_payload(tmp_path / "replay.ckpt", content)
    refused(path, "replay.observations contains NaN or infinity")


def test_a_complex_weight_is_refused_by_its_dtype(tmp_path):
    _, content = trained_content()
    weight = content["q_network"]["net.0.weight"]
    content["q_network"]["net.0.weight"] = torch.full(weight.shape, complex("nan+0j"))
    path = write_payload(tmp_path / "complex.ckpt", content)
    refused(path, "q_network.net.0.weight is a tensor of torch.complex64", "of torch.float32")


def test_the_format_version_is_under_the_checksum(tmp_path):
    good = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "good.ckpt").read_bytes()
    version_at = len(MAGIC)
    for name, version in (("zero", 0), ("high_bit", FORMAT_VERSION | 1 << 24)):
        damaged = good[:version_at] + version.to_bytes(4, "big") + good[version_at + 4 :]
        path = tmp_path / f"{name}.ckpt"
        path.write_bytes(damaged)
        message = refused(path, "earlier checkpoint")
        assert "damaged" in message or "checksum does not match" in message, message
        assert "newer" not in message and "update dqn_lib" not in message


def test_a_format_1_file_still_loads_and_its_version_must_agree(tmp_path):
    """Files written before the header was checksummed (format 1: the committed checkpoint)
    load; their payload repeats the version, and a damaged header field is named as such."""
    assert load_checkpoint(COMMITTED).metadata["format_version"] == 1
    data = COMMITTED.read_bytes()
    for version in (0, 1 << 24 | 1):
        path = tmp_path / f"v{version}.ckpt"
        path.write_bytes(MAGIC + version.to_bytes(4, "big") + data[len(MAGIC) + 4 :])
        refused(path, f"its header is damaged: its format version field reads {version}")
    _, content = trained_content(include_replay=False)
    content["metadata"]["format_version"] = 1
    assert load_checkpoint(write_payload(tmp_path / "v1.ckpt", content, version=1)).agent.steps
    content["metadata"]["format_version"] = 2
    path = write_payload(tmp_path / "disagree.ckpt", content, version=1)
    refused(path, "metadata.format_version is 2", "the header's format version, 1")


@pytest.mark.parametrize(
    ("where", "value", "cause"),
    [
        (("counters", "steps"), -5, "counters.steps is -5"),
        (("counters", "updates"), 2.5, "counters.updates is 2.5"),
        (("replay", "position"), 10**6, "replay.position is 1000000"),
        (("replay", "size"), 101, "replay.size is 101"),
        (("replay", "position"), 7, "replay.position is 7 but replay.size is 60"),
    ],
)
def test_counters_and_positions_out_of_range_are_refused(tmp_path, where, value, cause):
    _, content = trained_content()
    content[where[0]][where[1]] = value
    refused(write_payload(tmp_path / "counter.ckpt", content), cause)


@pytest.mark.parametrize(
    ("step", "cause"), [(-1.0, "step is -1.0"), (2.5, "step is 2.5"), (float("inf"), "NaN")]
)
def test_adam_step_counters_out_of_range_are_refused(tmp_path, step, cause):
    _, content = trained_content()
    content["optimizer"]["state"][1]["step"] = torch.tensor(step)
    refused(write_payload(tmp_path / "step.ckpt", content), cause)


@pytest.mark.parametrize(
    ("betas", "cause"), [((1.5, 0.999), "betas is (1.5, 0.999)"), ((0.9,), "betas is (0.9,)")]
)
def test_adam_betas_outside_0_1_are_refused(tmp_path, betas, cause):
    _, content = trained_content()
    content["optimizer"]["param_groups"][0]["betas"] = betas
    refused(write_payload(tmp_path / "betas.ckpt", content), cause, "in [0, 1)")


def test_a_trainer_state_that_does_not_add_up_is_refused(tmp_path):
    path = tmp_path / "run.ckpt"
    train(DQNAgent(SMALL, seed=0), steps=60, progress=False, callbacks=[Checkpointing(path, 60)])
    good = load_checkpoint(path)
    content = torch.load(io.BytesIO(path.read_bytes()[len(MAGIC) + 36 :]), weights_only=True)
    content["trainer"]["history"]["returns"].pop()
    refused(write_payload(tmp_path / "short.ckpt", content), "differ in length")
    content = torch.load(io.BytesIO(path.read_bytes()[len(MAGIC) + 36 :]), weights_only=True)
    content["trainer"]["history"]["episode_end_steps"][0] = 61  # after the run's 60 steps
    refused(write_payload(tmp_path / "order.ckpt", content), "not in order")
    content = torch.load(io.BytesIO(path.read_bytes()[len(MAGIC) + 36 :]), weights_only=True)
    content["trainer"]["observation"] = torch.zeros(3)
    refused(write_payload(tmp_path / "obs.ckpt", content), "trainer.observation has shape (3,)")
    content = torch.load(io.BytesIO(path.read_bytes()[len(MAGIC) + 36 :]), weights_only=True)
    del content["trainer"]["episode"]["length"]
    refused(write_payload(tmp_path / "episode.ckpt", content), "trainer.episode has the keys")
    assert good.history.steps == 60


def test_numpy_numbers_in_the_settings_are_saved_as_python_numbers(tmp_path):
    agent = OnlineAgent(
        seed=0, learning_rate=np.float32(1e-3), gamma=np.float64(0.9), epsilon=np.float32(0.2)
    )
    path = save_checkpoint(agent, tmp_path / "numpy.ckpt")  # loads back: nothing to refuse
    loaded = load_checkpoint(path).agent
    assert loaded.learning_rate == float(np.float32(1e-3)) and type(loaded.gamma) is float
    assert loaded.epsilon == float(np.float32(0.2))


def test_a_reward_function_returning_numpy_numbers_still_gives_a_loadable_checkpoint(tmp_path):
    def numpy_reward(next_observation, env_reward, terminated):
        return np.float32(-abs(next_observation[2]))

    path = tmp_path / "run.ckpt"
    train(
        OnlineAgent(seed=0),
        steps=50,
        reward_fn=numpy_reward,
        progress=False,
        callbacks=[Checkpointing(path, 50)],
    )
    assert load_checkpoint(path).history.steps == 50


def test_save_refuses_what_load_would_refuse_and_writes_nothing(tmp_path):
    agent = OnlineAgent(seed=0)
    agent.gamma = "0.99"  # a setting load would refuse
    path = tmp_path / "bad.ckpt"
    with pytest.raises(ValueError, match=r"save_checkpoint will not write .*bad\.ckpt: load_"):
        save_checkpoint(agent, path)
    agent.gamma = object()  # a value a checkpoint cannot hold at all
    with pytest.raises(TypeError, match=r"cannot store the agent's settings\['gamma'\]"):
        save_checkpoint(agent, path)
    assert not path.exists() and os.listdir(tmp_path) == []


# --- Save: modes, umask and what a crashed save left behind ------------------------------------


def test_resaving_keeps_the_files_permission_mode(tmp_path):
    path = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "private.ckpt")
    path.chmod(0o600)
    save_checkpoint(DQNAgent(SMALL, seed=1), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(("umask", "mode"), [(0o077, 0o600), (0o002, 0o664), (0o022, 0o644)])
def test_a_new_file_honours_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "new.ckpt")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_a_save_killed_midway_leaves_one_temporary_file_and_the_next_save_removes_it(tmp_path):
    path = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "agent.ckpt")
    before = path.read_bytes()
    script = f"""
        import os, time
        from dqn_lib import DQNAgent, DQNConfig, save_checkpoint
        os.fsync = lambda descriptor: (print("writing", flush=True), time.sleep(600))
        save_checkpoint(DQNAgent(DQNConfig(hidden=(16,), batch_size=8, buffer_size=100,
                                           learning_starts=10), seed=1), {str(path)!r})
    """
    for _ in range(2):  # two kills in a row: still one temporary file, the last one's
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline() == "writing\n"  # the temporary file is written
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        child.stdout.close()
        assert len(temporaries(tmp_path)) == 1, os.listdir(tmp_path)
        assert path.read_bytes() == before  # the previous checkpoint is intact
    load_checkpoint(path)
    save_checkpoint(DQNAgent(SMALL, seed=2), path)
    assert temporaries(tmp_path) == [] and load_checkpoint(path).agent.steps == 0


def test_a_save_in_progress_is_not_taken_for_a_stale_one(tmp_path):
    import fcntl

    path = tmp_path / "agent.ckpt"
    live = tmp_path / ".agent.ckpt.abcd1234.tmp"  # another process's save, writing
    live.write_bytes(b"partial")
    with open(live, "rb") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        save_checkpoint(DQNAgent(SMALL, seed=0), path)
        assert live.exists()
    save_checkpoint(DQNAgent(SMALL, seed=0), path)  # its writer is gone now
    assert not live.exists()
    other = tmp_path / ".other.ckpt.abcd1234.tmp"  # another file's: never touched
    other.write_bytes(b"x")
    save_checkpoint(DQNAgent(SMALL, seed=0), path)
    assert other.exists()


# --- Train: every argument checked first; resuming idempotent; another run's file kept --------


class CountingAgent(OnlineAgent):
    """Counts its steps, to show that a refused call took none."""

    acted = 0

    def act(self, observation, greedy=False):
        self.acted += 1
        return super().act(observation, greedy)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"reward_fn": "environment"}, TypeError, r"reward_fn must be a function"),
        ({"progress": "no"}, TypeError, r"progress must be True or False"),
        ({"env": "CartPole-v1"}, TypeError, r"env must be a gymnasium environment"),
    ],
)
def test_train_checks_every_argument_before_the_first_step(arguments, error, message):
    agent = CountingAgent(seed=0)
    with pytest.raises(error, match=message):
        train(agent, steps=50, **{"progress": False, **arguments})
    assert agent.acted == 0


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: Evaluation(-1),
            ValueError,
            r"Evaluation's every must be a positive int, got -1\.",
        ),
        (
            lambda: Evaluation(2.5),
            ValueError,
            r"Evaluation's every must be a positive int, got 2\.5",
        ),
        (lambda: Evaluation(0), ValueError, r"Evaluation's every must be a positive int, got 0\."),
        (
            lambda: Evaluation(10, episodes=0),
            ValueError,
            r"Evaluation's episodes must be a positive",
        ),
        (lambda: Evaluation(10, seed=-1), ValueError, r"Evaluation's seed must be a non-negative"),
        (lambda: Evaluation(10, values="yes"), TypeError, r"Evaluation's values must be True or"),
        (
            lambda: Checkpointing(123, 10),
            TypeError,
            r"Checkpointing's path must be a str or a pathlib\.Path naming a file, got 123 of type",
        ),
        (
            lambda: Checkpointing("a", 0),
            ValueError,
            r"Checkpointing's every must be a positive int",
        ),
        (lambda: Checkpointing("a", 1, overwrite=1), TypeError, r"overwrite must be True or False"),
    ],
)
def test_evaluation_and_checkpointing_check_their_settings_when_made(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_train_refuses_to_checkpoint_what_it_could_not_save_before_the_first_step(tmp_path):
    class PlainAgent:
        n_actions = 2

        def act(self, observation, greedy=False):
            raise AssertionError("acted")

        def observe(self, *transition):
            return None

    with pytest.raises(TypeError, match="train can checkpoint a DQNAgent or an OnlineAgent"):
        train(
            PlainAgent(),
            steps=5,
            progress=False,
            callbacks=[Checkpointing(tmp_path / "a.ckpt", 1)],
        )
    with pytest.raises(IsADirectoryError, match="is a directory"):
        train(
            OnlineAgent(seed=0),
            steps=5,
            progress=False,
            callbacks=[Checkpointing(tmp_path, 1)],
        )


def test_a_new_run_does_not_replace_another_runs_checkpoint(tmp_path):
    path = tmp_path / "run.ckpt"
    train(OnlineAgent(seed=0), steps=20, progress=False, callbacks=[Checkpointing(path, 10)])
    before = path.read_bytes()
    agent = CountingAgent(seed=1)
    with pytest.raises(FileExistsError, match=r"run\.ckpt already holds a file .*overwrite=True"):
        train(agent, steps=20, progress=False, callbacks=[Checkpointing(path, 10)])
    assert path.read_bytes() == before and agent.acted == 0
    train(agent, steps=20, progress=False, callbacks=[Checkpointing(path, 10, overwrite=True)])
    assert path.read_bytes() != before


def test_a_run_goes_on_in_its_own_checkpoint_file(tmp_path):
    path = tmp_path / "run.ckpt"
    train(DQNAgent(SMALL, seed=0), steps=40, progress=False, callbacks=[Checkpointing(path, 20)])
    checkpoint = load_checkpoint(path)
    history = train(
        checkpoint.agent,
        steps=80,
        progress=False,
        resume_from=checkpoint,
        callbacks=[Checkpointing(path, 20)],
    )
    assert history.steps == load_checkpoint(path).history.steps == 80


def torch_bytes(value: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def test_resuming_twice_from_one_checkpoint_refuses_and_never_changes_it(tmp_path):
    path = tmp_path / "run.ckpt"
    train(
        DQNAgent(SMALL, seed=0),
        steps=150,
        progress=False,
        callbacks=[Checkpointing(path, 150)],
    )
    checkpoint = load_checkpoint(path)
    saved = torch_bytes(checkpoint.trainer)
    first = train(checkpoint.agent, steps=400, progress=False, resume_from=checkpoint)
    assert first.steps == checkpoint.agent.steps == 400
    assert torch_bytes(checkpoint.trainer) == saved and checkpoint.history.steps == 150
    with pytest.raises(ValueError, match=r"resume_from's agent has changed since load_checkpoint"):
        train(checkpoint.agent, steps=400, progress=False, resume_from=checkpoint)
    assert checkpoint.agent.steps == 400 and torch_bytes(checkpoint.trainer) == saved
    again = load_checkpoint(path)  # the fix the message gives: load it again
    second = train(again.agent, steps=400, progress=False, resume_from=again)
    assert second.returns == first.returns and second.losses == first.losses


def test_an_unknown_agent_type_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "run.ckpt"
    save_checkpoint(DQNAgent(SMALL, seed=0), path)
    content = torch.load(io.BytesIO(path.read_bytes()[len(MAGIC) + 36 :]), weights_only=True)
    content["metadata"]["agent_type"] = "PPOAgent"
    refused(
        write_payload(tmp_path / "ppo.ckpt", content),
        "unknown agent type 'PPOAgent'",
        "save the agent again",
    )


def test_a_replay_buffer_changed_after_loading_is_noticed_before_resuming(tmp_path):
    path = tmp_path / "run.ckpt"
    train(DQNAgent(SMALL, seed=0), steps=150, progress=False, callbacks=[Checkpointing(path, 150)])
    checkpoint = load_checkpoint(path)
    checkpoint.agent.replay_buffer.rewards[0] += (
        1.0  # the weights, counters and generators unchanged
    )
    with pytest.raises(ValueError, match=r"resume_from's agent has changed since load_checkpoint"):
        train(checkpoint.agent, steps=300, progress=False, resume_from=checkpoint)


def resumable(tmp_path: Path, steps: int = 60) -> Path:
    path = tmp_path / "run.ckpt"
    train(
        DQNAgent(SMALL, seed=0),
        steps=steps,
        progress=False,
        callbacks=[Checkpointing(path, steps)],
    )
    return path


def test_a_budget_the_checkpoint_has_already_passed_is_refused(tmp_path):
    checkpoint = load_checkpoint(resumable(tmp_path))
    with pytest.raises(ValueError, match=r"steps=20 counts the whole run, .* already at steps 60"):
        train(checkpoint.agent, steps=20, progress=False, resume_from=checkpoint)
    assert checkpoint.agent.steps == 60


def test_a_changed_training_state_is_checked_again_before_resuming(tmp_path):
    """A loaded Checkpoint's trainer changed by hand would give a History that disagrees with
    the agent: train checks it again and names resume_from."""
    path = resumable(tmp_path)
    checkpoint = load_checkpoint(path)
    checkpoint.trainer["history"]["steps"] = 5
    with pytest.raises(ValueError, match=r"resume_from \(loaded from .*run.ckpt\) holds a train"):
        train(checkpoint.agent, steps=100, progress=False, resume_from=checkpoint)
    assert checkpoint.agent.steps == 60


def test_a_training_state_that_adds_up_but_disagrees_with_the_agent_is_refused(tmp_path):
    """Steps added consistently to the History and the unfinished episode pass the file's own
    checks; the agent's step count still disagrees, and train says so before resuming."""
    checkpoint = load_checkpoint(resumable(tmp_path))
    checkpoint.trainer["history"]["steps"] += 5
    checkpoint.trainer["episode"]["length"] += 5
    with pytest.raises(ValueError, match=r"steps is 65, but the agent has observed 60 steps"):
        train(checkpoint.agent, steps=100, progress=False, resume_from=checkpoint)
    assert checkpoint.agent.steps == 60


def test_a_passed_budget_is_refused_before_the_environment_is_touched(tmp_path):
    checkpoint = load_checkpoint(resumable(tmp_path))
    env = make_env(3)
    before = env.unwrapped.np_random.bit_generator.state
    with pytest.raises(ValueError, match="already at steps 60"):
        train(checkpoint.agent, env, steps=30, progress=False, resume_from=checkpoint)
    assert env.unwrapped.np_random.bit_generator.state == before


@pytest.mark.parametrize("length", [1, 5])
def test_an_environment_state_of_the_wrong_length_is_refused_before_resuming(tmp_path, length):
    checkpoint = load_checkpoint(resumable(tmp_path))
    checkpoint.trainer["env"]["state"] = torch.zeros(length, dtype=torch.float64)
    with pytest.raises(ValueError, match=rf"trainer.env.state is \({length},\), but .* \(4,\)"):
        train(checkpoint.agent, steps=100, progress=False, resume_from=checkpoint)


def test_a_stored_observation_of_an_odd_dtype_is_refused(tmp_path):
    payload = resumable(tmp_path).read_bytes()[_HEADER_SIZE:]
    content = torch.load(io.BytesIO(payload), weights_only=True)
    content["trainer"]["observation"] = content["trainer"]["observation"].to(torch.bfloat16)
    edited = write_payload(tmp_path / "bf16.ckpt", content)
    refused(edited, "trainer.observation is torch.bfloat16", "float32 or float64")


def test_changing_a_checkpoints_history_does_not_change_the_checkpoint(tmp_path):
    path = tmp_path / "run.ckpt"
    train(OnlineAgent(seed=0), steps=60, progress=False, callbacks=[Checkpointing(path, 60)])
    checkpoint = load_checkpoint(path)
    checkpoint.history.returns.append(1e9)
    assert 1e9 not in checkpoint.history.returns


# --- User code: what reward functions and policies return is checked, the function named -------


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "None of type NoneType"), ("1.0", "'1.0' of type str"), (1j, "1j of type complex")],
)
def test_a_reward_function_returning_a_non_number_is_named(value, shown):
    def broken_reward(next_observation, env_reward, terminated):
        return value

    with pytest.raises(
        ValueError,
        match=rf"The reward function broken_reward returned {shown} at step 1; it must return a "
        r"finite real number",
    ):
        train(OnlineAgent(seed=0), steps=5, reward_fn=broken_reward, progress=False)


@pytest.mark.parametrize(("action", "shown"), [(5, "5"), (None, "None of type NoneType")])
def test_evaluate_names_the_policy_that_returned_a_bad_action(action, shown):
    def bad_policy(observation):
        return action

    with pytest.raises(
        ValueError,
        match=rf"The policy bad_policy returned {shown} in episode 0 \(seed 10000\), step 1; the "
        r"environment expects an int in \[0, 1\]\. Return int\(\.\.\.\)",
    ):
        evaluate(bad_policy, episodes=1)

    class BadAgent(OnlineAgent):
        def act(self, observation, greedy=False):
            return action

    with pytest.raises(ValueError, match=rf"BadAgent\.act returned {shown} in episode 0"):
        evaluate(BadAgent(seed=0), episodes=1)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"max_steps": 0}, ValueError, r"max_steps must be a positive int, got 0\."),
        ({"max_steps": 2.5}, ValueError, r"max_steps must be a positive int, got 2\.5\."),
        ({"env": "CartPole-v1"}, TypeError, r"env must be a gymnasium environment"),
    ],
)
def test_evaluate_checks_its_arguments(arguments, error, message):
    with pytest.raises(error, match=message):
        evaluate(OnlineAgent(seed=0), episodes=1, **arguments)


def test_numpy_actions_are_still_accepted():
    assert evaluate(lambda observation: np.int64(0), episodes=1).shape == (1,)
    assert evaluate(lambda observation: np.array(1), episodes=1).shape == (1,)


# --- Unclear before: files that are not checkpoints, sizes, the caller's own mistakes ----------


def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path):
    link = tmp_path / "zero.ckpt"
    link.symlink_to("/dev/zero")
    start = time.perf_counter()
    refused(link, "the file is not a regular file but a character device")
    assert time.perf_counter() - start < 5


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.ckpt"
    os.mkfifo(fifo)
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(refused(fifo, "a FIFO")), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert outcome, "load_checkpoint blocked on a FIFO"


def test_a_directory_is_refused(tmp_path):
    refused(tmp_path, "the file is not a regular file but a directory")


def test_a_huge_buffer_size_is_refused_before_any_allocation(tmp_path):
    _, content = trained_content(include_replay=False)
    content["config"]["buffer_size"] = 10**11
    path = write_payload(tmp_path / "huge.ckpt", content)
    assert path.stat().st_size < 100_000
    refused(path, "a replay buffer of buffer_size=100,000,000,000 transitions", "nothing was")


def test_a_payload_that_is_not_a_torch_archive_is_not_called_code(tmp_path):
    payload = np.random.default_rng(0).bytes(1 << 20)
    prefix = MAGIC + FORMAT_VERSION.to_bytes(4, "big")
    path = tmp_path / "random.ckpt"
    path.write_bytes(prefix + hashlib.sha256(prefix + payload).digest() + payload)
    message = refused(path, "its payload is not a torch.save archive")
    assert "pickled" not in message and "possibly code" not in message


def test_a_typo_in_expect_config_is_blamed_on_the_caller_not_the_file(tmp_path):
    missing = tmp_path / "missing.ckpt"  # the arguments are checked before the file is read
    with pytest.raises(
        ValueError,
        match=r"expect_config \(your argument, not the file\) has an unknown key 'learning_rat'\. "
        r"Did you mean 'learning_rate'\?",
    ):
        load_checkpoint(missing, expect_config={"learning_rat": 1e-3})
    with pytest.raises(ValueError, match=r"expect_config \(your argument, not the file\) is inv"):
        load_checkpoint(missing, expect_config={"buffer_size": 0})
    with pytest.raises(TypeError, match="expect_config must be a DQNConfig"):
        load_checkpoint(missing, expect_config=[1])
    path = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "a.ckpt")
    assert load_checkpoint(path, expect_config={**SMALL.__dict__}).agent.config == SMALL


def test_an_invalid_value_in_expect_config_is_blamed_on_the_caller(tmp_path):
    """gamma=2.0 fits neither agent's settings: the caller's mistake, not the file's type."""
    path = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "a.ckpt")
    with pytest.raises(ValueError, match=r"expect_config \(your argument, not the file\) is inv"):
        load_checkpoint(path, expect_config={"gamma": 2.0})


@pytest.mark.parametrize("save", ["train", "save_checkpoint"])
def test_a_checkpoint_path_under_a_file_is_refused_before_the_first_step(tmp_path, save):
    (tmp_path / "notes").write_text("a file, not a folder")
    target = tmp_path / "notes" / "run.ckpt"
    agent = DQNAgent(SMALL, seed=0)
    with pytest.raises(NotADirectoryError, match=r"notes is a file, not a folder"):
        if save == "train":
            train(agent, steps=30, progress=False, callbacks=[Checkpointing(target, 10)])
        else:
            save_checkpoint(agent, target)
    assert agent.steps == 0


def test_a_file_name_too_long_for_the_file_system_is_refused_with_the_fix(tmp_path):
    with pytest.raises(ValueError, match=r"has a name of 300 bytes.*Choose a shorter name"):
        save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / ("x" * 300))


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "target.ckpt"
    target.write_bytes(b"old")
    target.chmod(0o600)
    link = tmp_path / "link.ckpt"
    link.symlink_to(target)
    save_checkpoint(DQNAgent(SMALL, seed=0), link)
    assert link.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load_checkpoint(link).agent.config == SMALL


def test_a_reward_function_returning_a_fraction_is_taken_as_its_float():
    from fractions import Fraction

    history = train(
        DQNAgent(SMALL, seed=0),
        steps=30,
        progress=False,
        reward_fn=lambda observation, env_reward, terminated: Fraction(1, 2),
    )
    assert history.steps == 30 and all(
        r == 0.5 * n for r, n in zip(history.shaped_returns, history.lengths, strict=True)
    )


def test_a_bad_env_argument_is_blamed_on_the_caller_not_the_file(tmp_path):
    missing = tmp_path / "missing.ckpt"
    with pytest.raises(TypeError, match=r"env \(your argument, not the file\) must be a gymnas"):
        load_checkpoint(missing, env="CartPole-v1")
    import gymnasium as gym

    with pytest.raises(ValueError, match=r"env \(your argument, not the file\) has action space"):
        load_checkpoint(missing, env=gym.make("Pendulum-v1"))
    path = save_checkpoint(DQNAgent(SMALL, seed=0), tmp_path / "a.ckpt")
    assert load_checkpoint(path, env=make_env(0)).agent.n_actions == 2
    with pytest.raises(TypeError, match="load_checkpoint's path must be a str"):
        load_checkpoint(123)
