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
# # Lesson 3: the Q-function as a network
#
# Lesson 2's table had one number per cell of a cut-up state, and learned each cell alone: a
# finer table stayed mostly empty. A network replaces the table by a function of the
# observation itself, so that nearby observations get nearby values.
#
# We build the network at the heart of DQN: an observation goes in, one value per action comes
# out, and the agent acts by picking the largest. Lessons 4 and 6 train this very network, and
# the DQN of lessons 7 to 11 a wider one of the same design, so here we take it apart: its layers,
# its shapes, its 1,282 parameters, and what it says before training.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dqn_lib
from dqn_lib import ACTION_NAMES, ANGLE_LIMIT_RADIANS, OBSERVATION_NAMES, make_env

SEED = 0
# Networks this small run fastest on one thread, and on one thread the same seed gives exactly
# the same numbers every time (sums are added in a fixed order).
torch.set_num_threads(1)

n_observations = len(OBSERVATION_NAMES)  # 4: cart position, cart velocity, pole angle, ...
n_actions = len(ACTION_NAMES)  # 2: push left, push right
print(f"{n_observations} observation numbers: {OBSERVATION_NAMES}")
print(f"{n_actions} actions: {ACTION_NAMES}")

# %% [markdown]
# ## What Q(s, a) means on CartPole
#
# Q(s, a) answers one question: *if I am in observation s, take action a now, and act well
# from then on, how much reward will I collect?* On CartPole the environment gives +1 for every
# step the pole stays up ([Gymnasium's CartPole
# page](https://gymnasium.farama.org/environments/classic_control/cart_pole/)), so Q(s, a)
# counts the steps the pole will stay up if I push this way now, discounted (next paragraph): for
# the first dozen or two steps nearly the plain count, never above 100. An agent that
# knows Q does not need to plan: it compares the values of pushing left and pushing right, and
# picks the larger.
#
# DQN discounts the future: a reward k steps away counts `gamma ** k`, with `gamma` just below
# 1 (lesson 4 explains why). That sets the scale a trained network's outputs should reach, close
# to 100 for a pole that stays up: a whole 500-step episode is worth this much (an agent that
# treats the time limit as no ending values such a state at up to 1 / (1 - gamma) = 100, lesson
# 4).

# %%
gamma = 0.99  # the discount of the original notebook's training loop
best_discounted_return = sum(gamma**k for k in range(dqn_lib.MAX_EPISODE_STEPS))
print(
    f"+1 a step for {dqn_lib.MAX_EPISODE_STEPS} steps, discounted by gamma = {gamma}: "
    f"{best_discounted_return:.1f}"
)

# %% [markdown]
# ## Why one output per action
#
# CartPole's observations are four real numbers, so a table with one entry per observation is
# impossible: we need a function that generalises from the observations it has seen to nearby
# ones. A neural network is such a function. We could feed it the observation *and* an action
# and get one number back, but then choosing an action would take one forward pass per action.
# Instead the network takes the observation alone and returns the value of **every** action at
# once: one forward pass ranks all the actions. This is the design of Mnih et al. (2015), and of
# the original notebook, whose comment reads "input: the state; output: the value of every
# action".

# %% [markdown]
# ## The network, written out
#
# This is the original notebook's `QNet`, kept layer for layer (4-32-32-2), with the course's
# names: `n_observations` where the original wrote `n_states`.
#
# - `nn.Linear(4, 32)`: 32 units, each a weighted sum of the 4 observation numbers plus a bias.
#   These are features the network will learn, such as "pole leaning right and falling faster".
# - `nn.ReLU()`: `max(0, x)` on every unit. Without it, the three linear layers would collapse into
#   a single linear function of the observation, and a value that falls off on *both* sides of an
#   upright pole is not linear.
# - `nn.Linear(32, 32)` and a second ReLU: features of features.
# - `nn.Linear(32, n_actions)`: one number per action, and **no** activation after it, because a
#   Q-value can be any real number (negative too, with the reward of lesson 5).


# %%
class QNet(nn.Module):
    """Q-values of every action for a batch of observations: (batch, 4) -> (batch, 2)."""

    def __init__(self, n_observations: int, n_actions: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_observations, 32),  # (batch, 4) -> (batch, 32)
            nn.ReLU(),
            nn.Linear(32, 32),  # (batch, 32) -> (batch, 32)
            nn.ReLU(),
            nn.Linear(32, n_actions),  # (batch, 32) -> (batch, n_actions), no activation
        )

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.net(observations)  # (batch, n_actions)


# %% [markdown]
# ReLU in one line: negative numbers become 0, positive ones pass unchanged. That kink is all
# the non-linearity the network has.

# %%
print(nn.ReLU()(torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])))

# %% [markdown]
# ## Initial weights that depend on the seed only
#
# `nn.Linear` draws its initial weights from torch's *global* random generator. Two problems
# follow: the network differs on every run, and calling `torch.manual_seed` to fix that would
# also reset the random numbers of everything else in the notebook, so a cell run earlier or
# later would change the network. `torch.random.fork_rng()` saves the global generator, lets us
# seed it inside the `with` block, and restores it on the way out: the weights depend on the seed
# and on nothing else, and nothing outside the block notices.
# (The original notebook did not seed, so every run started from different weights.)


# %%
def new_q_network(n_observations: int, n_actions: int, seed: int) -> QNet:
    """A QNet whose initial weights depend on `seed` only; torch's global generator is untouched."""
    with torch.random.fork_rng(devices=[]):  # devices=[]: CPU only, no GPU generators to save
        torch.manual_seed(seed)
        return QNet(n_observations, n_actions)


q_network = new_q_network(n_observations, n_actions, seed=SEED)
print(q_network)

# %% [markdown]
# Check: the same seed gives the same weights, another seed different ones, the global generator
# is exactly as it was, and the library's helper `dqn_lib.new_q_network` (which the agents
# of lesson 4 use) builds the very same network.


# %%
def same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(
        torch.equal(x, y)
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )


global_state_before = torch.random.get_rng_state()
twin = new_q_network(n_observations, n_actions, seed=SEED)
other = new_q_network(n_observations, n_actions, seed=SEED + 1)
from_library = dqn_lib.new_q_network(n_observations, n_actions, seed=SEED)
assert torch.equal(torch.random.get_rng_state(), global_state_before), (
    "Building the networks changed torch's global random state: fork_rng should restore it."
)
assert same_weights(q_network, twin), (
    "Two networks built with the same seed have different weights."
)
assert not same_weights(q_network, other), f"Seeds {SEED} and {SEED + 1} gave identical weights."
assert same_weights(q_network, from_library), (
    "dqn_lib.new_q_network(4, 2, seed) differs from the inline new_q_network."
)
print(
    "same seed, same weights; other seed, other weights; global generator untouched; "
    "the library's helper agrees"
)

# %% [markdown]
# ## Shapes: one observation, then a batch
#
# Real observations come from a seeded environment. CartPole's observations are float32 arrays,
# the same type as the weights, so `torch.as_tensor` is all it takes (a float64 array would fail
# with "mat1 and mat2 must have the same dtype").
# `torch.no_grad()` tells torch we are only looking: no gradient bookkeeping.

# %%
env = make_env(seed=SEED)
observation, info = env.reset()
observation_tensor = torch.as_tensor(observation)  # (n_observations,)
with torch.no_grad():
    q_values = q_network(observation_tensor)  # (n_actions,)
print("observation:", observation, observation.dtype, tuple(observation_tensor.shape))
print("Q-values:   ", q_values, tuple(q_values.shape))

# %% [markdown]
# Training (lesson 7) feeds the network many observations at once: a **batch**, stacked along a
# first dimension. `nn.Linear` acts on the last dimension only, so the same network turns
# `(batch, 4)` into `(batch, 2)`. Here are 8 consecutive observations of an episode played with
# random actions (from the environment's seeded action space), followed layer by layer.

# %%
observations = [observation]
while len(observations) < 8:
    observation, reward, terminated, truncated, info = env.step(env.action_space.sample())
    observations.append(observation)
    if terminated or truncated:
        observation, info = env.reset()
        observations.append(observation)
observations = observations[:8]
batch = torch.as_tensor(np.stack(observations))  # (batch, n_observations)

x = batch
print(f"{'input':52} {tuple(x.shape)}")
with torch.no_grad():
    for layer in q_network.net:
        x = layer(x)
        print(f"{layer!s:52} {tuple(x.shape)}")
batch_q_values = x  # (batch, n_actions)

# %% [markdown]
# Check: one observation gives `(n_actions,)`, a batch of 8 gives `(8, n_actions)`, and row i of
# the batch's output is the network's output for observation i alone (a batch is just many
# single forward passes done together).

# %%
with torch.no_grad():
    rows_one_by_one = torch.stack([q_network(row) for row in batch])  # (batch, n_actions)
assert q_values.shape == (n_actions,), f"one observation: expected (2,), got {q_values.shape}"
assert batch.shape == (8, n_observations), f"batch: expected (8, 4), got {tuple(batch.shape)}"
assert batch_q_values.shape == (8, n_actions), (
    f"batch Q-values: expected (8, 2), got {tuple(batch_q_values.shape)}"
)
assert torch.allclose(batch_q_values, rows_one_by_one, atol=1e-6), (
    f"Batched and one-by-one Q-values differ by up to "
    f"{(batch_q_values - rows_one_by_one).abs().max():.2e}."
)
print("shapes (2,) and (8, 2); the batch equals 8 single forward passes")

# %% [markdown]
# ## Counting the parameters
#
# Each `nn.Linear(n_in, n_out)` holds a weight matrix of `n_out x n_in` numbers and a bias of
# `n_out`: `n_in * n_out + n_out` parameters. ReLU has none. Counted by hand for 4-32-32-2:

# %%
by_hand = (4 * 32 + 32) + (32 * 32 + 32) + (32 * 2 + 2)
print(f"by hand: {4 * 32 + 32} + {32 * 32 + 32} + {32 * 2 + 2} = {by_hand:,}")
for name, parameter in q_network.named_parameters():
    print(f"{name:14} {str(tuple(parameter.shape)):10} {parameter.numel():5,}")
n_parameters = sum(p.numel() for p in q_network.parameters())
print(f"{'total':25} {n_parameters:5,}")

# %%
assert n_parameters == by_hand, (
    f"sum(p.numel()) gives {n_parameters:,} but 4*32+32 + 32*32+32 + 32*2+2 = {by_hand:,}."
)
print(f"the network has {n_parameters:,} parameters, as counted by hand")

# %% [markdown]
# Small by today's standards, and enough: CartPole's four numbers do not need more. The middle
# layer holds most of them (32 x 32): widening the hidden layers grows the count quadratically.

# %% [markdown]
# ## The library's `QNet` is this network
#
# From lesson 4 on, the network comes from the library: `dqn_lib.QNet(n_observations, n_actions,
# hidden=(32, 32))`, the same layers with the hidden widths as a parameter. Check: it has the same
# parameter names and shapes (loading our weights with `strict=True` would fail otherwise), and
# with our weights it gives exactly our outputs.

# %%
library_q_network = dqn_lib.QNet(n_observations, n_actions)
library_q_network.load_state_dict(q_network.state_dict(), strict=True)
with torch.no_grad():
    ours, theirs = q_network(batch), library_q_network(batch)  # (batch, n_actions) each
assert torch.equal(ours, theirs), (
    f"With the same weights, the inline QNet and dqn_lib.QNet differ by up to "
    f"{(ours - theirs).abs().max():.2e} on the batch of 8."
)
print("dqn_lib.QNet(4, 2) with the inline network's weights gives identical Q-values")

# %% [markdown]
# The DQN of lessons 7 to 11 uses a wider network of the same design, `hidden=(64, 64)` (lesson 7
# says how that width was chosen). Counted by the same rule, one `n_in * n_out + n_out` per layer:


# %%
def count_by_hand(widths: list[int]) -> int:
    """Parameters of a chain of nn.Linear layers with these widths, input first, output last."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(widths[:-1], widths[1:], strict=True))


wide_q_network = dqn_lib.QNet(n_observations, n_actions, hidden=(64, 64))
wide_count = sum(p.numel() for p in wide_q_network.parameters())
wide_by_hand = count_by_hand([n_observations, 64, 64, n_actions])
assert count_by_hand([n_observations, 32, 32, n_actions]) == n_parameters, (
    "count_by_hand disagrees with the 4-32-32-2 network's count."
)
assert wide_count == wide_by_hand, (
    f"QNet(4, 2, hidden=(64, 64)) has {wide_count:,} parameters; the rule gives {wide_by_hand:,}."
)
print(f"hidden=(64, 64): {wide_count:,} parameters, {wide_count / n_parameters:.1f} times as many")

# %% [markdown]
# ## What `argmax` picks: the greedy action
#
# To act, the agent takes the action with the largest Q-value: the **greedy** action. For a batch
# the argmax runs along the action dimension, `dim=1`, one action per row. (A trap: `argmax()`
# with no `dim` flattens the whole `(8, 2)` tensor and returns one index between 0 and 15.)

# %%
greedy_actions = batch_q_values.argmax(dim=1)  # (batch,)
print(f"{'pole angle (deg)':>17} {'Q(push left)':>13} {'Q(push right)':>14}   greedy action")
for observation_row, q_row, action in zip(batch, batch_q_values, greedy_actions, strict=True):
    angle_degrees = np.degrees(observation_row[2].item())
    print(
        f"{angle_degrees:17.2f} {q_row[0].item():13.4f} {q_row[1].item():14.4f}   "
        f"{action.item()} ({dqn_lib.display_name(ACTION_NAMES[action.item()])})"
    )
toward_lean = int(((greedy_actions == 1) == (batch[:, 2] > 0)).sum())
print(f"the greedy action pushes toward the pole's lean in {toward_lean} of {len(batch)} rows")
print("argmax() without dim:", batch_q_values.argmax().item(), "(an index into 16 numbers)")

# %% [markdown]
# Check: the batch's argmax along `dim=1` is the argmax of each row taken one at a time.

# %%
per_row = torch.tensor([row.argmax().item() for row in batch_q_values])  # (batch,)
assert greedy_actions.shape == (8,), f"expected one action per row, got {greedy_actions.shape}"
assert torch.equal(greedy_actions, per_row), (
    f"argmax(dim=1) gave {greedy_actions.tolist()}, row by row gave {per_row.tolist()}."
)
print("argmax(dim=1) picks each row's best action:", greedy_actions.tolist())

# %% [markdown]
# ## Before training, the Q-values mean nothing
#
# The table above already hints at it: tiny values, and a greedy action that follows the pole's
# lean only by chance. To see it whole, sweep the pole angle from -12 to +12 degrees (where the
# episode ends) with the other three numbers at 0, and ask untrained networks built from five
# seeds. A pole leaning right (positive angle) needs a push right, so a trained network should
# have Q(push right) > Q(push left) on the right half and the reverse on the left.

# %%
angles = torch.linspace(-ANGLE_LIMIT_RADIANS, ANGLE_LIMIT_RADIANS, 101)  # (101,) radians
sweep = torch.zeros(len(angles), n_observations)  # (101, n_observations)
sweep[:, 2] = angles  # pole angle; cart position, cart velocity, angular velocity stay 0
sweep_seeds = range(5)
with torch.no_grad():
    sweep_q_values = {  # seed -> (101, n_actions)
        seed: new_q_network(n_observations, n_actions, seed)(sweep) for seed in sweep_seeds
    }
angles_degrees = np.degrees(angles.numpy())

figure, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
for action, name in enumerate(ACTION_NAMES):
    name = dqn_lib.display_name(name)  # in the lesson's language
    left.plot(angles_degrees, sweep_q_values[SEED][:, action], label=f"Q({name})")
left.set_title(f"Untrained network (seed {SEED}): both Q-values")
left.set_ylabel("Q-value (expected return, in reward units)")
for seed, values in sweep_q_values.items():
    right.plot(angles_degrees, values[:, 1] - values[:, 0], label=f"seed {seed}")
right.axhline(0, color="black", linewidth=0.8)
right.set_title("Five untrained networks: Q(push right) - Q(push left)")
right.set_ylabel("Q difference (reward units; > 0: pushes right)")
for ax in (left, right):
    ax.axvspan(
        0,
        angles_degrees[-1],
        color="tab:green",
        alpha=0.08,
        label="pole leans right: a good policy pushes right",
    )
    ax.set_xlabel("pole angle (degrees, positive = leaning right)")
    ax.axvline(0, color="grey", linewidth=0.8, linestyle=":")
    ax.grid(alpha=0.3)
for ax, columns in ((left, 2), (right, 3)):  # legends below the plots, clear of the lines
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns)
figure.suptitle(
    f"Before training: Q-values near 0 (a pole kept up for 500 steps is worth "
    f"{best_discounted_return:.1f}), and which action wins depends on the seed"
)
figure.tight_layout()
plt.show()

# %% [markdown]
# What the untrained networks do over the sweep, and how large their Q-values are:

# %%
largest = max(values.abs().max().item() for values in sweep_q_values.values())
right_counts = []
for seed, values in sweep_q_values.items():
    pushes_right = int((values.argmax(dim=1) == 1).sum())
    right_counts.append(pushes_right)
    sensible = ((values.argmax(dim=1) == 1) == (angles > 0)).float().mean().item()
    print(
        f"seed {seed}: greedy pushes right at {pushes_right:3} of {len(angles)} angles; "
        f"pushes toward the lean at {sensible:.0%} of them"
    )
print(
    f"largest |Q| over all seeds and angles: {largest:.3f} "
    f"(a pole kept up for 500 steps is worth {best_discounted_return:.1f})"
)
assert largest < 1.0, f"Untrained Q-values should be near zero, got |Q| up to {largest:.3f}."
assert sorted(right_counts) == [0, *[len(angles)] * 4], (
    f"the text says 4 right, 1 left: {right_counts}"
)

# %% [markdown]
# The values are smaller than the reward of a single step (the cell above asserts it), where a
# good state is worth dozens, and each seed draws its own arbitrary lines: which action "wins"
# depends on the seed and not on CartPole (on these five seeds one action wins at every angle,
# right on four, left on one).
# None of this is a mistake. The initial weights are small random numbers (PyTorch draws each
# layer's from a range of about `±1/sqrt(n_in)`), so the outputs are sums of small random terms,
# and nothing about the pole has reached the weights yet. Training (lesson 4's update, run for
# real from lesson 6 on) is what turns this arbitrary function into an estimate of the return;
# until then the greedy action is no better than a fixed or random choice.

# %% [markdown]
# ## Q-values are not probabilities
#
# The two outputs look like a classifier's scores, but they are estimates of a *return*, in the
# units of reward: they need not be positive, need not sum to 1, and after training on
# CartPole's +1 a step they grow to tens. With the original notebook's reward (`-|pole angle|`,
# and -5 for a fall, lesson 5) every Q-value is negative. Only their order matters for acting:
# adding the same number to both leaves the greedy action unchanged. (Networks that output
# probabilities, with a softmax at the end, are *policy* networks, a different family of methods.)

# %%
row_sums = batch_q_values.sum(dim=1)  # (batch,)
print("row sums of the batch's Q-values:", [round(total, 3) for total in row_sums.tolist()])
print(f"smallest Q-value in the batch: {batch_q_values.min().item():.3f}")
shifted = batch_q_values + 100.0  # (batch, n_actions)
assert torch.equal(shifted.argmax(dim=1), greedy_actions), (
    "Adding the same number to every Q-value changed the greedy action."
)
print(
    "adding 100 to every Q-value leaves the greedy actions unchanged:",
    shifted.argmax(dim=1).tolist(),
)

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-03-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 3.1: the Q-network, layer by layer (core, about 15 minutes)
#
# Lessons 4 and 6 train this network (and lessons 7 to 11 the same design, wider), and writing its
# `forward` by hand shows exactly where the non-linearity goes and where it must not.
#
# Write the class `QNetwork(n_observations, n_actions)`, an `nn.Module` with the 4-32-32-2 shape
# of `QNet` above, but this time without `nn.Sequential`, so that you see each step: create three
# `nn.Linear` layers as attributes in `__init__`, and in `forward(observations)` apply them in
# turn with `torch.relu` between them (the check judges what the network computes, so an
# `nn.Sequential` would pass it too; the point is to write the steps). It must map `(batch, n_observations)` to `(batch, n_actions)`, and one
# observation `(n_observations,)` to `(n_actions,)`.
#
# Hints: nothing after the last layer, because a Q-value is a return, any real number (a
# softmax, tanh or final ReLU would bound it); take the sizes from the arguments, not from the
# numbers 4 and 2.
#
# The check builds `QNetwork(4, 2)`, feeds it a batch of 5 observations and a single one,
# counts its weights and biases (1,282), checks that it is not linear in its input (the output
# at the midpoint of two inputs is not the midpoint of their outputs, as it would be without a
# ReLU), and feeds it huge inputs to catch a softmax, tanh, sigmoid or ReLU at the end. Last, it
# builds `QNetwork(6, 3)`, which must map a batch of shape `(7, 6)` to `(7, 3)` with 32-wide
# hidden layers: the sizes come from the arguments.


# %% nbgrader={"grade": false, "grade_id": "ex-03-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
class QNetwork(nn.Module):
    """Q-values of every action: (batch, n_observations) -> (batch, n_actions), 32-32 hidden."""

    def __init__(self, n_observations: int, n_actions: int):
        super().__init__()
        ### BEGIN SOLUTION
        self.hidden_1 = nn.Linear(n_observations, 32)
        self.hidden_2 = nn.Linear(32, 32)
        self.output = nn.Linear(32, n_actions)
        ### END SOLUTION

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        """(batch, n_observations) -> (batch, n_actions); also (n_observations,) -> (n_actions,)."""
        ### BEGIN SOLUTION
        x = torch.relu(self.hidden_1(observations))  # (batch, 32)
        x = torch.relu(self.hidden_2(x))  # (batch, 32)
        return self.output(x)  # (batch, n_actions), no activation: Q-values are any real number
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-03-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_q_network

check_q_network(QNetwork)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-03-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 3.2: the greedy action of one observation (warm-up, about 5 minutes)
#
# This is how every agent in the course acts when it does not explore, and how it is evaluated.
#
# Write `greedy_action(q_network, observation) -> int`: `observation` is one NumPy observation
# of shape `(n_observations,)`, as `env.reset` and `env.step` return it. Return the index of
# the action with the largest Q-value as a Python `int`, without tracking gradients (we only
# look, we do not train).
#
# Hints: the weights are float32, so convert with
# `torch.as_tensor(observation, dtype=torch.float32)` (a float64 array would fail); for one
# observation the Q-values have shape `(n_actions,)`, and `argmax()` returns a tensor, so wrap
# it in `int(...)`.
#
# The check tries real CartPole observations on four networks, one of them with three actions,
# four observations for each action of each network (so no fixed answer fits), and one
# observation given as a float64 array: 37 cases, each against the argmax of the network's own
# Q-values.


# %% nbgrader={"grade": false, "grade_id": "ex-03-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def greedy_action(q_network: nn.Module, observation: np.ndarray) -> int:
    """The action with the largest Q-value for one observation, as a Python int."""
    ### BEGIN SOLUTION
    with torch.no_grad():
        q_values = q_network(torch.as_tensor(observation, dtype=torch.float32))  # (n_actions,)
    return int(q_values.argmax())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-03-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_greedy_action

check_greedy_action(greedy_action)

# %% [markdown]
# ## Summary
#
# - Q(s, a) is the return to expect after taking action a in observation s and acting well
#   after; on CartPole, a discounted count of the steps the pole will stay up. With
#   `gamma = 0.99` and +1 a step, a full 500-step episode is worth about 99, and no state more
#   than 100.
# - The Q-network takes an observation in and gives one value per action out, so one forward
#   pass ranks every action. It is two hidden layers of 32 ReLU units and a linear output:
#   1,282 parameters, and `(batch, 4) -> (batch, 2)` for any batch size.
# - The greedy action is `argmax(dim=1)`, one per row. Untrained, the values are near zero and
#   their ranking is an accident of the seed; they are returns, not probabilities.
# - Seeding inside `torch.random.fork_rng()` makes the initial weights depend on the seed only.
#
# **The original notebook** defined this exact `QNet` (4-32-32-2, ReLU), and we kept it. What we
# changed: the course's names (`n_observations` for `n_states`), and the initial weights are
# seeded without touching torch's global generator, where the original's depended on whatever
# ran before. From now on the network is `dqn_lib.QNet`, shown above to match this one exactly.
#
# **Next**, lesson 4 (`04_agent`): acting with epsilon-greedy and learning from the TD target.
