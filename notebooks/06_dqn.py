# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 6: experience replay and a target network
#
# We build the two ideas with which Mnih et al. (2015) made Q-learning with a neural network
# stable, a replay buffer and a target network, and Double DQN's target on top: each one written
# inline, measured, and checked against `dqn_lib`. Then we train the result on five seeds beside
# lesson 5's online agent, on the same reward and the same number of environment steps.

# %%
import copy
import dataclasses
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dqn_lib
from dqn_lib import MAX_EPISODE_STEPS, OBSERVATION_NAMES

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

config = dqn_lib.DQNConfig()  # the settings the DQN agent trains with (section 4 looks at them)

# %% [markdown]
# ## Where lesson 5 left us
#
# The original notebook's online agent takes one gradient step on each transition as it happens,
# then forgets the transition, and it computes its TD target with the very network it is updating.
# Trained on four seeds in lesson 5, each run learned a little, then lost much of it, and the
# seeds disagreed. Lesson 5 named two reasons; this lesson takes them one at a time, each time
# with data first and the fix second:
#
# 1. **Consecutive transitions are nearly the same, and each is used once.** The fix is
#    *experience replay*: remember many transitions and learn from random batches of them.
# 2. **Every update moves its own target.** The fix is a *target network*: a copy of the
#    Q-network, updated slowly, that computes the TD targets.
#
# ## 1. Experience replay
#
# ### Why: consecutive transitions are nearly the same
#
# To look at what an agent learns from, we record 5,000 transitions the way a half-trained agent
# collects them: lesson 1's hand-written policy (push toward the side the pole is falling), with a
# random action one time in five, like lesson 5's `epsilon` of 0.2. The reward is the original
# notebook's, lesson 4's `pole_angle_reward` (it does not matter for what we look at here).
#
# Each transition keeps `terminated` and `truncated` apart, and the `next_observation` that
# `env.step` returned, *before* any reset: for the last step of an episode that is the state the
# episode ended in, not the next episode's first observation.

# %%
N_RECORDED = 5_000
RECORD_EPSILON = 0.2


def lean_policy(observation):
    """Lesson 1's hand-written policy: push toward the side the pole is falling."""
    return 1 if observation[2] + observation[3] > 0 else 0


env = dqn_lib.make_env(SEED)
lesson_rng = np.random.default_rng(SEED)  # this lesson's own randomness, seeded
transitions = []  # (observation, action, reward, next_observation, terminated, truncated)
observation, _ = env.reset()
while len(transitions) < N_RECORDED:
    if lesson_rng.random() < RECORD_EPSILON:
        action = int(lesson_rng.integers(2))
    else:
        action = lean_policy(observation)
    next_observation, env_reward, terminated, truncated, _ = env.step(action)
    reward = dqn_lib.pole_angle_reward(next_observation, float(env_reward), bool(terminated))
    transitions.append((observation, action, reward, next_observation, terminated, truncated))
    observation = next_observation
    if terminated or truncated:  # the step's next_observation is stored above, before the reset
        observation, _ = env.reset()

observations = np.array([t[0] for t in transitions])  # (5000, 4)
next_observations = np.array([t[3] for t in transitions])  # (5000, 4)
n_terminated = sum(bool(t[4]) for t in transitions)
n_truncated = sum(bool(t[5]) for t in transitions)
print(
    f"{len(transitions)} transitions; {n_terminated + n_truncated} episodes ended in them: "
    f"{n_terminated} terminated (a fall), {n_truncated} truncated (the 500-step time limit)"
)

# %% [markdown]
# The online agent learns from transitions in the order they happen: its last 64 updates used the
# last 64 transitions. A replay buffer instead draws a batch at random from everything it holds.
# We compare the two batches of 64 on two questions: how alike are neighbouring rows, and how
# much of the states seen do they cover?

# %%
ANGLE = OBSERVATION_NAMES.index("pole angle")
POSITION = OBSERVATION_NAMES.index("cart position")
BATCH = 64

consecutive = np.arange(N_RECORDED - BATCH, N_RECORDED)  # (64,) the last 64, in order
sampled = lesson_rng.integers(0, N_RECORDED, size=BATCH)  # (64,) uniform over all 5,000


def neighbour_correlation(rows):
    """Correlation of the pole angle between row i and row i + 1 of a batch."""
    angles = observations[rows, ANGLE]
    return np.corrcoef(angles[:-1], angles[1:])[0, 1]


def coverage(rows):
    """Each variable's spread in the batch, as a fraction of its spread in all 5,000 (mean of 4)."""
    return float(np.mean(observations[rows].std(axis=0) / observations.std(axis=0)))


step_correlation = np.corrcoef(observations[:, ANGLE], next_observations[:, ANGLE])[0, 1]
print(
    f"pole angle at step t vs at step t + 1, over all {N_RECORDED}: "
    f"correlation {step_correlation:.3f}"
)
print(f"{'batch of 64':<26}{'neighbour correlation':>22}{'coverage':>10}")
for name, rows in (
    ("consecutive (online agent)", consecutive),
    ("sampled from the buffer", sampled),
):
    print(f"{name:<26}{neighbour_correlation(rows):>22.3f}{coverage(rows):>10.2f}")

# %%
fig, (ax_step, ax_batch) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_step.scatter(
    np.degrees(observations[:, ANGLE]), np.degrees(next_observations[:, ANGLE]), s=2, alpha=0.3
)
limit = np.degrees(dqn_lib.ANGLE_LIMIT_RADIANS) * 1.1
ax_step.plot([-limit, limit], [-limit, limit], color="grey", linewidth=0.8, label="same angle")
ax_step.set(
    title=f"One step later, the pole has barely moved\n(correlation {step_correlation:.3f})",
    xlabel="pole angle at step t (degrees)",
    ylabel="pole angle at step t + 1 (degrees)",
    xlim=(-limit, limit),
    ylim=(-limit, limit),
)
ax_step.legend(loc="upper left")

ax_batch.scatter(
    observations[:, POSITION],
    np.degrees(observations[:, ANGLE]),
    s=2,
    color="lightgrey",
    label=f"all {N_RECORDED} observations",
)
ax_batch.plot(
    observations[consecutive, POSITION],
    np.degrees(observations[consecutive, ANGLE]),
    "o-",
    markersize=3,
    color="C1",
    label=f"{BATCH} consecutive (the online agent's batch)",
)
ax_batch.scatter(
    observations[sampled, POSITION],
    np.degrees(observations[sampled, ANGLE]),
    s=14,
    color="C0",
    label=f"{BATCH} sampled at random from the buffer",
)
ax_batch.set(
    title="What one batch of 64 transitions covers",
    xlabel="cart position (m)",
    ylabel="pole angle (degrees)",
)
ax_batch.legend(loc="upper left", fontsize="small")
for ax in (ax_step, ax_batch):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# Left: one step (0.02 s of simulated time) later, the pole angle is almost what it was, so the
# points hug the diagonal. Right: 64 consecutive transitions trace one short arc through a corner
# of the states the agent has seen; 64 random ones are spread over all of them. A network trained
# on the orange arc for 64 updates in a row is pulled towards getting that corner right, at the
# expense of everything else, then towards the next corner: one reason for the forgetting lesson
# 5 watched. The check below pins what the printed numbers say.

# %%
assert step_correlation > 0.9, (
    f"the pole angle one step apart correlates only {step_correlation:.3f}, not 'almost the same'"
)
assert neighbour_correlation(consecutive) > 0.9, (
    f"neighbouring rows of the consecutive batch correlate only "
    f"{neighbour_correlation(consecutive):.3f}; the text says they are nearly the same"
)
assert abs(neighbour_correlation(sampled)) < 0.5, (
    f"neighbouring rows of the sampled batch correlate {neighbour_correlation(sampled):.3f}; "
    "the text says random rows are not alike"
)
assert coverage(consecutive) < coverage(sampled) / 2, (
    f"the consecutive batch covers {coverage(consecutive):.2f}, the sampled one "
    f"{coverage(sampled):.2f}: not less than half, as the text says"
)
print(
    "checked: neighbours alike in the consecutive batch, not in the sampled one, which covers more"
)

# %% [markdown]
# The other waste is that the online agent learns from each transition once and throws it away.
# A replay buffer keeps the last `buffer_size` transitions, and every gradient step draws a batch
# of `batch_size` of them, so the same transition is learned from many times, each time beside
# others from other moments and other episodes. With the settings we will train with:

# %%
samples_per_step = config.batch_size * config.gradient_steps / config.train_every
print(
    f"batch_size={config.batch_size}, gradient_steps={config.gradient_steps}, "
    f"train_every={config.train_every}: {samples_per_step:.0f} transitions sampled per new "
    f"transition, so each is learned from about {samples_per_step:.0f} times on average (the "
    "online agent: once)"
)

# %% [markdown]
# ### A replay buffer, written out
#
# The buffer is a *ring*: a fixed number of slots, and when they are full the next transition
# overwrites the oldest. Memory stays fixed, and the buffer follows the agent as its behaviour
# improves, dropping transitions from its clumsy beginnings first. Each field lives in one
# preallocated NumPy array, so adding a transition writes one row of each, and sampling a batch is
# one fancy index per field, with no Python object per transition.
#
# Two details carry over from lessons 3-5. `terminated` and `truncated` are stored apart: only a
# termination stops the TD target's bootstrap (a time-out is not a fall), so merging them into
# one `done` here would undo that fix. And `next_observation` is the one `env.step` returned, so a
# truncated transition keeps its true final state. The batch comes back as tensors in the
# library's `dqn_lib.Batch`, a plain dataclass of five fields, so our batches can go straight to
# the library's agent.


# %%
class RingBuffer:
    """The last `capacity` transitions in preallocated arrays; the oldest is overwritten first."""

    def __init__(self, capacity, n_observations, seed):
        self.capacity = capacity
        self.observations = np.zeros((capacity, n_observations), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_observations = np.zeros((capacity, n_observations), dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.bool_)  # stops the bootstrap
        self.truncated = np.zeros(capacity, dtype=np.bool_)  # kept apart, never in the target
        self.position = 0  # the slot the next transition goes to
        self.size = 0  # how many slots hold a transition
        self.rng = np.random.default_rng(seed)  # the buffer's own generator, for sampling

    def add(self, observation, action, reward, next_observation, terminated, truncated):
        i = self.position
        self.observations[i] = observation
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_observations[i] = next_observation
        self.terminated[i] = terminated
        self.truncated[i] = truncated
        self.position = (i + 1) % self.capacity  # past the last slot, wrap around to the oldest
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size):
        indices = self.rng.integers(0, self.size, size=batch_size)  # uniform, with replacement
        return dqn_lib.Batch(
            observations=torch.from_numpy(self.observations[indices]),  # (batch, 4)
            actions=torch.from_numpy(self.actions[indices]),  # (batch,)
            rewards=torch.from_numpy(self.rewards[indices]),  # (batch,)
            next_observations=torch.from_numpy(self.next_observations[indices]),  # (batch, 4)
            terminated=torch.from_numpy(self.terminated[indices].astype(np.float32)),  # (batch,)
        )


# %% [markdown]
# We put all 5,000 recorded transitions in a buffer that holds them all, and look at the episode
# that was truncated: its last transition keeps the state at step 500, while the next transition
# starts from a fresh reset, close to the centre.

# %%
buffer = RingBuffer(capacity=N_RECORDED, n_observations=4, seed=SEED)
for transition in transitions:
    buffer.add(*transition)

assert buffer.truncated.any(), "no recorded episode reached the time limit: record more steps"
timed_out = int(np.flatnonzero(buffer.truncated)[0])  # the truncated transition
final_state, reset_state = buffer.next_observations[timed_out], buffer.observations[timed_out + 1]
print(
    f"transition {timed_out}: terminated={buffer.terminated[timed_out]}, "
    f"truncated={buffer.truncated[timed_out]}"
)
print(f"  its next_observation (step 500):          {final_state.round(3)}")
print(f"  transition {timed_out + 1}'s observation (a reset): {reset_state.round(3)}")
assert np.abs(reset_state).max() <= 0.05 < np.abs(final_state).max(), (
    "expected the reset near the centre (every value within 0.05) and the final state away from it"
)
batch = buffer.sample(BATCH)
print(
    f"a sampled batch: observations {tuple(batch.observations.shape)}, actions "
    f"{tuple(batch.actions.shape)}, rewards {tuple(batch.rewards.shape)}, terminated "
    f"{tuple(batch.terminated.shape)} with {int(batch.terminated.sum())} falls in it"
)

# %% [markdown]
# Check: our `RingBuffer` and `dqn_lib.ReplayBuffer` agree. We give both the same capacity (1,500:
# the 5,000 transitions fill it more than three times over, so the ring wraps around), the same
# transitions and the same seed: they must hold the same arrays, draw identical batches, and keep
# exactly the newest 1,500 transitions, the oldest of them in the slot the next one would
# overwrite.

# %%
CHECK_CAPACITY = 1_500
ours = RingBuffer(CHECK_CAPACITY, n_observations=4, seed=SEED)
library = dqn_lib.ReplayBuffer(CHECK_CAPACITY, n_observations=4, seed=SEED)
for transition in transitions:
    ours.add(*transition)
    library.add(*transition)

for name in ("observations", "actions", "rewards", "next_observations", "terminated", "truncated"):
    assert np.array_equal(getattr(ours, name), getattr(library, name)), f"the {name} arrays differ"
assert (ours.position, ours.size) == (library.position, len(library)), (
    f"position/size: ours {ours.position}/{ours.size}, library {library.position}/{len(library)}"
)
for draw in range(10):
    ours_batch, library_batch = ours.sample(BATCH), library.sample(BATCH)
    for field in dataclasses.fields(dqn_lib.Batch):
        assert torch.equal(getattr(ours_batch, field.name), getattr(library_batch, field.name)), (
            f"draw {draw}: the sampled {field.name} differ between RingBuffer and ReplayBuffer"
        )

oldest_kept = N_RECORDED - CHECK_CAPACITY  # transitions 0 .. oldest_kept - 1 were overwritten
oldest_first = np.roll(ours.observations, -ours.position, axis=0)  # oldest slot first
assert np.array_equal(oldest_first, observations[oldest_kept:].astype(np.float32)), (
    f"the ring does not hold exactly the last {CHECK_CAPACITY} transitions in order"
)
assert np.array_equal(ours.observations[ours.position], observations[oldest_kept]), (
    f"slot {ours.position}, the next to be overwritten, should hold the oldest transition kept"
)
print(
    f"RingBuffer and ReplayBuffer agree: same arrays, 10 identical batches; the ring holds "
    f"transitions {oldest_kept}..{N_RECORDED - 1}, the oldest in slot {ours.position}, "
    "the next to be overwritten"
)

# %% [markdown]
# ## 2. A target network
#
# ### Why: every update moves its own target
#
# The TD target `reward + gamma * (1 - terminated) * max_a Q(next_observation, a)` uses the
# Q-network itself. Lesson 3 saw the consequence in one update: the targets moved too, though the
# step was meant to move only the predictions. Here we measure it on a batch from our buffer, with
# a fresh Q-network of the size the DQN agent uses, Adam at its learning rate, and a *frozen copy*
# of the network made before the step.


# %%
def q_of_actions_taken(network, batch):
    """Q(observation, action) of each transition's action: (batch,)."""
    return network(batch.observations).gather(1, batch.actions.unsqueeze(1)).squeeze(1)


def targets_from(network, batch, gamma=config.gamma):
    """The TD targets of a batch, bootstrapped from `network`: (batch,)."""
    with torch.no_grad():
        next_q = network(batch.next_observations)  # (batch, n_actions)
        return dqn_lib.td_target(batch.rewards, next_q, batch.terminated, gamma)


q_network = dqn_lib.new_q_network(4, 2, SEED, hidden=config.hidden)
frozen_copy = copy.deepcopy(q_network)  # the same weights, never trained
optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate)
loss_fn = nn.SmoothL1Loss()
batch = buffer.sample(config.batch_size)

targets_before = targets_from(q_network, batch)  # (batch,)
with torch.no_grad():
    q_before = q_of_actions_taken(q_network, batch)  # (batch,)
loss = loss_fn(q_of_actions_taken(q_network, batch), targets_before)
optimizer.zero_grad()
loss.backward()
optimizer.step()

with torch.no_grad():
    q_after = q_of_actions_taken(q_network, batch)  # (batch,)
prediction_moved = (q_after - q_before).abs().mean().item()
online_target_moved = (targets_from(q_network, batch) - targets_before).abs().mean().item()
frozen_target_moved = (targets_from(frozen_copy, batch) - targets_before).abs().mean().item()
print(f"one gradient step, mean over a batch of {config.batch_size}:")
print(f"  the predictions Q(s, a) moved by              {prediction_moved:.5f}")
print(f"  the targets from the updated network moved by {online_target_moved:.5f}")
print(f"  the targets from the frozen copy moved by     {frozen_target_moved:.5f}")
print(
    f"the target ran {online_target_moved / prediction_moved:.0%} as far as the prediction "
    "that was chasing it"
)
assert online_target_moved > prediction_moved / 4, "the targets barely moved: see the text below"
assert frozen_target_moved == 0.0, "the frozen copy's targets moved, but it was never trained"

# %% [markdown]
# The step was meant to move the predictions towards their targets, and it moved the targets
# too, a good part as far (the ratio is printed above, and the cell checks it is at least a
# quarter). The next observation is nearly the current one (section 1), so whatever changes
# Q(s, a) changes Q(next_observation) too, and with it the target. The frozen copy's targets did
# not move at all. That is the target network: a copy of the Q-network that computes the TD
# targets and is updated far less often, so that for a while the network chases a target that
# holds still.
#
# There are two ways to keep the copy up to date, and `dqn_lib` has both:
#
# - **Hard copy** (Mnih et al., 2015): copy the Q-network's weights into the target network every
#   `target_update_every` environment steps, and leave them alone in between.
# - **Soft update** (Polyak averaging, Lillicrap et al., 2016): after every gradient step, move each
#   target weight a small fraction `tau` of the way to the online weight,
#   `target = target + tau * (online - target)`. The target trails the online network smoothly,
#   with no jump.


# %%
def soft_update(target_network, q_network, tau):
    """Move every target weight `tau` of the way towards the online weight (Polyak averaging)."""
    with torch.no_grad():
        for target, online in zip(target_network.parameters(), q_network.parameters(), strict=True):
            target += tau * (online - target)


# %% [markdown]
# To see how each keeps its targets still, we train one Q-network on batches from the buffer for
# a while, with its own soft-updated target network, and watch the TD targets of a fixed batch
# of 256 transitions as three networks would compute them: the Q-network itself (what the online
# agent uses), the soft target, and a target network refreshed by a hard copy every
# `target_update_every` environment steps (every `target_update_every / train_every` gradient
# steps).

# %%
hard_every = config.target_update_every // config.train_every  # in gradient steps
n_updates = 3 * hard_every
probe = buffer.sample(256)

q_network = dqn_lib.new_q_network(4, 2, SEED, hidden=config.hidden)
soft_target, hard_target = copy.deepcopy(q_network), copy.deepcopy(q_network)
optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate)
watched = {"Q-network itself (no target network)": [], "soft update": [], "hard copy": []}
for update in range(n_updates):
    batch = buffer.sample(config.batch_size)
    loss = loss_fn(q_of_actions_taken(q_network, batch), targets_from(soft_target, batch))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    soft_update(soft_target, q_network, config.tau)
    if (update + 1) % hard_every == 0:
        hard_target.load_state_dict(q_network.state_dict())
    for name, network in zip(watched, (q_network, soft_target, hard_target), strict=True):
        watched[name].append(targets_from(network, probe).numpy())  # (256,)

NO_CHANGE = 1e-6  # a log scale has no 0: a step that changed nothing is drawn at this height
moved_by = {}
fig, (ax_mean, ax_step) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, targets in watched.items():
    targets = np.array(targets)  # (n_updates, 256)
    ax_mean.plot(np.arange(1, n_updates + 1), targets.mean(axis=1), label=name)
    moved = np.abs(np.diff(targets, axis=0)).mean(axis=1)  # (n_updates - 1,)
    moved_by[name] = moved
    ax_step.plot(np.arange(2, n_updates + 1), np.maximum(moved, NO_CHANGE), label=name, linewidth=1)
ax_mean.set(
    title="Mean TD target of a fixed batch",
    xlabel="gradient steps",
    ylabel="mean td_target (reward units)",
)
ax_step.set(
    title="How far the targets moved in each gradient step",
    xlabel="gradient steps",
    ylabel="mean |change of td_target| (log scale)",
    yscale="log",
    ylim=(NO_CHANGE / 2, None),
)
ax_step.annotate(
    "no change at all", (n_updates / 2, NO_CHANGE), xytext=(0, 6), textcoords="offset points"
)
for ax in (ax_mean, ax_step):
    for copy_step in range(hard_every, n_updates + 1, hard_every):
        ax.axvline(copy_step, color="grey", linewidth=0.6, linestyle=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
fig.suptitle(
    f"Three ways to compute the targets during one training run (tau={config.tau}, hard copy "
    f"every {hard_every} gradient steps, dotted)"
)
fig.tight_layout()
plt.show()

# %% [markdown]
# Without a target network (blue), the targets move on every single step. The hard copy's targets
# (green) do not move at all between copies (the line along the bottom of the right panel), then
# jump to catch up; the soft update's (orange) move on every step, but by a small fraction of
# that, and trail the Q-network smoothly; the cell below checks all three. Both give the network
# a target that holds nearly still while it learns. Which one trains better is a question for
# measurement ("What made it stable", below); the default, printed below, is the one the benchmark
# measured better.

# %%
online_moves, soft_moves, hard_moves = moved_by.values()
between_copies = (np.arange(2, n_updates + 1) % hard_every) != 0  # steps with no copy
print(
    f"mean change of the targets per step: Q-network {online_moves.mean():.2e}, soft "
    f"{soft_moves.mean():.2e} ({online_moves.mean() / soft_moves.mean():.0f} times less), hard "
    f"copy between copies {hard_moves[between_copies].max():.1f}"
)
assert (online_moves > 0).all(), "the Q-network's own targets stood still for a step"
assert soft_moves.mean() < online_moves.mean() / 5, "the soft target moves nearly as much"
assert (hard_moves[between_copies] == 0).all(), "the hard copy's targets moved between copies"
print(
    f"DQNConfig(): target_update={config.target_update!r}, tau={config.tau}, "
    f"target_update_every={config.target_update_every}"
)

# %% [markdown]
# Check: our `soft_update` and `dqn_lib.soft_update` agree, and the agent's `learn` does exactly
# this after each gradient step when its updates are soft: its target network afterwards equals
# the target network before, moved `tau` of the way to the Q-network after the step.

# %%
target_ours = dqn_lib.new_q_network(4, 2, SEED, hidden=config.hidden)
target_library = copy.deepcopy(target_ours)
online = dqn_lib.new_q_network(4, 2, SEED + 1, hidden=config.hidden)
soft_update(target_ours, online, config.tau)
dqn_lib.soft_update(target_library, online, config.tau)
for (name, ours_weight), library_weight in zip(
    target_ours.named_parameters(), target_library.parameters(), strict=True
):
    difference = (ours_weight - library_weight).abs().max().item()
    assert difference < 1e-7, f"soft_update: {name} differs by up to {difference:.2e}"

soft_config = config.replace(target_update="soft")  # the default or not, this check is on soft
agent = dqn_lib.DQNAgent(soft_config, seed=SEED)
expected_target = copy.deepcopy(agent.target_network)
agent.learn(buffer.sample(soft_config.batch_size))
soft_update(expected_target, agent.q_network, soft_config.tau)
for (name, expected), actual in zip(
    expected_target.named_parameters(), agent.target_network.parameters(), strict=True
):
    difference = (expected - actual).abs().max().item()
    assert difference < 1e-7, f"after learn, the agent's target {name} is off by {difference:.2e}"
print("soft_update agrees with dqn_lib.soft_update and with what DQNAgent.learn does")

# %% [markdown]
# ## 3. Double DQN: who picks the next action
#
# The `max` in the TD target has a bias of its own. The network's Q-values are estimates with
# errors, and the maximum of several noisy estimates tends to be too high: it picks whichever
# action the noise favoured. Bootstrapping feeds that overestimate into the next target, and the
# next. Double DQN (van Hasselt et al., 2016) separates choosing from valuing: the *online*
# network picks the best next action, the *target* network says what it is worth. An action that
# only one of the two networks overrates then no longer gets the inflated value.


# %%
def double_dqn_td_target(batch, q_network, target_network, gamma):
    """reward + gamma * (1 - terminated) * Q_target(next_observation, argmax_a Q_online)."""
    with torch.no_grad():
        best_next = q_network(batch.next_observations).argmax(dim=1, keepdim=True)  # (batch, 1)
        next_q = target_network(batch.next_observations).gather(1, best_next).squeeze(1)  # (batch,)
        return batch.rewards + gamma * (1.0 - batch.terminated) * next_q  # (batch,)


# %% [markdown]
# Check: on a sampled batch, our target equals `DQNAgent.td_targets`. For the check to mean
# something, the two networks must disagree about the next action on some rows: where they
# agree, Double DQN's target is the plain one. A target network trails its Q-network closely, so
# early in training they often agree everywhere; for this check only, we give the agent's target
# network the weights of another seed's fresh network.

# %%
agent = dqn_lib.DQNAgent(config, seed=SEED)
other = dqn_lib.new_q_network(4, 2, SEED + 1, hidden=config.hidden)
agent.target_network.load_state_dict(other.state_dict())  # only so that the two disagree
batch = buffer.sample(config.batch_size)

ours = double_dqn_td_target(batch, agent.q_network, agent.target_network, config.gamma)
library = agent.td_targets(batch)  # (batch,)
plain = targets_from(agent.target_network, batch)  # (batch,) the target network's own max
with torch.no_grad():
    online_next = agent.q_network(batch.next_observations)  # (batch, n_actions)
    target_next = agent.target_network(batch.next_observations)  # (batch, n_actions)
disagree = online_next.argmax(dim=1) != target_next.argmax(dim=1)  # (batch,)
print(
    f"the networks pick different next actions in {int(disagree.sum())} of {len(disagree)} rows; "
    "the first three of them:"
)
print(
    f"{'row':>4} {'Q_online(next)':>16} {'Q_target(next)':>16} {'plain uses':>11} "
    f"{'Double uses':>12}"
)
for i in np.flatnonzero(disagree.numpy())[:3]:
    pick = int(online_next[i].argmax())
    print(
        f"{i:>4} {np.array2string(online_next[i].numpy(), precision=3):>16} "
        f"{np.array2string(target_next[i].numpy(), precision=3):>16} "
        f"{target_next[i].max():>11.3f} {target_next[i, pick]:>12.3f}"
    )

assert config.double_dqn, "the text says the default agent uses Double DQN; DQNConfig() does not"
assert torch.allclose(ours, library, atol=1e-6), (
    "double_dqn_td_target and DQNAgent.td_targets differ by up to "
    f"{(ours - library).abs().max():.2e}"
)
assert disagree.any(), "the two networks agree on every row: this check cannot tell them apart"
assert torch.allclose(ours[~disagree], plain[~disagree]), "where the networks agree, targets differ"
assert (ours[disagree] < plain[disagree]).all(), "where they disagree, Double DQN is not lower"
print("inline Double DQN target == DQNAgent.td_targets; lower than the plain one where they differ")

# %% [markdown]
# The last line holds by construction: valuing the online network's choice with the target
# network can never give more than the target network's own maximum, and where the two networks
# disagree it gives less.
#
# ## 4. The settings: `dqn_lib.DQNConfig`
#
# The DQN agent has many more settings than the online agent, so they live in one typed
# dataclass, `dqn_lib.DQNConfig`, with a docstring per field. Its defaults are the settings we
# train with below:

# %%
for field in dataclasses.fields(config):
    print(f"{field.name:>26} = {getattr(config, field.name)!r}")

# %% [markdown]
# A config is checked when it is built, so a typo or an impossible value fails at once, with a
# message that says what was expected, rather than as a strange training curve an hour later.
# Change one with `DQNConfig(gamma=0.98)` or `config.replace(gamma=0.98)`.


# %%
def error_of(make_config):
    """Build a config that should be refused; return (and print) the message of its ValueError."""
    try:
        make_config()
    except ValueError as error:
        print(f"ValueError: {error}\n")
        return str(error)
    raise AssertionError("this config was accepted, but it should have been refused")


typo = error_of(lambda: dqn_lib.DQNConfig.from_dict({"gama": 0.9}))
too_big = error_of(lambda: dqn_lib.DQNConfig(batch_size=128, buffer_size=64))
no_gamma = error_of(lambda: config.replace(gamma=1.5))
assert "Did you mean 'gamma'?" in typo, f"the typo's message does not suggest 'gamma': {typo}"
assert "batch_size" in too_big and "buffer_size" in too_big, f"unclear message: {too_big}"
assert "gamma" in no_gamma, f"the message does not name gamma: {no_gamma}"

# %% [markdown]
# ## 5. Training: DQN beside the online agent
#
# `dqn_lib.DQNAgent` puts it together. `act` is epsilon-greedy, with `epsilon` falling linearly
# from `epsilon_start` to `epsilon_end` over `epsilon_decay_steps`: a fresh network knows
# nothing, so the agent starts by exploring and exploits more as it learns. `observe` adds the
# transition to the replay buffer and, once it holds `learning_starts` transitions, takes
# `gradient_steps` gradient steps every `train_every` steps, each on a random batch, against
# Double DQN targets from the target network.
#
# We train five seeds for the same number of environment steps each, exactly as the benchmark
# (`benchmarks/solve.py`) does. The reward is lesson 4's angle reward with one term added for the
# cart, `-|pole angle| - 0.1 * |cart position|`, -5 on a fall (`dqn_lib.angle_and_position_reward`):
# lesson 4 saw that the angle reward does not see the cart, and "What made it stable" below shows
# what that costs a DQN agent. The schedule of the run is the benchmark's too:
# every 2,000 steps, `train` pauses the clock and runs a greedy evaluation of 20 episodes, reset
# with seeds 10000 to 10019, never used in training. Evaluation measures the environment's return,
# the number of steps the pole stayed up, whatever reward the agent learned from. CartPole-v1
# counts as solved at a mean of 475.


# %%
def angle_and_position_reward(next_observation, env_reward, terminated):
    """Lesson 4's angle reward, minus 0.1 for every metre the cart is off centre."""
    if terminated:
        return -5.0  # a fall, as before
    return -abs(float(next_observation[2])) - 0.1 * abs(float(next_observation[0]))


for _, _, _, next_observation, terminated, _ in transitions:
    ours = angle_and_position_reward(next_observation, 1.0, terminated)
    library = dqn_lib.angle_and_position_reward(next_observation, 1.0, terminated)
    assert ours == library, f"inline {ours} != library {library} at {next_observation}"
print(f"inline and dqn_lib.angle_and_position_reward agree on {len(transitions):,} steps")

# %%
BUDGET = 16_000  # environment steps per seed
EVAL_EVERY = 2_000
EVAL_EPISODES = 20
EVAL_SEED = 10_000
SOLVED = 475
DQN_SEEDS = [0, 1, 2, 3, 4]
ONLINE_SEEDS = [0, 1]  # fewer: lesson 5 already trained four
reward_fn = dqn_lib.angle_and_position_reward

agents, histories = {}, {}
for seed in DQN_SEEDS:
    agents[seed] = dqn_lib.DQNAgent(dqn_lib.DQNConfig(), seed=seed)
    histories[seed] = dqn_lib.train(
        agents[seed],
        steps=BUDGET,
        reward_fn=reward_fn,
        seed=seed,
        eval_every=EVAL_EVERY,
        eval_episodes=EVAL_EPISODES,
        eval_seed=EVAL_SEED,
        description=f"DQN seed {seed}",
    )

# %% [markdown]
# Lesson 5's online agent, trained on the same reward for the same number of steps, on fewer
# seeds (lesson 5 already showed four of them, and this keeps the lesson's run time down):

# %%
online_agents, online_histories = {}, {}
for seed in ONLINE_SEEDS:
    online_agents[seed] = dqn_lib.OnlineAgent(seed=seed)
    online_histories[seed] = dqn_lib.train(
        online_agents[seed],
        steps=BUDGET,
        reward_fn=reward_fn,
        seed=seed,
        description=f"online seed {seed}",
    )

# %% [markdown]
# The training returns of both agents on one set of axes, against environment steps (lesson 5's
# `plot_runs`): for each agent, the mean over its seeds of the 20-episode moving average, and a
# band from the worst seed to the best. Training episodes explore, so they understate the greedy
# policy; the DQN agent's `epsilon` is small by the end, the online agent's stays at 0.2.

# %%
ax = dqn_lib.plot_runs(list(histories.values()), label="DQN", color="C0")
dqn_lib.plot_runs(
    list(online_histories.values()), ax=ax, label="online agent (lesson 5)", color="C1"
)
ax.set_xlim(0, BUDGET)
ax.set_title(
    f"Training returns: DQN ({len(DQN_SEEDS)} seeds) vs the online agent "
    f"({len(ONLINE_SEEDS)} seeds)"
)
plt.show()

# %% [markdown]
# The greedy evaluations show each DQN seed on its own: every 2,000 steps, the mean return of 20
# episodes with no exploration.

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
for seed in DQN_SEEDS:
    ax.plot(
        histories[seed].eval_steps,
        histories[seed].eval_returns,
        "o-",
        markersize=4,
        label=f"seed {seed}",
    )
ax.axhline(SOLVED, color="black", linestyle="--", linewidth=1, label=f"solved ({SOLVED})")
ax.set(
    title=f"DQN: greedy evaluation every {EVAL_EVERY} steps ({EVAL_EPISODES} episodes each)",
    xlabel="environment steps",
    ylabel="mean return over 20 episodes (steps)",
    ylim=(0, 520),
    xlim=(0, BUDGET + 500),
)
ax.grid(alpha=0.3)
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# The same evaluations as a table, with the benchmark's measures: the first evaluation that
# reached 475 (the steps to solve), the final evaluation, and how many of the last five
# evaluations were at 475 or more ("stays solved": DQN on CartPole is known to collapse after
# solving, a story for lesson 7). The online agents get the same greedy evaluation once, at the
# end.

# %%
LAST = 5
rows = {}
for seed in DQN_SEEDS:
    steps, returns = histories[seed].eval_steps, histories[seed].eval_returns
    first = next(
        (step for step, value in zip(steps, returns, strict=True) if value >= SOLVED), None
    )
    rows[seed] = {
        "first_solved": first,
        "final": returns[-1],
        "stays_solved": float(np.mean(np.array(returns[-LAST:]) >= SOLVED)),
    }
print(
    f"{'DQN seed':>8} {'first eval >= 475':>18} {'final eval':>11} {'last 5 >= 475':>14} "
    f"{'train s':>8}"
)
for seed, row in rows.items():
    first = "none" if row["first_solved"] is None else f"{row['first_solved']:,}"
    print(
        f"{seed:>8} {first:>18} {row['final']:>11.1f} {row['stays_solved']:>14.0%} "
        f"{histories[seed].train_seconds:>8.1f}"
    )
print("every evaluation, seed by seed (a point drawn on the dashed line may be just under 475):")
for seed in DQN_SEEDS:
    print(f"  seed {seed}: " + ", ".join(f"{value:.1f}" for value in histories[seed].eval_returns))

online_finals = {
    seed: dqn_lib.evaluate(agent, episodes=EVAL_EPISODES, seed=EVAL_SEED).mean()
    for seed, agent in online_agents.items()
}
print()
for seed, final in online_finals.items():
    print(
        f"online seed {seed}: final greedy evaluation {final:.1f} after {BUDGET:,} steps "
        f"({online_histories[seed].train_seconds:.1f} s)"
    )

n_solved = sum(row["first_solved"] is not None for row in rows.values())
solved_steps = [row["first_solved"] for row in rows.values() if row["first_solved"] is not None]
print(
    f"\nDQN: {n_solved} of {len(DQN_SEEDS)} seeds solved within {BUDGET:,} steps"
    + (f", after {int(np.median(solved_steps)):,} steps (median)" if solved_steps else "")
    + f"; best online seed: {max(online_finals.values()):.1f}"
)

# %% [markdown]
# ## 6. The trained agents
#
# Check, with the benchmark's definition of *solved* (the first greedy evaluation with a mean of
# 475 or more): every DQN seed solved CartPole within the budget. Then the agents as they are at
# the end of training: `dqn_lib.evaluate(agent, episodes=20)`, the same evaluation as the last one
# during training (the check confirms it repeats exactly), against 475 and against the online
# agents.

# %%
for seed in DQN_SEEDS:
    assert rows[seed]["first_solved"] is not None, (
        f"DQN seed {seed} never reached a greedy mean of {SOLVED} in {BUDGET:,} steps; its "
        f"evaluations were {histories[seed].eval_returns}"
    )
print(f"every DQN seed solved CartPole within {BUDGET:,} steps")

final_returns = {}
for seed, agent in agents.items():
    final_returns[seed] = dqn_lib.evaluate(agent, episodes=EVAL_EPISODES, seed=EVAL_SEED)
    mean = final_returns[seed].mean()
    held = int((final_returns[seed] == MAX_EPISODE_STEPS).sum())
    versus = "at or above" if mean >= SOLVED else "below"
    print(
        f"DQN seed {seed} at the end: mean {mean:.1f} ({versus} {SOLVED}); {held} of "
        f"{EVAL_EPISODES} episodes held the pole all {MAX_EPISODE_STEPS} steps"
    )
    assert mean == histories[seed].eval_returns[-1], (
        f"seed {seed}: evaluate gave {mean:.1f}, the final evaluation in training "
        f"{histories[seed].eval_returns[-1]:.1f}: the evaluation is not repeatable"
    )
    assert mean > max(online_finals.values()), (
        f"DQN seed {seed} ends at {mean:.1f}, not above the best online agent "
        f"({max(online_finals.values()):.1f})"
    )
assert max(online_finals.values()) < SOLVED, "an online seed ends solved, but the text says none"

ended_solved = [seed for seed in DQN_SEEDS if final_returns[seed].mean() >= SOLVED]
ended_below = [seed for seed in DQN_SEEDS if seed not in ended_solved]
print(
    f"at the end of training, {len(ended_solved)} of {len(DQN_SEEDS)} seeds are at {SOLVED} or "
    f"more; below it: {ended_below if ended_below else 'none'}"
)
assert not ended_below, (
    f"seeds {ended_below} end below {SOLVED}: the trained agents should all be solved at the end"
)

# %% [markdown]
# Every seed solved CartPole within the budget, every one ends above the best online agent (the
# cart-aware reward helps the online agent too, but none of its seeds ends solved), and
# every one is still at 475 or more at the end of training: the greedy evaluation of each trained
# agent reaches the solved mark. DQN can also lose a solved policy as it keeps training; the next
# section shows when it did, and what stopped it.

# %% [markdown]
# ## 7. Save it, load it back, watch it
#
# Training took a while; a checkpoint keeps the result. `dqn_lib.save_checkpoint` writes the
# networks, the optimizer, the config, the counters and every random generator's state (and the
# replay buffer, with `include_replay=True`) to one file, atomically: it writes a temporary file
# and renames it, so a crash never leaves a half-written checkpoint. The file carries a SHA-256
# checksum, and `dqn_lib.load_checkpoint` loads it with `torch.load(..., weights_only=True)`, so
# a file someone sends you can hold tensors and numbers but never code that runs.
#
# We save one trained agent to a temporary folder (use any path of your own to keep it), load it
# back, and check that the loaded agent plays exactly like the one we saved.

# %%
checkpoint_folder = tempfile.TemporaryDirectory()
checkpoint_path = Path(checkpoint_folder.name) / "dqn_seed.pt"
saved_seed = DQN_SEEDS[0]
dqn_lib.save_checkpoint(agents[saved_seed], checkpoint_path)
loaded = dqn_lib.load_checkpoint(checkpoint_path).agent
loaded_returns = dqn_lib.evaluate(loaded, episodes=EVAL_EPISODES, seed=EVAL_SEED)
print(
    f"saved DQN seed {saved_seed} ({checkpoint_path.stat().st_size / 1e3:.0f} KB); the loaded "
    f"agent's greedy mean return: {loaded_returns.mean():.1f}"
)
assert np.array_equal(loaded_returns, final_returns[saved_seed]), (
    "the loaded agent does not play like the saved one"
)
assert loaded_returns.mean() >= SOLVED, f"the loaded agent is not solved: {loaded_returns.mean()}"

# %% [markdown]
# A damaged file is refused with a message that names the file and the cause, never loaded
# half-way. Here one byte in the middle of the file is flipped:

# %%
damaged_path = checkpoint_path.with_name("damaged.pt")
data = bytearray(checkpoint_path.read_bytes())
data[len(data) // 2] ^= 0xFF
damaged_path.write_bytes(bytes(data))
try:
    dqn_lib.load_checkpoint(damaged_path)
except dqn_lib.CheckpointError as error:
    message = str(error)
print(message.replace(str(checkpoint_path.parent), "<temporary folder>"))
assert "checksum" in message, f"expected the checksum to catch the flipped byte: {message}"

# %% [markdown]
# The loaded agent on an evaluation start where it held the pole for all 500 steps (the cell
# picks the first such episode):

# %%
gif_episode = next(
    episode for episode, value in enumerate(loaded_returns) if value == MAX_EPISODE_STEPS
)
dqn_lib.animate_episode(
    loaded,
    seed=EVAL_SEED + gif_episode,
    title=f"loaded DQN seed {saved_seed}, {BUDGET:,} steps",
)

# %%
checkpoint_folder.cleanup()  # the temporary folder and its files go away

# %% [markdown]
# ## What made it stable
#
# Solving CartPole once is the easy half; staying solved while the agent keeps learning is the
# hard one. The benchmark (`benchmarks/solve.py`, 10 seeds, 50,000 steps, the README's results
# table) measured each choice; four mattered most:
#
# - **A learning rate that falls** from `learning_rate` to `final_learning_rate` over
#   `learning_rate_decay_steps`: large steps to learn fast, small ones to keep what was learned.
#   It never reaches 0, so the agent keeps learning to the end of the budget.
# - **Batches of 128** and a **soft target** (`tau=0.02`): smoother gradients and targets.
# - **A reward that sees the cart.** With the angle reward alone, agents solved and then,
#   tens of thousands of steps later, some drove the cart off the track: the pole was upright,
#   the reward was good, and the edge of the track was invisible until it ended the episode.
# - **`gamma=0.98` instead of 0.99.** With negative rewards, falling at once is worth
#   `FALL_PENALTY` while surviving for ever is worth `reward / (1 - gamma)`: the agent prefers to
#   fall as soon as a step's reward is below `FALL_PENALTY * (1 - gamma)`. The cell computes
#   where that happens: with gamma 0.99 an upright pole with the cart half a metre off centre
#   already "should" fall.

# %%
for gamma in (0.99, config.gamma):
    break_even = dqn_lib.FALL_PENALTY * (1 - gamma)  # a step reward below this: better to fall
    distance = -break_even / dqn_lib.POSITION_PENALTY  # metres off centre, pole upright
    print(
        f"gamma={gamma}: falling looks better once a step's reward is below {break_even:.2f}, "
        f"for an upright pole when the cart is {distance:.1f} m or more off centre"
    )
assert config.gamma == 0.98, "the text above explains the default gamma=0.98"

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-06-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 6.1: sampling a replay batch (core, about 15 minutes)
#
# A batch drawn uniformly from everything the buffer holds is what breaks the likeness of
# consecutive transitions; a batch that mixes fields of different transitions teaches nonsense.
#
# Write `sample_batch(observations, actions, rewards, next_observations, terminated, size,
# batch_size, rng)`, the heart of `RingBuffer.sample` without the class. The five arrays have a
# row for each slot of the buffer, and the first `size` rows hold transitions. Draw `batch_size`
# rows uniformly, with replacement, using only the generator `rng`, and return the tuple
# `(observations, actions, rewards, next_observations, terminated)` of those rows, NumPy arrays
# in that order.
#
# Hints: until the ring is full, the rows from `size` on are still empty (zeros), so draw below
# `size`, not below `len(observations)`. Draw the indices once and use them for all five fields:
# one draw per field would pair one transition's observation with another's reward.
#
# The check gives your function arrays with room for 64 transitions in which every field tells
# the row it came from, tries `size` 1, 40 and 64 with batches of 1 to 32 rows, draws 150
# batches to see that every stored transition comes about equally often, and calls it with
# generators of the same seed under different global random states, which must give the same
# rows.


# %% nbgrader={"grade": false, "grade_id": "ex-06-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_batch(
    observations, actions, rewards, next_observations, terminated, size, batch_size, rng
):
    """`batch_size` transitions drawn uniformly, with replacement, from the first `size` rows.

    observations, next_observations: (capacity, 4); actions, rewards, terminated: (capacity,).
    Returns (observations, actions, rewards, next_observations, terminated) of the drawn rows.
    """
    ### BEGIN SOLUTION
    indices = rng.integers(0, size, size=batch_size)  # (batch_size,) one draw for every field
    return (
        observations[indices],  # (batch_size, 4)
        actions[indices],  # (batch_size,)
        rewards[indices],  # (batch_size,)
        next_observations[indices],  # (batch_size, 4)
        terminated[indices],  # (batch_size,)
    )
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-06-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_replay_sample

check_replay_sample(sample_batch)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-06-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 6.2: the soft target update (core, about 10 minutes)
#
# The target network keeps the TD targets still only if it trails the Q-network by exactly the
# fraction `tau` a step: too far and the targets chase the predictions again, not at all and
# they never learn.
#
# Write `soft_update(target_network, q_network, tau)` without scrolling back up: move every
# weight and bias of `target_network` `tau` of the way towards the matching one of `q_network`,
# `target = target + tau * (online - target)`, in place, and return nothing. `tau = 1` is the
# hard copy.
#
# Hints: `target = target + ...` inside a loop only rebinds a name and changes nothing; change
# the parameter itself (`+=`, `.mul_`, `.copy_`, `.lerp_`) under `torch.no_grad()` (autograd
# refuses an in-place change of a weight that requires a gradient). The Q-network must not move:
# it is the target that trails.
#
# The check tries `tau` = 0.1, 0.5, 1 and 0.005 on 4-32-32-2 networks, then three random
# `tau` on smaller networks, compares every target weight with `dqn_lib.soft_update`, checks
# that the Q-network did not change, and recognises `tau` and `1 - tau` swapped.


# %% nbgrader={"grade": false, "grade_id": "ex-06-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def soft_update(target_network, q_network, tau):
    """Move every target weight `tau` of the way towards the Q-network's, in place."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        for target, online in zip(target_network.parameters(), q_network.parameters(), strict=True):
            target.lerp_(online, tau)  # target + tau * (online - target)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-06-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_soft_update

check_soft_update(soft_update)

# %% [markdown]
# ## Summary
#
# - **Experience replay.** Consecutive transitions are nearly the same (the pole angle one step
#   apart correlates almost perfectly), so the online agent's updates pull the network towards one
#   small corner of the states at a time, and each transition is used once. A ring buffer of
#   preallocated arrays keeps the last `buffer_size` transitions, with `terminated` apart from
#   `truncated` and the true final observation, and every gradient step learns from a random
#   batch: neighbouring rows unrelated, the whole buffer covered, each transition reused.
# - **A target network.** One gradient step moved the TD targets a good part as far as the
#   predictions chasing them. A slowly updated copy computes the targets instead: a hard copy every
#   `target_update_every` steps, or a soft update `target += tau * (online - target)` after every
#   gradient step.
# - **Double DQN.** The online network picks the next action and the target network values it,
#   which removes part of the upward bias of the `max`.
# - **`DQNConfig`** holds every setting, checked when built, with errors that say what to fix.
# - Trained on the same reward for the same number of steps, the DQN agent solved CartPole on
#   every seed (checked in section 6) and stayed solved; lesson 5's online agent did not solve.
#
# What the original notebook did, and what this lesson changed (the original's settings are kept
# in `OnlineAgent`; the DQN column is printed from `DQNConfig()`):

# %%
original = dqn_lib.OnlineAgent(seed=SEED)
comparison = [
    ("Q-network hidden layers", original.q_network.hidden, config.hidden),
    ("learning_rate", original.optimizer.param_groups[0]["lr"], config.learning_rate),
    ("gamma", original.gamma, config.gamma),
    (
        "epsilon",
        original.epsilon,
        f"{config.epsilon_start} -> {config.epsilon_end} over {config.epsilon_decay_steps:,} steps",
    ),
    ("transitions per gradient step", 1, config.batch_size),
    ("replay buffer", "none", f"the last {config.buffer_size:,} transitions"),
    (
        "target network",
        "none (the Q-network itself)",
        f"soft, tau={config.tau}"
        if config.target_update == "soft"
        else f"hard copy every {config.target_update_every:,} steps",
    ),
    (
        "next action chosen by",
        "the same network",
        "online net (Double DQN)" if config.double_dqn else "target net",
    ),
    ("loss", "huber", config.loss),
]
print(f"{'':<30}{'original (OnlineAgent)':<30}{'DQN (DQNConfig())'}")
for name, before, after in comparison:
    print(f"{name:<30}{before!s:<30}{after!s}")

# %% [markdown]
# The environment, the reward (`-|pole angle| - 0.1 * |cart position|`, -5 on a fall), the TD
# target that stops at a fall (lesson 3's fix of the original) and the training loop are the
# same for both agents: the difference in the results comes from the agent.
#
# Next, lesson 7 (`07_inside_the_agent`): what the trained network learned, its Q-values over
# the states and step by step through an episode, and why DQN can collapse after solving.
