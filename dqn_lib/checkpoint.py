"""Checkpoints: save an agent (and a training run) to one file, load it back exactly.

Taught in notebooks/09_double_dqn.py. The file is a small header and a ``torch.save`` payload::

    b"DQNLIB-CHECKPOINT\\n"    18 bytes, the magic: says what the file is
    format version            4 bytes, big-endian unsigned int (FORMAT_VERSION)
    SHA-256                   32 bytes: of the magic, the version and the payload
    payload                   torch.save of a dict of tensors and plain Python values

The checksum is verified before ``torch.load`` reads a byte of the payload, and the payload is
read with ``weights_only=True``, which refuses pickled code. Format 2 (this one) puts the header
under the checksum, so a damaged version field is caught like any other damaged byte; every
later format keeps this header. Format 1 files (checksum of the payload alone, such as
notebooks/data/cartpole_dqn.ckpt) still load: their payload repeats the version, which must agree.

Before anything is built, everything the file holds is checked against what its stored settings
imply: every tensor's dtype, shape and finiteness (networks, Adam's moments, the replay buffer,
the training loop's state), counters and positions within range, the replay buffer's size
against this machine's memory, and the training loop's state's structure.

It is written atomically (``files.write_atomically``): a temporary file in the same folder,
flushed and fsynced, then ``os.replace``d over ``path``; a failed save leaves the previous
checkpoint as it was, and a later save removes what a killed one left.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import importlib.metadata
import inspect
import io
import math
import os
import pickle
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.wrappers import TimeLimit

from dqn_lib.agents import OnlineAgent
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.env import ENV_ID
from dqn_lib.files import FileReadError, check_file_target, read_regular_file, write_atomically
from dqn_lib.history import History, UnfinishedEpisode
from dqn_lib.i18n import tr
from dqn_lib.replay import ReplayBuffer
from dqn_lib.validation import as_path

FORMAT_VERSION = 2
"""The checkpoint format this library writes; it reads this one and format 1."""

MAGIC = b"DQNLIB-CHECKPOINT\n"
_HEADER_SIZE = len(MAGIC) + 4 + 32
_REPLAY_ARRAYS = ("observations", "next_observations", "actions", "rewards", "terminated")
_REPLAY_ARRAYS += ("truncated",)
_TOP_KEYS = (
    "metadata",
    "config",
    "q_network",
    "target_network",
    "optimizer",
    "counters",
    "rng",
    "replay",
    "trainer",
)
MAX_FILE_BYTES = 1 << 34
"""The largest file ``load_checkpoint`` reads (16 GiB, or the machine's memory if less): a
replay buffer of 10 million CartPole transitions takes 370 MB."""
_MAX_COUNT = 1 << 62  # counters and steps: far beyond any run, and exact in a float64
_MAX_SIZE = 1 << 20  # observation length, number of actions, layer width
_ONLINE_SETTINGS = ("hidden", "learning_rate", "gamma", "epsilon", "bootstrap_through_termination")
_DIVERGED = "The run diverged before it was saved: use an earlier checkpoint."
_FIX = (
    "The file was changed after it was saved, or written by other code: use an earlier "
    "checkpoint, or save the agent again with dqn_lib.save_checkpoint."
)


class CheckpointError(Exception):
    """A checkpoint file that cannot be loaded, with the file and the cause in the message.

    Taught in notebooks/09_double_dqn.py. ``load_checkpoint`` raises only this for a bad file:
    missing, not a regular file, empty, truncated, corrupted, not a checkpoint, holding pickled
    code, NaN or infinite numbers, tensors or settings that do not fit its stored settings,
    counters out of range, another environment's spaces, a newer format. A mistake in the
    caller's own arguments (``expect_config``, ``env``) is a ``TypeError`` or ``ValueError``.
    """


class _Invalid(Exception):
    """What is wrong with a payload's content; ``load_checkpoint`` and ``save_checkpoint`` each
    put it in their own words."""


@dataclass
class Checkpoint:
    """What ``load_checkpoint`` returns: a ready agent, the file's metadata, and the training
    run's state when ``train`` saved it (``trainer``; ``None`` for ``save_checkpoint(agent)``).

    Not taught in a lesson by name: what ``load_checkpoint`` (notebooks/09_double_dqn.py)
    returns. Continue the run with ``train(checkpoint.agent, ..., resume_from=checkpoint)``;
    ``train`` never changes the Checkpoint, and refuses to resume from it once its agent has
    moved on (a notebook cell run twice): load the file again for that.
    """

    agent: DQNAgent | OnlineAgent
    metadata: dict[str, Any]
    trainer: dict[str, Any] | None
    path: Path
    _fingerprint: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._fingerprint is None:
            self._fingerprint = _fingerprint(self.agent)

    @property
    def history(self) -> History | None:
        """The ``History`` of the run up to the checkpoint, or ``None`` (no trainer state); a new
        copy each time, so changing it changes neither the Checkpoint nor a later copy."""
        if self.trainer is None:
            return None
        return History.from_dict(copy.deepcopy(self.trainer["history"]))

    def agent_unchanged(self) -> bool:
        """Whether ``agent`` is still as it was loaded: same weights, exploration generator and
        counters. ``train(..., resume_from=checkpoint)`` needs it so."""
        return _same_fingerprint(self._fingerprint, _fingerprint(self.agent))


def _fingerprint(agent: object) -> tuple[Any, ...]:
    rng = getattr(agent, "rng", None)
    network = getattr(agent, "q_network", None)
    replay = getattr(agent, "replay_buffer", None)
    return (
        copy.deepcopy(rng.bit_generator.state) if isinstance(rng, np.random.Generator) else None,
        getattr(agent, "steps", None),
        getattr(agent, "updates", None),
        _replay_digest(replay) if isinstance(replay, ReplayBuffer) else None,
        [t.detach().clone() for t in network.state_dict().values()] if network else [],
    )


def _replay_digest(replay: ReplayBuffer) -> tuple[int, int, str]:
    """The buffer's counters and a hash of what it holds: a buffer changed by hand between
    load_checkpoint and resuming is noticed like changed weights."""
    digest = hashlib.sha256()
    for name in _REPLAY_ARRAYS:  # the arrays a checkpoint stores
        digest.update(getattr(replay, name).tobytes())
    return replay.position, len(replay), digest.hexdigest()


def _same_fingerprint(first: tuple[Any, ...] | None, second: tuple[Any, ...]) -> bool:
    if first is None:
        return True
    *plain_a, tensors_a = first
    *plain_b, tensors_b = second
    return (
        plain_a == plain_b
        and len(tensors_a) == len(tensors_b)
        and all(torch.equal(a, b) for a, b in zip(tensors_a, tensors_b, strict=True))
    )


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
        path: the file to write (its folder is created if needed). A file it replaces keeps its
            permission mode; a new one gets ``0o666`` less the umask. A symlink is followed:
            the file it points to is the one replaced.
        include_replay: also store the replay buffer's transitions (a DQNAgent's; needed to go
            on learning exactly as before, up to ``buffer_size`` transitions of 37 bytes).
        trainer: the training loop's state; ``train`` passes it, leave it ``None`` otherwise.

    Returns:
        The path written. Nothing is written that ``load_checkpoint`` would refuse: NumPy
        numbers in the settings are stored as Python numbers, and anything else a checkpoint
        cannot hold (NaN weights, an object of another type) is a ``ValueError`` or
        ``TypeError`` naming it. An ``OSError`` (a full disk) is raised as it is, after removing
        the temporary file.
    """
    path = as_path(path, tr("save_checkpoint's path"))
    if not isinstance(include_replay, bool):
        raise TypeError(
            tr("include_replay must be True or False, got {value!r}.").format(value=include_replay)
        )
    if trainer is not None and not isinstance(trainer, Mapping):
        raise TypeError(
            tr("trainer must be None or the dict train passes, got {type}.").format(
                type=type(trainer).__name__
            )
        )
    check_file_target(path, tr("save_checkpoint's path"))
    buffer = io.BytesIO()
    torch.save(_payload(agent, include_replay, trainer), buffer)
    payload = buffer.getvalue()
    try:
        content = torch.load(io.BytesIO(payload), weights_only=True)
        _check_content(content, FORMAT_VERSION)
    except (_Invalid, pickle.UnpicklingError) as error:
        cause = _first_line(error)
        fix, diverged = tr(_FIX), tr(_DIVERGED)
        for advice in (f" {fix}", fix, f" {diverged}", diverged):  # a translation may drop " "
            cause = cause.replace(advice, "")
        raise ValueError(
            tr(
                "save_checkpoint will not write {path}: load_checkpoint would refuse the file, "
                "because {cause} Nothing was written."
            ).format(path=path, cause=cause)
        ) from error
    prefix = MAGIC + FORMAT_VERSION.to_bytes(4, "big")
    write_atomically(path, prefix + hashlib.sha256(prefix + payload).digest() + payload)
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
            tr("save_checkpoint saves a DQNAgent or an OnlineAgent, got {type}.").format(
                type=type(agent).__name__
            )
        )
    is_dqn = isinstance(agent, DQNAgent)
    return {
        "metadata": {
            "format_version": FORMAT_VERSION,
            "dqn_lib_version": _version("dqn_lib"),
            "torch_version": str(torch.__version__),  # a plain str: TorchVersion is a class
            "gymnasium_version": gym.__version__,
            "env_id": ENV_ID,
            "observation_shape": [_plain(agent.n_observations, "agent.n_observations")],
            "n_actions": _plain(agent.n_actions, "agent.n_actions"),
            "agent_type": "DQNAgent" if is_dqn else "OnlineAgent",  # a subclass loads as its base
        },
        "config": _plain(config, tr("the agent's settings")),
        "q_network": _cloned(agent.q_network.state_dict()),
        "target_network": _cloned(agent.target_network.state_dict()) if is_dqn else None,
        "optimizer": _plain(agent.optimizer.state_dict(), tr("the optimizer's state")),
        "counters": (
            {
                "steps": _plain(agent.steps, "agent.steps"),
                "updates": _plain(agent.updates, "agent.updates"),
            }
            if is_dqn
            else {}
        ),
        "rng": {"exploration": agent.rng.bit_generator.state, "replay": replay_rng},
        "replay": _replay_state(agent) if include_replay and is_dqn else None,
        "trainer": None if trainer is None else _plain(dict(trainer), "trainer"),
    }


def _plain(value: Any, where: str) -> Any:
    """``value`` with every NumPy number turned into the Python number of the same value (a
    checkpoint stores plain values; torch.load(weights_only=True) refuses NumPy's), or a
    TypeError naming what a checkpoint cannot hold."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):  # np.float64 too, a float subclass that pickles as NumPy
        return float(value)
    if value is None or isinstance(value, bool | int | float | str | torch.Tensor):
        return value
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, Mapping):
        return {key: _plain(item, f"{where}[{key!r}]") for key, item in value.items()}
    if isinstance(value, list | tuple):
        items = [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    raise TypeError(
        tr(
            "save_checkpoint cannot store {where} = {value!r} of type {type}: a checkpoint holds "
            "tensors, numbers, strings, None, and lists, tuples and dicts of them. Use a Python "
            "number or a string."
        ).format(where=where, value=value, type=type(value).__name__)
    )


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
    return {**arrays, "position": int(buffer.position), "size": int(buffer.size)}


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
        path: the file ``save_checkpoint`` (or ``train``'s ``Checkpointing(path, every)``)
            wrote.
        expect_config: refuse a checkpoint whose stored settings differ from these (a
            ``DQNConfig``, or an ``OnlineAgent``'s dict of hidden, learning_rate, gamma, epsilon).
        env: the environment the agent will act in; the stored observation shape and number of
            actions must match its spaces. By default CartPole-v1's: ``(4,)`` and 2.

    Raises:
        CheckpointError: for any file that cannot be loaded; the message names it and the cause.
        TypeError, ValueError: for a mistake in ``path``, ``expect_config`` or ``env`` themselves
            (checked first: the file is not blamed for them).
    """
    path = as_path(path, tr("load_checkpoint's path"))
    expected_config = _caller_config(expect_config)
    spaces = _caller_spaces(env)
    payload, version = _read_verified_payload(path)
    try:
        content = torch.load(io.BytesIO(payload), weights_only=True)
    except pickle.UnpicklingError as error:
        if not payload.startswith(b"PK\x03\x04"):  # torch.save's zip archive
            raise CheckpointError(
                tr(
                    "Cannot load checkpoint {path}: its payload is not a torch.save archive (it "
                    "does not start with a zip header). {fix}"
                ).format(path=path, fix=tr(_FIX))
            ) from error
        refused = re.search(r"GLOBAL \S+", str(error))  # what the file wanted to import
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: it holds pickled objects other than tensors and "
                "plain values (possibly code: {refused}); torch.load(weights_only=True) refused "
                "them and nothing was run. Do not load it with weights_only=False unless you "
                "trust whoever made it; ask for a file saved with dqn_lib.save_checkpoint."
            ).format(path=path, refused=refused[0] if refused else tr("an object of another type"))
        ) from error
    except Exception as error:  # torch raises RuntimeError, EOFError, ... for a bad zip payload
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: its payload is not readable by torch.load "
                "({error}: {cause})."
            ).format(path=path, error=type(error).__name__, cause=_first_line(error))
        ) from error
    try:
        config = _check_content(content, version, spaces)
    except _Invalid as error:
        raise CheckpointError(
            tr("Cannot load checkpoint {path}: {cause}").format(path=path, cause=error)
        ) from error
    if expected_config is not None:
        _check_same(path, content["config"], config, expected_config)
    try:
        agent = _build(content, config)
    except MemoryError as error:
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: not enough memory to build its agent (replay "
                "buffer of {buffer_size} transitions)."
            ).format(path=path, buffer_size=content["config"].get("buffer_size"))
        ) from error
    except (KeyError, TypeError, ValueError, RuntimeError) as error:  # checked above: a safety net
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: its content does not rebuild an agent "
                "({error}: {cause}). {fix}"
            ).format(path=path, error=type(error).__name__, cause=_first_line(error), fix=tr(_FIX))
        ) from error
    return Checkpoint(agent, content["metadata"], content["trainer"], path)


def _first_line(error: BaseException) -> str:
    """The line of an error's message that says what went wrong (torch's start with advice)."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("WeightsUnpickler error:")]
    return (causes or lines or [type(error).__name__])[0]


# --- The caller's arguments, checked before the file -------------------------------------------


@dataclass(frozen=True)
class _Expected:
    """``expect_config`` read both ways a mapping can be meant: a DQNAgent's settings (missing
    keys take DQNConfig's defaults) and an OnlineAgent's; ``None`` where it cannot be one."""

    dqn: DQNConfig | None
    online: dict[str, Any] | None


def _caller_config(expect_config: object) -> _Expected | None:
    if expect_config is None:
        return None
    if isinstance(expect_config, DQNConfig):
        return _Expected(expect_config, None)
    if not isinstance(expect_config, Mapping):
        raise TypeError(
            tr(
                "expect_config must be a DQNConfig, an OnlineAgent's dict of settings, or None; "
                "got {type}."
            ).format(type=type(expect_config).__name__)
        )
    keys = list(expect_config)
    dqn_names = [f.name for f in dataclasses.fields(DQNConfig)]
    unknown = [key for key in keys if key not in dqn_names and key not in _ONLINE_SETTINGS]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), dqn_names + list(_ONLINE_SETTINGS), n=1)
        hint = tr(" Did you mean {name!r}?").format(name=close[0]) if close else ""
        raise ValueError(
            tr(
                "expect_config (your argument, not the file) has an unknown key {key!r}.{hint} "
                "A DQNAgent's keys: {dqn_keys}; an OnlineAgent's: {online_keys}."
            ).format(
                key=unknown[0],
                hint=hint,
                dqn_keys=", ".join(dqn_names),
                online_keys=", ".join(_ONLINE_SETTINGS),
            )
        )
    dqn, online = None, None
    if all(key in dqn_names for key in keys):
        try:
            dqn = DQNConfig.from_dict(expect_config)
        except (TypeError, ValueError) as error:
            if not all(key in _ONLINE_SETTINGS for key in keys) or not _online_settings_valid(
                expect_config
            ):
                raise ValueError(
                    tr("expect_config (your argument, not the file) is invalid: {error}").format(
                        error=error
                    )
                ) from error
    if all(key in _ONLINE_SETTINGS for key in keys):
        online = dict(expect_config)
        if "hidden" in online:
            hidden = online["hidden"]
            if not isinstance(hidden, list | tuple):
                raise ValueError(
                    tr(
                        "expect_config['hidden'] (your argument, not the file) must be a list or "
                        "tuple of ints such as (32, 32), got {hidden!r}."
                    ).format(hidden=hidden)
                )
            online["hidden"] = list(hidden)
    return _Expected(dqn, online)


def _online_settings_valid(settings: Mapping[str, Any]) -> bool:
    """Whether ``settings`` could be an OnlineAgent's (values its constructor accepts)."""
    parameters = inspect.signature(OnlineAgent).parameters  # its defaults fill what is missing
    names = ("hidden", "learning_rate", "gamma", "epsilon")
    defaults = {name: parameters[name].default for name in names}
    try:
        _check_settings({**defaults, **settings}, False, 4)
    except _Invalid:
        return False
    return True


def _caller_spaces(env: object) -> tuple[tuple[int, ...], int, str]:
    if env is None:
        return (4,), 2, ENV_ID
    observation_space = getattr(env, "observation_space", None)
    action_space = getattr(env, "action_space", None)
    if not isinstance(observation_space, gym.spaces.Space) or not isinstance(
        action_space, gym.spaces.Space
    ):
        raise TypeError(
            tr(
                "env (your argument, not the file) must be a gymnasium environment such as "
                "dqn_lib.make_env(), with observation_space and action_space; got {type}."
            ).format(type=type(env).__name__)
        )
    if not isinstance(action_space, gym.spaces.Discrete):
        raise ValueError(
            tr(
                "env (your argument, not the file) has action space {space}; a checkpoint's "
                "agent acts in a discrete one, such as CartPole's Discrete(2)."
            ).format(space=action_space)
        )
    spec = getattr(env, "spec", None)
    unwrapped = getattr(env, "unwrapped", env)
    env_id = spec.id if spec is not None else type(unwrapped).__name__
    return tuple(observation_space.shape or ()), int(action_space.n), env_id


# --- The file -----------------------------------------------------------------------------------


def _read_verified_payload(path: Path) -> tuple[bytes, int]:
    try:
        data = read_regular_file(path, min(MAX_FILE_BYTES, _memory_bytes()))
    except FileNotFoundError as error:
        raise CheckpointError(
            tr("Cannot load checkpoint {path}: the file does not exist.").format(path=path)
        ) from error
    except FileReadError as error:
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: the file {error}. Pass the path of a checkpoint "
                "file that save_checkpoint wrote."
            ).format(path=path, error=error)
        ) from error
    except OSError as error:
        raise CheckpointError(
            tr("Cannot load checkpoint {path}: {error}.").format(path=path, error=error)
        ) from error
    if not data:
        raise CheckpointError(
            tr("Cannot load checkpoint {path}: the file is empty.").format(path=path)
        )
    if not data.startswith(MAGIC):
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: it is not a dqn_lib checkpoint (it does not "
                "start with {magic!r}); save one with dqn_lib.save_checkpoint."
            ).format(path=path, magic=MAGIC)
        )
    if len(data) < _HEADER_SIZE:
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: the file is truncated ({size} bytes, shorter "
                "than the {header}-byte header)."
            ).format(path=path, size=len(data), header=_HEADER_SIZE)
        )
    prefix, digest = data[: len(MAGIC) + 4], data[len(MAGIC) + 4 : _HEADER_SIZE]
    payload = data[_HEADER_SIZE:]
    version = int.from_bytes(prefix[len(MAGIC) :], "big")
    if hashlib.sha256(prefix + payload).digest() == digest:  # format 2 and later
        if version > FORMAT_VERSION:
            raise CheckpointError(
                tr(
                    "Cannot load checkpoint {path}: it has format version {version}, newer than "
                    "the {supported} this dqn_lib reads; update dqn_lib to load it."
                ).format(path=path, version=version, supported=FORMAT_VERSION)
            )
        if version >= 2:
            return payload, version
    payload_only = hashlib.sha256(payload).digest() == digest
    if payload_only and version == 1:  # format 1: the checksum covers the payload alone
        return payload, version
    if payload_only or version < 1:
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: its header is damaged: its format version field "
                "reads {version}, which no dqn_lib wrote with this checksum (format 1 checksums "
                "the payload alone, later formats the header too). Use an earlier checkpoint."
            ).format(path=path, version=version)
        )
    raise CheckpointError(
        tr(
            "Cannot load checkpoint {path}: its SHA-256 checksum does not match its content, so "
            "the file is truncated or corrupted; use an earlier checkpoint."
        ).format(path=path)
    )


# --- The content, checked before anything is built ---------------------------------------------


def _check_content(
    content: object,
    version: int,
    spaces: tuple[tuple[int, ...], int, str] | None = None,
) -> DQNConfig | dict[str, Any]:
    """Check every part of a loaded payload; returns its settings (a DQNConfig, or an
    OnlineAgent's dict). Raises ``_Invalid`` with the cause and the fix."""
    if not isinstance(content, dict) or set(content) != set(_TOP_KEYS):
        given = sorted(map(str, content)) if isinstance(content, dict) else type(content).__name__
        raise _Invalid(
            tr(
                "its content is not what a dqn_lib checkpoint holds (expected a dict of {keys}; "
                "got {given}). {fix}"
            ).format(keys=", ".join(_TOP_KEYS), given=given, fix=tr(_FIX))
        )
    metadata = _dict(content["metadata"], "metadata")
    n_observations, n_actions, is_dqn = _check_metadata(metadata, version)
    if spaces is not None:
        _check_spaces(metadata, spaces)
    config = _check_settings(content["config"], is_dqn, n_observations)
    hidden = config.hidden if isinstance(config, DQNConfig) else tuple(config["hidden"])
    shapes = _network_shapes(n_observations, hidden, n_actions)
    _check_network(content["q_network"], "q_network", shapes, hidden)
    if is_dqn:
        _check_network(content["target_network"], "target_network", shapes, hidden)
    elif content["target_network"] is not None:
        raise _bad("target_network", tr("None for an OnlineAgent"), content["target_network"])
    counters = _dict(content["counters"], "counters")
    if is_dqn:
        _keys(counters, ("steps", "updates"), "counters")
        for name in ("steps", "updates"):
            _count(counters[name], f"counters.{name}")
    else:
        _keys(counters, (), "counters")
    _check_optimizer(content["optimizer"], list(shapes.values()))
    rng = _dict(content["rng"], "rng")
    _keys(rng, ("exploration", "replay"), "rng")
    _check_generator_state(rng["exploration"], "rng.exploration")
    if is_dqn:
        _check_generator_state(rng["replay"], "rng.replay")
    elif rng["replay"] is not None:
        raise _bad("rng.replay", tr("None for an OnlineAgent"), rng["replay"])
    if content["replay"] is not None:
        if not isinstance(config, DQNConfig):
            raise _bad("replay", tr("None for an OnlineAgent"), tr("a replay buffer"))
        _check_replay(content["replay"], config.buffer_size, n_observations, n_actions)
    if content["trainer"] is not None:
        _check_trainer(content["trainer"], n_observations)
    return config


def _bad(where: str, expected: str, given: object) -> _Invalid:
    text = repr(given)
    text = text if len(text) <= 80 else text[:77] + "..."
    return _Invalid(
        tr("{where} is {given}, but a checkpoint holds {expected} there. {fix}").format(
            where=where, given=text, expected=expected, fix=tr(_FIX)
        )
    )


def _dict(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where, tr("a dict"), value)
    return value


def _keys(value: Mapping[str, Any], expected: tuple[str, ...], where: str) -> None:
    if set(value) != set(expected):
        raise _Invalid(
            tr(
                "{where} has the keys {keys}, but a checkpoint holds {expected} there. {fix}"
            ).format(
                where=where, keys=sorted(map(str, value)), expected=sorted(expected), fix=tr(_FIX)
            )
        )


def _count(value: object, where: str, maximum: int = _MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise _bad(where, tr("an int in [0, {maximum}]").format(maximum=maximum), value)
    return value


def _finite_real(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(where, tr("a finite number"), value)
    return float(value)


def _check_metadata(metadata: dict[str, Any], version: int) -> tuple[int, int, bool]:
    required = ("format_version", "observation_shape", "n_actions", "agent_type")
    missing = [key for key in required if key not in metadata]
    if missing:
        raise _Invalid(
            tr("its metadata has no {keys}. {fix}").format(keys=", ".join(missing), fix=tr(_FIX))
        )
    if metadata["format_version"] != version:
        raise _bad(
            "metadata.format_version",
            tr("the header's format version, {version}").format(version=version),
            metadata["format_version"],
        )
    for key in ("dqn_lib_version", "torch_version", "gymnasium_version", "env_id"):
        if key in metadata and not isinstance(metadata[key], str):
            raise _bad(f"metadata.{key}", tr("a string"), metadata[key])
    shape = metadata["observation_shape"]
    if not isinstance(shape, list | tuple) or len(shape) != 1:
        raise _bad("metadata.observation_shape", tr("a list of one int, such as [4]"), shape)
    n_observations = _count(shape[0], "metadata.observation_shape[0]", _MAX_SIZE)
    n_actions = _count(metadata["n_actions"], "metadata.n_actions", _MAX_SIZE)
    if n_observations < 1 or n_actions < 1:
        expected = tr("an observation length and a number of actions of 1 or more")
        raise _bad("metadata", expected, shape)
    agent_type = metadata["agent_type"]
    if agent_type not in ("DQNAgent", "OnlineAgent"):
        raise _Invalid(
            tr(
                "unknown agent type {agent_type!r}; this dqn_lib loads DQNAgent and "
                "OnlineAgent. {fix}"
            ).format(agent_type=agent_type, fix=tr(_FIX))
        )
    return n_observations, n_actions, agent_type == "DQNAgent"


def _check_spaces(metadata: Mapping[str, Any], spaces: tuple[tuple[int, ...], int, str]) -> None:
    expected_shape, expected_actions, env_id = spaces
    stored_shape, stored_actions = tuple(metadata["observation_shape"]), metadata["n_actions"]
    if (stored_shape, stored_actions) != (expected_shape, expected_actions):
        raise _Invalid(
            tr(
                "it was saved for observations of shape {stored_shape} and {stored_actions} "
                "actions, but {env_id} has {expected_shape} and {expected_actions}. Pass env=... "
                "for the environment it was trained on."
            ).format(
                stored_shape=stored_shape,
                stored_actions=stored_actions,
                env_id=env_id,
                expected_shape=expected_shape,
                expected_actions=expected_actions,
            )
        )


def _check_settings(
    stored: object, is_dqn: bool, n_observations: int
) -> DQNConfig | dict[str, Any]:
    stored = _dict(stored, "config")
    if not all(isinstance(key, str) for key in stored):
        raise _bad("config", tr("a dict with string keys"), stored)
    if is_dqn:
        try:
            config = DQNConfig.from_dict(stored)
        except (TypeError, ValueError) as error:
            raise _Invalid(
                tr("its stored settings are invalid: {error} {fix}").format(
                    error=error, fix=tr(_FIX)
                )
            ) from error
        needed = config.buffer_size * (2 * 4 * n_observations + 8 + 4 + 1 + 1)
        available = _memory_bytes()
        if needed > available:
            raise _Invalid(
                tr(
                    "its settings ask for a replay buffer of buffer_size={buffer_size:,} "
                    "transitions ({needed:,.2f} GiB), more than this machine's {available:,.1f} "
                    "GiB of memory; nothing was allocated. Load it on a machine with more memory, "
                    "or, if the file was changed, use an earlier one."
                ).format(
                    buffer_size=config.buffer_size,
                    needed=needed / 2**30,
                    available=available / 2**30,
                )
            )
        return config
    unknown = set(stored) - set(_ONLINE_SETTINGS)
    if unknown or not {"hidden", "learning_rate", "gamma", "epsilon"} <= set(stored):
        raise _Invalid(
            tr("its OnlineAgent settings have the keys {keys}, expected {expected}. {fix}").format(
                keys=sorted(stored), expected=list(_ONLINE_SETTINGS), fix=tr(_FIX)
            )
        )
    hidden = stored["hidden"]
    if (
        not isinstance(hidden, list | tuple)
        or not hidden
        or any(
            isinstance(h, bool) or not isinstance(h, int) or not 1 <= h <= _MAX_SIZE for h in hidden
        )
    ):
        raise _bad("config.hidden", tr("a list of positive ints, such as [32, 32]"), hidden)
    if not 0 < _finite_real(stored["learning_rate"], "config.learning_rate"):
        raise _bad("config.learning_rate", tr("a positive number"), stored["learning_rate"])
    for name in ("gamma", "epsilon"):
        if not 0.0 <= _finite_real(stored[name], f"config.{name}") <= 1.0:
            raise _bad(f"config.{name}", tr("a number in [0, 1]"), stored[name])
    if not isinstance(stored.get("bootstrap_through_termination", False), bool):
        raise _bad(
            "config.bootstrap_through_termination",
            tr("True or False"),
            stored["bootstrap_through_termination"],
        )
    return dict(stored)


def _memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 1 << 36


def _network_shapes(
    n_observations: int, hidden: tuple[int, ...], n_actions: int
) -> dict[str, tuple[int, ...]]:
    """The state_dict shapes of ``QNet(n_observations, n_actions, hidden)``, in order."""
    shapes: dict[str, tuple[int, ...]] = {}
    widths = [n_observations, *hidden, n_actions]
    for i, (width_in, width_out) in enumerate(zip(widths, widths[1:], strict=False)):
        shapes[f"net.{2 * i}.weight"] = (width_out, width_in)
        shapes[f"net.{2 * i}.bias"] = (width_out,)
    return shapes


def _check_network(
    stored: object, name: str, shapes: Mapping[str, tuple[int, ...]], hidden: tuple[int, ...]
) -> None:
    stored = _dict(stored, name)
    fits = set(stored) == set(shapes) and all(
        isinstance(stored[key], torch.Tensor) and tuple(stored[key].shape) == shape
        for key, shape in shapes.items()
    )
    if not fits:
        raise _Invalid(
            tr(
                "its {name} weights do not fit the network its stored settings build "
                "(hidden={hidden}): stored {stored}, expected {expected}. {fix}"
            ).format(
                name=name,
                hidden=hidden,
                stored=_shapes(stored),
                expected=", ".join(f"{key} {shape}" for key, shape in shapes.items()),
                fix=tr(_FIX),
            )
        )
    for key in shapes:
        _check_tensor(stored[key], f"{name}.{key}", torch.float32)
        if not torch.isfinite(stored[key]).all():
            raise _Invalid(
                tr("{where} contains NaN or infinite weights. {diverged}").format(
                    where=f"{name}.{key}", diverged=tr(_DIVERGED)
                )
            )


def _check_tensor(
    tensor: object,
    where: str,
    dtype: torch.dtype,
    shape: tuple[int, ...] | None = None,
    finite: bool = False,
) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise _bad(where, tr("a tensor of {dtype}").format(dtype=dtype), tensor)
    if tensor.dtype != dtype or tensor.layout != torch.strided or tensor.is_quantized:
        raise _Invalid(
            tr(
                "{where} is a tensor of {given} ({layout}), but a checkpoint holds a dense tensor "
                "of {dtype} there. {fix}"
            ).format(
                where=where, given=tensor.dtype, layout=tensor.layout, dtype=dtype, fix=tr(_FIX)
            )
        )
    if shape is not None and tuple(tensor.shape) != shape:
        raise _Invalid(
            tr("{where} has shape {given}, but its stored settings imply {shape}. {fix}").format(
                where=where, given=tuple(tensor.shape), shape=shape, fix=tr(_FIX)
            )
        )
    if not tensor.is_contiguous():  # entries sharing memory (stride 0) or out of order
        raise _Invalid(
            tr(
                "{where} is laid out with strides {strides}, so its entries share memory or are "
                "out of order; save_checkpoint writes every tensor in one dense block. {fix}"
            ).format(where=where, strides=tuple(tensor.stride()), fix=tr(_FIX))
        )
    if finite and tensor.is_floating_point() and not torch.isfinite(tensor).all():
        raise _Invalid(
            tr("{where} contains NaN or infinity. {fix}").format(where=where, fix=tr(_FIX))
        )
    return tensor


def _shapes(state_dict: Mapping[str, object]) -> str:
    return ", ".join(
        f"{key} {tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__}"
        for key, value in state_dict.items()
    )


_ADAM_FLAGS = ("amsgrad", "maximize", "capturable", "differentiable", "decoupled_weight_decay")


def _check_optimizer(stored: object, shapes: list[tuple[int, ...]]) -> None:
    """Adam's state: one parameter group over the network's parameters, in order, and for each
    parameter a step count and two moments of exactly its shape (a wrong shape would make the
    fused Adam step write past its buffers)."""
    stored = _dict(stored, "optimizer")
    _keys(stored, ("state", "param_groups"), "optimizer")
    groups = stored["param_groups"]
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        raise _bad("optimizer.param_groups", tr("a list of one dict (Adam's one group)"), groups)
    group = groups[0]
    if group.get("params") != list(range(len(shapes))):
        raise _bad(
            "optimizer.param_groups[0].params",
            tr("the list {items}").format(items=list(range(len(shapes)))),
            group.get("params"),
        )
    lr, eps = _optimizers("lr"), _optimizers("eps")
    if _finite_real(group.get("lr"), lr) <= 0:
        raise _bad(lr, tr("a positive number"), group["lr"])
    if _finite_real(group.get("eps"), eps) <= 0:
        raise _bad(eps, tr("a positive number"), group["eps"])
    weight_decay = _optimizers("weight_decay")
    if _finite_real(group.get("weight_decay"), weight_decay) != 0:  # as the agents build it
        raise _bad(weight_decay, "0", group["weight_decay"])
    betas = group.get("betas")
    if (
        not isinstance(betas, list | tuple)
        or len(betas) != 2
        or not all(0.0 <= _finite_real(beta, _optimizers("betas")) < 1.0 for beta in betas)
    ):
        expected = tr("two numbers in [0, 1), such as (0.9, 0.999)")
        raise _bad(_optimizers("betas"), expected, betas)
    for flag in _ADAM_FLAGS:  # dqn_lib's agents build Adam with each of these off
        if group.get(flag, False) is not False:
            raise _bad(_optimizers(flag), "False", group[flag])
    for flag in ("foreach", "fused"):
        if group.get(flag) is not None and not isinstance(group[flag], bool):
            raise _bad(_optimizers(flag), tr("True, False or None"), group[flag])
    for key, value in group.items():
        known = {"params", "lr", "eps", "weight_decay", "betas", "foreach", "fused", *_ADAM_FLAGS}
        if key not in known and not (value is None or isinstance(value, bool | int | float | str)):
            raise _bad(_optimizers(key), tr("a plain setting"), value)
    state = _dict(stored["state"], "optimizer.state")
    if state and set(state) != set(range(len(shapes))):
        raise _bad(
            tr("optimizer.state's keys"),
            tr("no parameter or all of 0..{last}").format(last=len(shapes) - 1),
            sorted(state, key=str),
        )
    moments = ("exp_avg", "exp_avg_sq")
    steps = set()
    storages: set[int] = set()  # a tensor sharing another's memory would be written twice
    for index, shape in enumerate(shapes):
        if index not in state:
            continue
        where = f"optimizer.state[{index}]"
        entry = _dict(state[index], where)
        _keys(entry, ("step", *moments), where)
        step = _check_tensor(entry["step"], f"{where}.step", torch.float32, (), finite=True)
        _own_memory(step, f"{where}.step", storages)
        value = float(step)
        if not 0 <= value <= _MAX_COUNT or value != int(value):
            raise _bad(f"{where}.step", tr("a whole number of steps >= 0"), value)
        steps.add(value)
        for moment in moments:
            tensor = _check_tensor(entry[moment], f"{where}.{moment}", torch.float32, shape, True)
            _own_memory(tensor, f"{where}.{moment}", storages)
            if moment != "exp_avg" and bool((tensor < 0).any()):
                raise _Invalid(
                    tr("{where} has negative entries (it is a square). {fix}").format(
                        where=f"{where}.{moment}", fix=tr(_FIX)
                    )
                )
    if len(steps) > 1:
        raise _bad(tr("optimizer.state's step counts"), tr("one count for every parameter"), steps)


def _own_memory(tensor: torch.Tensor, where: str, storages: set[int]) -> None:
    """Refuse ``tensor`` if it shares memory with one already in ``storages``; add it."""
    storage = tensor.untyped_storage().data_ptr()
    if storage in storages:
        raise _Invalid(
            tr("{where} shares its memory with another tensor of Adam's state. {fix}").format(
                where=where, fix=tr(_FIX)
            )
        )
    storages.add(storage)


def _optimizers(name: str) -> str:
    """How an error names one of the optimizer's settings: "optimizer's lr"."""
    return tr("optimizer's {name}").format(name=name)


def _check_generator_state(state: object, where: str) -> None:
    """A NumPy PCG64 generator's state, as ``bit_generator.state`` gives it."""
    state = _dict(state, where)
    _keys(state, ("bit_generator", "state", "has_uint32", "uinteger"), where)
    inner = _dict(state["state"], f"{where}.state")
    _keys(inner, ("state", "inc"), f"{where}.state")
    if state["bit_generator"] != "PCG64":
        raise _bad(f"{where}.bit_generator", "'PCG64'", state["bit_generator"])
    for name in ("state", "inc"):
        value = inner[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**128:
            raise _bad(f"{where}.state.{name}", tr("an int in [0, 2**128)"), value)
    if state["has_uint32"] not in (0, 1) or isinstance(state["has_uint32"], bool):
        raise _bad(f"{where}.has_uint32", tr("0 or 1"), state["has_uint32"])
    _count(state["uinteger"], f"{where}.uinteger", 2**32 - 1)


def _check_replay(replay: object, buffer_size: int, n_observations: int, n_actions: int) -> None:
    replay = _dict(replay, "replay")
    _keys(replay, (*_REPLAY_ARRAYS, "position", "size"), "replay")
    size = _count(replay["size"], "replay.size", buffer_size)
    position = _count(replay["position"], "replay.position", buffer_size - 1)
    if size < buffer_size and position != size:
        raise _Invalid(
            tr(
                "replay.position is {position} but replay.size is {size}: until the buffer of "
                "{buffer_size} is full, the next transition goes at its size. {fix}"
            ).format(position=position, size=size, buffer_size=buffer_size, fix=tr(_FIX))
        )
    dtypes = {
        "observations": torch.float32,
        "next_observations": torch.float32,
        "actions": torch.int64,
        "rewards": torch.float32,
        "terminated": torch.bool,
        "truncated": torch.bool,
    }
    for name, dtype in dtypes.items():
        shape = (size, n_observations) if "observations" in name else (size,)
        _check_tensor(replay[name], f"replay.{name}", dtype, shape, finite=True)
    actions = replay["actions"]
    if size and not bool(((actions >= 0) & (actions < n_actions)).all()):
        raise _Invalid(
            tr("replay.actions holds actions outside [0, {last}]. {fix}").format(
                last=n_actions - 1, fix=tr(_FIX)
            )
        )


_HISTORY_FLOATS = (
    "returns",
    "shaped_returns",
    "losses",
    "eval_returns",
    "train_seconds_at_eval",
    "eval_predicted_values",
    "eval_obtained_values",
)
_HISTORY_COUNTS = ("lengths", "episode_end_steps", "loss_steps", "eval_steps")


_OBSERVATION_DTYPES = (torch.float32, torch.float64)  # what environments' observations hold


def trainer_state(
    env: gym.Env, observation: np.ndarray, episode: UnfinishedEpisode, history: History
) -> dict[str, Any]:
    """The training loop's state, as ``save_checkpoint(..., trainer=...)`` stores it: the
    environment's (CartPole-like: ``env.unwrapped.state``, checked by ``train`` before the first
    step), the observation, the unfinished episode and the History. Not taught in a lesson: what
    ``train``'s ``Checkpointing`` saves, and ``restore_trainer`` puts back."""
    unwrapped = env.unwrapped
    steps_beyond = getattr(unwrapped, "steps_beyond_terminated", None)
    return {
        "env": {
            "state": torch.from_numpy(np.array(unwrapped.state, dtype=np.float64)),
            "np_random": unwrapped.np_random.bit_generator.state,
            "elapsed_steps": time_limit(env)._elapsed_steps,
            "steps_beyond_terminated": steps_beyond,
        },
        "observation": torch.from_numpy(np.array(observation)),
        "episode": dataclasses.asdict(episode),
        "history": dataclasses.asdict(history),
    }


def time_limit(env: gym.Env) -> TimeLimit:
    """The ``TimeLimit`` wrapper around ``env``, whose step count a checkpoint saves; a
    ``ValueError`` if there is none. Not taught in a lesson: part of ``trainer_state``."""
    wrapper = env
    while isinstance(wrapper, gym.Wrapper):
        if isinstance(wrapper, TimeLimit):
            return wrapper
        wrapper = wrapper.env
    raise ValueError(
        tr(
            "train checkpoints and resumes only an environment with a TimeLimit wrapper, whose "
            "step count the checkpoint keeps; {type} has none. Build the environment with "
            "gymnasium.make (dqn_lib.make_env does), which adds one."
        ).format(type=type(env).__name__)
    )


def restore_trainer(
    checkpoint: Checkpoint, env: gym.Env
) -> tuple[History, np.ndarray, UnfinishedEpisode]:
    """Put ``checkpoint``'s training loop state back into ``env`` and return the History, the
    observation and the unfinished episode to go on with. Not taught in a lesson: how ``train``
    resumes (``check_trainer_state`` first)."""
    # A copy: the run must not change the Checkpoint it goes on from (its History above all).
    trainer: dict[str, Any] = copy.deepcopy(checkpoint.trainer or {})  # not None: checked
    saved = trainer["env"]
    limit = time_limit(env)  # before anything in env changes
    unwrapped = env.unwrapped
    unwrapped.state = saved["state"].numpy().copy()
    unwrapped.np_random.bit_generator.state = saved["np_random"]
    unwrapped.steps_beyond_terminated = saved["steps_beyond_terminated"]
    limit._elapsed_steps = saved["elapsed_steps"]
    observation = trainer["observation"].numpy().copy()
    history = History.from_dict(trainer["history"])
    return history, observation, UnfinishedEpisode(**trainer["episode"])


def check_trainer_state(checkpoint: Checkpoint, env_state_shape: tuple[int, ...] | None) -> None:
    """Check ``checkpoint.trainer`` again just before ``train`` resumes from it (it may have
    been changed since the file was loaded), against the agent it goes on with and the
    environment's state shape (``None`` for an environment without ``unwrapped.state``). A
    ``ValueError`` names ``resume_from`` and the cause. Not taught in a lesson: what ``train``
    (notebooks/09_double_dqn.py) calls before it resumes a run."""
    agent = checkpoint.agent
    n_observations = int(getattr(agent, "n_observations", 0))
    try:
        _check_trainer(checkpoint.trainer, n_observations)
        saved = checkpoint.trainer["env"]["state"]  # type: ignore[index]
        if env_state_shape is not None and tuple(saved.shape) != env_state_shape:
            raise _bad(
                "trainer.env.state",
                tr("a vector of shape {shape}").format(shape=env_state_shape),
                tuple(saved.shape),
            )
        steps = checkpoint.trainer["history"].get("steps", 0)  # type: ignore[index]
        if isinstance(agent, DQNAgent) and steps != agent.steps:
            raise _Invalid(
                tr(
                    "trainer.history.steps is {steps}, but the agent has observed {agent_steps} "
                    "steps."
                ).format(steps=steps, agent_steps=agent.steps)
            )
    except _Invalid as error:
        raise ValueError(
            tr(
                "resume_from (loaded from {path}) holds a training state train cannot go on from: "
                "{cause} Load the file again: checkpoint = load_checkpoint(path)."
            ).format(path=checkpoint.path, cause=error)
        ) from error


def _check_trainer(trainer: object, n_observations: int) -> None:
    """The training loop's state: the environment's, the next observation, the unfinished
    episode and the History, consistent with each other."""
    trainer = _dict(trainer, "trainer")
    _keys(trainer, ("env", "observation", "episode", "history"), "trainer")
    env = _dict(trainer["env"], "trainer.env")
    _keys(env, ("state", "np_random", "elapsed_steps", "steps_beyond_terminated"), "trainer.env")
    state = _check_tensor(env["state"], "trainer.env.state", torch.float64, finite=True)
    if state.ndim != 1 or not 1 <= state.numel() <= _MAX_SIZE:
        raise _bad("trainer.env.state", tr("a vector"), tuple(state.shape))
    _check_generator_state(env["np_random"], "trainer.env.np_random")
    _count(env["elapsed_steps"], "trainer.env.elapsed_steps")
    if env["steps_beyond_terminated"] is not None:
        _count(env["steps_beyond_terminated"], "trainer.env.steps_beyond_terminated")
    observation = trainer["observation"]
    if not isinstance(observation, torch.Tensor) or observation.dtype not in _OBSERVATION_DTYPES:
        given = observation.dtype if isinstance(observation, torch.Tensor) else observation
        raise _bad("trainer.observation", tr("a tensor of float32 or float64"), given)
    _check_tensor(observation, "trainer.observation", observation.dtype, (n_observations,), True)
    episode = _dict(trainer["episode"], "trainer.episode")
    _keys(episode, ("env_return", "shaped_return", "length"), "trainer.episode")
    for name in ("env_return", "shaped_return"):
        _finite_real(episode[name], f"trainer.episode.{name}")
    length = _count(episode["length"], "trainer.episode.length")
    _check_history(_dict(trainer["history"], "trainer.history"), length)


def _check_history(history: dict[str, Any], unfinished: int) -> None:
    names = {f.name for f in dataclasses.fields(History)} | {"eval_seconds"}
    unknown = sorted(set(map(str, history)) - names)
    if unknown:
        raise _Invalid(
            tr("trainer.history has unknown fields {unknown}. {fix}").format(
                unknown=unknown, fix=tr(_FIX)
            )
        )
    steps = _count(history.get("steps", 0), "trainer.history.steps")
    _finite_real(history.get("train_seconds", 0.0), "trainer.history.train_seconds")
    lists: dict[str, list[Any]] = {}
    for name in (*_HISTORY_FLOATS, *_HISTORY_COUNTS, "eval_seconds"):
        values = history.get(name, [])
        if not isinstance(values, list):
            raise _bad(f"trainer.history.{name}", tr("a list"), values)
        check: Callable[[object, str], object] = _count if name in _HISTORY_COUNTS else _finite_real
        entry = tr("an entry of {name}").format(name=f"trainer.history.{name}")
        for value in values:
            check(value, entry)
        lists[name] = values
    groups = (
        ("returns", "shaped_returns", "lengths", "episode_end_steps"),
        ("losses", "loss_steps"),
        ("eval_steps", "eval_returns"),
    )
    for group in groups:
        if len({len(lists[name]) for name in group}) != 1:
            raise _Invalid(
                tr("trainer.history's {names} differ in length. {fix}").format(
                    names=", ".join(group), fix=tr(_FIX)
                )
            )
    for name in ("train_seconds_at_eval", "eval_seconds", "eval_predicted_values"):
        if lists[name] and len(lists[name]) != len(lists["eval_steps"]):
            raise _Invalid(
                tr("trainer.history.{name} and eval_steps differ in length. {fix}").format(
                    name=name, fix=tr(_FIX)
                )
            )
    if len(lists["eval_obtained_values"]) != len(lists["eval_predicted_values"]):
        raise _Invalid(
            tr("trainer.history's eval value records differ in length. {fix}").format(fix=tr(_FIX))
        )
    for name in ("episode_end_steps", "loss_steps", "eval_steps"):
        values = lists[name]
        if any(b < a for a, b in zip(values, values[1:], strict=False)) or any(
            v > steps for v in values
        ):
            raise _Invalid(
                tr(
                    "trainer.history.{name} is not in order within the run's {steps} steps. {fix}"
                ).format(name=name, steps=steps, fix=tr(_FIX))
            )
    if sum(lists["lengths"]) + unfinished != steps:
        raise _Invalid(
            tr(
                "trainer.history's episode lengths ({lengths}) and the unfinished episode's "
                "({unfinished}) do not add up to its steps ({steps}). {fix}"
            ).format(
                lengths=sum(lists["lengths"]), unfinished=unfinished, steps=steps, fix=tr(_FIX)
            )
        )


# --- Building the agent, once everything is checked --------------------------------------------


def _check_same(
    path: Path,
    stored: Mapping[str, Any],
    config: DQNConfig | dict[str, Any],
    expected: _Expected,
) -> None:
    wanted: dict[str, Any]
    if isinstance(config, DQNConfig):
        if expected.dqn is None:
            raise CheckpointError(
                tr(
                    "Cannot load checkpoint {path}: it holds a DQNAgent, but expect_config is an "
                    "OnlineAgent's settings; pass a DQNConfig."
                ).format(path=path)
            )
        stored, wanted = dataclasses.asdict(config), dataclasses.asdict(expected.dqn)
    else:
        if expected.online is None:
            raise CheckpointError(
                tr(
                    "Cannot load checkpoint {path}: it holds an OnlineAgent, but expect_config is "
                    "a DQNAgent's settings; pass a dict of hidden, learning_rate, gamma and "
                    "epsilon."
                ).format(path=path)
            )
        stored = {**dict(stored), "hidden": list(stored["hidden"])}
        wanted = expected.online
    differences = [
        tr("{key}={stored!r} (expected {wanted!r})").format(
            key=key, stored=stored.get(key), wanted=wanted.get(key)
        )
        for key in sorted(set(stored) | set(wanted) if isinstance(config, DQNConfig) else wanted)
        if stored.get(key) != wanted.get(key)
    ]
    if differences:
        raise CheckpointError(
            tr(
                "Cannot load checkpoint {path}: its settings differ from expect_config: "
                "{differences}."
            ).format(path=path, differences=", ".join(differences))
        )


def _build(
    content: Mapping[str, Any], config: DQNConfig | dict[str, Any]
) -> DQNAgent | OnlineAgent:
    metadata = content["metadata"]
    n_observations, n_actions = metadata["observation_shape"][0], metadata["n_actions"]
    agent: DQNAgent | OnlineAgent
    if isinstance(config, DQNConfig):
        agent = DQNAgent(config, n_observations, n_actions, seed=0)
    else:
        kwargs = {**config, "hidden": tuple(config["hidden"])}
        parameters = inspect.signature(OnlineAgent).parameters
        kwargs = {key: value for key, value in kwargs.items() if key in parameters}
        agent = OnlineAgent(n_observations, n_actions, seed=0, **kwargs)
    agent.q_network.load_state_dict(content["q_network"])
    if isinstance(agent, DQNAgent):
        agent.target_network.load_state_dict(content["target_network"])
    agent.optimizer.load_state_dict(content["optimizer"])
    agent.rng.bit_generator.state = content["rng"]["exploration"]
    if isinstance(agent, DQNAgent):
        agent.steps, agent.updates = content["counters"]["steps"], content["counters"]["updates"]
        agent.replay_buffer.rng.bit_generator.state = content["rng"]["replay"]
        if content["replay"] is not None:
            _restore_replay(agent, content["replay"])
    return agent


def _restore_replay(agent: DQNAgent, replay: Mapping[str, Any]) -> None:
    buffer, size = agent.replay_buffer, replay["size"]
    for name in _REPLAY_ARRAYS:
        getattr(buffer, name)[:size] = replay[name].numpy()
    buffer.position, buffer.size = replay["position"], size
