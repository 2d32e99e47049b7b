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
# # Lesson 10: inside the agent
#
# We open up a trained DQN agent, the course's DQN of lesson 9: its Q-values over slices of the
# state space, an episode you can scrub through step by step with what the agent thought at each
# step, and how it does from starts the evaluation never uses, against a policy of four numbers.
# Then we ask why: which states an agent is trained on, and what changes that. Knowing what the
# network learned, and where it has not been, matters more than one good curve.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display
from rliable import library as rly
from rliable import metrics

import dqn_lib
from dqn_lib import (
    ACTION_NAMES,
    FALL_PENALTY,
    MAX_EPISODE_STEPS,
    POSITION_LIMIT,
    POSITION_PENALTY,
)
from dqn_lib.checks import check_q_value_grid, check_terminal_share
from dqn_lib.inspection import (
    EpisodeScrubber,
    greedy_action_map,
    inspect_episode,
    mean_max_q,
    plot_diagnostics,
    plot_episode_steps,
    plot_q_maps,
    q_value_grid,
    train_diagnosed,
)
from dqn_lib.presets import get_preset, load_results
from dqn_lib.starts import (
    LINEAR_POLICY_GAINS,
    PERTURBED_STARTS,
    TRAINING_STARTS,
    WIDE_PERTURBED_STARTS,
    ExploringStarts,
    linear_policy,
    set_start,
)

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

CHECKPOINT = Path("data") / "cartpole_dqn.ckpt"  # next to this notebook
EVAL_SEED = 10_000  # the benchmark's evaluation starts, as in lessons 6 to 9
PERTURBED_SEED, WIDE_SEED = 30_000, 40_000  # the benchmark's perturbed and wide starts
SOLVED = 475
POSITION, VELOCITY, ANGLE, ANGULAR_VELOCITY = range(4)  # places in an observation
PUSH_LEFT, PUSH_RIGHT = ACTION_NAMES.index("push left"), ACTION_NAMES.index("push right")

# %% [markdown]
# ## 1. A trained agent, from a checkpoint
#
# Training takes a while, so this lesson starts from a checkpoint kept in the repository,
# `notebooks/data/cartpole_dqn.ckpt`. The script `tools/make_checkpoint.py` made it: the course's
# DQN (lesson 9's `double` preset: `DQNConfig()`'s settings, CartPole's own +1 reward a step) with
# one change, which sections 5 to 7 explain: *every* training episode started from a state drawn
# anywhere on the track (within 2 m of the centre), where the preset starts half of them there.
# Seed 0, 30,000 steps, saved with `dqn_lib.save_checkpoint` without its replay buffer, so the
# file stays small. A test checks that it loads, solves and holds from perturbed starts. First,
# does it still balance?

# %%
checkpoint = dqn_lib.load_checkpoint(CHECKPOINT)
agent = checkpoint.agent
config = agent.config
print(
    f"{CHECKPOINT} ({CHECKPOINT.stat().st_size / 1e3:.0f} KB): a "
    f"{checkpoint.metadata['agent_type']} trained for {agent.steps:,} steps "
    f"({agent.updates:,} gradient steps); the double preset's settings: "
    f"{config == get_preset('double').config}"
)
returns = dqn_lib.evaluate(agent, episodes=20, seed=EVAL_SEED)
print(f"greedy evaluation, 20 episodes: mean return {returns.mean():.1f}")
assert config == get_preset("double").config, "the checkpoint should hold the course's DQN"
assert returns.mean() >= SOLVED, f"the checkpoint's agent is not solved: {returns.mean():.1f}"

# %% [markdown]
# ## 2. Q-value maps
#
# A CartPole state has four numbers, too many to draw at once. We hold two of them fixed, the
# cart's position and velocity, and vary the other two, the pole's angle and angular velocity,
# over a grid: a two-dimensional *slice* of the state space. At every point of the slice the
# network gives one Q-value per action. `q_value_grid` builds one observation per grid point,
# `(cart position, cart velocity, angle, angular velocity)`, and passes them all through the
# network in one batch; you write it yourself in exercise 10.2. Row `i` of the result is angular
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
# each state, `max_a Q`: the discounted sum of rewards the agent expects from there. Every reward
# is +1, so a state is worth at most `1 + gamma + gamma**2 + ...` = `1 / (1 - gamma)` = 100 (with
# gamma 0.99), and a state from which the pole falls at the next step is worth 1. On the right,
# the greedy action at each state. The black line, on both, is where the two actions' Q-values
# are equal. The white dots on the left are the states of one greedy evaluation episode: where
# the agent actually lives.

# %%
SLICES = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]  # (cart position m, cart velocity m/s)
visited = inspect_episode(agent, seed=EVAL_SEED).observations  # (steps + 1, 4)
fig = plot_q_maps(agent.q_network, SLICES, visited=visited)
fig.suptitle("What the trained agent's Q-network says, over three slices of the state space")
plt.show()

# %% [markdown]
# Before reading the shapes, the numbers on the colour scale. They are mostly above 100, the most
# any state can be worth. The check below puts what the network predicts for the evaluation's
# 20 start states beside the discounted return the greedy policy then obtains from them
# (`dqn_lib.value_estimates`, lesson 9), and asks the network about two states from which the
# pole falls within two steps whatever the agent does.

# %%
predicted, obtained = dqn_lib.value_estimates(agent, config.gamma, episodes=20, seed=EVAL_SEED)
CEILING = 1 / (1 - config.gamma)  # the value of +1 forever
print(
    f"evaluation starts: predicted max_a Q {predicted.mean():.1f} on average, obtained "
    f"{obtained.mean():.1f}; no state is worth more than {CEILING:.0f}"
)
doomed_values = {}
for angle_deg, velocity_deg in ((10.0, 100.0), (-10.0, -100.0)):
    state = [0.0, 0.0, np.radians(angle_deg), np.radians(velocity_deg)]
    steps_left = inspect_episode(agent, seed=EVAL_SEED, start_state=state).length
    value = float(agent.q_values(np.array(state, dtype=np.float32)).max())
    worth = sum(config.gamma**k for k in range(steps_left))
    doomed_values[angle_deg] = (value, worth)
    print(
        f"pole at {angle_deg:+.0f} deg turning {velocity_deg:+.0f} deg/s: the network says "
        f"{value:.1f}; the pole fell after {steps_left} steps, a value of {worth:.2f}"
    )
overestimate = predicted.mean() / obtained.mean() - 1
print(f"the prediction is {overestimate:.0%} above what the policy obtains")
assert predicted.mean() > CEILING > obtained.mean(), "the text says the network overestimates"
assert 0.3 < overestimate < 0.5, f"the text says nearly 40% too high: {overestimate:.0%}"
assert all(value > 10 * worth for value, worth in doomed_values.values()), doomed_values

# %% [markdown]
# The network overestimates: for the evaluation's starts it predicts nearly 40% more than the
# policy obtains, and more than any policy could. It was trained with Double DQN, which lesson 9
# found underestimating at 10,000 steps; this checkpoint trained for 30,000, with exploring
# starts on every episode, and why its values ended this high, no lesson has measured (lesson 9
# trained no plain-`max` agent this long). For the two doomed states, far from the white
# dots, it is off by more than ten times their worth. The greedy action only needs the *order* of
# the two Q-values at a state, and that order can be right while both numbers are wrong. So read
# the maps for their shapes:
#
# - **The value map is a ridge along a diagonal.** The states the network values highest are not
#   only "pole upright" but "pole leaning one way while turning back the other way" (top left,
#   bottom right): a pole leaning left and turning right is on its way back to upright. (Those
#   corners lie far from the white dots, where the values are least to be trusted: no state is
#   really worth more than 100.) The worst
#   corners are a pole leaning one way and turning further that way (bottom left, top right):
#   those fall whatever the agent does.
# - **The greedy action map is split by one line.** Above it the agent pushes right, below it
#   left, always with the full force: the greedy policy is *bang-bang*, with a *switching line*.
#   The line runs from top left to bottom right: the agent pushes towards the side the pole is
#   falling to, judging "falling" by a mix of where the pole is and where it is going. That is
#   the sign of a proportional-derivative (PD) rule, `angle + k * angular velocity`, without its
#   size: a PD controller would push harder the further the pole is off, this agent can only
#   choose a side. Lesson 1's hand-written policy, `angle + angular velocity > 0`, had the same
#   form, and so has `dqn_lib.starts.linear_policy`, which we meet in section 4.
# - **The cart moves the line.** With the cart 1 m right of centre (second row) the line moves
#   down, and with the cart moving right at 1 m/s (third row) further down: for an upright, still
#   pole the agent then pushes right, *away* from the centre, and *with* the cart's motion. It
#   looks backwards, and it is not: CartPole is *non-minimum-phase*. To move the cart left, or to
#   slow it down when it moves right, the pole must first lean left, and only a push right tilts
#   it left; the balancing pushes that follow then carry the cart left. A push towards the centre
#   would tilt the pole the wrong way. The table after the check measures these shifts.
# - **The white dots are a tiny cloud near the centre.** A good agent never visits most of the
#   map; there the network's values come from the clumsy early episodes of training, and from
#   whatever the network interpolates.
#
# The check below measures the switching line on the centre slice. Where the pole leans and turns
# the same way (clearly falling that way), the agent must push that way; and a straight line
# through the switching points, `angle + k * angular velocity = 0`, gives the time `k` the agent
# looks ahead: it pushes towards where the pole will be in about `k` seconds. Then the angle at
# which the line crosses zero angular velocity (a pole not turning), on five slices, beside the
# same crossing for the linear policy of section 4. Where the crossing is below zero, an upright
# still pole gets a push right; where it is above, a push left.

# %%
angles_deg = np.linspace(-6, 6, 61)  # the part of the slice the pole can recover from
velocities_deg = np.linspace(-30, 30, 61)
actions = greedy_action_map(
    q_value_grid(agent.q_network, np.radians(angles_deg), np.radians(velocities_deg))
)  # (61, 61): rows angular velocity, columns angle
angle, velocity = np.meshgrid(angles_deg, velocities_deg)
falling_right = (angle > 0) & (velocity > 0)
falling_left = (angle < 0) & (velocity < 0)
right_share = np.mean(actions[falling_right] == PUSH_RIGHT)
left_share = np.mean(actions[falling_left] == PUSH_LEFT)
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
assert 0.02 < look_ahead < 0.5, f"the line's look-ahead {look_ahead:.2f} s is not a PD rule's"


def switching_angle(q_network, cart_position, cart_velocity):
    """The pole angle (degrees) where the greedy action turns to a push right, pole not turning."""
    fine = np.linspace(-12, 12, 2_401)  # degrees, a 0.01-degree grid
    row = greedy_action_map(
        q_value_grid(q_network, np.radians(fine), [0.0], cart_position, cart_velocity)
    )[0]  # (angles,): the actions along the line of zero angular velocity
    return float(fine[np.argmax(row == PUSH_RIGHT)])


def linear_switching_angle(cart_position, cart_velocity):
    """The same for the linear policy: where gains @ (x, v, angle, 0) changes sign."""
    gains = LINEAR_POLICY_GAINS
    cart_term = gains[POSITION] * cart_position + gains[VELOCITY] * cart_velocity
    return float(np.degrees(-cart_term / gains[ANGLE])) + 0.0  # + 0.0: no "-0.00"


print(
    f"{'cart position, velocity':<25}{'DQN':>8}{'linear policy':>15}   (switching angle, degrees)"
)
crossings = {}
for cart_state in ((0.0, 0.0), (1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)):
    crossings[cart_state] = (
        switching_angle(agent.q_network, *cart_state),
        linear_switching_angle(*cart_state),
    )
    print(
        f"{f'{cart_state[0]:+.0f} m, {cart_state[1]:+.0f} m/s':<25}"
        f"{crossings[cart_state][0]:>+8.2f}{crossings[cart_state][1]:>+15.2f}"
    )
centre = crossings[(0.0, 0.0)][0]
for cart_state, (dqn, linear) in crossings.items():
    if cart_state != (0.0, 0.0):
        assert np.sign(dqn - centre) == np.sign(linear), (
            f"the text says the cart moves the agent's line the way it moves the linear policy's: "
            f"{cart_state}: {dqn:+.2f} degrees (centre {centre:+.2f}), linear {linear:+.2f}"
        )
assert crossings[(0.0, 1.0)][0] < crossings[(1.0, 0.0)][0] < 0, (
    "the text says an upright still pole gets a push right with the cart at +1 m, and sooner with "
    "the cart moving right"
)
velocity_shift = crossings[(0.0, 1.0)][0] - centre
assert abs(velocity_shift) < abs(crossings[(0.0, 1.0)][1]) / 2 and abs(centre) > 0.5, (
    "section 4 says the velocity moves the agent's line far less than the linear policy's, and "
    f"that the line misses zero at the centre: {crossings}"
)

# %% [markdown]
# ## 3. An episode, step by step
#
# The maps show what the agent would do anywhere; an episode shows what it does in order. To make
# the episode interesting, we start it somewhere the evaluation never does: the pole leaning 10
# degrees right, still. (`inspect_episode` resets the environment, then sets its state.) At every
# step it keeps the frame, the Q-values, the greedy action, and the reward (CartPole's +1, the
# reward this agent learned from), so we can compare what the agent expected with what it got.

# %%
START_STATE = [0.0, 0.0, np.radians(10.0), 0.0]  # cart position, velocity, pole angle, turning
episode = inspect_episode(agent, seed=EVAL_SEED, start_state=START_STATE)
pole_angles = np.degrees(episode.observations[:, ANGLE])  # (steps + 1,)
cart_positions = episode.observations[:, POSITION]  # (steps + 1,)
upright = int(np.argmax(np.abs(pole_angles) < 1.0))  # the first step with the pole within 1 degree
farthest = int(np.argmax(np.abs(cart_positions)))  # the step with the cart farthest out
ending = "a failure (the pole fell or the cart left)" if episode.terminated else "the time limit"
print(
    f"{episode.length} steps, ended by {ending}; the pole was upright (within 1 degree) at step "
    f"{upright}; the cart went as far as {np.abs(cart_positions).max():.2f} m from the centre, "
    f"at step {farthest}; "
    f"return {episode.rewards.sum():.0f}"
)
chosen = dqn_lib.display_name(ACTION_NAMES[episode.actions[0]])  # in the lesson's language
print(f"step 0: Q = {episode.q_values[0].round(1)}, chose {chosen}")
print(
    f"Q-values over the episode: from {episode.q_values.min():.1f} to "
    f"{episode.q_values.max():.1f}; from step {upright} on, the two differ by "
    f"{np.abs(np.diff(episode.q_values[upright:], axis=1)).mean():.2f} on average"
)
after_rescue = episode.q_values[upright : upright + 20].max(axis=1).mean()
last_100 = episode.q_values[-100:].max(axis=1).mean()
print(
    f"max Q: {after_rescue:.1f} on average over the 20 steps after the rescue, "
    f"{last_100:.1f} over the last 100 steps"
)
assert episode.actions[0] == PUSH_RIGHT, "it should push towards the lean"
assert upright < 30, f"the pole took {upright} steps to come upright"
assert farthest > 100 and np.abs(cart_positions).max() < 1.0, (farthest, cart_positions)
assert cart_positions[-1] < cart_positions.max()
assert after_rescue > last_100 > CEILING, (after_rescue, last_100)
assert episode.truncated and episode.q_values.min() > CEILING, (
    "the text says the episode lasts 500 steps with every Q-value above 1 / (1 - gamma)"
)

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
# to. The dashed line is `1 / (1 - gamma)` = 100, the most any state can be worth.

# %%
steps = np.arange(episode.length)
fig, (ax_q, ax_angle, ax_cart) = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
for action, name in enumerate(ACTION_NAMES):
    name = dqn_lib.display_name(name)  # in the lesson's language
    ax_q.plot(steps, episode.q_values[:, action], label=f"Q({name})", linewidth=1)
ax_q.axhline(
    CEILING, color="black", linestyle="--", linewidth=1, label="1 / (1 - gamma): +1 forever"
)
ax_q.set(
    ylabel="Q-value", title="What the agent expected, step by step (start: pole at 10 degrees)"
)
ax_q.set_ylim(bottom=CEILING - 25)  # room under the dashed line for the legend
ax_q.legend(loc="lower left", fontsize="small", ncol=3)
ax_angle.plot(np.arange(episode.length + 1), pole_angles, color="C2")
ax_angle.set(ylabel="pole angle (degrees)")
ax_cart.plot(np.arange(episode.length + 1), cart_positions, color="C3")
ax_cart.set(ylabel="cart position (m)", xlabel="step")
for ax in (ax_q, ax_angle, ax_cart):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# What the episode shows (numbers in the printouts above):
#
# - At step 0 the pole leans 10 degrees right and does not move: the map puts that state above
#   the line, on the push-right side, and the agent pushes right, under the pole. Q(push right) is clearly above
#   Q(push left): this is one of the few moments where the choice matters a lot.
# - Within a few steps the pole is upright, and from then on the two Q-values lie almost on top of
#   each other: near upright, either push is fine for one step, and the agent alternates.
# - The rescue pushed the cart right, and it keeps drifting right until step 305, to 0.71 m, before
#   it creeps back a little. The Q-values sink as it goes, from 136.6 on average just
#   after the rescue to 131.0 over the last 100 steps: the agent values a cart off centre a little
#   lower, though every step still brings the same +1. The episode ends at the time limit, not by
#   a failure.
# - Every Q-value is above 100, at every step: the overestimation of section 2, along a whole
#   episode. The agent's estimates are far too high everywhere, and it acts on their order.

# %% [markdown]
# ## 4. From perturbed starts, against a linear policy
#
# The evaluation starts every episode where CartPole's `reset` does: every state variable within
# 0.05 of zero, so the cart at the centre and the pole upright and nearly still. An agent that
# scores 500 there may never have been tested anywhere else. The benchmark also starts 100
# episodes from *perturbed starts*, set after the seeded reset (`dqn_lib.starts.set_start`):
#
# - `PERTURBED_STARTS`: the cart anywhere within 1 m of the centre, moving at up to 0.5 m/s, the
#   pole up to 0.1 rad (5.7 degrees) off upright and turning at up to 0.5 rad/s;
# - `WIDE_PERTURBED_STARTS`: the same with the cart anywhere within 1.8 m (the track ends at 2.4 m).
#
# The reference is `dqn_lib.starts.linear_policy`, four numbers and no learning: push right when
# `0.03 * position + 0.2 * velocity + 1.0 * angle + 0.3 * angular velocity > 0`. Its position and
# velocity gains are positive, as section 2 explained: a cart right of centre, or moving right,
# gets a push right first.
#
# `perturbed_episodes` plays one greedy episode per start, as `dqn_lib.evaluate(...,
# start_box=...)` does, and keeps, besides the return, the start state and how the episode
# ended; the check compares its returns with the library's on the first ten starts.
#
# One caution before the numbers: `tools/make_checkpoint.py` chose this checkpoint by its scores
# from these same 100 + 100 starts (and refuses one that scores below 450 from the 100 starts of
# the 1 m box), so the DQN's
# scores below are those of the run picked on them, a little optimistic; the linear policy was
# not picked on them.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-10-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 10.1: predict, then run: how often does each policy hold? (warm-up, about 5 minutes)
#
# The checkpoint's agent scores 500 from CartPole's own starts, and it was trained with every
# episode starting anywhere on the track. The linear policy has four fixed numbers. Before the
# next cell runs them, predict: of the 100 wide starts (the cart up to 1.8 m off centre), in how
# many episodes will each keep the pole up and the cart on the track for all 500 steps? Return
# `((dqn_count, linear_count), why)` from `my_prediction()`, the reason as a sentence. The check
# after the cell compares (within 10 of each counts as close); a wrong prediction does not fail
# it, a missing one does.
# (If you used Run All, the cells below have already run: write your prediction before you
# scroll down to what they printed.)


# %% nbgrader={"grade": false, "grade_id": "ex-10-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """Before the next cell: ((episodes the DQN holds, episodes the linear policy holds), why)."""
    ### BEGIN SOLUTION
    return (95, 100), "the DQN trained on such starts; the linear policy brings the cart home"
    ### END SOLUTION


# %%
def perturbed_episodes(policy, box, episodes, seed):
    """Start states (episodes, 4), returns, endings ("time limit", "cart left", "pole fell") and
    last states (episodes, 4). With box None, the episodes start where CartPole's reset puts
    them, as in the evaluation."""
    env = dqn_lib.make_env()
    starts, returns, endings = np.zeros((episodes, 4)), np.zeros(episodes), []
    last_states = np.zeros((episodes, 4))
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        if box is not None:
            observation = set_start(env, box)  # a state drawn from the box, after the reset
        starts[i] = observation
        terminated = truncated = False
        while not (terminated or truncated):
            observation, reward, terminated, truncated, _ = env.step(policy(observation))
            returns[i] += reward
        last_states[i] = observation
        if not terminated:
            endings.append("time limit")
        elif abs(observation[POSITION]) > POSITION_LIMIT:
            endings.append("cart left")
        else:
            endings.append("pole fell")
    env.close()
    return starts, returns, np.array(endings), last_states


def greedy(observation):
    return agent.act(observation, greedy=True)


POLICIES = {"DQN (the checkpoint)": greedy, "linear policy": linear_policy}
for name, box in (
    ("PERTURBED_STARTS", PERTURBED_STARTS),
    ("WIDE_PERTURBED_STARTS", WIDE_PERTURBED_STARTS),
):
    print(
        f"{name}: cart within {box[POSITION]} m (the track ends at {POSITION_LIMIT} m), moving "
        f"up to {box[VELOCITY]} m/s; pole within {box[ANGLE]} rad ({np.degrees(box[ANGLE]):.1f} "
        f"degrees), turning up to {box[ANGULAR_VELOCITY]} rad/s"
    )
BOXES = {
    "cart within 1 m": (PERTURBED_STARTS, PERTURBED_SEED),
    "within 1.8 m": (WIDE_PERTURBED_STARTS, WIDE_SEED),
}
perturbed = {
    (policy_name, box_name): perturbed_episodes(policy, box, 100, seed)
    for policy_name, policy in POLICIES.items()
    for box_name, (box, seed) in BOXES.items()
}
library_returns = dqn_lib.evaluate(
    agent, episodes=10, seed=PERTURBED_SEED, start_box=PERTURBED_STARTS
)
assert np.array_equal(perturbed["DQN (the checkpoint)", "cart within 1 m"][1][:10], library_returns)

print(
    f"{'':<22}{'starts':<16}{'mean return':>12}{'reached 500':>13}{'cart left':>11}{'pole fell':>11}"
)
for (policy_name, box_name), (_, returns, endings, _) in perturbed.items():
    print(
        f"{policy_name:<22}{box_name:<16}{returns.mean():>12.1f}{np.mean(returns == 500):>13.0%}"
        f"{np.sum(endings == 'cart left'):>11}{np.sum(endings == 'pole fell'):>11}"
    )
dqn_near = perturbed["DQN (the checkpoint)", "cart within 1 m"][1].mean()
dqn_wide = perturbed["DQN (the checkpoint)", "within 1.8 m"][1].mean()
dqn_endings = np.concatenate([perturbed["DQN (the checkpoint)", box][2] for box in BOXES])
assert dqn_near >= 450, f"the checkpoint should hold from perturbed starts: mean {dqn_near:.1f}"
assert dqn_wide < 500 and not np.any(dqn_endings == "pole fell"), (
    "the text says the DQN fails from some wide starts, always by losing the cart"
)
assert all(
    returns.min() == MAX_EPISODE_STEPS
    for (policy_name, _), (_, returns, _, _) in perturbed.items()
    if policy_name == "linear policy"
), "the linear policy should reach 500 from every perturbed start"

# %% nbgrader={"grade": true, "grade_id": "ex-10-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_wide_starts_prediction

check_wide_starts_prediction(
    my_prediction,
    perturbed["DQN (the checkpoint)", "within 1.8 m"][1],
    perturbed["linear policy", "within 1.8 m"][1],
)

# %% [markdown]
# Where do the DQN's failures start? Each dot below is one of the 100 wide starts: where the cart
# started, and the return the episode reached.

# %%
fig, ax = plt.subplots(figsize=(9, 4.8))
ax.axvspan(-1.0, 1.0, color="grey", alpha=0.12, label="the 1 m box (PERTURBED_STARTS)")
for (policy_name, box_name), (starts, returns, _, _) in perturbed.items():
    if box_name != "within 1.8 m":
        continue
    starts = starts[:, POSITION]
    is_dqn = policy_name.startswith("DQN")
    ax.scatter(
        starts,
        returns + (0 if is_dqn else 14),  # the linear policy's squares lifted, so both show
        s=22 if is_dqn else 14,
        marker="o" if is_dqn else "s",
        color="C0" if is_dqn else "C1",
        alpha=0.8,
        label=f"{policy_name}: mean {returns.mean():.1f}"
        + ("" if is_dqn else " (squares drawn a little above their value)"),
    )
ax.axhline(MAX_EPISODE_STEPS, color="black", linestyle="--", linewidth=1)
ax.text(-1.78, MAX_EPISODE_STEPS - 22, "500: the time limit, a perfect episode", fontsize="small")
for edge in (-POSITION_LIMIT, POSITION_LIMIT):
    ax.axvline(edge, color="C3", linewidth=1)
ax.text(POSITION_LIMIT - 0.05, 20, "end of track", color="C3", ha="right", fontsize="small")
ax.set(
    xlim=(-2.5, 2.5),
    ylim=(0, 540),
    xlabel="cart position at the start (m)",
    ylabel="return (steps the episode lasted)",
    title="100 wide perturbed starts: the return against where the cart started",
)
ax.legend(loc="lower center", fontsize="small")
ax.grid(alpha=0.3)
plt.show()
wide_starts, wide_returns, _, _ = perturbed["DQN (the checkpoint)", "within 1.8 m"]
failed = wide_returns < MAX_EPISODE_STEPS
print(
    f"the DQN's {failed.sum()} failures from the wide starts (the cart at the start; the return):"
)
for start, value in sorted(zip(wide_starts[failed].tolist(), wide_returns[failed], strict=True)):
    print(f"  at {start[POSITION]:+.2f} m moving {start[VELOCITY]:+.2f} m/s: {value:.0f} steps")
failed_starts = wide_starts[failed]
assert np.sum(failed_starts[:, POSITION] < 0) == 1, "the text says all but one at the right end"
assert np.all(np.abs(failed_starts[:, POSITION]) > 1.4), "the text says failures start far out"
assert np.all(failed_starts[:, POSITION] * failed_starts[:, VELOCITY] > 0), (
    "the text says every failure starts with the cart moving outwards"
)

# %% [markdown]
# - From the 1 m box the DQN reaches 500 from 99 starts of 100, from the 1.8 m box from 92. The
#   linear policy reaches 500 from every start of both boxes.
# - Every failure of the DQN is the cart leaving the track; the pole never falls. Each failure
#   from the 1.8 m box starts more than 1.4 m from the centre with the cart already moving
#   outwards, and all but one at the right end of the track.
#
# Why does the linear policy never lose the cart? It brings it home. Below, the cart's position
# over a whole episode from five still starts (pole upright, nothing moving), the cart at -1.8,
# -1, 0, 1 and 1.8 m, for both policies.


# %%
def cart_path(policy, cart_position):
    """Cart positions over one episode from a still start at cart_position (m)."""
    env = dqn_lib.make_env()
    env.reset(seed=EVAL_SEED)
    env.unwrapped.state = np.array([cart_position, 0.0, 0.0, 0.0])
    observation = np.array(env.unwrapped.state, dtype=np.float32)
    positions, terminated, truncated = [cart_position], False, False
    while not (terminated or truncated):
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        positions.append(float(observation[POSITION]))
    env.close()
    return np.array(positions)


STILL_STARTS = (-1.8, -1.0, 0.0, 1.0, 1.8)
paths = {name: {x: cart_path(policy, x) for x in STILL_STARTS} for name, policy in POLICIES.items()}
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, (name, by_start) in zip(axes, paths.items(), strict=True):
    for i, (x, path) in enumerate(by_start.items()):
        ax.plot(path, color=f"C{i}", label=f"start at {x:+.1f} m")
    for edge in (-POSITION_LIMIT, POSITION_LIMIT):
        ax.axhline(edge, color="C3", linewidth=1)
    ax.set(title=name, xlabel="step", ylim=(-2.6, 2.6))
    ax.grid(alpha=0.3)
axes[0].set_ylabel("cart position (m); red: the ends of the track")
axes[1].legend(loc="center right", fontsize="small")
fig.suptitle("Where the cart goes from a still start, pole upright")
plt.show()
print(
    f"{'start':>6}"
    + "".join(f"{name:>24}" for name in paths)
    + "   (cart position after 500 steps)"
)
for x in STILL_STARTS:
    print(f"{x:>+6.1f}" + "".join(f"{paths[name][x][-1]:>+24.2f}" for name in paths))

assert all(abs(paths["linear policy"][x][-1]) < 0.25 for x in STILL_STARTS)
assert all(0.5 < paths["DQN (the checkpoint)"][x][-1] < 1.4 for x in STILL_STARTS)

# %% [markdown]
# - The linear policy brings the cart back towards the centre from every start, slowly and
#   steadily: after 500 steps it is within 0.25 m of it.
# - The DQN keeps the pole up from every one of these starts too, but it does not bring the cart
#   home. From -1.8 m it drives the cart right, past the centre; from the centre it drifts right;
#   from +1.8 m it creeps along near the end of the track for a few hundred steps. Wherever it
#   starts, the cart ends the episode between 0.5 and 1.4 m right of centre: this agent has a
#   favourite place, and it is not the centre. Near the right end, with the cart already moving
#   outwards, its slow corrections can come too late: that is where its failures above started.
#
# Section 2's switching line told the same story in small. The cart's position and velocity move
# the line the way they move the linear policy's, but the velocity moves it far less, and the line
# is not centred on zero for a cart at rest at the centre: the agent has learned the direction of
# the correction, not its size. Where does that come from?

# %% [markdown]
# ## 5. What the agent was trained on
#
# An agent learns about the states it visits, and where it visits depends first on where its
# episodes start. The course's DQN (the `double` preset) starts half of its training episodes
# from CartPole's own `reset` and half anywhere in `TRAINING_STARTS`, the whole track but its last
# 0.4 m at each end: *exploring starts* (Sutton and Barto, section 5.3), with
# `dqn_lib.starts.ExploringStarts`. The `reset_starts` preset is the same DQN with CartPole's own
# starts only; the checkpoint started every episode from the wide box. Here are 2,000 training
# starts of each, drawn by the training environments themselves:

# %%
start_setups = {
    "CartPole's own reset (reset_starts)": get_preset("reset_starts").make_env(SEED),
    "half from exploring starts (double)": get_preset("double").make_env(SEED),
    "every episode (the checkpoint)": ExploringStarts(dqn_lib.make_env(SEED), TRAINING_STARTS, 1.0),
}
start_positions = {}
for name, env in start_setups.items():
    start_positions[name] = np.array(
        [env.reset(seed=SEED + i)[0][POSITION] for i in range(2_000)]
    )  # (2000,) cart positions at the start of an episode
    env.close()
bins = np.linspace(-2.45, 2.45, 50)  # 0.1 m wide, one centred on 0: CartPole's own starts
fig, ax = plt.subplots(figsize=(9, 4))
for name, positions in start_positions.items():
    ax.hist(
        positions,
        bins=bins,
        weights=np.full(len(positions), 1 / len(positions)),
        histtype="step",
        linewidth=1.8,
        label=name,
    )
ax.set(
    yscale="log",
    xlabel="cart position at the start of a training episode (m)",
    ylabel="share of the episodes (log scale)",
    title="Where training episodes start: 2,000 starts of each setup",
)
ax.legend(fontsize="small", loc="upper right")
ax.grid(alpha=0.3)
plt.show()
for name, positions in start_positions.items():
    print(
        f"{name:<38} farthest start {np.abs(positions).max():.2f} m; "
        f"{np.mean(np.abs(positions) > 0.05):.0%} of the starts more than 0.05 m off centre"
    )
assert np.abs(start_positions["CartPole's own reset (reset_starts)"]).max() <= 0.05

# %% [markdown]
# An agent trained from CartPole's own starts only sees the ends of the track if it drives there
# itself, and then in the last steps of an episode, on its way off the track: it hardly ever
# practises coming back. With exploring starts, a share of its episodes begin near the ends, with up to 500
# steps to learn what to do there. Section 6 checks this on two real training runs.
#
# ## 6. Training with and without exploring starts, watched from the inside
#
# To see what that changes while it happens, we train the `double` and `reset_starts` presets on
# the same seed, 10,000 steps each (half the benchmark's budget, to save time), in processes of
# their own, and measure four things as they go:
#
# 1. **the greedy evaluation**, every 2,000 steps (20 episodes from CartPole's own starts, as in
#    the benchmark);
# 2. **the mean max-Q** on a fixed set of probe states: every 5th state of an evaluation episode
#    of the checkpoint's agent, states a balancing agent sees. What are they worth, according to
#    the network? (At most 100: for a state it never falls from, an agent that bootstraps
#    through the time limit should predict 100.)
# 3. **the TD loss**: how far the predictions are from their TD targets, on average since the
#    last point;
# 4. **the share of terminal transitions** in the replay buffer: how often a batch reminds the
#    agent what happens at the end of an episode.
#
# `train_diagnosed` trains each preset as the benchmark does, with a `DiagnosticsRecorder` among
# `train`'s callbacks (a `Callback` is called every so many steps and only reads the agent, so the
# run is the one it would be without it: tests/test_inspection.py trains a run both ways and gets
# the same weights), and every 1,000 steps the recorder measures 2 to 4 (`mean_max_q`, the
# losses, `terminal_share`). One seed is what a lesson can afford; section 7
# has the benchmark's ten. A third run, the `shaped` preset on the same seed, trains beside them
# for section 7.

# %%
LONG_STEPS, LONG_SEED = 10_000, SEED
probe_observations = inspect_episode(agent, seed=EVAL_SEED).observations[::5]  # (101, 4)
long_runs = train_diagnosed(
    ["double", "reset_starts", "shaped"],
    LONG_SEED,
    LONG_STEPS,
    probe_observations,
    every=1_000,
    workers=2,
)
shaped_run = long_runs.pop("shaped")  # section 7 comes back to it
LABELS = {"double": "with exploring starts (double)", "reset_starts": "without (reset_starts)"}

# %%
fig = plot_diagnostics(
    {LABELS[name]: (run.history, run.diagnostics) for name, run in long_runs.items()},
    solved=SOLVED,
)
ceiling = fig.axes[1].axhline(CEILING, color="black", linestyle=":", linewidth=1)
fig.axes[1].set_ylim(top=CEILING * 1.1)
fig.axes[1].legend(
    [ceiling], ["1 / (1 - gamma) = 100: +1 forever"], loc="upper left", fontsize="small"
)
fig.axes[0].set_title(f"Training watched from the inside: seed {LONG_SEED}, {LONG_STEPS:,} steps")
plt.show()

# %%
double_run, reset_run = long_runs["double"], long_runs["reset_starts"]
print(f"{'step':>6} {'double':>9} {'reset_starts':>13}   (greedy evaluation, mean of 20 episodes)")
for step, double_value, reset_value in zip(
    double_run.history.eval_steps,
    double_run.history.eval_returns,
    reset_run.history.eval_returns,
    strict=True,
):
    print(f"{step:>6,} {double_value:>9.1f} {reset_value:>13.1f}")
for name, run in long_runs.items():
    log = run.diagnostics
    print(
        f"{name}: at the end, mean max-Q on the probe states {log.mean_max_q[-1]:.1f}, TD loss "
        f"{log.td_loss[-1]:.1f}, terminal transitions {log.terminal_share[-1]:.2%} of the buffer"
    )
checkpoint_probe_value = mean_max_q(agent.q_network, probe_observations)
print(f"the checkpoint (30,000 steps): mean max-Q on the probe states {checkpoint_probe_value:.1f}")
assert all(run.diagnostics.mean_max_q[-1] < CEILING for run in long_runs.values())
assert checkpoint_probe_value > CEILING
assert all(r >= SOLVED for r in double_run.history.eval_returns[1:]), (
    f"the text says double is solved from 4,000 steps on: {double_run.history.eval_returns}"
)
assert max(reset_run.history.eval_returns[1:]) < 300 < reset_run.history.eval_returns[0], (
    f"the text says reset_starts falls below 300 after 2,000 steps: {reset_run.history.eval_returns}"
)

# %% [markdown]
# Reading the panels from the top:
#
# - **Greedy evaluation.** With exploring starts the agent is solved from 4,000 steps on. Without
#   them it comes close at 2,000 steps, then falls to about half of that and stays there. The
#   next cells show what ends its episodes.
# - **Mean max-Q, TD loss, terminal transitions.** The two runs look alike. The values on the
#   probe states climb at the same pace, still rising and still below 100 at 10,000 steps; the
#   checkpoint, trained three times as long, values the same states well above 100 (the
#   printout): section 2's overestimation appeared somewhere between 10,000 and 30,000 steps of
#   a run that also differs in its starts (one seed, two changes). The TD loss grows with the
#   values (bigger targets, bigger errors), higher with exploring starts. The share of terminal
#   transitions falls as the episodes get longer. None of these panels says that one of the two
#   agents cannot keep the cart on the track: they measure how the network fits the data it has,
#   not which data it has.
#
# What ends the episodes, and where was the cart? Each buffer still holds every transition of
# its run (10,000 steps fit in its 50,000 slots, the printout says), so we can ask it: where the cart was at every
# step, which way it was moving when it was far from the centre, and, for each terminal
# transition, whether the pole fell or the cart left the track.

# %%
BLOCK = 2_000
fig, ax = plt.subplots(figsize=(9, 4))
kinds = {}
for name, run in long_runs.items():
    buffer = run.agent.replay_buffer
    assert buffer.size == LONG_STEPS, "the buffer should still hold every transition of the run"
    print(f"{name}: the buffer holds {buffer.size:,} transitions in its {buffer.capacity:,} slots")
    states = buffer.observations[: buffer.size]  # (steps, 4), in the order they were visited
    ax.hist(
        states[:, POSITION],
        bins=bins,
        weights=np.full(len(states), 1 / len(states)),
        histtype="step",
        linewidth=1.8,
        label=LABELS[name],
    )
    ended = np.flatnonzero(buffer.terminated[: buffer.size])  # index = step - 1
    cart_left = np.abs(buffer.next_observations[ended, POSITION]) > POSITION_LIMIT
    kinds[name] = (ended, cart_left)
    far = np.abs(states[:, POSITION]) > 1.0
    homeward = np.mean(states[far, POSITION] * states[far, VELOCITY] < 0)
    print(
        f"{name}: the cart beyond 1 m at {far.mean():.1%} of the steps; there it was moving "
        f"back towards the centre at {homeward:.1%} of them"
    )
    kinds[name] += (far.mean(), homeward)
ax.set(
    yscale="log",
    xlabel="cart position (m)",
    ylabel="share of the steps (log scale)",
    title=f"Where the cart was at every training step, seed {LONG_SEED}, {LONG_STEPS:,} steps",
)
ax.legend(fontsize="small", loc="upper right")
ax.grid(alpha=0.3)
plt.show()

assert kinds["reset_starts"][3] < 0.05 and kinds["double"][3] > 0.2, kinds

print(f"{'terminal transitions added in steps':<36}{'double':>22}{'reset_starts':>22}")
print(f"{'':<36}{'pole fell / cart left':>22}{'pole fell / cart left':>22}")
for start in range(0, LONG_STEPS, BLOCK):
    cells = []
    for name in long_runs:
        ended, cart_left = kinds[name][:2]
        in_block = (ended >= start) & (ended < start + BLOCK)
        cells.append(f"{np.sum(in_block & ~cart_left):>5} / {np.sum(in_block & cart_left):<5}")
    print(f"{f'{start + 1:,} to {start + BLOCK:,}':<36}{cells[0]:>22}{cells[1]:>22}")

_, reset_returns, reset_endings, reset_last = perturbed_episodes(
    lambda observation: reset_run.agent.act(observation, greedy=True), None, 20, EVAL_SEED
)
print(
    f"\nreset_starts, the 20 evaluation episodes: mean return {reset_returns.mean():.1f}; "
    + ", ".join(
        f"{np.sum(reset_endings == e)} {e}" for e in ("cart left", "pole fell", "time limit")
    )
)
fell = reset_endings == "pole fell"
if fell.any():
    print(
        "where the cart was when the pole fell: "
        + ", ".join(f"{x:+.2f} m" for x in sorted(reset_last[fell, POSITION]))
        + f"; at most {POSITION_LIMIT - np.abs(reset_last[fell, POSITION]).min():.2f} m from the edge"
    )
assert np.all(np.abs(reset_last[:, POSITION]) > 2.2), "the text says every episode ends at the edge"
for name, (ended, cart_left, _, _) in kinds.items():
    early, late = ended < 4_000, ended >= 6_000
    assert np.mean(cart_left[early]) < 0.05, f"{name}: the pole should end the early episodes"
    if name == "reset_starts":
        assert np.mean(cart_left[late]) > 0.3, f"{name}: the cart should end many late ones"

# %% [markdown]
# - **Both agents have been near the ends of the track**: in both buffers the cart's positions
#   spread over the whole track (note the log scale). Without exploring starts the cart is there
#   less often, and almost only on its way out: beyond 1 m it was hardly ever moving back towards
#   the centre (the printout), against a large share of the time with exploring starts. The agent
#   has hardly ever seen the cart come back from there, so it has had nothing to learn that from.
# - **The cart leaving the track ends episodes once the pole is mastered.** In the first 4,000
#   steps nearly every episode ends with a fall of the pole, in both runs. Later the cart leaving
#   the track is a large share of the terminations in both runs (counts of a few episodes, one
#   seed each: the printout). And
#   every one of the 20 evaluation episodes at the end finishes at the edge of the track: the cart
#   leaves it, or the pole falls with the cart at most 0.16 m from it. The greedy policy keeps the
#   pole up and drives the cart to the edge, in 222.4 steps on average.
#
# Here is the agent trained without exploring starts, on the first evaluation start:

# %%
dqn_lib.animate_episode(
    reset_run.agent,
    seed=EVAL_SEED,
    title=f"reset_starts, seed {LONG_SEED}, {LONG_STEPS:,} steps",
)

# %% [markdown]
# ## 7. Ten seeds, and a third way: the reward
#
# One seed is an anecdote. The solve benchmark trains every preset on ten seeds for 20,000 steps
# (`benchmarks/solve.py --preset NAME --seeds 0-9 --budget 20000 --workers 2`) and, at the end,
# plays 100 episodes from new CartPole starts, 100 from the 1 m perturbed starts and 100 from
# the wide ones. Its records are committed as JSON, one a seed. Beside `double` and
# `reset_starts`, one more preset: `shaped`, the course's DQN (exploring starts included) on
# lesson 5's shaped reward, `-|pole angle| - 0.1 * |cart position|` a step and -5 on a fall
# (`angle_and_position_reward`). It is the other way to tell the agent about the track: not by
# showing it the ends, but by charging for the distance from the centre at every step.
#
# For each preset and measure, the interquartile mean over the ten seeds (IQM: the mean of the
# middle half, as in lesson 9) with its 95% stratified bootstrap confidence interval (rliable),
# and every seed as a dot:

# %%
PRESETS_COMPARED = ["reset_starts", "double", "shaped"]
records = {name: load_results(name) for name in PRESETS_COMPARED}  # benchmarks/results/
MEASURES = {
    "final_100": "CartPole's own starts",
    "perturbed_100": "perturbed, cart within 1 m",
    "wide_perturbed_100": "wide, cart within 1.8 m",
}


def iqm_interval(values):
    """IQM over seeds and its 95% stratified-bootstrap interval (rliable), seeded to repeat."""
    # rliable 1.2.0 draws its resamples from NumPy's global generator (np.random.choice in
    # StratifiedBootstrap.update_indices), whatever its random_state says: seed that generator
    # for this call, then put its state back.
    saved = np.random.get_state()  # noqa: NPY002 (rliable uses the global generator)
    np.random.seed(0)  # noqa: NPY002
    try:
        points, intervals = rly.get_interval_estimates(
            {"run": np.asarray(values, dtype=float).reshape(-1, 1)},  # (seeds, 1 task)
            lambda x: np.array([metrics.aggregate_iqm(x)]),
            reps=2_000,
        )
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    return float(points["run"][0]), intervals["run"][:, 0]


print(f"{'preset':<14}{'ever solved':>12}" + "".join(f"{label:>30}" for label in MEASURES.values()))
estimates = {}
for name, seed_records in records.items():
    assert [r["seed"] for r in seed_records] == list(range(10)) and all(
        r["budget"] == 20_000 for r in seed_records
    ), f"{name}.json should hold seeds 0-9 at 20,000 steps"
    solved = sum(r["solved_step"] is not None for r in seed_records)
    cells = []
    for measure in MEASURES:
        point, (low, high) = iqm_interval([r[measure] for r in seed_records])
        estimates[name, measure] = (point, low, high)
        cells.append(f"{point:.1f} [{low:.1f}, {high:.1f}]")
    print(f"{name:<14}{solved:>9}/10 " + "".join(f"{cell:>30}" for cell in cells))

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), sharey=True, layout="constrained")
for ax, (measure, label) in zip(axes, MEASURES.items(), strict=True):
    for i, name in enumerate(PRESETS_COMPARED):
        values = [r[measure] for r in records[name]]
        jitter = np.linspace(-0.15, 0.15, len(values))
        ax.scatter(i + jitter, values, s=14, color=f"C{i}", alpha=0.7)
        point, low, high = estimates[name, measure]
        ax.errorbar(
            i + 0.3,
            point,
            yerr=[[point - low], [high - point]],
            fmt="D",
            color="black",
            capsize=4,
            markersize=5,
        )
    ax.axhline(MAX_EPISODE_STEPS, color="black", linestyle="--", linewidth=0.8)
    ax.set(
        title=f"from {label}",
        xticks=range(len(PRESETS_COMPARED)),
        xticklabels=PRESETS_COMPARED,
        xlim=(-0.5, len(PRESETS_COMPARED) - 0.3),
        ylim=(0, 520),
    )
    ax.grid(alpha=0.3, axis="y")
axes[0].set_ylabel("mean return over 100 episodes, one dot a seed")
axes[-1].legend(
    handles=[
        plt.Line2D([], [], marker="o", linestyle="", color="grey", label="one seed"),
        plt.Line2D([], [], marker="D", linestyle="", color="black", label="IQM, 95% CI"),
        plt.Line2D([], [], linestyle="--", color="black", label="500, the time limit"),
    ],
    loc="lower right",
    fontsize="small",
)
fig.suptitle("Ten seeds a preset, 20,000 steps each (benchmarks/results/*.json)")
plt.show()

# %%
print(f"seed {SEED}: mean return over 100 perturbed starts (1 m) / over 100 wide ones (1.8 m)")
for name in PRESETS_COMPARED:
    record = records[name][SEED]
    print(
        f"  {name + ', 20,000 steps':<56}"
        f"{record['perturbed_100']:>6.1f} / {record['wide_perturbed_100']:.1f}"
    )
print(
    f"  {'the checkpoint: every episode explores, 30,000 steps':<56}{dqn_near:>6.1f} / {dqn_wide:.1f}"
)

once_solved = [r for r in records["reset_starts"] if r["solved_step"] is not None]
assert [r["solved_step"] for r in once_solved] == [2_000] and once_solved[0]["final_eval"] < SOLVED
assert max(r["final_100"] for r in records["reset_starts"]) < 300
assert all(r["solved_step"] is not None for r in records["double"])
for measure in MEASURES:  # the intervals of reset_starts and double are apart on every measure
    assert estimates["reset_starts", measure][2] < estimates["double", measure][1], measure
double_wide = [r["wide_perturbed_100"] for r in records["double"]]
assert 300 < min(double_wide) < 350 and max(double_wide) >= 499, double_wide
assert min(r["wide_perturbed_100_full"] for r in records["double"]) < 0.4
assert dqn_near > records["double"][SEED]["perturbed_100"]
assert dqn_wide > records["double"][SEED]["wide_perturbed_100"]
for measure in ("perturbed_100", "wide_perturbed_100"):  # shaped: below double, apart
    assert estimates["shaped", measure][2] < estimates["double", measure][1], measure
shaped_solved_at = [r["solved_step"] for r in records["shaped"]]
assert all(r["final_100"] == MAX_EPISODE_STEPS for r in records["shaped"])
assert sum(step == 2_000 for step in shaped_solved_at) >= 5 and None not in shaped_solved_at

# %% [markdown]
# What the ten seeds say:
#
# - **On the +1 reward, exploring starts make the difference.** Without them (`reset_starts`),
#   one seed of ten reached a greedy evaluation of 475 once, at 2,000 steps, and lost it; every
#   seed ends below 300 from CartPole's own starts, and about 100 (the IQM) from perturbed ones.
#   With them (`double`), every seed solves, and the two presets' intervals are far apart on every
#   measure.
# - **From wide starts, even the course's DQN is uneven across seeds**: its dots spread from the
#   low 300s to 500, and the worst seeds reach 500 from only about a third of the wide starts
#   (`wide_perturbed_100_full` in the records).
# - **The checkpoint** is the same seed 0 trained with every episode from exploring starts and for
#   30,000 steps, and it does better than the `double` preset's seed 0 from both boxes. Its
#   scores in section 4 flatter it a little: `tools/make_checkpoint.py` picked it by its scores
#   from those very starts. That is
#   one seed and two changes at once; `tools/make_checkpoint.py` records how each did on this
#   seed, measured every 2,000 steps: the preset's own run got no better from the wide starts
#   after 20,000 steps, and worse later; the all-exploring run got better only later. A hint
#   worth a ten-seed benchmark, not a result.
# - **The shaped reward solves sooner, and worse.** From CartPole's own starts every `shaped`
#   seed solves, most of them at the first evaluation (2,000 steps), and every one ends at 500.
#   From perturbed starts, though, it does *worse* than the +1 reward, and from the wide ones much
#   worse: the intervals are apart. A reward that speaks about the track at every step did not
#   make an agent that copes better away from the centre.
#
# What does a shaped agent do from the wide starts? The third run of section 6 (`shaped`, seed 0,
# 10,000 steps), from the same 100 wide starts as the checkpoint in section 4:

# %%
shaped_starts, shaped_returns, shaped_endings, shaped_last = perturbed_episodes(
    lambda observation: shaped_run.agent.act(observation, greedy=True),
    WIDE_PERTURBED_STARTS,
    100,
    WIDE_SEED,
)
shaped_failed = shaped_returns < MAX_EPISODE_STEPS
print(
    f"shaped, seed {LONG_SEED}, {LONG_STEPS:,} steps, 100 wide starts: mean return "
    f"{shaped_returns.mean():.1f}; "
    + ", ".join(
        f"{np.sum(shaped_endings == e)} {e}" for e in ("time limit", "pole fell", "cart left")
    )
)
print(
    f"  the failures: {shaped_returns[shaped_failed].mean():.0f} steps on average, from starts "
    f"{np.abs(shaped_starts[shaped_failed, POSITION]).mean():.2f} m from the centre on average"
)
print(
    f"  the others: from starts {np.abs(shaped_starts[~shaped_failed, POSITION]).mean():.2f} m "
    f"from the centre on average, ending {np.abs(shaped_last[~shaped_failed, POSITION]).max():.2f}"
    " m from it at most"
)
with torch.no_grad():
    shaped_values = shaped_run.agent.q_network(torch.as_tensor(shaped_starts, dtype=torch.float32))
shaped_values = shaped_values.max(dim=1).values.numpy()  # (100,): max_a Q at each start
print(
    f"  its max_a Q at the start: {shaped_values[shaped_failed].mean():.2f} on average where it "
    f"failed, {shaped_values[~shaped_failed].mean():.2f} where it reached 500"
)
break_even = -FALL_PENALTY * (1 - config.gamma) / POSITION_PENALTY  # 0.1 x / (1 - gamma) == 5
print(
    f"with gamma {config.gamma}: a cart held x m from the centre forever costs "
    f"{POSITION_PENALTY} x / (1 - gamma) = {POSITION_PENALTY / (1 - config.gamma):.0f} x; a fall "
    f"({FALL_PENALTY:+.0f}) costs {-FALL_PENALTY:.0f}; they are equal at x = {break_even:.2f} m"
)
assert np.all(shaped_endings[shaped_failed] == "pole fell"), "the text says the pole falls"
assert shaped_returns[shaped_failed].mean() < 30, "the text says the failures come early"
assert np.abs(shaped_starts[shaped_failed, POSITION]).min() > break_even
assert np.abs(shaped_last[~shaped_failed, POSITION]).max() < 0.25
assert (
    -7 < shaped_values[shaped_failed].mean() < FALL_PENALTY < shaped_values[~shaped_failed].mean()
)

# %% [markdown]
# Every failure of the shaped agent is the pole falling, a few steps after the start, and every
# one starts more than 0.5 m from the centre; from the starts it keeps, it brings the cart back to
# within 0.25 m of the centre. Where it fails, its own Q-values at the start average about -6: the
# fall's -5 and the few costly steps before it. The agent expects the fall. Why would it choose
# it? The shaped reward charges 0.1 a step per metre from the centre, and is never positive. A
# cart held `x` metres out *forever* would cost `10 * x` with gamma 0.99, against 5 for a fall:
# equal at 0.5 m (lesson 5's break-even arithmetic, here for the cart). That comparison is only
# an upper bound on the stakes: an agent that can bring the cart back pays only for the steps on
# the way, so near 0.5 m it never faces that choice. But from far out the way back is long, every
# step of it is charged, and a fall stops the charges at once; with a reward that is never
# positive and a penalty that ends the episode, ending it early is the cheap way out, and this
# agent learned to take it where it could not see the way back. The +1 reward never says that:
# on it, every step is worth having, wherever the cart is.
#
# Lowering gamma would move that break-even point, but it changes what the agent is asked to
# optimise, and this course has not tried it. Shaping can be made safe instead:
# potential-based shaping adds `gamma * phi(s') - phi(s)` to the task's own reward (here
# CartPole's +1), for any function `phi` of the state with `phi` = 0 once the episode has ended,
# and then leaves the best policy unchanged
# ([Ng, Harada and Russell](https://people.eecs.berkeley.edu/~pabbeel/cs287-fa09/readings/NgHaradaRussell-shaping-ICML1999.pdf),
# ICML (1999)). Added to the never-positive reward above instead, it would keep ending early as
# cheap as it is now.
#
# That is the lesson of reward design: an agent optimises the reward you wrote, not the task you
# meant. The shaped reward was meant to say "keep the cart near the centre"; it also says "if the
# cart is far out, stop". Exploring starts tell the agent about the track the other way, by
# showing it the ends, and leave the task as CartPole defines it: stay up as long as you can.

# %% [markdown]
# ## Exercises
#
# The checks run your function against the library's version on fixed cases and tell you what
# differs.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-10-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 10.2: a Q-value grid (core, about 15 minutes)
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


# %% nbgrader={"grade": false, "grade_id": "ex-10-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
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


# %% nbgrader={"grade": true, "grade_id": "ex-10-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check_q_value_grid(q_value_grid)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-10-3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 10.3: the share of terminal transitions (warm-up, about 5 minutes)
#
# Write `terminal_share(replay_buffer)`, the fourth diagnostic of section 6: the fraction (between
# 0 and 1) of the transitions stored in a `dqn_lib.ReplayBuffer` that are terminations. The buffer
# has preallocated arrays `terminated` and `truncated` (one entry per slot) and `size`, the
# number of slots that hold a transition.
#
# Hint: a buffer that is not full has empty slots, and a time-out is not a termination. The check
# tries five small buffers: not full, full after overwriting its oldest transitions, with
# truncated transitions, and with none terminated; then two buffers of random (seeded)
# transitions, one of them overwritten. Every reward in them is CartPole's own +1.


# %% nbgrader={"grade": false, "grade_id": "ex-10-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def terminal_share(replay_buffer):
    """The fraction of the stored transitions that are terminations, a float in [0, 1]."""
    ### BEGIN SOLUTION
    stored = replay_buffer.terminated[: replay_buffer.size]  # only the filled slots
    return float(stored.mean())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-10-3-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_terminal_share(terminal_share)

# %% [markdown]
# ## Summary
#
# - **Q-value maps.** Over a slice of the state space (the cart held still, the pole's angle and
#   angular velocity varied), the network values states along a diagonal ridge, and its greedy
#   action switches along a line: push towards where the pole is falling, judged by its angle and
#   a little of its angular velocity. A bang-bang rule with a switching line, learned from
#   rewards, of the same form as a linear policy. The values themselves are too high, nearly 40%
#   above what the policy obtains; the order of the two Q-values, all the greedy policy uses, is
#   right where the agent lives.
# - **An episode, step by step.** `inspect_episode` keeps the Q-values of each step and
#   `EpisodeScrubber` lets you move through them. Started from 10 degrees, the agent rescues the
#   pole at once, with a clear preference for one action; then the two Q-values stay together.
# - **Perturbed starts.** From starts the evaluation never uses, the checkpoint reaches 500 from
#   99 of 100 within 1 m of the centre and 92 of 100 within 1.8 m; a linear policy of four numbers
#   reaches 500 from all of them. The linear policy brings the cart home; the DQN keeps the pole
#   up, lets the cart settle right of centre, and loses it from some starts near the right end.
# - **What the agent was trained on.** CartPole's own starts put the cart within 0.05 m of the
#   centre. Trained from them only, the DQN reaches the track's ends only by drifting there, is
#   almost never seen coming back from them, and loses the cart (seed 0); no seed of ten ends
#   solved. With
#   exploring starts, half of the episodes from anywhere on the track, every seed solves. The usual
#   diagnostics (mean max-Q, TD loss, terminal transitions) looked alike for both: the replay
#   buffer showed the difference.
# - **The reward.** The shaped reward, -|angle| - 0.1|x| and -5 on a fall, solves sooner from
#   CartPole's own starts and worse from perturbed ones: far from the centre, a fall costs less
#   than staying, and the agent drops the pole. A reward says more than you meant it to.
#
# Next, lesson 11 (`11_playground`): widgets to change the settings, the reward and the starts,
# train, and compare runs yourself.
