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
# # Lesson 2: a table of Q-values
#
# Before any network, the idea DQN is built on, in its plainest form: a table with one number
# for every state and action, the value Q(s, a), learned from experience by Q-learning. On
# CartPole the table only works once we cut the four continuous numbers into a few bins, and
# how well it works depends on how we cut them. The next lesson's network does away with the
# cutting.

# %%
import matplotlib.pyplot as plt
import numpy as np

import dqn_lib
from dqn_lib import ANGLE_LIMIT_RADIANS, MAX_EPISODE_STEPS

SEED = 0
EVAL_SEED = 10_000  # evaluation starts, kept apart from training (as in every lesson)

# %% [markdown]
# ## Q(s, a), and the equation it satisfies
#
# Q(s, a) answers: *if I am in state s, take action a now, and act as well as possible from then
# on, how much reward will I collect?* CartPole pays +1 for every step the pole stays up
# ([Gymnasium's CartPole page](https://gymnasium.farama.org/environments/classic_control/cart_pole/)),
# so Q(s, a) is a discounted count of the steps to come. A reward k steps away is discounted by
# `gamma ** k` (here `gamma = 0.99`): n steps to come are worth `(1 - gamma ** n) / (1 - gamma)`,
# close to n while n is small, and never more than `1 / (1 - gamma)`, 100.
#
# The best values satisfy the **Bellman optimality equation** ([Sutton & Barto, section
# 3.6](http://incompleteideas.net/book/the-book-2nd.html)):
#
# $$Q^*(s, a) = \mathbb{E}\left[\, r + \gamma \max_{a'} Q^*(s', a') \;\middle|\; s, a \,\right]$$
#
# what a step pays now, plus the discounted value of acting best from wherever it leads; when the
# step ends the episode (the pole falls or the cart leaves the track), there is no next state
# and the value is the reward
# alone. **Q-learning** turns the equation into an update: after each step `(s, a, r, s')`, move
# the table's entry a small step `alpha` towards the right-hand side, estimated from that one
# step (the *TD target*):
#
# $$Q(s, a) \leftarrow Q(s, a) + \alpha \left(r + \gamma \max_{a'} Q(s', a') - Q(s, a)\right)$$
#
# The target uses the *best* next action, whichever action the agent then really takes. So
# Q-learning learns the values of the greedy policy while it behaves otherwise (exploring at
# random now and then): it is **off-policy**. Lesson 7 builds on exactly this: transitions
# collected by an older, more random policy still teach the greedy values.

# %% [markdown]
# ## A table needs finitely many states: bins
#
# CartPole's observation is four real numbers, and a table cannot have a row for every real
# number. We cut the range of each variable into equal bins and use the bin numbers as the
# state. To keep the table small we start with the two numbers that matter most for the pole,
# its angle and its angular velocity (the hand-written policy of lesson 1 used only those), 8
# bins each: 64 states, 2 actions, 128 numbers. Values beyond a range fall into its outermost
# bin.

# %%
RANGES = {  # the span each variable is cut into bins over (beyond it: the outermost bin)
    "cart position": 2.4,  # m, where the cart leaves the track
    "cart velocity": 3.0,  # m/s
    "pole angle": ANGLE_LIMIT_RADIANS,  # rad, where the pole counts as fallen
    "pole angular velocity": 3.5,  # rad/s
}
COARSE_BINS = (1, 1, 8, 8)  # one bin (ignored) for the cart's two numbers, 8 for the pole's


def state_of(observation, bins):
    """The table's state for an observation: one bin number per variable."""
    state = []
    for value, span, n in zip(observation, RANGES.values(), bins, strict=True):
        fraction = (value + span) / (2 * span)  # 0 at -span, 1 at +span
        state.append(min(n - 1, max(0, int(fraction * n))))
    return tuple(state)


upright = np.zeros(4)
print(f"upright and still -> state {state_of(upright, COARSE_BINS)}")
print(f"leaning 0.1 rad right -> state {state_of(np.array([0, 0, 0.1, 0]), COARSE_BINS)}")
print(f"table shape {COARSE_BINS + (2,)}: {np.prod(COARSE_BINS) * 2} numbers")

# %% [markdown]
# ## Q-learning, written out
#
# The loop of lesson 1, plus one line: after every step, the update above. The agent explores
# epsilon-greedily: with probability `epsilon` a random action, otherwise the one with the larger
# value in its row of the table. Epsilon starts at 1 (all random: the table knows nothing yet)
# and falls to 0.05 over the first half of the episodes. The step size `alpha` is 0.1: each
# update moves an entry a tenth of the way to its target, so one lucky or unlucky step does not
# decide it.


# %%
def q_learning(bins, episodes, seed, alpha=0.1, gamma=0.99, epsilon_end=0.05):
    """Train a Q-table on CartPole; return it and each training episode's length."""
    rng = np.random.default_rng(seed)  # the agent's own coin
    q_table = np.zeros(tuple(bins) + (2,))  # (bins..., actions): everything unknown, 0
    env = dqn_lib.make_env(seed)
    lengths = []
    for episode in range(episodes):
        epsilon = max(epsilon_end, 1.0 - (1.0 - epsilon_end) * episode / (episodes / 2))
        observation, _ = env.reset(seed=seed) if episode == 0 else env.reset()
        state, steps = state_of(observation, bins), 0
        while True:
            if rng.random() < epsilon:
                action = int(rng.integers(2))
            else:
                action = int(np.argmax(q_table[state]))
            observation, reward, terminated, truncated, _ = env.step(action)
            next_state = state_of(observation, bins)
            target = reward if terminated else reward + gamma * q_table[next_state].max()
            q_table[state + (action,)] += alpha * (target - q_table[state + (action,)])
            state, steps = next_state, steps + 1
            if terminated or truncated:  # a time limit ends the episode, not the future
                break
        lengths.append(steps)
    env.close()
    return q_table, lengths


def greedy_policy(q_table, bins):
    """Act with the larger value in the observation's row of the table."""
    return lambda observation: int(np.argmax(q_table[state_of(observation, bins)]))


# %% [markdown]
# We train three seeds for 800 episodes each (a few seconds a seed), then evaluate each greedy
# policy on 20 fixed starts, beside lesson 1's random policy on the same starts.

# %%
SEEDS, EPISODES = [0, 1, 2], 800
tables, lengths = {}, {}
for seed in SEEDS:
    tables[seed], lengths[seed] = q_learning(COARSE_BINS, EPISODES, seed)
coarse_returns = {
    seed: dqn_lib.evaluate(greedy_policy(tables[seed], COARSE_BINS), episodes=20, seed=EVAL_SEED)
    for seed in SEEDS
}
coin = np.random.default_rng(SEED)
random_returns = dqn_lib.evaluate(lambda o: int(coin.integers(2)), episodes=20, seed=EVAL_SEED)


def how_episodes_end(policy, episodes, seed):
    """Count how each greedy episode ended: the time limit, the pole falling, the cart leaving."""
    env, endings = dqn_lib.make_env(), {"time limit": 0, "pole fell": 0, "cart left": 0}
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        terminated = truncated = False
        while not (terminated or truncated):
            observation, _, terminated, truncated, _ = env.step(policy(observation))
        if truncated:
            endings["time limit"] += 1
        else:
            endings[
                "cart left" if abs(observation[0]) > RANGES["cart position"] else "pole fell"
            ] += 1
    env.close()
    return endings


print(f"random policy: mean return {random_returns.mean():.1f} over 20 episodes")
endings = {}
for seed in SEEDS:
    endings[seed] = how_episodes_end(greedy_policy(tables[seed], COARSE_BINS), 20, EVAL_SEED)
    print(
        f"seed {seed}: {sum(lengths[seed]):,} training steps; greedy mean return "
        f"{coarse_returns[seed].mean():.1f} over 20 episodes "
        f"({np.sum(coarse_returns[seed] == MAX_EPISODE_STEPS)} reached {MAX_EPISODE_STEPS}); "
        f"how they ended: {endings[seed]}"
    )
assert all(coarse_returns[s].mean() > 2 * random_returns.mean() for s in SEEDS), (
    "the text says every seed's greedy table balances more than twice as long as random"
)
assert all(endings[s]["cart left"] == 20 for s in SEEDS), (
    f"the text says every greedy episode ends with the cart leaving the track: {endings}"
)

# %% [markdown]
# Every seed's table keeps the pole up far longer than the coin does, about nine to twelve times
# (the cell checks more than twice), from 128 numbers and a few seconds of play. Not one greedy
# episode reaches 500, though: every one ends with the cart leaving the track, the pole still up.
# The table cannot see the cart, so nothing in it stops the drift. And the training curves show how
# unsteady the learning is: tabular Q-learning on a cut-up CartPole climbs, then swings between
# good and bad stretches. One reason: a bin lumps together states that need different pushes (a
# cart far out and one at the centre share a cell), so the table's states are not a full
# description of the situation, and the guarantees Q-learning has on a true table do not hold.

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for seed in SEEDS:
    ax.plot(dqn_lib.moving_average(lengths[seed], 20), label=f"seed {seed}")
ax.axvline(EPISODES / 2, color="grey", linestyle=":", label="epsilon reaches 0.05")
ax.set(
    xlabel="training episode",
    ylabel="steps the pole stayed up\n(mean of the last 20 episodes)",
    title=f"Q-learning on an {COARSE_BINS[2]} x {COARSE_BINS[3]} table of the pole's angle and turn",
)
ax.legend(fontsize="small")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## What the table learned
#
# Each cell of the map is one state of the table: a bin of the pole's angle (across) and of its
# angular velocity (up), coloured by the push the table prefers there: red for right, blue for
# left, grey where the cell was never visited (its values are still the zeros they started
# with). The black line is lesson 1's hand-written policy, which pushes right above it (angle
# plus angular velocity positive) and left below it.

# %%
q_table = tables[SEEDS[0]][0, 0]  # (angle bins, angular velocity bins, actions)
visited = np.any(q_table != 0, axis=-1)  # (angle bins, angular velocity bins)
prefers_right = q_table[..., 1] > q_table[..., 0]
picture = np.where(visited, prefers_right.astype(float), np.nan)
angle_span, turn_span = RANGES["pole angle"], RANGES["pole angular velocity"]
fig, ax = plt.subplots(figsize=(6.5, 5))
ax.set_facecolor("lightgrey")
ax.imshow(
    picture.T,
    origin="lower",
    cmap=plt.matplotlib.colors.ListedColormap(["C0", "C3"]),
    vmin=0,
    vmax=1,
    extent=(-angle_span, angle_span, -turn_span, turn_span),
    aspect="auto",
)
line = np.linspace(-angle_span, angle_span, 2)
ax.plot(line, -line, color="black", linewidth=2, label="lesson 1: angle + angular velocity = 0")
ax.set(
    xlim=(-angle_span, angle_span),
    ylim=(-turn_span, turn_span),
    xlabel="pole angle (rad, right is positive)",
    ylabel="pole angular velocity (rad/s)",
    title=f"Seed {SEEDS[0]}'s table: red pushes right, blue left, grey never visited",
)
ax.legend(loc="upper left", fontsize="small")
plt.show()

centres = lambda span, n: -span + (np.arange(n) + 0.5) * 2 * span / n  # noqa: E731
angle_c, turn_c = np.meshgrid(
    centres(angle_span, COARSE_BINS[2]), centres(turn_span, COARSE_BINS[3]), indexing="ij"
)
lesson_1_right = angle_c + turn_c > 0  # lesson 1's policy at each cell's centre
agreement = {}
for seed in SEEDS:
    seed_table = tables[seed][0, 0]
    seed_visited = np.any(seed_table != 0, axis=-1)
    seed_right = seed_table[..., 1] > seed_table[..., 0]
    agreement[seed] = np.mean(seed_right[seed_visited] == lesson_1_right[seed_visited])
    print(
        f"seed {seed}: {seed_visited.sum()} of {seed_visited.size} states visited; in "
        f"{agreement[seed]:.0%} of them the table pushes the way lesson 1's policy does at the "
        "cell's centre"
    )
steps_worth = np.log(1 - q_table.max() * (1 - 0.99)) / np.log(0.99)  # n: (1 - 0.99**n) / 0.01
print(
    f"the largest value in the table: {q_table.max():.1f}, what {steps_worth:.0f} more steps are "
    f"worth; a pole kept up forever is worth 1 / (1 - gamma) = {1 / (1 - 0.99):.0f}"
)
assert all(0.5 < share < 0.75 for share in agreement.values()), (
    f"the text says more often than not, and far from always: {agreement}"
)

# %% [markdown]
# Found by trial and error, the table pushes the way lesson 1's hand-written policy does more
# often than not, and far from always: in 68%, 65% and 57% of the cells each seed visited (a coin
# would agree in about half). Where they agree, it pushes towards the side the pole leans or
# turns to, under it, which brings it back. (The black line looks flat because, in these units,
# the angle's range is small next to the angular velocity's.) Where it disagrees, the cells are
# next to the line, where either push is nearly as good, or in the extreme rows, which the pole
# rarely reaches and from which it is often lost whatever the push.
#
# Its largest value, 79.0, is what about 155 more steps are worth (the printout), the same order
# as this seed's greedy mean return. No value could pass 100 whatever was learned: the table
# starts at 0 and each update averages towards a target of at most 1 plus 0.99 times the largest
# value.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-02-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 2.1: predict, then run: a finer table (warm-up, about 5 minutes)
#
# The table above cannot see the cart, and every one of its greedy episodes ended with the cart
# leaving the track. The next cell trains a table that sees all four
# numbers, with finer bins: 6 for each of the cart's numbers and 10 for each of the pole's, 3,600
# states, on the same seeds and for the same 800 episodes. Will its greedy policy be `"better"`,
# `"about the same"` (within a quarter of the coarse table's mean return) or `"worse"`? Return `(answer,
# why)` from `my_prediction()` before you run it, the reason as a sentence. The check says what
# happened; a wrong prediction does not fail it, a missing one does.
# (If you used Run All, the cells below have already run: write your prediction before you
# scroll down to what they printed.)


# %% nbgrader={"grade": false, "grade_id": "ex-02-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """Before the next cell: ("better" | "about the same" | "worse", why)."""
    ### BEGIN SOLUTION
    return "worse", "3,600 states need far more visits than 800 episodes can give each of them"
    ### END SOLUTION


# %% [markdown]
# ## How much of a finer table gets filled?
#
# A finer table can tell apart states the coarse one lumps together. But every cell starts at
# zero and learns only from its own visits: nothing learned in one cell carries over to its
# neighbour, however close. We count how many cells the same budget reaches.

# %%
FINE_BINS = (6, 6, 10, 10)
fine_returns, fine_visited = {}, {}
for seed in SEEDS:
    fine_table, _ = q_learning(FINE_BINS, EPISODES, seed)
    fine_visited[seed] = np.mean(np.any(fine_table != 0, axis=-1))
    fine_returns[seed] = dqn_lib.evaluate(
        greedy_policy(fine_table, FINE_BINS), episodes=20, seed=EVAL_SEED
    )
coarse_visited = {s: np.mean(np.any(tables[s] != 0, axis=-1)) for s in SEEDS}
print(f"{'':>8}{'coarse table (64 states)':>30}{'fine table (3,600 states)':>30}")
print(f"{'seed':>8}{'visited':>15}{'greedy return':>15}{'visited':>15}{'greedy return':>15}")
for seed in SEEDS:
    print(
        f"{seed:>8}{coarse_visited[seed]:>15.0%}{coarse_returns[seed].mean():>15.1f}"
        f"{fine_visited[seed]:>15.0%}{fine_returns[seed].mean():>15.1f}"
    )
coarse_mean = np.mean([coarse_returns[s].mean() for s in SEEDS])
fine_mean = np.mean([fine_returns[s].mean() for s in SEEDS])
print(f"{'mean':>8}{'':>15}{coarse_mean:>15.1f}{'':>15}{fine_mean:>15.1f}")
assert all(fine_visited[s] < 0.25 for s in SEEDS), "the text says the fine table stays mostly empty"
assert fine_mean < coarse_mean / 2, "the text says the fine table does far worse"

# %% nbgrader={"grade": true, "grade_id": "ex-02-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_finer_table_prediction

check_finer_table_prediction(
    my_prediction,
    [coarse_returns[s].mean() for s in SEEDS],
    [fine_returns[s].mean() for s in SEEDS],
)

# %% [markdown]
# With the same 800 episodes, the fine table leaves most of its cells untouched and its greedy
# policy does far worse (the cell checks both). To fill it, every reachable one of its cells would
# need many visits; and a finer cut still, or a problem with more numbers, multiplies the cells
# again. That is the wall: **a table does not generalise**. States that are almost the same
# should have almost the same values, and a table cannot say so.
#
# The answer of the next lesson: replace the table by a function of the observation itself, a
# small neural network that takes the four numbers and returns both Q-values. Nearby
# observations then tend to get nearby values, and every update moves many states' values at
# once, visited or not: for better, and (lesson 6 will show) sometimes for worse.

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers. (Exercise 2.1 is above, in the lesson.)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-02-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 2.2: SARSA, the on-policy twin of Q-learning (core, about 15 minutes)
#
# Q-learning's target uses the best next action. SARSA (named after the five things an update
# reads: s, a, r, s', a') uses the next action the agent *actually* takes, exploration and all,
# so it learns the values of the policy it follows: it is on-policy.
#
# Write `sarsa_update(q_table, state, action, reward, next_state, next_action, terminated,
# alpha, gamma) -> float`: move `q_table[state][action]` (in place) a step `alpha` towards
# `reward + gamma * q_table[next_state][next_action]`, or towards `reward` alone if `terminated`;
# return the TD error (the target minus the old value) as a Python float. `state` and
# `next_state` are tuples of bin numbers, as `state_of` returns; no other entry may change.
#
# Hints: `q_table[state][action]` reads one entry; `float(...)` turns a NumPy number into a
# Python float. The check tries cases where the next action is not the greedy one (so
# Q-learning's max is caught), one where the episode ended, and three seeded random ones; it
# names the usual mistakes.


# %% nbgrader={"grade": false, "grade_id": "ex-02-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sarsa_update(q_table, state, action, reward, next_state, next_action, terminated, alpha, gamma):
    """SARSA's update of q_table[state][action], in place; returns the TD error."""
    ### BEGIN SOLUTION
    future = 0.0 if terminated else gamma * q_table[next_state][next_action]
    td_error = reward + future - q_table[state][action]
    q_table[state][action] += alpha * td_error
    return float(td_error)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-02-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_sarsa_update

check_sarsa_update(sarsa_update)

# %% [markdown]
# ## Summary
#
# - Q(s, a) is the discounted reward still to come after taking `a` in `s` and acting best from
#   then on; the Bellman optimality equation relates each value to the next state's best value.
# - Q-learning moves a table entry towards `r + gamma * max_a' Q(s', a')` after every step. The
#   max makes it off-policy: it learns the greedy policy's values while it explores.
# - On CartPole, 8 x 8 bins of the pole's angle and turn give a table that beats a random policy
#   on every seed in seconds, and that pushes like lesson 1's policy more often than not.
# - A finer table over all four numbers, on the same budget, stays mostly empty and does worse: a
#   table learns each cell alone. The next lesson replaces it by a network, which generalises.
#
# Next, lesson 3 (`03_q_network`): the Q-function as a neural network.
