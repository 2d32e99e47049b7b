"""Checkpoints: save an agent (and a training run) to one file, load it back exactly.

Taught in notebooks/09_double_dqn.py. The file is a small header and a ``torch.save`` payload::

    b"DQNLIB-CHECKPOINT\\n"    18 bytes, the magic: says what the file is
    format version            4 bytes, big-endian unsigned int (FORMAT_VERSION)
    SHA-256 of the payload    32 bytes
    payload                   torch.save of a dict of tensors and plain Python values

The checksum is verified before ``torch.load`` reads a byte of the payload, and the payload is
read with ``weights_only=True``, which refuses pickled code. It is written atomically: a temporary
file in the same folder, flushed and fsynced, then ``os.replace``d over ``path``; a failed save
leaves the previous checkpoint as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import io
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import torch

from dqn_lib.agents import OnlineAgent
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.env import ENV_ID
from dqn_lib.files import write_atomically
from dqn_lib.history import History

FORMAT_VERSION = 1
"""The checkpoint format this library writes; it reads this one and older ones."""

MAGIC = b"DQNLIB-CHECKPOINT\n"
_HEADER_SIZE = len(MAGIC) + 4 + 32
_REPLAY_ARRAYS = ("observations", "next_observations", "actions", "rewards", "terminated")
_REPLAY_ARRAYS += ("truncated",)


class CheckpointError(Exception):
    """A checkpoint file that cannot be loaded, with the file and the cause in the message.

    Taught in notebooks/09_double_dqn.py. ``load_checkpoint`` raises only this for a bad file:
    missing, empty, truncated, corrupted, not a checkpoint, holding pickled code, NaN or infinite
    weights, weights that do not fit the stored settings, another environment's spaces, a newer
    format.
    """


@dataclass
class Checkpoint:
    """What ``load_checkpoint`` returns: a ready agent, the file's metadata, and the training
    run's state when ``train`` saved it (``trainer``; ``None`` for ``save_checkpoint(agent)``).

    Not taught in a lesson by name: what ``load_checkpoint`` (notebooks/09_double_dqn.py)
    returns. Continue the run with ``train(checkpoint.agent, ..., resume_from=checkpoint)``.
    """

    agent: DQNAgent | OnlineAgent
    metadata: dict[str, Any]
    trainer: dict[str, Any] | None
    path: Path

    @property
    def history(self) -> History | None:
        """The ``History`` of the run up to the checkpoint, or ``None`` (no trainer state)."""
        return None if self.trainer is None else History.from_dict(self.trainer["history"])


def save_checkpoint(
    agent: DQNAgent | OnlineAgent,
    path: str | os.PathLike[str],
    *,
    include_replay: bool = False,
    trainer: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``agent`` to ``path`` atomically: the whole new file, or the old one untouched.

    Taught in notebooks/09_double_dqn.py.

    Args:
        agent: a ``DQNAgent`` or an ``OnlineAgent``.
        path: the file to write; its folder must exist.
        include_replay: also store the replay buffer's transitions (a DQNAgent's; needed to go
            on learning exactly as before, up to ``buffer_size`` transitions of 37 bytes).
        trainer: the training loop's state; ``train`` passes it, leave it ``None`` otherwise.

    Returns:
        The path written. An ``OSError`` (a full disk) is raised as it is, after removing the
        temporary file.
    """
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(_payload(agent, include_replay, trainer), buffer)
    payload = buffer.getvalue()
    header = MAGIC + FORMAT_VERSION.to_bytes(4, "big") + hashlib.sha256(payload).digest()
    write_atomically(path, header + payload)
    return path


def _payload(
    agent: DQNAgent | OnlineAgent, include_replay: bool, trainer: Mapping[str, Any] | None
) -> dict[str, Any]:
    if isinstance(agent, DQNAgent):
        config = dataclasses.asdict(agent.config)
        replay_rng = agent.replay_buffer.rng.bit_generator.state
    elif isinstance(agent, OnlineAgent):
        config = _online_config(agent)
        replay_rng = None
    else:
        raise TypeError(
            f"save_checkpoint saves a DQNAgent or an OnlineAgent, got {type(agent).__name__}."
        )
    is_dqn = isinstance(agent, DQNAgent)
    return {
        "metadata": {
            "format_version": FORMAT_VERSION,
            "dqn_lib_version": _version("dqn_lib"),
            "torch_version": str(torch.__version__),  # a plain str: TorchVersion is a class
            "gymnasium_version": gym.__version__,
            "env_id": ENV_ID,
            "observation_shape": [agent.n_observations],
            "n_actions": agent.n_actions,
            "agent_type": type(agent).__name__,
        },
        "config": config,
        "q_network": _cloned(agent.q_network.state_dict()),
        "target_network": _cloned(agent.target_network.state_dict()) if is_dqn else None,
        "optimizer": agent.optimizer.state_dict(),
        "counters": {"steps": agent.steps, "updates": agent.updates} if is_dqn else {},
        "rng": {"exploration": agent.rng.bit_generator.state, "replay": replay_rng},
        "replay": _replay_state(agent) if include_replay and is_dqn else None,
        "trainer": None if trainer is None else dict(trainer),
    }


def _online_config(agent: OnlineAgent) -> dict[str, Any]:
    return {
        "hidden": list(agent.hidden),
        "learning_rate": agent.learning_rate,
        "gamma": agent.gamma,
        "epsilon": agent.epsilon,
        "bootstrap_through_termination": agent.bootstrap_through_termination,
    }


def _cloned(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in state_dict.items()}


def _replay_state(agent: DQNAgent) -> dict[str, Any]:
    buffer = agent.replay_buffer
    arrays = {
        name: torch.from_numpy(getattr(buffer, name)[: buffer.size].copy())
        for name in _REPLAY_ARRAYS
    }
    return {**arrays, "position": buffer.position, "size": buffer.size}


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def load_checkpoint(
    path: str | os.PathLike[str],
    *,
    expect_config: DQNConfig | Mapping[str, Any] | None = None,
    env: gym.Env | None = None,
) -> Checkpoint:
    """Read a checkpoint, check it, and rebuild its agent exactly as it was saved.

    Taught in notebooks/09_double_dqn.py.

    Args:
        path: the file ``save_checkpoint`` (or ``train(..., checkpoint_path=...)``) wrote.
        expect_config: refuse a checkpoint whose stored settings differ from these (a
            ``DQNConfig``, or an ``OnlineAgent``'s dict of hidden, learning_rate, gamma, epsilon).
        env: the environment the agent will act in; the stored observation shape and number of
            actions must match its spaces. By default CartPole-v1's: ``(4,)`` and 2.

    Raises:
        CheckpointError: for any file that cannot be loaded; the message names it and the cause.
    """
    path = Path(path)
    payload = _read_verified_payload(path)
    try:
        content = torch.load(io.BytesIO(payload), weights_only=True)
    except pickle.UnpicklingError as error:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: it holds pickled objects other than tensors and "
            f"plain values (possibly code); torch.load(weights_only=True) refused them and "
            f"nothing was run ({_first_line(error)})."
        ) from error
    except Exception as error:  # torch raises RuntimeError, EOFError, ... for a bad zip payload
        raise CheckpointError(
            f"Cannot load checkpoint {path}: its payload is not readable by torch.load "
            f"({type(error).__name__}: {_first_line(error)})."
        ) from error
    try:
        return _checked_checkpoint(path, content, expect_config, env)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: its content is not what a dqn_lib checkpoint holds "
            f"({type(error).__name__}: {_first_line(error)})."
        ) from error


def _first_line(error: BaseException) -> str:
    """The line of an error's message that says what went wrong (torch's start with advice)."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("WeightsUnpickler error:")]
    return (causes or lines or [type(error).__name__])[0]


def _read_verified_payload(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise CheckpointError(f"Cannot load checkpoint {path}: the file does not exist.") from error
    except OSError as error:
        raise CheckpointError(f"Cannot load checkpoint {path}: {error}.") from error
    if not data:
        raise CheckpointError(f"Cannot load checkpoint {path}: the file is empty.")
    if not data.startswith(MAGIC):
        raise CheckpointError(
            f"Cannot load checkpoint {path}: it is not a dqn_lib checkpoint (it does not start "
            f"with {MAGIC!r}); save one with dqn_lib.save_checkpoint."
        )
    if len(data) < _HEADER_SIZE:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: the file is truncated ({len(data)} bytes, shorter "
            f"than the {_HEADER_SIZE}-byte header)."
        )
    version = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 4], "big")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: it has format version {version}, newer than the "
            f"{FORMAT_VERSION} this dqn_lib reads; update dqn_lib to load it."
        )
    digest, payload = data[len(MAGIC) + 4 : _HEADER_SIZE], data[_HEADER_SIZE:]
    if hashlib.sha256(payload).digest() != digest:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: its SHA-256 checksum does not match its content, so "
            "the file is truncated or corrupted; use an earlier checkpoint."
        )
    return payload


def _checked_checkpoint(
    path: Path,
    content: dict[str, Any],
    expect_config: DQNConfig | Mapping[str, Any] | None,
    env: gym.Env | None,
) -> Checkpoint:
    metadata = content["metadata"]
    if metadata["format_version"] > FORMAT_VERSION:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: it has format version {metadata['format_version']}, "
            f"newer than the {FORMAT_VERSION} this dqn_lib reads; update dqn_lib to load it."
        )
    _check_spaces(path, metadata, env)
    for network in ("q_network", "target_network"):
        for name, tensor in (content[network] or {}).items():
            if tensor.is_floating_point() and not torch.isfinite(tensor).all():
                raise CheckpointError(
                    f"Cannot load checkpoint {path}: {network}.{name} contains NaN or infinite "
                    "weights; the run diverged before it was saved. Use an earlier checkpoint."
                )
    agent = _new_agent(path, metadata, content["config"], expect_config)
    _load_networks(path, agent, content)
    agent.optimizer.load_state_dict(content["optimizer"])
    agent.rng.bit_generator.state = content["rng"]["exploration"]
    if isinstance(agent, DQNAgent):
        agent.steps, agent.updates = content["counters"]["steps"], content["counters"]["updates"]
        agent.replay_buffer.rng.bit_generator.state = content["rng"]["replay"]
        if content["replay"] is not None:
            _restore_replay(agent, content["replay"])
    return Checkpoint(agent, metadata, content["trainer"], path)


def _check_spaces(path: Path, metadata: Mapping[str, Any], env: gym.Env | None) -> None:
    if env is None:
        expected_shape, expected_actions, env_id = (4,), 2, ENV_ID
    else:
        expected_shape = tuple(env.observation_space.shape or ())
        expected_actions = int(getattr(env.action_space, "n", -1))
        env_id = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
    stored_shape, stored_actions = tuple(metadata["observation_shape"]), metadata["n_actions"]
    if (stored_shape, stored_actions) != (expected_shape, expected_actions):
        raise CheckpointError(
            f"Cannot load checkpoint {path}: it was saved for observations of shape "
            f"{stored_shape} and {stored_actions} actions, but {env_id} has {expected_shape} and "
            f"{expected_actions}. Pass env=... for the environment it was trained on."
        )


def _new_agent(
    path: Path,
    metadata: Mapping[str, Any],
    stored: Mapping[str, Any],
    expect_config: DQNConfig | Mapping[str, Any] | None,
) -> DQNAgent | OnlineAgent:
    n_observations, n_actions = metadata["observation_shape"][0], metadata["n_actions"]
    if metadata["agent_type"] == "DQNAgent":
        config = DQNConfig.from_dict(stored)
        if expect_config is not None:
            expected = expect_config if isinstance(expect_config, DQNConfig) else None
            expected = expected or DQNConfig.from_dict(expect_config)
            _check_same(path, dataclasses.asdict(config), dataclasses.asdict(expected))
        return DQNAgent(config, n_observations, n_actions, seed=0)
    if metadata["agent_type"] == "OnlineAgent":
        if expect_config is not None:
            expected_dict = dict(expect_config)  # type: ignore[arg-type]
            expected_dict["hidden"] = list(expected_dict.get("hidden", ()))
            _check_same(path, dict(stored), expected_dict)
        kwargs = {**stored, "hidden": tuple(stored["hidden"])}
        return OnlineAgent(n_observations, n_actions, seed=0, **kwargs)
    raise CheckpointError(
        f"Cannot load checkpoint {path}: unknown agent type {metadata['agent_type']!r}; this "
        "dqn_lib loads DQNAgent and OnlineAgent."
    )


def _check_same(path: Path, stored: Mapping[str, Any], expected: Mapping[str, Any]) -> None:
    differences = [
        f"{key}={stored.get(key)!r} (expected {expected.get(key)!r})"
        for key in sorted(set(stored) | set(expected))
        if stored.get(key) != expected.get(key)
    ]
    if differences:
        raise CheckpointError(
            f"Cannot load checkpoint {path}: its settings differ from expect_config: "
            f"{', '.join(differences)}."
        )


def _load_networks(path: Path, agent: DQNAgent | OnlineAgent, content: Mapping[str, Any]) -> None:
    networks = [("q_network", agent.q_network)]
    if isinstance(agent, DQNAgent):
        networks.append(("target_network", agent.target_network))
    for name, network in networks:
        stored, expected = content[name], network.state_dict()
        if list(stored) != list(expected) or any(
            tuple(stored[key].shape) != tuple(value.shape) for key, value in expected.items()
        ):
            raise CheckpointError(
                f"Cannot load checkpoint {path}: its {name} weights do not fit the network its "
                f"stored settings build (hidden={tuple(network.hidden)}): stored "
                f"{_shapes(stored)}, expected {_shapes(expected)}."
            )
        network.load_state_dict(stored)


def _shapes(state_dict: Mapping[str, torch.Tensor]) -> str:
    return ", ".join(f"{key} {tuple(value.shape)}" for key, value in state_dict.items())


def _restore_replay(agent: DQNAgent, replay: Mapping[str, Any]) -> None:
    buffer, size = agent.replay_buffer, replay["size"]
    for name in _REPLAY_ARRAYS:
        getattr(buffer, name)[:size] = replay[name].numpy()
    buffer.position, buffer.size = replay["position"], size
