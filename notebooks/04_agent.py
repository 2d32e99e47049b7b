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
# # Lesson 4: an agent that acts and learns
#
# We build the two halves of a learning agent: how it picks an action (epsilon-greedy), and how
# one transition turns into a gradient step on its Q-network (the Bellman optimality equation,
# the TD target that estimates it, and the Huber loss).
# This is the whole of the original notebook's `Agent`, piece by piece, with the bug in its TD
# target fixed and its random numbers drawn from a generator of its own, so that a seed fixes
# what it does.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dqn_lib
from dqn_lib import ACTION_NAMES, OnlineAgent, display_name, make_env

SEED = 0
# Networks this small run fastest on one thread, and on one thread every result repeats exactly
# (summing floats in a different order across threads changes the last digits).
torch.set_num_threads(1)

# %% [markdown]
# ## Some real transitions to work with
#
# Every idea below is shown on real CartPole data, so we first play a few episodes with random
# actions and keep each transition `(observation, action, reward, next_observation, terminated,
# truncated)`. The actions come from a generator of this lesson's own, seeded, so they repeat.

# %%
env = make_env(SEED)
lesson_rng = np.random.default_rng(SEED)

transitions = []
observation, _ = env.reset()
while len(transitions) < 32:
    action = int(lesson_rng.integers(2))
    next_observation, reward, terminated, truncated, _ = env.step(action)
    transitions.append(
        (observation, action, float(reward), next_observation, terminated, truncated)
    )
    observation = next_observation
    if terminated or truncated:
        observation, _ = env.reset()

# One tensor per field, in the shapes a batch has in DQN: observations (32, 4), actions (32,).
observations = torch.as_tensor(np.array([t[0] for t in transitions]), dtype=torch.float32)
actions = torch.tensor([t[1] for t in transitions])  # (32,)
rewards = torch.tensor([t[2] for t in transitions])  # (32,)
next_observations = torch.as_tensor(np.array([t[3] for t in transitions]), dtype=torch.float32)
terminated_batch = torch.tensor([float(t[4]) for t in transitions])  # (32,) 1.0 where the pole fell
print(
    f"{len(transitions)} transitions, {int(terminated_batch.sum())} of them terminated, "
    f"{sum(t[5] for t in transitions)} truncated"
)

# %% [markdown]
# And an untrained Q-network (lesson 3's `QNet`, the original's 4-32-32-2), built by
# `dqn_lib.new_q_network`, which draws its weights inside lesson 3's `fork_rng`: the same seed
# gives the same weights, and no other cell's random numbers change (these are the same weights
# `OnlineAgent(seed=0)` starts from, as we check at the end).

# %%
q_network = dqn_lib.new_q_network(4, 2, seed=SEED)

# %% [markdown]
# ## Epsilon-greedy: why explore at all
#
# An agent that always takes the action its Q-network rates best (the *greedy* action) learns only
# about that action. An untrained network rates the actions almost at random, and often prefers
# the same one nearly everywhere. Here is what it prefers on our 32 observations:

# %%
with torch.no_grad():
    q_values_batch = q_network(observations)  # (32, 2)
greedy_actions = q_values_batch.argmax(dim=1)  # (32,)
for a, name in enumerate(ACTION_NAMES):
    count = int((greedy_actions == a).sum())
    print(f"greedy action is {display_name(name)!r} on {count} of 32 observations")

# %% [markdown]
# If the agent followed that blindly it would rarely or never see what the other action leads to,
# and it could never learn that it is better. Epsilon-greedy fixes that in the simplest way:
# with probability `epsilon` take a uniformly random action, otherwise the greedy one.
#
# The random draws come from the agent's own `np.random.Generator`. The original notebook drew
# them from torch's global generator (`torch.rand(1)`), so any other cell that drew a random
# number changed the agent's choices; with its own generator, a seed fixes them.


# %%
def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> int:
    """With probability epsilon a uniformly random action, otherwise the argmax of Q."""
    # q_values: (n_actions,), the Q-values of one observation
    if rng.random() < epsilon:  # explore
        return int(rng.integers(q_values.shape[0]))  # any action, the greedy one included
    return int(q_values.argmax())  # exploit


agent_rng = np.random.default_rng(SEED)
print([epsilon_greedy(q_values_batch[0], 0.2, agent_rng) for _ in range(20)])

# %% [markdown]
# How often does the agent leave the greedy action? Not `epsilon` of the time: a random pick among
# 2 actions is the greedy one half of the time, so a *non-greedy* action shows up with frequency
# `epsilon / 2` (in general `epsilon * (n_actions - 1) / n_actions`). Measured over 10,000 draws:

# %%
N_DRAWS = 10_000
q_values_one = q_values_batch[0]  # (2,)
greedy_action = int(q_values_one.argmax())
measure_rng = np.random.default_rng(SEED)

non_greedy_fractions = {}
for epsilon in (0.0, 0.05, 0.2, 0.5, 1.0):
    picks = np.array([epsilon_greedy(q_values_one, epsilon, measure_rng) for _ in range(N_DRAWS)])
    non_greedy_fractions[epsilon] = float(np.mean(picks != greedy_action))

print(f"{'epsilon':>8} {'non-greedy (measured)':>22} {'epsilon / 2':>12}")
for epsilon, measured in non_greedy_fractions.items():
    print(f"{epsilon:>8.2f} {measured:>22.4f} {epsilon / 2:>12.4f}")

# %% [markdown]
# The measured fractions are close to `epsilon / 2`, the gap is just sampling noise: over 10,000
# draws its standard deviation is `sqrt(p (1 - p) / 10000)`, at most 0.005. The check allows
# 4 of them.

# %%
for epsilon, measured in non_greedy_fractions.items():
    expected = epsilon / 2
    tolerance = 4 * np.sqrt(expected * (1 - expected) / N_DRAWS)
    assert abs(measured - expected) <= tolerance, (
        f"at epsilon={epsilon}, non-greedy actions were {measured:.4f} of {N_DRAWS} draws; "
        f"expected {expected:.4f} +- {tolerance:.4f}"
    )
print("non-greedy frequencies match epsilon / 2 within 4 standard deviations")

# %% [markdown]
# Check: at `epsilon = 0` the inline version never explores, and it makes exactly the choices of
# `dqn_lib.epsilon_greedy` when both get generators with the same seed.

# %%
check_q_values = [torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), *q_values_batch]
rng = np.random.default_rng(SEED)
for i in range(N_DRAWS):
    q_values = check_q_values[i % len(check_q_values)]
    action = epsilon_greedy(q_values, 0.0, rng)
    assert action == int(q_values.argmax()), (
        f"draw {i}: at epsilon=0 the action should be the argmax {int(q_values.argmax())} of "
        f"{q_values.tolist()}, got {action}: something explores when it should not"
    )

rng_inline, rng_library = np.random.default_rng(SEED), np.random.default_rng(SEED)
for i in range(N_DRAWS):
    q_values = check_q_values[i % len(check_q_values)]
    ours = epsilon_greedy(q_values, 0.2, rng_inline)
    library = dqn_lib.epsilon_greedy(q_values, 0.2, rng_library)
    assert ours == library, (
        f"draw {i}: inline epsilon_greedy chose {ours}, dqn_lib.epsilon_greedy chose {library} "
        f"for Q-values {q_values.tolist()}: the two draw from their generators differently"
    )
print(f"epsilon=0 never explored, and the inline and library versions agreed on {N_DRAWS} draws")

# %% [markdown]
# ## The Bellman optimality equation: what Q(s, a) should satisfy
#
# Write `Q*(s, a)` for the discounted sum of rewards collected by taking action `a` in state `s`
# and acting as well as possible from then on: the values an ideal Q-network would output. They
# are tied to one another by the **Bellman optimality equation** ([Sutton & Barto, 2nd
# edition](http://incompleteideas.net/book/the-book-2nd.html), section 3.6):
#
# `Q*(s, a) = E[ r + gamma * max_a' Q*(s', a') ]`
#
# where `r` is the reward of the step and `s'` the state it leads to, and the expectation is
# over whatever is random in that step. In words: acting well from `s` with `a` is worth the first
# reward plus the discounted worth of acting well from wherever you land. When the step ends the
# episode (a fall), nothing follows it, and the second term is 0.

# %% [markdown]
# ## The TD target: a one-sample estimate of the right-hand side
#
# We cannot compute the right-hand side: we know neither the expectation nor `Q*`. Q-learning
# (Sutton & Barto, section 6.5) replaces the expectation by the one transition just observed,
# and `Q*` by the current estimate `Q`, here the network's (DQN, [Mnih et al.,
# 2015](https://www.nature.com/articles/nature14236), keeps this target but draws the
# transitions from a memory, lesson 7, and computes `Q` for it with a slowly updated copy of the
# network, lesson 8):
#
# `td_target = reward + gamma * (1 - terminated) * max_a Q(next_observation, a)`
#
# Each update moves `Q(s, a)` towards its target; if `Q` were `Q*`, every target would equal
# `Q(s, a)` on average, and the updates would have nothing left to correct. On CartPole the
# physics are deterministic (the same state and action always give the same next state and
# reward), so the single transition is exact about the environment: the error of the target is
# all in the network's guess about the next state.

# %% [markdown]
# ### Why gamma is just below 1
#
# The agent does not see the clock: a time-out is not the end of its future (we come back to this
# below). So for it, a state it never falls from starts an endless run of +1 rewards. With
# `gamma = 1` that sum, and `Q*` with it, would be infinite; with `gamma` below 1 it is
# `1 + gamma + gamma**2 + ... = 1 / (1 - gamma)`. Gamma also sets how far ahead the agent
# looks: a reward `k` steps away counts `gamma**k`.

# %%
GAMMA = 0.99  # the original notebook's discount, and the course's
print(f"+1 a step forever, discounted by gamma = {GAMMA}: 1 / (1 - gamma) = {1 / (1 - GAMMA):.0f}")
print(f"a reward 100 steps ahead counts gamma**100 = {GAMMA**100:.2f} of one received now")

# %% [markdown]
# ### The target, in code
#
# The factor `(1 - terminated)` is the one that matters: when the pole has fallen (or the cart has
# left the track) the episode is over and there *is* no future reward, so the target is the
# reward alone. Note that `truncated` is not in the formula.


# %%
def td_target(
    reward: torch.Tensor, next_q: torch.Tensor, terminated: torch.Tensor, gamma: float
) -> torch.Tensor:
    """reward + gamma * (1 - terminated) * max_a next_q."""
    # reward, terminated: (batch,); next_q: (batch, n_actions)
    best_next = next_q.max(dim=1).values  # (batch,) value of the best next action
    return reward + gamma * (1.0 - terminated) * best_next  # (batch,)


# %% [markdown]
# Worked by hand on three transitions, each with CartPole's reward of +1 and `gamma = 0.99` (the
# original's): one in the middle of an episode, one where the pole fell (`terminated`), one
# cut off by the 500-step time limit (`truncated`). The `next_q` rows stand for what a network
# might say about each next observation; round numbers keep the arithmetic easy to follow.

# %%
labels = ["ongoing", "terminated (pole fell)", "truncated (500 steps)"]
worked_reward = torch.tensor([1.0, 1.0, 1.0])  # (3,)
worked_next_q = torch.tensor([[10.0, 20.0], [18.0, 15.0], [40.0, 50.0]])  # (3, n_actions)
worked_terminated = torch.tensor([0.0, 1.0, 0.0])  # (3,)
worked_truncated = torch.tensor([0.0, 0.0, 1.0])  # (3,) not used by the target

worked_target = td_target(worked_reward, worked_next_q, worked_terminated, GAMMA)  # (3,)

print(
    f"{'transition':<24}{'reward':>7}{'term.':>7}{'trunc.':>7}{'max_a Q(next)':>15}"
    f"{'td_target':>11}"
)
for i, label in enumerate(labels):
    print(
        f"{label:<24}{worked_reward[i]:>7.1f}{int(worked_terminated[i]):>7d}"
        f"{int(worked_truncated[i]):>7d}{worked_next_q[i].max():>15.1f}{worked_target[i]:>11.2f}"
    )

# %% [markdown]
# By hand: `1 + 0.99 * 20 = 20.8` for the ongoing step, `1` for the fall (the future is cut off),
# and `1 + 0.99 * 50 = 50.5` for the time-out.
#
# **Why does the truncated transition still bootstrap?** At the time limit the pole was upright
# and the cart on the track: the episode stopped because the clock ran out, not because anything
# went wrong. Had it gone on, more reward would have come, so the value of that state is not 0.
# The observation does not even contain the time, so the same observation seen at step 20 and at
# step 500 must get the same value; cutting the bootstrap at step 500 would teach the network two
# contradictory answers for one state. (The training loop still resets the environment after a
# truncation: truncation ends the *episode*, termination ends the *future*.)
#
# ### What the original notebook did
#
# The original's `update` computed `target = r + gamma * max Q(next_s)` on every step: it never
# looked at `terminated`. On the same batch its target is:

# %%
original_target = worked_reward + GAMMA * worked_next_q.max(dim=1).values  # (3,) never stops

print(f"{'transition':<24}{'td_target':>11}{'original':>10}")
for i, label in enumerate(labels):
    print(f"{label:<24}{worked_target[i]:>11.2f}{original_target[i]:>10.2f}")

# %% [markdown]
# The ongoing and truncated rows agree (the original bootstrapped through time-outs too, which is
# right). The fall is where it goes wrong: on this batch's +1 reward, the original's target says
# falling is worth `1 + 0.99 * 18 = 18.82`, almost as much as staying up (20.8). The network's
# value of the state after a fall is a made-up number (the agent never acts from there), and it
# is close to the values of the nearby states where the pole was still up, so the bootstrap hides
# most of the difference between falling and not falling. The original itself did not train on
# +1 but on `-|pole angle|` with -5 on a fall (lesson 5), where every value is negative: there
# the same bootstrap adds a negative number to the -5 and makes a fall look *worse* than it is.
# Either way the target at a fall is wrong; lesson 6 measures what it costs the original.
#
# Check: the inline `td_target` and `dqn_lib.td_target` agree on the worked batch, and each row is
# what the formula gives when written out with plain Python floats.

# %%
library_target = dqn_lib.td_target(worked_reward, worked_next_q, worked_terminated, GAMMA)
assert torch.allclose(worked_target, library_target), (
    f"inline td_target gave {worked_target.tolist()}, dqn_lib.td_target gave "
    f"{library_target.tolist()}"
)
for i, label in enumerate(labels):
    reward_i, terminated_i = float(worked_reward[i]), float(worked_terminated[i])
    by_hand = reward_i + GAMMA * (1 - terminated_i) * max(worked_next_q[i].tolist())
    assert abs(float(worked_target[i]) - by_hand) < 1e-5, (
        f"row {i} ({label}): td_target is {float(worked_target[i]):.4f}, the formula gives "
        f"{by_hand:.4f}"
    )
assert float(worked_target[1]) == float(worked_reward[1]), (
    f"the terminated row should be its reward {float(worked_reward[1])} exactly, got "
    f"{float(worked_target[1])}: the target bootstraps through a fall"
)
print("inline and library td_target agree; every row matches the formula; the fall is its reward")

# %% [markdown]
# ## The Huber loss: how much one transition weighs
#
# The difference `Q(s, a) - td_target` is the *TD error*, and an update lowers a loss of it,
# averaged over the batch. What decides how hard a transition pulls on its `Q(s, a)` is the
# loss's slope there, `d loss / d Q(s, a)`. For squared error (halved, as drawn below) the slope
# is the TD error itself: a transition ten times as wrong pulls ten times as hard, so one
# surprising transition (an early, badly wrong Q-value, or the -5 of a fall) can outweigh the
# rest of its batch. The Huber loss (`nn.SmoothL1Loss`, the original's choice; Mnih et al. clip
# the error term to [-1, 1], which amounts to the same) is squared near zero and linear beyond
# 1, so its slope is never more than 1 in size.
#
# Below, the squared error is halved (`0.5 * error**2`) so that both curves match near zero.
# PyTorch's `nn.MSELoss`, which the course's DQN uses from lesson 7 on (`loss="mse"`), is the
# mean of `error**2` without the half: its slope is `2 * error`, the same shape, twice as steep.

# %%
td_errors = torch.linspace(-4, 4, 401, requires_grad=True)  # (401,) Q(s, a) - td_target
zeros = torch.zeros(401)
huber = nn.SmoothL1Loss(reduction="none")(td_errors, zeros)  # (401,)
squared = 0.5 * td_errors**2  # (401,)
(huber_grad,) = torch.autograd.grad(huber.sum(), td_errors)
(squared_grad,) = torch.autograd.grad(squared.sum(), td_errors)

x = td_errors.detach().numpy()
fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_loss.plot(x, squared.detach().numpy(), label="squared error: 0.5 * error²")
ax_loss.plot(x, huber.detach().numpy(), label="Huber: nn.SmoothL1Loss")
ax_loss.set(
    title="Loss of one transition",
    xlabel="TD error  Q(s, a) - td_target  (reward units)",
    ylabel="loss",
)
ax_grad.plot(x, squared_grad.numpy(), label="squared error: gradient = error")
ax_grad.plot(x, huber_grad.numpy(), label="Huber: gradient capped at ±1")
ax_grad.set(
    title="Its slope: how hard one transition pulls on Q(s, a)",
    xlabel="TD error  Q(s, a) - td_target  (reward units)",
    ylabel="d loss / d Q(s, a)",
)
for ax in (ax_loss, ax_grad):
    ax.axvspan(-1, 1, color="grey", alpha=0.12, label="|error| < 1: the two agree")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", fontsize=8)
fig.suptitle("Huber loss versus squared error, for one transition")
fig.tight_layout()
plt.show()

# %% [markdown]
# For a TD error of 10 the difference is a factor of ten:

# %%
big_error = torch.tensor([10.0], requires_grad=True)
(grad_squared,) = torch.autograd.grad(0.5 * big_error.pow(2).sum(), big_error)
(grad_huber,) = torch.autograd.grad(nn.SmoothL1Loss()(big_error, torch.zeros(1)), big_error)
print(
    f"TD error 10: gradient of the squared error {grad_squared.item():.1f}, "
    f"of the Huber loss {grad_huber.item():.1f}"
)

# %% [markdown]
# What the Huber loss does *not* bound is the size of the step. Adam divides each weight's
# gradient by a running average of that gradient's size, so a loss ten times larger moves the
# weights by about as much (the update below shows it: Adam's first step moves every weight that
# has a gradient by about the learning rate, whatever the gradient's size). For the same reason
# the factor 2 of `nn.MSELoss` changes little. What the loss decides is the *direction* of the
# step, and so how much each transition counts in it. Here is a batch of 32 TD errors, all 0.5
# but one of 10, and the share of the batch's total slope that the one transition gets:

# %%
batch_errors = torch.full((32,), 0.5)  # (32,) TD errors of a batch
batch_errors[0] = 10.0  # one surprising transition
batch_losses = {
    "squared error, 0.5 * error²": lambda errors: 0.5 * errors**2,
    "nn.MSELoss, error²": lambda errors: errors**2,
    "Huber, nn.SmoothL1Loss": lambda errors: nn.SmoothL1Loss(reduction="none")(
        errors, torch.zeros_like(errors)
    ),
}
shares = {}
for name, loss_of in batch_losses.items():
    errors = batch_errors.clone().requires_grad_(True)
    (slopes,) = torch.autograd.grad(loss_of(errors).mean(), errors)  # (32,) d loss / d Q per row
    shares[name] = (slopes[0].abs() / slopes.abs().sum()).item()
    print(f"{name:<28} the one transition's share of the batch's slope: {shares[name]:.0%}")
assert shares["Huber, nn.SmoothL1Loss"] < shares["squared error, 0.5 * error²"] / 5
assert abs(shares["nn.MSELoss, error²"] - shares["squared error, 0.5 * error²"]) < 1e-6

# %% [markdown]
# With squared error, halved or not, the one transition out of 32 gets 39% of the batch's pull;
# with Huber, 6%. That is what the Huber loss does: it caps how much one transition weighs inside
# a batch, not how far the weights move.

# %% [markdown]
# ## One update, worked by hand
#
# Now everything together on our batch of 32 real transitions: the Q-value of the action that was
# taken, the TD target, the loss, and one step of Adam with the original's learning rate 1e-4.
#
# First the prediction. The network gives a value for every action; `gather` keeps, in each row,
# the one of the action actually taken.

# %%
LEARNING_RATE = 1e-4  # the original notebook's
optimizer = torch.optim.Adam(q_network.parameters(), lr=LEARNING_RATE)
loss_fn = nn.SmoothL1Loss()

q_all = q_network(observations)  # (32, n_actions)
q_taken = q_all.gather(1, actions.unsqueeze(1)).squeeze(1)  # (32,) Q(s, a) for the a taken
print("Q(s, a), first 5:", q_taken[:5].detach().numpy().round(3))

# %% [markdown]
# Then the target, under `torch.no_grad()`. The target plays the part of a label: we want to move
# Q(s, a) towards it, not move it towards Q(s, a). Without `no_grad`, the gradient would also flow
# into `Q(next_observation)` and the update would change the label to fit the prediction.

# %%
with torch.no_grad():
    next_q = q_network(next_observations)  # (32, n_actions)
    targets = td_target(rewards, next_q, terminated_batch, GAMMA)  # (32,)
print("td_target, first 5:", targets[:5].numpy().round(3))
print("targets.requires_grad:", targets.requires_grad)
fell = int(terminated_batch.argmax())
print(f"row {fell} is the fall: reward {rewards[fell]:.1f}, target {targets[fell]:.3f}")

# %% [markdown]
# The loss, one gradient step, and the same loss again with the same (fixed) targets:

# %%
loss = loss_fn(q_taken, targets)  # a scalar: the mean Huber loss over the batch
loss_before = loss.item()
weights_before_step = torch.cat([p.detach().flatten() for p in q_network.parameters()])  # (1282,)

optimizer.zero_grad()  # gradients add up in PyTorch: clear the previous ones
loss.backward()  # d loss / d every weight
gradients = torch.cat([p.grad.flatten() for p in q_network.parameters()])  # (1282,)
optimizer.step()  # move each weight a small step downhill

with torch.no_grad():
    q_taken_after = q_network(observations).gather(1, actions.unsqueeze(1)).squeeze(1)  # (32,)
    loss_after = loss_fn(q_taken_after, targets).item()
    targets_after = td_target(rewards, q_network(next_observations), terminated_batch, GAMMA)

print(f"loss on the batch before the step: {loss_before:.6f}")
print(
    f"loss on the batch after the step:  {loss_after:.6f}  "
    f"({100 * (loss_before - loss_after) / loss_before:.2f} % lower)"
)
print(f"the targets themselves moved by up to {(targets_after - targets).abs().max():.6f}")
weight_steps = (
    torch.cat([p.detach().flatten() for p in q_network.parameters()]) - weights_before_step
).abs()  # (1282,)
has_gradient = gradients != 0  # (1282,)
print(
    f"{int(has_gradient.sum())} of {len(gradients)} weights had a gradient, of sizes "
    f"{gradients[has_gradient].abs().min():.1e} to {gradients[has_gradient].abs().max():.1e}"
)
print(
    f"  each of them moved by {weight_steps[has_gradient].min():.2e} to "
    f"{weight_steps[has_gradient].max():.2e} (the learning rate is {LEARNING_RATE:.0e})"
)
print(
    f"the other {int((~has_gradient).sum())}, with a gradient of exactly 0, moved by "
    f"{weight_steps[~has_gradient].max():.1f}"
)

# %% [markdown]
# With the original's learning rate the change is small but visible, so we keep 1e-4 here: one
# update nudges the network, and it takes thousands of them to learn (lesson 6). Two more things
# show in the output:
#
# - Adam's first step moves every weight by about the learning rate, whatever the size of its
#   gradient (Adam divides each gradient by its own running size). Weights whose gradient is
#   exactly zero stay put: a ReLU unit that is off passes no gradient back, so weights into or
#   out of units that were off on the batch's observations get none.
# - The targets moved too, although we held them fixed for the step: they come from the same
#   network we just changed. Chasing a target that moves with every step is one reason this
#   agent is unstable; lesson 8's target network holds it still.
#
# Check: the single update lowered the loss on its batch.

# %%
assert loss_after < loss_before, (
    f"one Adam step should lower the loss on its own batch: {loss_before:.6f} before, "
    f"{loss_after:.6f} after"
)
print("the update lowered the loss on its batch")

# %% [markdown]
# ## The library's `OnlineAgent`
#
# `dqn_lib.OnlineAgent` is the original notebook's agent with these pieces: `act` is
# epsilon-greedy on its own seeded generator (`act(observation, greedy=True)` never explores), and
# `observe` makes one Huber-loss Adam update on each transition as it happens, a batch of one,
# with the TD target that stops at a fall. Its defaults are the original's:

# %%
agent = OnlineAgent(seed=SEED)
agent_learning_rate = agent.optimizer.param_groups[0]["lr"]
print(
    f"epsilon={agent.epsilon}, gamma={agent.gamma}, learning_rate={agent_learning_rate}, "
    f"loss={agent.loss_fn}, network={agent.q_network.hidden}"
)
assert (agent.epsilon, agent.gamma, agent_learning_rate) == (0.2, 0.99, 1e-4), (
    "the prose quotes the original's epsilon 0.2, gamma 0.99 and learning rate 1e-4; the agent "
    f"has {agent.epsilon}, {agent.gamma} and {agent_learning_rate}"
)

# %% [markdown]
# (The original's `update` had `gamma=0.9` as its default, but its `train` always passed 0.99.)
#
# A few real steps of a seeded environment: the agent acts, the environment steps, the agent
# learns from the transition. "greedy?" says whether the action was the network's favourite;
# "loss" is the Huber loss of that transition before the update (`observe` returns it after
# stepping).

# %%
env = make_env(SEED)
observation, _ = env.reset()
print(
    f"{'step':>4} {'Q(left)':>8} {'Q(right)':>9} {'action':>11} {'greedy?':>8} {'reward':>7} "
    f"{'term.':>6} {'loss':>8}"
)
for step in range(12):
    q_values = agent.q_values(observation)  # (2,) before this step's update
    action = agent.act(observation)
    next_observation, reward, terminated, truncated, _ = env.step(action)
    reward = float(reward)
    loss = agent.observe(observation, action, reward, next_observation, terminated, truncated)
    print(
        f"{step:>4} {q_values[0]:>8.4f} {q_values[1]:>9.4f} {display_name(ACTION_NAMES[action]):>11} "
        f"{str(action == int(q_values.argmax())):>8} {reward:>7.1f} {str(terminated):>6} "
        f"{loss:>8.4f}"
    )
    observation = next_observation
    if terminated or truncated:
        observation, _ = env.reset()

# %% [markdown]
# Check: `observe` returns a finite loss, equal to the Huber loss of that one transition worked
# out with this lesson's pieces, and it changes the weights. The agent starts from the same
# weights as our `q_network` did (both seeded with 0).

# %%
fresh_agent = OnlineAgent(seed=SEED)
same_seed_network = dqn_lib.new_q_network(4, 2, seed=SEED)
for (name, p_agent), p_ours in zip(
    fresh_agent.q_network.named_parameters(), same_seed_network.parameters(), strict=True
):
    assert torch.equal(p_agent, p_ours), f"OnlineAgent(seed={SEED}) and QNet differ in {name}"

obs_0, action_0, reward_0, next_obs_0, terminated_0, truncated_0 = transitions[0]
with torch.no_grad():
    q_sa = fresh_agent.q_values(obs_0)[action_0]  # a scalar
    next_q_0 = fresh_agent.q_values(next_obs_0).unsqueeze(0)  # (1, n_actions)
    target_0 = td_target(
        torch.tensor([reward_0]), next_q_0, torch.tensor([float(terminated_0)]), fresh_agent.gamma
    )[0]
    loss_by_hand = nn.SmoothL1Loss()(q_sa, target_0).item()

weights_before = [p.detach().clone() for p in fresh_agent.q_network.parameters()]
loss_0 = fresh_agent.observe(obs_0, action_0, reward_0, next_obs_0, terminated_0, truncated_0)
assert np.isfinite(loss_0), f"observe returned a loss that is not finite: {loss_0}"
assert abs(loss_0 - loss_by_hand) < 1e-6, (
    f"observe's loss {loss_0:.6f} differs from the one worked by hand {loss_by_hand:.6f}"
)
changed = [
    not torch.equal(before, after)
    for before, after in zip(weights_before, fresh_agent.q_network.parameters(), strict=True)
]
assert all(changed), f"observe left some weight tensors unchanged: changed = {changed}"
print(
    f"observe: loss {loss_0:.6f} (by hand {loss_by_hand:.6f}), all {len(changed)} weight "
    "tensors changed"
)

# %% [markdown]
# Check: two agents with the same seed choose the same actions, explorations included (same
# weights, same generator), and agents with different seeds start from different weights.

# %%
agent_a, agent_b = OnlineAgent(seed=SEED), OnlineAgent(seed=SEED)
actions_a = [agent_a.act(observations[i % 32].numpy()) for i in range(1000)]
actions_b = [agent_b.act(observations[i % 32].numpy()) for i in range(1000)]
differences = [i for i, (a, b) in enumerate(zip(actions_a, actions_b, strict=True)) if a != b]
first_difference = differences[0] if differences else None
assert first_difference is None, (
    f"two OnlineAgent(seed={SEED}) chose different actions, first at call {first_difference}"
)

agent_other = OnlineAgent(seed=SEED + 1)
same_weights = [
    torch.equal(p, q)
    for p, q in zip(agent_a.q_network.parameters(), agent_other.q_network.parameters(), strict=True)
]
assert not any(same_weights), (
    f"OnlineAgent(seed={SEED}) and OnlineAgent(seed={SEED + 1}) share initial weight tensors: "
    f"{same_weights}"
)
print(
    f"same seed: identical actions on 1000 calls ({actions_a.count(1)} pushes right); "
    "different seeds: different initial weights"
)

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-04-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 4.1: epsilon-greedy for a batch (core, about 10 minutes)
#
# Vectorised environments (gymnasium's `gymnasium.vector.SyncVectorEnv`, for example) step many
# copies of an environment at once and take their actions as one NumPy array, one action per
# copy. An agent that drives them picks a whole batch of actions in one call, and each copy must
# explore on its own, as the single agent above does.
#
# Write `epsilon_greedy_batch(q_values, epsilon, rng) -> np.ndarray`. `q_values` is a tensor of
# shape `(batch, n_actions)`, one row of Q-values per observation (computed without gradients),
# and `rng` a `np.random.Generator`. Each row, independently of the others, explores with
# probability `epsilon` (an action drawn uniformly from *all* the actions, the greedy one
# included) or else takes the action with the largest Q-value of its row. Return a NumPy array of
# dtype `int64` and shape `(batch,)`, one action per row: not a tensor, not a list.
#
# Hints: one coin per row, `rng.random(batch) < epsilon`; a single coin for the whole batch makes
# every row explore together, or none. Each row's greedy action is its argmax over the actions,
# `q_values.argmax(dim=1)`, and `.numpy()` turns that tensor into an array;
# `np.where(explore, random_actions, greedy_actions)` picks row by row. Draw only from `rng`
# (`rng.random`, `rng.integers`), never from `np.random`, `random` or `torch`.
#
# The check tries `epsilon = 0` on four fixed batches, one of them square and one a single row
# (every row takes its argmax); `epsilon = 0.5` over twenty calls on Q-values of shape
# `(200, 2)` (about a quarter of the rows of *every* call non-greedy); `epsilon = 1` with 3
# actions (each about a third of the time, the greedy one included); `epsilon = 0.2` with 2
# actions (non-greedy on about 10% of the rows); and two runs with generators of the same seed,
# which must choose the same actions whatever the global random state. It names a wrong type,
# dtype or shape.


# %% nbgrader={"grade": false, "grade_id": "ex-04-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def epsilon_greedy_batch(
    q_values: torch.Tensor, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """For each row of `q_values`, on its own: with probability `epsilon` a uniformly random
    action, otherwise the row's argmax.

    q_values: (batch, n_actions). rng: the only source of randomness.
    Returns the actions as a NumPy int64 array of shape (batch,).
    """
    ### BEGIN SOLUTION
    batch, n_actions = q_values.shape
    greedy_actions = q_values.argmax(dim=1).numpy()  # (batch,) each row's best action
    explore = rng.random(batch) < epsilon  # (batch,) one coin per row
    random_actions = rng.integers(n_actions, size=batch)  # (batch,) any action, greedy included
    return np.where(explore, random_actions, greedy_actions)  # (batch,) int64
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-04-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_epsilon_greedy_batch

check_epsilon_greedy_batch(epsilon_greedy_batch)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-04-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 4.2: the n-step TD target (core, about 20 minutes)
#
# The [TD target](#The-TD-target:-a-one-sample-estimate-of-the-right-hand-side) above takes one
# real reward, then the network's guess. The *n-step* target ([Sutton & Barto, 2nd
# edition](http://incompleteideas.net/book/the-book-2nd.html), chapter 7) takes `n` real rewards
# before the guess, so a reward enters the targets of the `n` transitions that lead up to it,
# where the one-step target puts it in one transition's target only.
#
# Write `n_step_target(rewards, terminated, next_q, gamma) -> torch.Tensor` for a batch of
# transitions, each with the `n` steps that start from it:
#
# - `rewards`, shape `(batch, n)`: the rewards of those `n` steps, in order;
# - `terminated`, shape `(batch, n)`: `1.0` where step `i` ended the episode by a termination
#   (the pole fell or the cart left the track), `0.0` elsewhere;
# - `next_q`, shape `(batch, n_actions)`: the Q-values of the observation `n` steps later.
#
# A row's target is `rewards[0] + gamma * rewards[1] + ... + gamma**(n - 1) * rewards[n - 1]`,
# stopped at the row's first terminated step (its reward counts, none after it), plus
# `gamma**n * max_a next_q` only if no step of the row terminated. Return a tensor of shape
# `(batch,)` and the dtype of `rewards`, and do not change the inputs in place: the check passes
# copies and compares them after the call.
#
# Here no window holds a time limit. A replay buffer that builds n-step targets cuts a window
# short at a truncation and bootstraps from the observation where the episode was cut, with the
# matching power of `gamma`: a time-out still bootstraps, as in the one-step target. And with
# `n > 1` the rewards come from the policy that collected them, exploration included, so the
# n-step target is no longer the pure off-policy Q-learning target; DQN variants use it as it is
# (Rainbow, [Hessel et al., 2018](https://arxiv.org/abs/1710.02298)), accepting that bias for
# faster learning.
#
# With `n = 1` this is exactly `td_target` from [the target, in code](#The-target,-in-code):
# `rewards[:, 0] + gamma * (1 - terminated[:, 0]) * max_a next_q`.
#
# Hints: after a fall there is nothing to count, so the check fills the rest of such a row with
# junk (nonzero rewards, flags of 0 and 1): a sum that does not stop at the first termination, or
# a bootstrap that looks only at the last flag, gets those rows wrong. A mask of the rows that
# have not fallen yet, updated in a loop over the `n` steps, does both jobs (with `torch.cumprod`
# of `1 - terminated` instead, shift it by one step: a terminated step's own reward counts). The first reward counts `gamma**0 = 1`, the bootstrap
# `gamma**n` (not `gamma`). `next_q.max(dim=1)` returns the values *and* the indices, so take
# `.values`, without `keepdim=True`.
#
# The check tries a fixed batch with `n = 3` and `gamma = 0.5` (rows that never fall, and rows
# that fall at the first, the second and the last step), the worked batch above as `n = 1` (its
# targets are 20.8, 1 and 50.5), then six seeded random batches with `n` from `1` to `5`, and
# names the row that differs.


# %% nbgrader={"grade": false, "grade_id": "ex-04-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def n_step_target(
    rewards: torch.Tensor, terminated: torch.Tensor, next_q: torch.Tensor, gamma: float
) -> torch.Tensor:
    """sum_i gamma**i * rewards[:, i] up to and including the first terminated step, plus
    gamma**n * max_a next_q where no step terminated; one target per row.

    rewards, terminated: (batch, n); next_q: (batch, n_actions). Returns (batch,).
    """
    ### BEGIN SOLUTION
    batch, n = rewards.shape
    target = torch.zeros(batch)  # (batch,)
    alive = torch.ones(batch)  # (batch,) 1.0 while no step so far has terminated
    for i in range(n):
        target = target + alive * gamma**i * rewards[:, i]  # a terminated step's reward counts
        alive = alive * (1.0 - terminated[:, i])  # ... and nothing after it
    return target + alive * gamma**n * next_q.max(dim=1).values  # (batch,)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-04-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_n_step_target

check_n_step_target(n_step_target)

# %% [markdown]
# ## Summary
#
# - **Epsilon-greedy** explores so the agent learns about actions its network does not (yet)
#   prefer. With 2 actions a non-greedy action shows up `epsilon / 2` of the time, because half of
#   the random picks are the greedy action anyway.
# - **The Bellman optimality equation** `Q*(s, a) = E[r + gamma * max_a' Q*(s', a')]` says what
#   the ideal Q-values satisfy; `gamma` below 1 keeps them finite (+1 forever is worth
#   `1 / (1 - gamma)`).
# - **The TD target** `reward + gamma * (1 - terminated) * max_a Q(next_observation, a)` is its
#   one-sample estimate: one real transition, and the network's own estimate of the rest. A fall
#   ends the future, so its target is the reward alone; a time-out does not, so it still
#   bootstraps.
# - **The Huber loss** is squared error for small TD errors and linear for large ones, so
#   `d loss / d Q(s, a)` is at most 1 in size: a surprising transition counts in its batch's
#   gradient no more than one with a TD error of 1. Adam sets the size of each step; the loss
#   sets how much each transition counts in it.
# - **One update**: Q(s, a) of the actions taken, the target under `torch.no_grad()` (a label, not
#   something to fit), the loss, one Adam step; the loss on the batch goes down a little, and the
#   targets move too because they come from the same network.
#
# From the original notebook we kept the network, epsilon 0.2, gamma 0.99, Adam with learning rate
# 1e-4, the Huber loss and one update per transition (`OnlineAgent`). We changed two things: the
# target stops at a termination (the original bootstrapped through every fall, which on a +1
# reward makes a fall worth almost as much as staying up, and on its own reward worse than -5),
# and the agent draws its random numbers from its
# own seeded generator instead of torch's global one, so a seed fixes its behaviour.
#
# Next, lesson 5 (`05_reward`): what the agent is rewarded for, the environment's +1 a step versus
# the original's `-|pole angle|` with -5 on a fall.
