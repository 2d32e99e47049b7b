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
# # Lesson 7: inside the agent
#
# We open up a trained DQN agent: its Q-values over slices of the state space, an episode you can
# scrub through step by step with what the agent thought at each step, and two long training runs
# watched from the inside, one that stays solved and one that collapses after solving. Knowing
# what the network learned, and how to see it going wrong, matters more than one good curve.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

import dqn_lib
from dqn_lib import ACTION_NAMES, FALL_PENALTY, POSITION_LIMIT
from dqn_lib.checks_inside import check_q_value_grid, check_terminal_share
from dqn_lib.inspection import (
    DiagnosedAgent,
    EpisodeScrubber,
    greedy_action_map,
    inspect_episode,
    plot_diagnostics,
    plot_episode_steps,
    plot_q_maps,
    q_value_grid,
)

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

CHECKPOINT = Path("data") / "cartpole_dqn.ckpt"  # next to this notebook
EVAL_SEED = 10_000  # the benchmark's evaluation starts, as in lessons 5 and 6
SOLVED = 475
ANGLE, ANGULAR_VELOCITY = 2, 3  # places in an observation (dqn_lib.OBSERVATION_NAMES)

# %% [markdown]
# ## 1. A trained agent, from a checkpoint
#
# Training takes a while, so this lesson starts from a checkpoint kept in the repository,
# `notebooks/data/cartpole_dqn.ckpt`. The script `tools/make_checkpoint.py` made it: lesson 6's
# `DQNAgent` with the default `DQNConfig()`, seed 0, trained for 16,000 steps on lesson 6's reward
# (`angle_and_position_reward`), and saved with `dqn_lib.save_checkpoint` (without its replay
# buffer, so the file stays small). A test checks that it loads and that it solves. First, does
# it still balance?

# %%
checkpoint = dqn_lib.load_checkpoint(CHECKPOINT)
agent = checkpoint.agent
print(
    f"{CHECKPOINT} ({CHECKPOINT.stat().st_size / 1e3:.0f} KB): "
    f"a {checkpoint.metadata['agent_type']} trained for {agent.steps:,} steps ({agent.updates:,} gradient steps), default settings: "
    f"{agent.config == dqn_lib.DQNConfig()}"
)
returns = dqn_lib.evaluate(agent, episodes=20, seed=EVAL_SEED)
print(f"greedy evaluation, 20 episodes: mean return {returns.mean():.1f}")
assert returns.mean() >= SOLVED, f"the checkpoint's agent is not solved: {returns.mean():.1f}"

# %% [markdown]
# ## 2. Q-value maps
#
# A CartPole state has four numbers, too many to draw at once. We hold two of them fixed, the
# cart's position and velocity, and vary the other two, the pole's angle and angular velocity,
# over a grid: a two-dimensional *slice* of the state space. At every point of the slice the
# network gives one Q-value per action. `q_value_grid` builds one observation per grid point,
# `(cart position, cart velocity, angle, angular velocity)`, and passes them all through the
# network in one batch; you write it yourself in exercise 7.1. Row `i` of the result is angular
# velocity `i`, column `j` angle `j`, so that `imshow` puts the angle on the x-axis.
#
# The check: a few points of a small grid equal the network applied to that one observation.

# %%
angles = np.radians(np.linspace(-12, 12, 5))  # radians, as in an observation
angular_velocities = np.radians([-60.0, 0.0, 60.0])  # radians per second
grid = q_value_grid(
    agent.q_network, angles, angular_velocities, cart_position=0.5, cart_velocity=-0.2
)
print(f"grid shape {grid.shape}: (angular velocities, angles, actions)")
for i, j in ((0, 0), (2, 1), (1, 4)):
    observation = np.array([0.5, -0.2, angles[j], angular_velocities[i]], dtype=np.float32)
    direct = agent.q_values(observation).numpy()  # (n_actions,)
    assert np.allclose(grid[i, j], direct, atol=1e-6), (
        f"grid[{i}, {j}] = {grid[i, j]} but the network gives {direct} for {observation}"
    )
print("checked: grid points equal the network's Q-values for those observations")

# %% [markdown]
# Now the real maps: three slices, each with the cart somewhere else. On the left, the value of
# each state, `max_a Q`: the discounted sum of rewards the agent expects from there (every reward
# is at most 0 with this reward function, and a fall costs `FALL_PENALTY` = -5, so values run
# from 0, perfect, down to about -5 and below). On the right, the greedy action at each state.
# The black line, on both, is where the two actions' Q-values are equal. The white dots on the
# left are the states of one greedy evaluation episode: where the agent actually lives.

# %%
SLICES = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]  # (cart position m, cart velocity m/s)
visited = inspect_episode(agent, seed=EVAL_SEED).observations  # (steps + 1, 4)
fig = plot_q_maps(agent.q_network, SLICES, visited=visited)
fig.suptitle("What the trained agent's Q-network says, over three slices of the state space")
plt.show()

# %% [markdown]
# What the shapes say:
#
# - **The value map is a ridge along a diagonal.** The best states are not only "pole upright"
#   but "pole leaning one way while turning back the other way": a pole at +5 degrees turning left
#   at 50 degrees per second is on its way back to upright. The worst corners are a pole leaning
#   one way and turning further that way: those fall whatever the agent does.
# - **The greedy action map is split by a diagonal line.** Above it the agent pushes right,
#   below it left. The line runs from top left to bottom right: the agent pushes *towards the side
#   the pole is falling to*, judging "falling" by a mix of where the pole is and where it is
#   going. That is a *proportional-derivative (PD) controller*, the textbook way to balance a
#   pole, found from rewards alone. Lesson 1's hand-written policy, `angle + angular velocity > 0`,
#   was a cruder version of the same line.
# - **Where the value is lowest, the action map is noise.** In the far corners the pole falls
#   whichever way the agent pushes, so the two Q-values are nearly equal and their order means
#   nothing: islands of the "wrong" colour appear there.
# - **The cart moves the line.** With the cart 1 m right of centre (second row) the values are
#   lower everywhere (the reward charges 0.1 a step per metre) and the line moves up: for an
#   upright, still pole the agent now pushes left, towards the centre. With the cart moving
#   (third row) it moves again, in ways that are less obvious: to move the cart one way, the agent
#   must first make the pole lean that way, by pushing the other way.
# - **The white dots are a tiny cloud near the centre.** A good agent never visits most of the
#   map; there the network's values come from the clumsy early episodes of training, and from
#   whatever the network interpolates.
#
# The check below measures the PD line on the centre slice. Where the pole leans and turns the
# same way (clearly falling that way), the agent must push that way; and a straight line through
# the switching points, `angle + k * angular velocity = 0`, gives the time `k` the agent looks
# ahead: it pushes towards where the pole will be in about `k` seconds.

# %%
angles_deg = np.linspace(-6, 6, 61)  # the part of the slice the pole can recover from
velocities_deg = np.linspace(-30, 30, 61)
actions = greedy_action_map(
    q_value_grid(agent.q_network, np.radians(angles_deg), np.radians(velocities_deg))
)  # (61, 61): rows angular velocity, columns angle
angle, velocity = np.meshgrid(angles_deg, velocities_deg)
falling_right = (angle > 0) & (velocity > 0)
falling_left = (angle < 0) & (velocity < 0)
right_share = np.mean(actions[falling_right] == ACTION_NAMES.index("push right"))
left_share = np.mean(actions[falling_left] == ACTION_NAMES.index("push left"))
print(f"pole falling right: pushes right at {right_share:.0%} of the points")
print(f"pole falling left:  pushes left at {left_share:.0%} of the points")

switch_points = []  # (angular velocity, angle) where the action changes along a row
for row, velocity_value in zip(actions, velocities_deg, strict=True):
    changes = np.flatnonzero(np.diff(row))
    if len(changes) == 1:
        switch_points.append((velocity_value, angles_deg[changes[0]]))
switch_points = np.array(switch_points)
look_ahead = -np.linalg.lstsq(switch_points[:, :1], switch_points[:, 1], rcond=None)[0][0]
print(
    f"the switching line: angle + {look_ahead:.2f} s * angular velocity = 0 "
    f"(fitted on {len(switch_points)} of {len(velocities_deg)} rows)"
)
assert right_share >= 0.95 and left_share >= 0.95, (
    f"the agent does not push towards the fall: {right_share:.0%} right, {left_share:.0%} left"
)
assert 0.02 < look_ahead < 0.5, f"the line's look-ahead {look_ahead:.2f} s is not a PD controller's"

# %% [markdown]
# ## 3. An episode, step by step
#
# The maps show what the agent would do anywhere; an episode shows what it does in order. To make
# the episode interesting, we start it somewhere the evaluation never does: the pole leaning 10
# degrees right, still. (`inspect_episode` resets the environment, then sets its state.) At every
# step it keeps the frame, the Q-values, the greedy action, and the reward the agent learned from
# (`angle_and_position_reward`), so we can compare what the agent expected with what it got.

# %%
START_STATE = [0.0, 0.0, np.radians(10.0), 0.0]  # cart position, velocity, pole angle, turning
episode = inspect_episode(
    agent, seed=EVAL_SEED, reward_fn=dqn_lib.angle_and_position_reward, start_state=START_STATE
)
pole_angles = np.degrees(episode.observations[:, ANGLE])  # (steps + 1,)
upright = int(np.argmax(np.abs(pole_angles) < 1.0))  # the first step with the pole within 1 degree
ending = "a fall" if episode.terminated else "the 500-step time limit"
print(
    f"{episode.length} steps, ended by {ending}; the pole was upright (within 1 degree) at step "
    f"{upright}; the cart went as far as {np.abs(episode.observations[:, 0]).max():.2f} m from "
    f"the centre; return {episode.rewards.sum():.2f}"
)
print(f"step 0: Q = {episode.q_values[0].round(2)}, chose {ACTION_NAMES[episode.actions[0]]}")
assert episode.actions[0] == ACTION_NAMES.index("push right"), "it should push towards the lean"
assert upright < 30, f"the pole took {upright} steps to come upright"

# %% [markdown]
# Scrub through it: the slider picks a step, and the frame, the Q-values, the action chosen and
# the return so far (the rewards collected before that step) follow. The play button runs
# through the steps. On GitHub, or in any notebook viewer without a running kernel, the widget is
# only a line of text: the figure after it shows four steps the same way.

# %%
scrubber = EpisodeScrubber(episode)
display(scrubber)

# %%
steps_to_show = [0, upright, episode.length // 2, episode.length - 3]
fig = plot_episode_steps(
    episode,
    steps_to_show,
    title="Four steps of the episode: the frame, and the Q-values the agent chose from",
)
plt.show()

# %% [markdown]
# The Q-values over the whole episode, under the pole angle and the cart position they respond
# to. The dashed line is the fall penalty, -5: a Q-value near it says "I expect to fall soon".

# %%
steps = np.arange(episode.length)
fig, (ax_q, ax_angle, ax_cart) = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
for action, name in enumerate(ACTION_NAMES):
    ax_q.plot(steps, episode.q_values[:, action], label=f"Q({name})", linewidth=1)
ax_q.axhline(FALL_PENALTY, color="black", linestyle="--", linewidth=1, label="fall penalty")
ax_q.set(
    ylabel="Q-value", title="What the agent expected, step by step (start: pole at 10 degrees)"
)
ax_q.legend(loc="lower left", fontsize="small")
ax_angle.plot(np.arange(episode.length + 1), pole_angles, color="C2")
ax_angle.set(ylabel="pole angle (degrees)")
ax_cart.plot(np.arange(episode.length + 1), episode.observations[:, 0], color="C3")
ax_cart.set(ylabel="cart position (m)", xlabel="step")
for ax in (ax_q, ax_angle, ax_cart):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# What the episode shows (numbers in the printout above):
#
# - At step 0 the pole leans 10 degrees right and does not move: the map puts that state below
#   the line's far end, and the agent pushes right, under the pole. Q(push right) is clearly above
#   Q(push left): this is one of the few moments where the choice matters a lot.
# - Within a few steps the pole is upright, and from then on the two Q-values lie on top of each
#   other: near upright, either push is fine for one step, and the agent alternates.
# - The rescue cost something the agent cannot easily undo: the cart drifts away from the centre,
#   and the Q-values sink with it, since every metre costs 0.1 reward a step. The agent knows it is
#   in a worse place; it never learned well how to come back, because a solved agent rarely leaves
#   the centre, so its replay buffer holds few such states. Near the end of an episode that ends in
#   a fall, the Q-values approach the fall penalty: the agent sees the fall coming.

# %% [markdown]
# ## 4. Training well past solving, watched from the inside
#
# Lesson 6 trained its agents for 20,000 steps and they stayed solved. DQN on CartPole is known to
# *collapse*: to solve the task, keep training, and then lose it. To see how, we train two agents
# for 40,000 steps, twice as long, and measure four things as they go:
#
# 1. **the greedy evaluation**, every 2,000 steps (10 episodes here, to save time; the benchmark
#    uses 20);
# 2. **the mean max-Q** on a fixed set of probe states: every 5th state of an evaluation episode
#    of the checkpoint's agent, states a balancing agent sees. What are they worth, according to
#    the network?
# 3. **the TD loss**: how far the predictions are from their TD targets, on average since the
#    last point;
# 4. **the share of terminal transitions** in the replay buffer: how often a batch reminds the
#    agent what happens at the end of an episode.
#
# `DiagnosedAgent` wraps the agent for `dqn_lib.train`: it acts and learns exactly as the agent
# would, and every 1,000 steps measures 2 to 4 (`mean_max_q`, the losses, `terminal_share`).
#
# The two runs differ in two settings only. One uses the library's defaults, as in lesson 6. The
# other goes back to the original notebook's reward (`pole_angle_reward`, which ignores the cart)
# and `gamma=0.99`, lesson 6's two last changes. Both use seed 9, one of the seeds on which the
# solve benchmark saw the second set of settings collapse (`benchmarks/results/`).

# %%
LONG_STEPS = 40_000
EVAL_EVERY = 2_000
LONG_SEED = 9
probe_observations = inspect_episode(agent, seed=EVAL_SEED).observations[::5]  # (101, 4)
settings = {
    "defaults (angle and position reward, gamma 0.98)": (
        dqn_lib.DQNConfig(),
        dqn_lib.angle_and_position_reward,
    ),
    "original reward and gamma (pole angle reward, gamma 0.99)": (
        dqn_lib.DQNConfig(gamma=0.99),
        dqn_lib.pole_angle_reward,
    ),
}
runs, long_agents = {}, {}
for label, (config, reward_fn) in settings.items():
    long_agents[label] = dqn_lib.DQNAgent(config, seed=LONG_SEED)
    watched = DiagnosedAgent(long_agents[label], probe_observations, every=1_000)
    history = dqn_lib.train(
        watched,
        steps=LONG_STEPS,
        reward_fn=reward_fn,
        seed=LONG_SEED,
        eval_every=EVAL_EVERY,
        eval_episodes=10,
        description=label.split(" (")[0],
    )
    runs[label] = (history, watched.diagnostics)
DEFAULT, ORIGINAL = settings

# %%
fig = plot_diagnostics(runs, solved=SOLVED)
plt.show()

# %%
print(f"{'step':>6} {'defaults':>9} {'original':>9}   (greedy evaluation, mean of 10 episodes)")
default_history, original_history = runs[DEFAULT][0], runs[ORIGINAL][0]
for step, default_value, original_value in zip(
    default_history.eval_steps,
    default_history.eval_returns,
    original_history.eval_returns,
    strict=True,
):
    print(f"{step:>6,} {default_value:>9.1f} {original_value:>9.1f}")
solved_at = {
    label: next((s for s, r in zip(h.eval_steps, h.eval_returns, strict=True) if r >= SOLVED), None)
    for label, (h, _) in runs.items()
}
collapse = next(  # the first evaluation below 200 after solving, None if there is none
    (
        s
        for s, r in zip(original_history.eval_steps, original_history.eval_returns, strict=True)
        if solved_at[ORIGINAL] is not None and s > solved_at[ORIGINAL] and r < 200
    ),
    None,
)
assert all(r >= SOLVED for r in default_history.eval_returns[-5:]), (
    f"the default run's last five evaluations are not all solved: {default_history.eval_returns}"
)
assert collapse is not None and original_history.eval_returns[-1] < SOLVED, (
    "the text says the original's settings solve and then collapse: "
    f"{original_history.eval_returns}"
)
print(f"first solved: defaults at {solved_at[DEFAULT]:,}, original at {solved_at[ORIGINAL]:,}")
print(f"the original's run collapsed (evaluation below 200) at step {collapse:,}")

# %% [markdown]
# Reading the panels from the top:
#
# - **Greedy evaluation.** Both runs solve early and stay at or near 500 for a long time. Then the run with
#   the original reward and gamma drops (at the step printed above) and does not come back.
# - **Mean max-Q.** With either reward, every reward is 0 or less, so a true Q-value is never
#   positive. Both runs' estimates on the probe states rise slowly as the policy improves. After
#   the collapse, the original's estimate climbs fast towards 0: the network is being rewritten by
#   a new kind of experience, and its values for the old, good states move with it.
# - **TD loss.** With the defaults it falls steadily (the learning rate decays, the targets agree
#   with the predictions). With the original settings it *rises* well before the collapse, while
#   the evaluation still says 500: the predictions and their targets are drifting apart. It is the
#   earliest warning on the page.
# - **Terminal transitions.** In both runs the share falls as the agent stops failing: after
#   solving, a batch of 128 holds on average less than one terminal transition. Everything the
#   agent knows about how episodes end comes from a few hundred old transitions, mostly from its
#   first few thousand steps.
#
# What ends the episodes of the collapsed agent? The buffer still holds every transition of the
# run (40,000 steps fit in its 50,000 slots), so we can ask it: when was each terminal transition
# added, and did the pole fall or did the cart leave the track?

# %%
print(f"{'terminal transitions added in steps':<36}{'defaults':>22}{'original':>22}")
print(f"{'':<36}{'pole fell / cart left':>22}{'pole fell / cart left':>22}")
blocks = range(0, LONG_STEPS, 5_000)
kinds = {}
for label in settings:
    buffer = long_agents[label].replay_buffer
    assert buffer.size == LONG_STEPS, "the buffer should still hold every transition of the run"
    ended = np.flatnonzero(buffer.terminated[: buffer.size])  # index = step - 1
    cart_left = np.abs(buffer.next_observations[ended, 0]) > POSITION_LIMIT
    kinds[label] = (ended, cart_left)
for start in blocks:
    cells = []
    for label in settings:
        ended, cart_left = kinds[label]
        in_block = (ended >= start) & (ended < start + 5_000)
        cells.append(f"{np.sum(in_block & ~cart_left):>5} / {np.sum(in_block & cart_left):<5}")
    print(f"{f'{start + 1:,} to {start + 5_000:,}':<36}{cells[0]:>22}{cells[1]:>22}")

ended, cart_left = kinds[ORIGINAL]
before = ended < collapse - EVAL_EVERY  # added before the last evaluation that was still solved
print(
    f"\noriginal settings: before the collapse the buffer held {before.sum()} terminal "
    f"transitions, {np.sum(before & cart_left)} of them the cart leaving the track"
)
late = ended >= collapse - EVAL_EVERY
assert np.mean(cart_left[late]) > 0.5, (
    "the collapsed agent's episodes should end at the track's edge"
)

# %% [markdown]
# The collapsed agent keeps the pole up and drives the cart off the end of the track. Here it is,
# on the first evaluation start:

# %%
dqn_lib.animate_episode(
    long_agents[ORIGINAL],
    seed=EVAL_SEED,
    title="collapsed (pole angle reward, gamma 0.99)",
)

# %% [markdown]
# ### How the collapse happens, and what prevents it
#
# Put together, the story of the collapsed run:
#
# 1. The agent solves CartPole and stops failing. New transitions are all "pole up, reward near
#    0"; terminal transitions become a fraction of a percent of the buffer, and almost all of them
#    are falls of the pole from the first few thousand steps. The track's edge appears in a
#    handful of transitions (the printout above counts them).
# 2. The pole-angle reward says nothing about the cart. Where the cart is matters to the network
#    only through those few transitions at the edge, which a batch rarely contains. With every
#    gradient step the network fits the many "pole up" transitions a little better, and what it
#    knew about the edge fades: nothing in the loss defends it. The rising TD loss is the sign that
#    the fit is changing under the agent's feet.
# 3. The greedy policy stops caring where the cart is, the cart drifts, and one day the
#    evaluation episodes end at the edge of the track. The buffer now fills with new terminal
#    transitions (the last rows of the table), and the network has to learn the edge again.
#
# The defaults do not rely on rare transitions to teach the important things:
#
# - **`angle_and_position_reward`** charges the cart's distance from the centre at *every* step,
#   so each batch, not a few old transitions, says where the safe place is.
# - **`gamma=0.98`**: lesson 6 computed that with 0.99 and negative rewards, an agent far enough
#   off centre prefers to fall; 0.98 moves that point beyond the track.
# - **A learning rate that decays** (`learning_rate` to `final_learning_rate` over 40,000 steps),
#   a **soft target network** and **batches of 128**: once solved, each update changes the network
#   a little, so forgetting is slow. Both runs had these; they were not enough without the first
#   two.
#
# Other cures, for other setups: a larger buffer, or one that keeps a share of terminal
# transitions aside; stopping training, or keeping the best checkpoint, once the agent is solved.

# %% [markdown]
# ## Exercises
#
# The checks run your function against the library's version on fixed cases and tell you what
# differs.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-07-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 7.1: a Q-value grid (core, about 15 minutes)
#
# Write `q_value_grid(q_network, angles, angular_velocities, cart_position, cart_velocity)`, the
# function behind the maps of section 2. It returns a NumPy array of shape
# `(len(angular_velocities), len(angles), n_actions)`: element `[i, j, a]` is the Q-value of action
# `a` for the observation `(cart_position, cart_velocity, angles[j], angular_velocities[i])`.
# Angles are in radians, as in an observation. Pass all observations through the network in one
# batch, under `torch.no_grad()`.
#
# Hints: `np.meshgrid(angles, angular_velocities)` gives two arrays of shape
# `(len(angular_velocities), len(angles))`; an `nn.Linear` accepts a tensor with any number of
# leading dimensions. The check tries five grids on a small network, never with as many angles
# as angular velocities (so swapped axes show), three with the cart away from the centre.


# %% nbgrader={"grade": false, "grade_id": "ex-07-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def q_value_grid(q_network, angles, angular_velocities, cart_position, cart_velocity):
    """Q-values of every (angular velocity, angle) pair: (n_velocities, n_angles, n_actions)."""
    ### BEGIN SOLUTION
    angle, angular_velocity = np.meshgrid(angles, angular_velocities)  # (n_velocities, n_angles)
    observations = np.stack(
        [
            np.full_like(angle, cart_position),
            np.full_like(angle, cart_velocity),
            angle,
            angular_velocity,
        ],
        axis=-1,
    )  # (n_velocities, n_angles, 4)
    with torch.no_grad():
        q_values = q_network(torch.as_tensor(observations, dtype=torch.float32))
    return q_values.numpy()  # (n_velocities, n_angles, n_actions)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-07-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check_q_value_grid(q_value_grid)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-07-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 7.2: the share of terminal transitions (warm-up, about 5 minutes)
#
# Write `terminal_share(replay_buffer)`, the fourth diagnostic of section 4: the fraction (between
# 0 and 1) of the transitions stored in a `dqn_lib.ReplayBuffer` that are terminations. The buffer
# has preallocated arrays `terminated` and `truncated` (one entry per slot) and `size`, the
# number of slots that hold a transition.
#
# Hint: a buffer that is not full has empty slots, and a time-out is not a termination. The check
# tries five small buffers: not full, full after overwriting its oldest transitions, with
# truncated transitions, and with none terminated; then two buffers of random (seeded)
# transitions, one of them overwritten. Every reward in them is CartPole's own +1.


# %% nbgrader={"grade": false, "grade_id": "ex-07-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def terminal_share(replay_buffer):
    """The fraction of the stored transitions that are terminations, a float in [0, 1]."""
    ### BEGIN SOLUTION
    stored = replay_buffer.terminated[: replay_buffer.size]  # only the filled slots
    return float(stored.mean())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-07-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_terminal_share(terminal_share)

# %% [markdown]
# ## Summary
#
# - **Q-value maps.** Over a slice of the state space (the cart held still, the pole's angle and
#   angular velocity varied), the trained network values states along a diagonal ridge, and its
#   greedy action switches along a diagonal line: push towards where the pole is falling, judged
#   by its angle and a little of its angular velocity. A PD controller, learned from rewards. The
#   cart's position shifts the line, and in states where the pole is lost, the action is noise.
# - **An episode, step by step.** `inspect_episode` keeps the Q-values of each step and
#   `EpisodeScrubber` lets you move through them. Started from 10 degrees, the agent rescues the
#   pole at once, with a clear preference for one action, then the two Q-values stay together;
#   they sink as the cart drifts away from the centre, a place it rarely visited in training.
# - **Collapse.** Trained twice as long as lesson 6, the default settings stayed solved; the
#   original reward with `gamma=0.99` solved and then collapsed. Once solved, terminal transitions
#   become a fraction of a percent of the buffer, and with a reward that ignores the cart, the
#   track's edge was taught by a handful of them; it was forgotten, and the agent drove off the
#   track. The TD loss rose first. A reward that speaks at every step about what matters, a
#   smaller gamma and a decaying learning rate keep the agent solved.
#
# The original notebook had no way to look inside its agent; its reward (the pole angle, -5 for a
# fall) and its `gamma=0.99` are the ones that collapsed here, which is why lesson 6 changed them.
#
# Next, lesson 8 (`08_playground`): widgets to change the hyperparameters, train, and compare
# runs yourself.
