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
# # Lesson 1: the CartPole environment
#
# Before an agent can learn anything, we need to know its world: what it sees, what it can do,
# and when an episode ends. We take CartPole apart, then try two policies written without any
# learning, a random one and a hand-written one, to set the bar a DQN agent will have to beat.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_lib
from dqn_lib import (
    ACTION_NAMES,
    ANGLE_LIMIT_RADIANS,
    MAX_EPISODE_STEPS,
    OBSERVATION_NAMES,
    POSITION_LIMIT,
    display_name,
    make_env,
)

SEED = 0
# Small networks run fastest on one thread, and on one thread a seeded run repeats exactly
# (sums of floats can differ in the last digits between thread counts). This lesson trains
# nothing yet, but every lesson starts the same way.
torch.set_num_threads(1)

# %% [markdown]
# ## The environment
#
# `make_env` builds gymnasium's `CartPole-v1` (a cart on a track, with a pole hinged on top)
# and, given a seed, seeds it so every run of this notebook sees the same episodes. The two
# *spaces* say what an observation and an action look like.

# %%
env = make_env(seed=SEED)
print("observation space:", env.observation_space)
print("action space:     ", env.action_space)

# %% [markdown]
# ## What the agent observes
#
# An observation is four numbers. The physics runs in SI units (gravity 9.8 m/s², a 10 N push,
# 0.02 s a step), so positions are in metres and angles in radians; we show angles in degrees too.
#
# | index | name | meaning | unit | observation space | terminates beyond |
# | --- | --- | --- | --- | --- | --- |
# | 0 | cart position | cart centre; 0 = mid-track, + = right | m | -4.8 to 4.8 | ±2.4 |
# | 1 | cart velocity | + = moving right | m/s | -inf to inf | (no limit) |
# | 2 | pole angle | 0 = upright, + = leaning right | rad | ±0.419 (±24°) | ±0.2094 (±12°) |
# | 3 | pole angular velocity | + = turning right | rad/s | -inf to inf | (no limit) |
#
# The original notebook's table gave the ranges ±4.8 and ±24° as if they were the limits of the
# game. They are only the bounds of the observation space, set to *twice* the real limits so that
# the observation that ends an episode still fits inside the space. The episode ends at ±2.4 m
# and ±12°, which `dqn_lib` names `POSITION_LIMIT` and `ANGLE_LIMIT_RADIANS`. The cell below
# checks the table against the environment itself.

# %%
low, high = env.observation_space.low, env.observation_space.high
# display_name(name): the name in the lesson's language (the names themselves stay English)
for index, name in enumerate(OBSERVATION_NAMES):
    print(f"{index}  {display_name(name):<22} {low[index]:>8.4f} to {high[index]:.4f}")
print(
    f"terminates beyond: cart position ±{POSITION_LIMIT} m, "
    f"pole angle ±{ANGLE_LIMIT_RADIANS:.4f} rad = ±{np.degrees(ANGLE_LIMIT_RADIANS):.0f}°"
)

cartpole = env.unwrapped  # the CartPole class itself, under gymnasium's wrappers
assert cartpole.x_threshold == POSITION_LIMIT == 2.4, (
    f"gymnasium ends an episode at x = ±{cartpole.x_threshold}, the lesson says ±2.4 "
    f"and dqn_lib says ±{POSITION_LIMIT}"
)
assert np.isclose(cartpole.theta_threshold_radians, ANGLE_LIMIT_RADIANS), (
    f"gymnasium ends an episode at {cartpole.theta_threshold_radians} rad, "
    f"dqn_lib says {ANGLE_LIMIT_RADIANS} rad"
)
assert np.isclose(np.degrees(ANGLE_LIMIT_RADIANS), 12), "the angle limit is not 12 degrees"
assert np.isclose(high[0], 2 * POSITION_LIMIT) and np.isclose(high[2], 2 * ANGLE_LIMIT_RADIANS), (
    f"the observation space bounds {high} are not twice the termination limits"
)
assert np.isclose(np.degrees(high[2]), 24), "the observation space's angle bound is not 24 degrees"

# %% [markdown]
# ## What the agent can do
#
# Two actions, and nothing in between: push the cart left or right with a fixed force. There is
# no "do nothing", so even standing still takes a steady alternation of pushes.

# %%
print("number of actions:", env.action_space.n)
for action, name in enumerate(ACTION_NAMES):
    print(f"action {action} = {display_name(name)}")

# %% [markdown]
# ## One step at a time
#
# An episode starts with `reset`, which returns the first observation (every variable drawn
# between -0.05 and 0.05) and an `info` dict. Each `step(action)` then returns five values: the
# next observation, the reward (+1 for every step, the last one included), `terminated`,
# `truncated`, and `info`. Passing a seed to `reset` makes the episode repeat exactly; that is
# how we will compare policies on the same starting positions.

# %%
first_observation, info = env.reset(seed=SEED)
print("first observation:   ", first_observation)

observation, reward, terminated, truncated, info = env.step(1)  # push right
print("after one push right:", observation)
print(f"reward={reward}  terminated={terminated}  truncated={truncated}  info={info}")

# %% [markdown]
# Pushing right accelerated the cart to the right (index 1 went up) and, as a cart pulled from
# under a pole does, tipped the pole's angular velocity to the left (index 3 went down). One step
# is short: the position and angle themselves have barely moved yet. Resetting with the same seed
# gives back the very same first observation:

# %%
assert observation[1] > first_observation[1] and observation[3] < first_observation[3], (
    f"a push right should raise the cart velocity and lower the pole's angular velocity: "
    f"{first_observation} -> {observation}"
)
first_again, _ = env.reset(seed=SEED)
first_other, _ = env.reset(seed=SEED + 1)
same_start, _ = env.reset(seed=SEED)
assert np.array_equal(first_again, same_start), (
    f"reset(seed={SEED}) gave {first_again} and then {same_start}: seeding does not repeat"
)
assert not np.array_equal(first_again, first_other), "two different seeds gave the same start"
assert np.abs(np.concatenate([first_again, first_other])).max() <= 0.05, (
    "reset drew a starting value outside [-0.05, 0.05]"
)
print(f"seed {SEED}: {first_again}\nseed {SEED + 1}: {first_other}")

# %% [markdown]
# ## Terminated or truncated: two different endings
#
# An episode ends in one of two ways, and `step` tells them apart:
#
# - **terminated**: the game is over in the physics. The pole leaned past 12° or the cart's
#   centre left the track at ±2.4 m. There is no future after this step.
# - **truncated**: we stopped watching. `CartPole-v1` cuts every episode after
#   `MAX_EPISODE_STEPS` = 500 steps (10 seconds of simulated time). The pole may be perfectly
#   balanced; the future would have gone on.
#
# So the best possible return is 500. The difference will matter when the agent learns: it
# estimates the value of a state as "reward now plus the value of what comes next". After a
# termination nothing comes next, so that value is zero; after a truncation the next state still
# has value. Treat a time-out as a fall (the old `done` flag did just that) and the agent learns
# that balancing for a long time leads to disaster. Lessons 4 and 5 come back to this.

# %%
print("MAX_EPISODE_STEPS =", MAX_EPISODE_STEPS)
assert env.spec.max_episode_steps == MAX_EPISODE_STEPS == 500, (
    f"gymnasium truncates at {env.spec.max_episode_steps} steps, dqn_lib says {MAX_EPISODE_STEPS}"
)

# %% [markdown]
# ## What it looks like
#
# With `render=True`, `env.render()` returns the scene as an RGB image (height, width, colour).
# The picture spans exactly the track from -2.4 m to 2.4 m, so a cart that touches the edge of
# the picture has left the track; we draw it on axes in metres.

# %%
render_env = make_env(render=True)
observation, _ = render_env.reset(seed=SEED)
frame = render_env.render()  # (400, 600, 3) uint8
render_env.close()
print("frame:", frame.shape, frame.dtype)

metres_per_pixel = 2 * POSITION_LIMIT / frame.shape[1]
track_row_from_bottom = 100  # gymnasium draws the track 100 pixels above the bottom edge
extent = (
    -POSITION_LIMIT,
    POSITION_LIMIT,
    -track_row_from_bottom * metres_per_pixel,
    (frame.shape[0] - track_row_from_bottom) * metres_per_pixel,
)
fig, ax = plt.subplots(figsize=(8, 5.5))
ax.imshow(frame, extent=extent)
ax.annotate(
    "cart", xy=(observation[0], -0.1), xytext=(-1.4, -0.55), arrowprops={"arrowstyle": "->"}
)
ax.annotate(
    "pole (hinged on the cart, 1 m long)",
    xy=(observation[0], 0.6),
    xytext=(0.4, 1.4),
    arrowprops={"arrowstyle": "->"},
)
ax.annotate("track", xy=(1.6, 0.0), xytext=(1.5, 0.45), arrowprops={"arrowstyle": "->"})
ax.set_title(
    f"CartPole after reset(seed={SEED}): cart at {observation[0]:+.3f} m, "
    f"pole at {np.degrees(observation[2]):+.2f}°"
)
ax.set_xlabel("cart position (m); the episode ends when the cart's centre passes ±2.4")
ax.set_ylabel("height above the track (m)")
plt.show()

# %% [markdown]
# ## A random policy
#
# A *policy* maps an observation to an action. The simplest one ignores the observation and
# flips a coin. Its coin is a generator of its own, `np.random.default_rng(SEED)`, so nothing
# else in the notebook changes its draws.


# %%
def make_random_policy(seed):
    """A policy that picks each action with probability 1/2, from its own seeded generator."""
    rng = np.random.default_rng(seed)
    return lambda observation: int(rng.integers(env.action_space.n))


# %% [markdown]
# Here is the loop every episode of this course runs: reset, then act and step until the episode
# is terminated or truncated. The return of an episode is the sum of its rewards, which in
# CartPole is the number of steps the pole stayed up. We play 100 episodes, episode `i` reset
# with seed `SEED + i`, so every policy we try faces the same 100 starting positions.


# %%
def run_episode(env, policy, seed):
    """Play one episode from reset(seed=seed); return (episode_return, terminated, truncated)."""
    observation, info = env.reset(seed=seed)
    episode_return = 0.0
    while True:
        action = policy(observation)
        observation, reward, terminated, truncated, info = env.step(action)
        episode_return += reward
        if terminated or truncated:
            return episode_return, terminated, truncated


def episode_returns(policy, episodes=100, seed=SEED):
    """The return of each of `episodes` episodes, episode i reset with seed + i."""
    return np.array([run_episode(env, policy, seed + i)[0] for i in range(episodes)])


random_returns = episode_returns(make_random_policy(SEED))
print(
    f"random policy over {len(random_returns)} episodes: mean {random_returns.mean():.1f}, "
    f"median {np.median(random_returns):.0f}, min {random_returns.min():.0f}, "
    f"max {random_returns.max():.0f}"
)

# %%
fig, ax = plt.subplots(figsize=(8, 4))
ax.hist(random_returns, bins=np.arange(0, random_returns.max() + 5, 4), edgecolor="white")
ax.axvline(
    random_returns.mean(), color="black", linestyle="--", label=f"mean {random_returns.mean():.1f}"
)
ax.set_title(f"Random policy: returns of {len(random_returns)} seeded episodes")
ax.set_xlabel("return (steps the pole stayed up; 1 step = 0.02 s)")
ax.set_ylabel("number of episodes")
ax.legend()
plt.show()

# %% [markdown]
# A coin flip keeps the pole up for well under a second most of the time: the pole starts almost
# upright, and random pushes let it drift past 12° within a few dozen steps.

# %%
assert random_returns.mean() < 30, (
    f"the random policy averaged {random_returns.mean():.1f}, expected under 30"
)
assert (random_returns < MAX_EPISODE_STEPS).all(), "a random episode reached the time limit"

# %% [markdown]
# ## A hand-written policy
#
# A person balancing a broom moves their hand toward the side the broom is falling. We can write
# that down: if the pole leans right or is turning right (`angle + angular_velocity > 0`), push
# right, otherwise push left. Adding the angle and its velocity (two different units) is crude,
# but it reacts before the pole has leaned far, not after.


# %%
def lean_policy(observation):
    """Push toward the side the pole is falling; ignore the cart entirely."""
    cart_position, cart_velocity, pole_angle, pole_angular_velocity = observation
    return 1 if pole_angle + pole_angular_velocity > 0 else 0


lean_returns = episode_returns(lean_policy)
reached_limit = int((lean_returns == MAX_EPISODE_STEPS).sum())
print(
    f"hand-written policy over {len(lean_returns)} episodes: mean {lean_returns.mean():.1f}, "
    f"min {lean_returns.min():.0f}, max {lean_returns.max():.0f}; "
    f"{reached_limit} episodes reached the {MAX_EPISODE_STEPS}-step limit"
)

# %%
assert lean_returns.mean() > 10 * random_returns.mean(), (
    f"the hand-written policy averaged {lean_returns.mean():.1f}, not even 10 times the random "
    f"policy's {random_returns.mean():.1f}"
)
assert lean_returns.min() > random_returns.max(), (
    f"the hand-written policy's worst episode ({lean_returns.min():.0f}) did not beat the random "
    f"policy's best ({random_returns.max():.0f})"
)
assert reached_limit > len(lean_returns) / 2, (
    f"the hand-written policy reached the time limit on only {reached_limit} episodes"
)
print(
    f"the hand-written policy's worst episode ({lean_returns.min():.0f} steps) outlasts the "
    f"random policy's best ({random_returns.max():.0f} steps)"
)

# %% [markdown]
# Both policies faced the same 100 starting positions, so we can compare them seed by seed.

# %%
seeds = SEED + np.arange(len(random_returns))
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.plot(
    seeds,
    lean_returns,
    "o",
    markersize=4,
    label=f"hand-written (push toward the lean): mean {lean_returns.mean():.1f}",
)
ax.plot(seeds, random_returns, "o", markersize=4, label=f"random: mean {random_returns.mean():.1f}")
ax.axhline(
    MAX_EPISODE_STEPS,
    color="grey",
    linestyle=":",
    label=f"time limit ({MAX_EPISODE_STEPS} steps): truncated",
)
ax.set_ylim(0, MAX_EPISODE_STEPS + 60)
ax.set_title("Two policies on the same 100 starting positions")
ax.set_xlabel("seed passed to env.reset")
ax.set_ylabel("return (steps the pole stayed up)")
ax.legend(loc="center", bbox_to_anchor=(0.5, 0.4))
plt.show()

# %% [markdown]
# ### Check: the inline loop agrees with `dqn_lib.evaluate`
#
# From lesson 6 on, `dqn_lib.evaluate(policy, episodes, seed)` plays these episodes for us:
# episode `i` reset with `seed + i`, returns summed. For a deterministic policy it must give
# exactly what our loop gave. (The random policy's draws would depend on how many it made
# before, so we check with the hand-written one.)

# %%
library_returns = dqn_lib.evaluate(lean_policy, episodes=100, seed=SEED)
differ = np.flatnonzero(library_returns != lean_returns)
assert differ.size == 0, (
    f"evaluate and the inline loop disagree on seeds {(SEED + differ).tolist()}: "
    f"evaluate gave {library_returns[differ].tolist()}, the loop {lean_returns[differ].tolist()}"
)
print(f"the 100 returns agree exactly; mean {library_returns.mean():.2f}")

# %% [markdown]
# ### Check: reaching the time limit is a truncation, not a termination
#
# The hand-written policy lasts all 500 steps on most seeds. Replaying one of them step by step
# shows what `step` reports: neither flag for 499 steps, then `truncated=True` with
# `terminated=False` at step 500, the pole still up and the cart still on the track.

# %%
full_seed = int(SEED + np.flatnonzero(lean_returns == MAX_EPISODE_STEPS)[0])
observation, _ = env.reset(seed=full_seed)
steps = 0
terminated = truncated = False
while not (terminated or truncated):
    observation, reward, terminated, truncated, _ = env.step(lean_policy(observation))
    steps += 1
print(
    f"seed {full_seed}: ended after {steps} steps, terminated={terminated}, "
    f"truncated={truncated}, final observation {np.round(observation, 3)}"
)
assert steps == MAX_EPISODE_STEPS, f"expected the episode to last {MAX_EPISODE_STEPS}, got {steps}"
assert truncated and not terminated, (
    f"at the time limit expected truncated=True, terminated=False; got {truncated}, {terminated}"
)
assert abs(observation[0]) <= POSITION_LIMIT and abs(observation[2]) <= ANGLE_LIMIT_RADIANS, (
    "the pole or cart was out of bounds at the time limit, yet the episode was not terminated"
)

# %% [markdown]
# ## Where the hand-written policy fails
#
# `lean_policy` looks only at the pole. Nothing stops the cart from creeping along the track while
# the pole stays up, and on some seeds it creeps past 2.4 m before the time limit. Following the
# cart's position over the first ten seeds shows the drift.


# %%
def cart_positions(policy, seed):
    """The cart's position after reset and after every step of one episode."""
    observation, _ = env.reset(seed=seed)
    positions = [observation[0]]
    terminated = truncated = False
    while not (terminated or truncated):
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        positions.append(observation[0])
    return np.array(positions)


seconds_per_step = env.unwrapped.tau  # 0.02 s between two steps
fig, ax = plt.subplots(figsize=(9, 4.5))
for seed in range(SEED, SEED + 10):
    positions = cart_positions(lean_policy, seed)
    ax.plot(np.arange(len(positions)) * seconds_per_step, positions, label=f"seed {seed}")
for limit in (-POSITION_LIMIT, POSITION_LIMIT):
    ax.axhline(limit, color="red", linestyle="--")
ax.text(0.1, POSITION_LIMIT - 0.3, "end of the track (terminated)", color="red")
ax.set_title("Hand-written policy: the cart drifts while the pole stays up")
ax.set_xlabel("time (s); 500 steps = 10 s")
ax.set_ylabel("cart position (m)")
ax.legend(loc="center left", bbox_to_anchor=(1, 0.5))
plt.show()

# %% [markdown]
# ## Watching both policies
#
# `dqn_lib.animate_episode(policy, seed=...)` plays one episode, records every frame and returns
# a GIF that the notebook shows; the caption counts the steps and, on the last frame, says how the
# episode ended. First the random policy, with a fresh coin seeded `SEED`, on seed `SEED`. Its
# length, measured with our own loop, is printed next to the median of the 100 episodes above,
# so you can see it is a typical one.

# %%
random_episode_return, random_terminated, _ = run_episode(env, make_random_policy(SEED), SEED)
print(
    f"this episode: {random_episode_return:.0f} steps "
    f"({random_episode_return * seconds_per_step:.2f} s); "
    f"median of the 100 random episodes: {np.median(random_returns):.0f}"
)
assert random_terminated and random_episode_return * seconds_per_step < 1, (
    "expected the random episode to end by a fall within one second"
)
dqn_lib.animate_episode(make_random_policy(SEED), seed=SEED, title="random policy")

# %% [markdown]
# The pole tips past 12° in under a second and the episode terminates ("pole fell").
#
# Now the hand-written policy, on the first of our seeds where it did not reach the time limit.
# Watch the cart rather than the pole: the pole stays up the whole time while the cart slides
# steadily to one side, until the caption of the last frame reads "cart left the track".

# %%
drift_seed = int(SEED + np.flatnonzero(lean_returns < MAX_EPISODE_STEPS)[0])
drift_positions = cart_positions(lean_policy, drift_seed)
print(
    f"seed {drift_seed}: {len(drift_positions) - 1} steps, "
    f"final cart position {drift_positions[-1]:+.2f} m"
)
assert abs(drift_positions[-1]) > POSITION_LIMIT, "expected this episode to end off the track"
dqn_lib.animate_episode(lean_policy, seed=drift_seed, title="hand-written policy")

# %%
env.close()

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-01-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 1.1: a hand-written policy that watches the cart (warm-up, about 10 minutes)
#
# Writing a policy by hand shows which of the four numbers matter, and sets the bar a learning
# agent has to clear.
#
# Write `cart_aware_policy(observation) -> int`, a policy of your own: return 1 (push right) or 0
# (push left) from the four numbers of one observation. Start from the pole angle alone and run
# the check, which says how far that falls short; then add what `lean_policy` adds, and a small
# term for the cart's velocity so the cart stops drifting. Which sign should that term have? Try
# both: `dqn_lib.evaluate(cart_aware_policy, episodes=100, seed=SEED)` plays our 100 seeded
# episodes, and you can count how many reach 500 steps, as `lean_policy` did above.
#
# Hints: return a Python `int` (`1 if ... else 0`), not a bool; the angle and the angular
# velocity are in different units, so weigh them (`lean_policy` simply adds them).
#
# The check calls your policy on 200 observations from real CartPole play (each answer must be
# 0 or 1, and not always the same one), then plays 20 seeded episodes with it and with a random
# policy: yours must last at least 100 steps longer on average. It does not measure the drift;
# that part is yours to look at.


# %% nbgrader={"grade": false, "grade_id": "ex-01-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cart_aware_policy(observation):
    """Push toward the side the pole is falling, with a nudge from the cart's velocity."""
    cart_position, cart_velocity, pole_angle, pole_angular_velocity = observation
    ### BEGIN SOLUTION
    # A cart moving right needs a push right first: the pole then tips left, and balancing it
    # pushes the cart back (the intuitive sign, push against the motion, drifts more).
    return 1 if pole_angle + pole_angular_velocity + 0.3 * cart_velocity > 0 else 0
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-01-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_cartpole_policy

check_cartpole_policy(cart_aware_policy)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-01-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 1.2: the length of an episode (core, about 10 minutes)
#
# Every return in this course is counted by this loop, and a loop that stops only on a fall
# never ends for a policy that balances: the time limit is where most good episodes end.
#
# Write `episode_length(env, policy, seed) -> int`: reset `env` with `seed`, then step it with
# `policy(observation)` until the episode ends, and return how many steps it took, as an `int`.
# The episode ends when `step` returns `terminated` (the pole fell or the cart left the track)
# *or* `truncated` (the 500-step time limit).
#
# Hints: count the step that ends the episode too, so a policy that balances to the time limit
# gives 500; pass the seed to `env.reset(seed=seed)`, so the same seed gives the same episode.
#
# The check tries three policies on seeds 0, 7 and 123: one that always pushes left (the pole
# falls in about 10 steps), one that pushes towards the pole's lean by its angle alone (a few
# dozen steps), and one that balances to the 500-step limit, then three random linear policies
# (push right when `observation @ w > 0`, `w` drawn at random) on random seeds, all seeded, so
# every run of the check tries the same cases. Its environment stops a loop that
# calls `step` after the episode has ended and tells you which ending it missed, and it names an
# off-by-one count and a missing seed.


# %% nbgrader={"grade": false, "grade_id": "ex-01-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def episode_length(env, policy, seed):
    """Play one episode of `policy` from `env.reset(seed=seed)`; return its number of steps."""
    ### BEGIN SOLUTION
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1  # this step counts, even if it ended the episode
        if terminated or truncated:
            return steps
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-01-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_episode_length

check_episode_length(episode_length)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-01-3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 1.3: predict, then run: always push right (warm-up, about 5 minutes)
#
# Predicting before you measure is how you find out what you really expected. A policy that
# ignores the observation and always pushes right: how long does it keep the pole up, on the same
# 100 starts as the random policy above? Longer than the coin, about as long, or shorter? Answer
# with a number of steps.
#
# Write your prediction in `my_prediction()` *before* you run the next cell: return a pair, the
# mean number of steps you expect and, as a string, one sentence of why. Then run the cell that
# measures it, and the check. The check says how close you were (within a factor of 1.5 counts as
# close); a wrong prediction does not fail it, a missing one or one without a reason does.
# (If you used Run All, the cells below have already run: write your prediction before you
# scroll down to what they printed.)


# %% nbgrader={"grade": false, "grade_id": "ex-01-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """Before running the next cell: (mean steps of always pushing right, why)."""
    ### BEGIN SOLUTION
    return 10, "one push tips the pole the other way and nothing ever pushes back"
    ### END SOLUTION


# %%
push_right_returns = episode_returns(lambda observation: 1)
print(
    f"always push right over {len(push_right_returns)} episodes: mean "
    f"{push_right_returns.mean():.1f}, min {push_right_returns.min():.0f}, max "
    f"{push_right_returns.max():.0f}; the random policy: mean {random_returns.mean():.1f}"
)

# %% nbgrader={"grade": true, "grade_id": "ex-01-3-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_push_right_prediction

check_push_right_prediction(my_prediction, push_right_returns)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-01-4-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 1.4: find the bug: a transition recorder (core, about 15 minutes)
#
# From lesson 4 on, an agent learns from *transitions*, one per step: `(observation, action,
# reward, next_observation, terminated)`, what it saw, what it did, what it got, where that led,
# and whether the episode ended there for good. The recorder below plays a policy for a number of
# steps, across as many episodes as that takes. It runs without an error, and yet it stores two
# wrong things, and a DQN that learned from them would be misled: fix one, and the other starts
# to hurt.
#
# Find both bugs, and write the corrected `record_transitions(policy, steps, seed)` in the cell
# after it: reset with `seed` first, and without a seed after each episode (as the recorder
# does); return a list of `steps` tuples, with the arrays and the bool `env.step` returned.
#
# Hints: look at what is stored at the step that ends an episode, and re-read "Terminated or
# truncated" above. The check plays a policy that falls within a few steps (many episode ends)
# and a linear policy that weighs all four numbers (a good answer to Exercise 1.1 is one), which
# reaches the 500-step time limit, and compares every
# transition; if your answer still has one of the bugs, it names it.


# %%
def buggy_record_transitions(policy, steps, seed):
    """Play `policy` for `steps` steps, resetting when an episode ends; return the transitions.
    It has two bugs."""
    env = dqn_lib.make_env()
    observation, _ = env.reset(seed=seed)
    transitions = []
    for _ in range(steps):
        action = policy(observation)
        next_observation, reward, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            next_observation, _ = env.reset()  # the next episode starts here
        transitions.append((observation, action, reward, next_observation, terminated or truncated))
        observation = next_observation
    return transitions


# %% nbgrader={"grade": false, "grade_id": "ex-01-4-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def record_transitions(policy, steps, seed):
    """`steps` transitions (observation, action, reward, next_observation, terminated)."""
    ### BEGIN SOLUTION
    env = dqn_lib.make_env()
    observation, _ = env.reset(seed=seed)
    transitions = []
    for _ in range(steps):
        action = policy(observation)
        next_observation, reward, terminated, truncated, _ = env.step(action)
        # the state this step ended in, and whether the pole fell or the cart left (not the
        # time limit: a truncated episode's last state still has a future)
        transitions.append((observation, action, reward, next_observation, terminated))
        if terminated or truncated:
            next_observation, _ = env.reset()  # only the *next* step starts from here
        observation = next_observation
    return transitions
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-01-4-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_transition_recorder

check_transition_recorder(record_transitions)

# %% [markdown]
# ## Summary
#
# - CartPole observes four numbers: cart position (m), cart velocity (m/s), pole angle (rad) and
#   pole angular velocity (rad/s). Its actions are two pushes, left and right, with no rest.
# - `reset(seed=...)` starts a repeatable episode; `step` returns observation, reward,
#   terminated, truncated, info. The reward is +1 a step, so the return counts steps, at most 500.
# - *Terminated* means the pole passed 12° or the cart passed 2.4 m: no future. *Truncated* means
#   the 500-step time limit: the future went on, we just stopped. Learning must treat them
#   differently.
# - On the same 100 seeded starts, a random policy keeps the pole up for under 30 steps on
#   average, and a three-line hand-written policy more than ten times longer, its worst episode
#   beating the random policy's best. Yet it ignores the cart, which drifts, and off the track on
#   some seeds. A learning agent has to find something at least this good by itself.
#
# What the original notebook did and what changed: its state table (kept here, in English) gave
# the observation space's bounds, ±4.8 and ±24°, as the ranges of the game; we added the limits
# where an episode actually terminates, ±2.4 m and ±12°, and checked both against the
# environment. It used `import gym` while calling gymnasium's five-value `step`, and kept only the
# third value as `done`; we use gymnasium and name `terminated` and `truncated` apart. Its
# episodes were unseeded; here every episode comes from a seed, so the numbers above repeat. Its
# animation was JavaScript (`to_jshtml`), which shows nothing in a saved notebook; ours is a GIF.
#
# Next, lesson 2 (`02_q_table`): a table with one value per state and action, learned by
# Q-learning from these four numbers cut into bins.
