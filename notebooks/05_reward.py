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
# # Lesson 5: reward design
#
# You will write two reward functions for CartPole, the environment's own +1 a step and the
# original notebook's `-|pole angle|` with -5 on a fall, score the same episodes with both, and
# compare two ways of estimating what a state is worth: the Monte Carlo return and the TD target.
# The agent never sees the task, only the reward: what the reward says is what it will learn, so
# it pays to read a reward function as a message before training on it.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_lib
from dqn_lib import ANGLE_LIMIT_RADIANS, MAX_EPISODE_STEPS, POSITION_LIMIT, make_env

SEED = 0
GAMMA = 0.99  # the discount factor the original notebook trains with
# Small networks run fastest on one thread, and results then repeat exactly from run to run.
# (This lesson trains no network, but every lesson starts the same way.)
torch.set_num_threads(1)

# %% [markdown]
# ## Two reward functions
#
# The training loop (lesson 6) calls a reward function after every step with what the step
# returned: `reward_fn(next_observation, env_reward, terminated) -> float`. The first one passes
# CartPole's own reward through: +1 for every step, the last one included ([Gymnasium's CartPole
# page](https://gymnasium.farama.org/environments/classic_control/cart_pole/)).


# %%
def environment_reward(next_observation, env_reward, terminated):
    """CartPole's own reward: +1 a step, so an episode's return is its length."""
    return float(env_reward)


# %% [markdown]
# The original notebook wrote its own: the closer the pole is to upright, the higher the reward
# (`-|pole angle|`, in radians), and -5 when the episode terminates. Only `terminated` (the pole
# fell or the cart left the track) gets the penalty; we come back to why at the end.

# %%
FALL_PENALTY = -5.0  # the original notebook's reward for a fall


def pole_angle_reward(next_observation, env_reward, terminated):
    """The original notebook's reward: -|pole angle| (radians), and -5 on a fall."""
    if terminated:
        return FALL_PENALTY
    pole_angle = next_observation[2]  # cart position, cart velocity, pole angle, angular velocity
    return -abs(float(pole_angle))


# %% [markdown]
# ## Two episodes to score
#
# To compare the two functions, we score the *same* transitions with both. We record every step
# of an episode: what was observed next, the environment's reward, and how the episode ended.
# `make_env()` then `reset(seed=...)` is what `dqn_lib.record_episode` does, so a seed gives the
# same episode here and in an animation.


# %%
def record_transitions(policy, seed):
    """Play one episode of `policy` from `reset(seed=seed)`; one dict per step."""
    env = make_env()
    observation, _ = env.reset(seed=seed)
    transitions = []
    while True:
        action = int(policy(observation))
        next_observation, env_reward, terminated, truncated, _ = env.step(action)
        transitions.append(
            {
                "next_observation": next_observation,  # (4,)
                "env_reward": float(env_reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            }
        )
        if terminated or truncated:
            env.close()
            return transitions
        observation = next_observation


def ending_kind(transitions):
    """How an episode ended: truncated by the time limit, or terminated, and why."""
    last = transitions[-1]
    if last["truncated"]:
        return "truncated (time limit)"
    x = last["next_observation"][0]
    return (
        "terminated (cart left the track)" if abs(x) > POSITION_LIMIT else "terminated (pole fell)"
    )


def ending(transitions):
    """How an episode ended and after how many steps, in words."""
    return f"{ending_kind(transitions)} after {len(transitions)} steps"


# %% [markdown]
# A random policy drops the pole within a few dozen steps: that is our episode that ends in a
# fall. Its coin flips come from a generator of its own, seeded, so the episode repeats.

# %%
rng = np.random.default_rng(SEED)


def random_policy(observation):
    return int(rng.integers(2))  # 0 pushes left, 1 pushes right


fallen = record_transitions(random_policy, seed=SEED)
print(f"random policy, seed {SEED}: {ending(fallen)}")

# %% [markdown]
# For an episode that lasts, we use lesson 1's hand-written `lean_policy`: push towards the side
# the pole is falling to, judged by its angle plus its angular velocity. We try a few seeds and keep
# the first that reaches the 500-step time limit.


# %%
def lean_policy(observation):
    """Push toward the side the pole is falling; ignore the cart entirely."""
    cart_position, cart_velocity, pole_angle, pole_angular_velocity = observation
    return int(pole_angle + pole_angular_velocity > 0)


hand_written = {seed: record_transitions(lean_policy, seed) for seed in range(SEED, SEED + 5)}
for seed, transitions in hand_written.items():
    print(f"hand-written policy, seed {seed}: {ending(transitions)}")

timed_out_seed = next(s for s, t in hand_written.items() if t[-1]["truncated"])
timed_out = hand_written[timed_out_seed]
print(f"\nWe keep seed {timed_out_seed} as the episode that runs out of time.")

# %% [markdown]
# Some seeds end early even though this policy balances the pole well: keep that in mind, we come
# back to it below. The two episodes we compare:

# %%
trajectories = {
    f"random policy, seed {SEED}": fallen,
    f"hand-written policy, seed {timed_out_seed}": timed_out,
}

# %% [markdown]
# Our inline functions are the ones `dqn_lib` keeps for later lessons. Check that they agree
# on every step of both episodes, and that the rewards are what we said they are.

# %%
reward_functions = {
    "environment reward (+1 a step)": (environment_reward, dqn_lib.environment_reward),
    "pole angle reward (-|angle|, -5 on a fall)": (pole_angle_reward, dqn_lib.pole_angle_reward),
}
for trajectory_name, transitions in trajectories.items():
    for function_name, (inline, library) in reward_functions.items():
        for t, step in enumerate(transitions):
            args = (step["next_observation"], step["env_reward"], step["terminated"])
            assert inline(*args) == library(*args), (
                f"{function_name}, {trajectory_name}, step {t + 1}: inline gives {inline(*args)}, "
                f"dqn_lib gives {library(*args)}"
            )
assert FALL_PENALTY == dqn_lib.FALL_PENALTY, (
    f"FALL_PENALTY: {FALL_PENALTY} != {dqn_lib.FALL_PENALTY}"
)

# The environment pays +1 on every step, the one that ends the episode included.
for trajectory_name, transitions in trajectories.items():
    rewards = [
        environment_reward(s["next_observation"], s["env_reward"], s["terminated"])
        for s in transitions
    ]
    assert all(r == 1.0 for r in rewards), f"{trajectory_name}: a step's env reward is not 1"

# The fallen episode: -5 on its last step, -|angle| within the 12-degree limit on every other.
assert fallen[-1]["terminated"], "the random policy's episode should end in a termination"
angle_rewards = [
    pole_angle_reward(s["next_observation"], s["env_reward"], s["terminated"]) for s in fallen
]
assert angle_rewards[-1] == FALL_PENALTY, f"last angle reward is {angle_rewards[-1]}, not -5"
assert all(-ANGLE_LIMIT_RADIANS <= r <= 0 for r in angle_rewards[:-1]), (
    f"a step's angle reward is below -{ANGLE_LIMIT_RADIANS:.4f}: {min(angle_rewards[:-1])}"
)
print(
    "inline and dqn_lib reward functions agree on all "
    f"{sum(len(t) for t in trajectories.values())} steps of both episodes"
)

# %% [markdown]
# ## The reward along each episode
#
# One figure, four panels: each row is a reward function, each column an episode. The red line
# marks the step the episode ended on, and how.


# %%
def rewards_of(reward_fn, transitions):
    return np.array(
        [reward_fn(s["next_observation"], s["env_reward"], s["terminated"]) for s in transitions]
    )


def mark_ending(ax, transitions):
    label = ending_kind(transitions)
    ax.axvline(len(transitions), color="red", linestyle="--", linewidth=1, label=label)


fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex="col")
for column, (trajectory_name, transitions) in enumerate(trajectories.items()):
    steps = np.arange(1, len(transitions) + 1)
    for row, (function_name, (reward_fn, _)) in enumerate(reward_functions.items()):
        ax = axes[row, column]
        ax.plot(steps, rewards_of(reward_fn, transitions), marker=".", markersize=3, linewidth=1)
        mark_ending(ax, transitions)
        ax.set_title(f"{function_name}\n{trajectory_name}", fontsize=10)
        ax.set_ylabel("reward of the step")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
    axes[1, column].set_xlabel("step of the episode")
axes[0, 0].set_ylim(0, 1.5)
axes[0, 1].set_ylim(0, 1.5)
fig.suptitle("Reward per step: the same two episodes scored by two reward functions")
fig.tight_layout()
plt.show()

# %% [markdown]
# The +1 reward is the same on every step: only the end of the episode tells one step from
# another. The angle reward changes every step (it is *denser*), and the fall stands out at -5.
# A more informative reward is not needed, though: the course's DQN learns CartPole on the +1
# reward on every seed of the benchmark (lesson 9). Lesson 10 measures what a shaped reward
# changes: it solves sooner from CartPole's own starts and copes worse far from the centre. Note the angle reward's scale: a step's angle reward is never below -0.21 (the
# 12-degree limit in radians), so one fall weighs as much as this many steps at the very edge:

# %%
print(
    f"one fall = {FALL_PENALTY / -ANGLE_LIMIT_RADIANS:.1f} steps at the 12-degree limit "
    f"({-ANGLE_LIMIT_RADIANS:.4f} each)"
)

# %% [markdown]
# In the right column, the time limit changes neither reward: the episode just stops.
#
# ## What the +1 reward says: survive
#
# The agent maximises the *discounted* return, each reward weighted by `gamma` to the power of
# how far ahead it is. With +1 a step, that turns the number of steps left into a value:
# surviving `k` more steps is worth `1 + gamma + ... + gamma**(k-1) = (1 - gamma**k) / (1 - gamma)`,
# and surviving forever `1 / (1 - gamma)`.

# %%
print(f"gamma = {GAMMA}")
for k in (1, 10, 50, 100, 200, MAX_EPISODE_STEPS):
    print(f"  surviving k = {k:>3} more steps is worth {(1 - GAMMA**k) / (1 - GAMMA):6.2f}")
print(f"  surviving forever is worth              {1 / (1 - GAMMA):6.2f}")

# %% [markdown]
# So the values the agent should learn run from 1 (about to fall) to 100 (safe), and the gap
# between "fall in 10 steps" and "fall in 100" is large: the +1 reward ranks states by how soon
# the episode ends, and nothing else. The return-to-go of a step is the sum it goes on to
# collect; computed backwards, each step adds its reward to the discounted sum after it.


# %%
def discounted_return_to_go(rewards, gamma):
    """returns[t] = rewards[t] + gamma * rewards[t + 1] + gamma**2 * rewards[t + 2] + ..."""
    returns = np.zeros(len(rewards))
    after = 0.0  # nothing is collected after the last step of the episode
    for t in reversed(range(len(rewards))):
        after = rewards[t] + gamma * after
        returns[t] = after
    return returns


# %% [markdown]
# Check: with +1 a step, the return-to-go with `k` steps left must be
# `(1 - gamma**k) / (1 - gamma)`.

# %%
for trajectory_name, transitions in trajectories.items():
    returns = discounted_return_to_go(rewards_of(environment_reward, transitions), GAMMA)
    steps_left = np.arange(len(transitions), 0, -1)  # k = episode length - t
    expected = (1 - GAMMA**steps_left) / (1 - GAMMA)
    worst = np.abs(returns - expected).max()
    assert np.allclose(returns, expected), f"{trajectory_name}: off the formula by up to {worst}"
    print(
        f"{trajectory_name}: first step's return-to-go {returns[0]:.2f}, "
        f"last step's {returns[-1]:.2f}"
    )

# %% [markdown]
# The same two episodes, now as return-to-go under each reward function.

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex="col")
for column, (trajectory_name, transitions) in enumerate(trajectories.items()):
    steps = np.arange(1, len(transitions) + 1)
    for row, (function_name, (reward_fn, _)) in enumerate(reward_functions.items()):
        ax = axes[row, column]
        returns = discounted_return_to_go(rewards_of(reward_fn, transitions), GAMMA)
        ax.plot(steps, returns, linewidth=1.5, label="return-to-go")
        mark_ending(ax, transitions)
        ax.set_title(f"{function_name}\n{trajectory_name}", fontsize=10)
        ax.set_ylabel(f"discounted return-to-go\n(gamma = {GAMMA})")
        ax.grid(alpha=0.3)
    axes[1, column].set_xlabel("step of the episode")
for ax in axes[0]:
    ax.axhline(1 / (1 - GAMMA), color="grey", linestyle=":", label="surviving forever (100)")
    ax.set_ylim(0, 110)
for ax in axes.flat:
    ax.legend(loc="best", fontsize=8)
fig.suptitle("Discounted return-to-go: what each reward says a step of these episodes is worth")
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the top right panel: the hand-written policy balanced all the way, yet its return-to-go
# slides from about 99 to 1, as if the last steps were as bad as the steps before a fall. The
# pole was fine; the sum stops only because the clock ran out. The agent does not see the
# clock, so for it those last states look like any others, worth about 100. That is why a
# truncated step must still bootstrap in the TD target (lesson 4): the target adds
# `gamma * max Q(next_observation)` for the value the episode did not get to collect. (The
# bottom right panel climbs to 0 at the end for the same reason: fewer steps left to be charged.)

# %% [markdown]
# ## Two estimates of a value: the Monte Carlo return and the TD target
#
# The return-to-go is what a state turned out to be worth in *one* episode. An agent that wants
# the value of a state, the return it can *expect* from there, has two ways to estimate it from
# experience ([Sutton & Barto, 2nd edition](http://incompleteideas.net/book/the-book-2nd.html),
# chapter 5 for Monte Carlo methods, chapter 6 for TD learning):
#
# - the **Monte Carlo return**: wait for the episode to end, and take the return-to-go itself;
# - the **TD target** of lesson 4: take one step's reward, and add the discounted *estimate* of
#   the value of the state it led to, `reward + gamma * V(next_observation)`, without waiting.
#
# To compare them we need many episodes from one state. We play the random policy from the same
# start, `reset(seed=SEED)`, a thousand times: CartPole's physics are deterministic, so all the
# variety comes from the coin flips. (Here both estimate the value of the start for the policy
# that plays, the random one, as a single number `V(s)` per state; lesson 4's Q-learning target
# asks about acting well instead, with a `max`, but the trade between the two is the same.)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-05-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 5.1: predict, then run: which estimate spreads more? (warm-up, about 5 minutes)
#
# The next cell plays the thousand episodes and computes, for each, the Monte Carlo return of the
# start and its TD target, `reward + gamma * V(next_observation)` with `V` measured from these
# same episodes. Both are right on average. From one episode to the next, which of the two
# spreads more: `"monte carlo"`, `"td"`, or `"about the same"` (standard deviations within a
# quarter of the larger)? Return `(answer, why)` from `my_prediction()` before you run it, the
# reason as a sentence. The check says what happened; a wrong prediction does not fail it, a
# missing one does. (If you used Run All, the cells below have already run: write your
# prediction before you scroll down to what they printed.)


# %% nbgrader={"grade": false, "grade_id": "ex-05-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """Before the next cell: ("monte carlo" | "td" | "about the same", why)."""
    ### BEGIN SOLUTION
    return "monte carlo", "a whole episode of coin flips varies far more than one step does"
    ### END SOLUTION


# %%
N_EPISODES = 1_000
coin_rng = np.random.default_rng(SEED + 1)  # coin flips of their own, apart from `rng` above


def coin_flip_policy(observation):
    return int(coin_rng.integers(2))


episodes = [record_transitions(coin_flip_policy, seed=SEED) for _ in range(N_EPISODES)]
returns_to_go = [  # one array per episode: the +1 reward's return-to-go at every step
    discounted_return_to_go(rewards_of(environment_reward, episode), GAMMA) for episode in episodes
]
mc_returns = np.array([returns[0] for returns in returns_to_go])  # (1000,) Monte Carlo, start

# The first push decides the next state: one for push left, one for push right.
env = make_env()
next_states = {}
for action in (0, 1):
    env.reset(seed=SEED)
    next_states[action] = env.step(action)[0]  # (4,)
env.close()
first_actions = np.array(
    [
        next(
            a for a, state in next_states.items() if np.array_equal(state, e[0]["next_observation"])
        )
        for e in episodes
    ]
)  # (1000,)
returns_from_next = np.array([returns[1] for returns in returns_to_go])  # (1000,) from step 2 on
# Two estimates V(next state): 0 everywhere, where a fresh estimate starts (lesson 3's untrained
# networks said about 0), and the mean return from that next state over these episodes.
value_measured = {
    action: returns_from_next[first_actions == action].mean() for action in next_states
}
first_reward = np.array([e[0]["env_reward"] for e in episodes])  # (1000,) all +1
td_zero = first_reward + GAMMA * 0.0  # (1000,)
td_measured = first_reward + GAMMA * np.array([value_measured[a] for a in first_actions])

print(f"{N_EPISODES:,} episodes of the random policy from the start of seed {SEED}\n")
print(
    f"{'episode':>7} {'first push':>10} {'length':>6} {'MC return':>10} {'TD, V = 0':>10} {'TD, V measured':>15}"
)
for i in range(8):
    push = "left" if first_actions[i] == 0 else "right"
    print(
        f"{i:>7} {push:>10} {len(episodes[i]):>6} {mc_returns[i]:>10.2f} {td_zero[i]:>10.2f} "
        f"{td_measured[i]:>15.2f}"
    )
for label, statistic in (("mean", np.mean), ("std", np.std)):
    print(
        f"{label + ' of all':>25} {statistic(mc_returns):>10.2f} {statistic(td_zero):>10.2f} "
        f"{statistic(td_measured):>15.2f}"
    )
standard_error = mc_returns.std() / np.sqrt(N_EPISODES)
print(
    f"\nthe value of the start for the random policy: {mc_returns.mean():.2f} "
    f"(the mean Monte Carlo return, give or take {standard_error:.2f})"
)

# %% [markdown]
# Check: the two kinds of target are what the table says they are.

# %%
assert np.allclose(mc_returns, (1 - GAMMA ** np.array([len(e) for e in episodes])) / (1 - GAMMA))
assert np.all(td_zero == 1.0), "with V = 0 every TD target should be the first reward, +1"
assert td_measured.std() < mc_returns.std() / 3, "the TD targets should spread much less"
assert abs(td_measured.mean() - mc_returns.mean()) < 1e-9, "same mean, by construction"
assert mc_returns.mean() - td_zero.mean() > 5 * standard_error, "V = 0 should be far off"
print("checked: the Monte Carlo returns spread widely; V = 0 makes every TD target +1")

# %% nbgrader={"grade": true, "grade_id": "ex-05-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_spread_prediction

check_spread_prediction(my_prediction, mc_returns, td_measured)

# %%
fig, ax = plt.subplots(figsize=(9, 4))
values, counts = np.unique(mc_returns, return_counts=True)  # one value per episode length
ax.vlines(
    values,
    0,
    counts,
    color="C0",
    linewidth=3,
    label="Monte Carlo returns, a bar per episode length",
)
for action, name in ((0, "left"), (1, "right")):
    ax.axvline(
        1 + GAMMA * value_measured[action],
        color="C2",
        linestyle="-" if action == 0 else "--",
        label=f"TD target after a push {name}, V measured",
    )
ax.axvline(1.0, color="C3", linewidth=2, label="TD target with V = 0 (every episode)")
ax.axvline(mc_returns.mean(), color="black", linestyle=":", label="mean Monte Carlo return")
ax.set(
    title=f"Estimates of the start's value, random policy, {N_EPISODES:,} episodes from seed {SEED}",
    xlabel=f"estimated value of the start (discounted, gamma = {GAMMA})",
    ylabel="episodes",
)
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the table by columns. Each Monte Carlo return is a fair sample of the start's value, and
# their mean, 19.22, is the best estimate we have; but one episode's return is spread widely
# (a standard deviation of 8.92), because it depends on every coin flip of the episode. The TD
# target depends on one coin flip, the first push, and then on the estimate `V`. With `V`
# measured from these same episodes it takes only two values, one after each push, and spreads
# far less (1.63); its mean is the Monte Carlo mean by construction, since that `V` came from
# these returns. With `V = 0`, where a fresh estimate starts, it is +1 in every episode: no
# spread at all, and wrong by nearly the whole value.
#
# That is the trade (Sutton & Barto, chapter 6): the Monte Carlo return has no bias but much
# variance; the TD target has little variance but inherits the bias of the estimate it
# bootstraps from, a bias that shrinks as learning improves the estimate. DQN's targets are TD
# targets: they start as wrong as the `V = 0` column and climb as the network learns (lesson 8
# watches them climb).

# %% [markdown]
# ## What the angle reward says: keep the pole upright
#
# The angle reward grades every step, which gives the agent a direction long before a fall.
# But it is never positive: every step alive costs something, and the only way to stop paying
# is to end the episode, at a one-off cost of 5. Put two futures side by side: holding a lean of
# `a` radians forever costs `a / (1 - gamma)` in discounted reward, falling now costs 5. They
# cost the same at a lean of `5 * (1 - gamma)`:

# %%
break_even_lean = -FALL_PENALTY * (1 - GAMMA)  # a / (1 - gamma) == -FALL_PENALTY
print(
    f"a lean held forever costs as much as a fall at {break_even_lean:.3f} rad "
    f"({np.degrees(break_even_lean):.1f} degrees)"
)
for trajectory_name, transitions in trajectories.items():
    leans = np.abs([s["next_observation"][2] for s in transitions if not s["terminated"]])
    print(
        f"{trajectory_name}: average lean {leans.mean():.3f} rad, "
        f"largest {leans.max():.3f} rad, over {len(leans)} steps"
    )

# %% [markdown]
# Read that comparison for what it is: it holds only for a lean that lasts forever. An agent
# that can bring the pole back upright never faces the choice: a few steps at a lean cost a
# few hundredths each, and then next to nothing. The random policy's average lean is above the
# line, but it is not a lean it holds: it swings up to 0.190 rad before the pole falls, which
# happens anyway. The hand-written policy's is far below it.

# %% [markdown]
# The trouble is the shape of the reward, not the number: a reward that is never positive,
# plus a penalty that ends the episode. Under such a reward, ending the episode is a way to stop
# paying, and whether it is the cheaper way depends on how bad the states ahead look to the
# agent's estimates. Early in training, before it has learned to straighten the pole, they can
# say that ending it is cheaper, and the agent learns from that. With +1 a step there is no such
# trade: every step alive adds to the return. Lowering `gamma` is no fix either: it makes the
# far future count less in *every* decision, a different objective.

# %% [markdown]
# A reward can grade every step without changing which policy is best. Ng, Harada & Russell
# showed how: add to the task's reward a *potential-based* term,
# `gamma * Phi(next_observation) - Phi(observation)` for any function `Phi` of the state (with
# `Phi` taken as 0 once the episode has terminated), and the best policy stays the best ([Ng,
# Harada & Russell
# (1999)](https://people.eecs.berkeley.edu/~pabbeel/cs287-fa09/readings/NgHaradaRussell-shaping-ICML1999.pdf)).
# With `Phi = -|pole angle|` that term pays, roughly, for straightening the pole and charges
# for leaning further. The original's `-|pole angle|` a step, with -5 on a fall, is not of that
# form.

# %% [markdown]
# ## The angle reward does not see the cart
#
# The angle reward looks only at the pole. Remember the hand-written seed that ended early? It
# is a policy that scores very well on the angle reward while the cart drifts off the track.

# %%
drifted_seed = next((s for s, t in hand_written.items() if t[-1]["terminated"]), None)
assert drifted_seed is not None, "expected one of the hand-written seeds to end early"
drifted = hand_written[drifted_seed]
cart_positions = np.array([s["next_observation"][0] for s in drifted])
drifted_rewards = rewards_of(pole_angle_reward, drifted)
print(f"hand-written policy, seed {drifted_seed}: {ending(drifted)}")
print(
    f"  angle reward per step before the end: mean {drifted_rewards[:-1].mean():.4f}, "
    f"worst {drifted_rewards[:-1].min():.4f} (the limit is {-ANGLE_LIMIT_RADIANS:.4f})"
)
print(
    f"  pole angle at the end: {drifted[-1]['next_observation'][2]:+.4f} rad, "
    f"cart position {cart_positions[-1]:+.2f} m"
)

# %%
steps = np.arange(1, len(drifted) + 1)
fig, (ax_position, ax_reward) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
ax_position.plot(steps, cart_positions, label="cart position")
for limit in (-POSITION_LIMIT, POSITION_LIMIT):
    ax_position.axhline(limit, color="grey", linestyle=":")
ax_position.text(2, POSITION_LIMIT - 0.35, f"track edges (±{POSITION_LIMIT} m)", color="grey")
ax_position.set_ylabel("cart position (m)")
ax_position.set_ylim(-2.8, 2.8)
ax_reward.plot(steps[:-1], drifted_rewards[:-1], linewidth=1, label="angle reward, -|angle| (rad)")
ax_reward.axhline(-ANGLE_LIMIT_RADIANS, color="grey", linestyle=":", label="worst before a fall")
ax_reward.set_ylabel("reward of the step")
ax_reward.set_xlabel("step of the episode")
ax_reward.set_ylim(-0.25, 0.02)
for ax in (ax_position, ax_reward):
    mark_ending(ax, drifted)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
ax_reward.annotate(
    f"-5 at step {len(drifted)}, off the scale",
    xy=(len(drifted), -0.25),
    xytext=(len(drifted) * 0.55, -0.15),
    arrowprops={"arrowstyle": "->"},
)
fig.suptitle(f"Hand-written policy, seed {drifted_seed}: pole upright, cart drifting off the track")
fig.tight_layout()
plt.show()

# %% [markdown]
# Every step's angle reward stays close to its best, 0, while the cart heads for the edge; the
# only warning is the -5 when it leaves. Neither reward says anything about the cart's position
# along the way, but the angle reward adds a pull towards one goal, an upright pole, that can
# be met while the cart drifts. (Lesson 1 animated this kind of episode: the pole stays up while
# the cart slides off the edge of the picture.) Exercise 5.2 adds a term for the cart,
# `dqn_lib.angle_and_position_reward`, and lesson 10 trains the course's DQN on it beside the +1
# reward.

# %% [markdown]
# ## A time-out is not a fall
#
# CartPole-v1 stops every episode after 500 steps, the balancing agent's best possible episode.
# The step returns `terminated=False, truncated=True`: the pole did not fall, time ran out. A
# reward that punishes a fall must look at `terminated` only.
#
# The trap is one word, `done`. Before gym 0.26, `step` returned four values and its `done` was
# true at the time limit as well as at a fall. The original notebook kept the name:
#
# ```python
# next_s, _, done, _, _ = env.step(a)
# r = reward_func(next_s) if not done else -5
# ```
#
# Written with a `done` that means "the episode is over", `terminated or truncated`, as old
# code and many ports do, that rule punishes an agent that balanced for all 500 steps exactly as
# if it had dropped the pole. Here is the rule, fed both ways, on the last step of our
# timed-out episode.


# %%
def original_reward(next_observation, done):
    """The original notebook's rule: -|pole angle|, or -5 when `done`."""
    return FALL_PENALTY if done else -abs(float(next_observation[2]))


last = timed_out[-1]
angle_rewards = rewards_of(pole_angle_reward, timed_out)
done_means_over = original_reward(last["next_observation"], last["terminated"] or last["truncated"])
done_as_unpacked = original_reward(last["next_observation"], last["terminated"])
ours = pole_angle_reward(last["next_observation"], last["env_reward"], last["terminated"])
print(
    f"last step of the timed-out episode: terminated={last['terminated']}, "
    f"truncated={last['truncated']}"
)
print(f"  original rule, done = terminated or truncated: {done_means_over:+.4f}")
print(f"  original rule, done = step's third value:      {done_as_unpacked:+.4f}")
print(f"  pole_angle_reward (terminated only):           {ours:+.4f}")

assert last["truncated"] and not last["terminated"], "the episode should end by time-out"
assert len(timed_out) == MAX_EPISODE_STEPS, f"a time-out after {len(timed_out)} steps, not 500"
assert FALL_PENALTY not in angle_rewards, "pole_angle_reward gave -5 on a truncated episode"
assert done_means_over == FALL_PENALTY, "a done that includes the time limit should give -5"
assert ours == done_as_unpacked == -abs(float(last["next_observation"][2])), (
    f"expected -|angle| at the time limit, got {ours} and {done_as_unpacked}"
)

# %% [markdown]
# With `done = terminated or truncated`, the last step of a perfect episode is worth -5, the
# same as a fall, so the agent is taught that the states it reaches by balancing well lead to
# disaster. Our `pole_angle_reward` gives the time-out step its ordinary `-|angle|`.
#
# To be fair to the original: its line unpacks five values, and the third of gymnasium's (and
# gym 0.26's) five is `terminated`, so as written its `done` was `terminated` and its reward did
# not punish the time-out (the middle line above). The name is what makes the bug one edit
# away. Where the original did mix the two endings was its TD target, which ignored `done`
# altogether and bootstrapped through every fall; lesson 4's `td_target` stops at
# `terminated` and bootstraps through `truncated`.

# %% [markdown]
# ## Choosing a reward function by name
#
# Later lessons, configs and widgets pick a reward function by name.
# `dqn_lib.get_reward_function` looks it up and refuses a name it does not know, saying which
# names it does.

# %%
assert dqn_lib.get_reward_function("pole_angle") is dqn_lib.pole_angle_reward, "wrong function"
assert dqn_lib.get_reward_function("environment") is dqn_lib.environment_reward, "wrong function"
try:
    dqn_lib.get_reward_function("pole angle")  # a space instead of an underscore
except ValueError as error:
    message = str(error)
    print(f"ValueError: {message}")
else:
    raise AssertionError("an unknown reward function name should raise ValueError")
assert all(name in message for name in dqn_lib.REWARD_FUNCTIONS), (
    f"the error should name the valid reward functions {sorted(dqn_lib.REWARD_FUNCTIONS)}"
)

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers. (Exercise 5.1 is above, in the lesson.)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-05-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 5.2: a reward that sees the cart (core, about 10 minutes)
#
# The angle reward stayed near its best while the hand-written policy drove the cart off the
# track; a reward has to say, at every step, that the centre of the track is the safe place.
#
# Write `angle_and_position_reward(next_observation, env_reward, terminated) -> float`:
# `FALL_PENALTY` (-5) when `terminated`, otherwise `-|pole angle| - 0.1 * |cart position|`, the
# angle in radians and the position in metres, so a cart 1 m off centre costs as much as a lean
# of 0.1 rad (5.7 degrees). Lesson 10 trains the course's DQN on this reward (the benchmark's
# `shaped` preset) and compares it with the +1 reward.
#
# Hints: the observation is (cart position, cart velocity, pole angle, pole angular velocity),
# so the position is `next_observation[0]`, not `[1]`; a cart left of centre has a negative
# position and must cost as much as one the same distance to the right. There is no `truncated`
# argument, on purpose: the last step of an episode cut at 500 steps has `terminated=False` and
# gets its ordinary reward (the original's `done` would have punished it like a fall). Return a
# Python `float` (`float(...)` around a NumPy number), not an array.
#
# The check compares your function with `dqn_lib.angle_and_position_reward` on hand-made steps
# (pole leaning left, leaning right, the cart far to either side), two terminations (the pole
# fell, the cart left the track), steps recorded from random play and the last step of an
# episode cut by the time limit. When a value differs it says which entry of the observation your
# function seems to read instead; it refuses the right value in the wrong type (a NumPy number, a
# tensor or an `int`).


# %% nbgrader={"grade": false, "grade_id": "ex-05-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def angle_and_position_reward(next_observation, env_reward, terminated):
    """-|pole angle| - 0.1 * |cart position|, and FALL_PENALTY (-5) when it terminated."""
    ### BEGIN SOLUTION
    if terminated:
        return FALL_PENALTY
    pole_angle, cart_position = float(next_observation[2]), float(next_observation[0])
    return -abs(pole_angle) - 0.1 * abs(cart_position)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-05-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_reward_function

check_reward_function(angle_and_position_reward, name="angle_and_position")

# %% [markdown]
# ## Summary
#
# - A reward function turns each step into a number, `(next_observation, env_reward,
#   terminated) -> float`; the agent learns whatever that number says.
# - The environment's +1 a step says "survive". With `gamma = 0.99`, surviving `k` more steps
#   is worth `(1 - gamma**k) / (1 - gamma)` and surviving forever 100, so states are ranked by
#   how soon the episode ends. Every step carries the same reward; only the ending informs.
# - The Monte Carlo return waits for the end of the episode and is right on average, but one
#   episode's is spread widely; the TD target uses one step and an estimate of the rest, so it
#   spreads little but is only as right as the estimate.
# - The original notebook's `-|pole angle|` with -5 on a fall says "keep the pole upright". It
#   is denser, grading every step, but it ignores the cart (a policy can keep the pole upright
#   while the cart drifts off the track), and it is never positive, with a penalty that ends the
#   episode: ending it is a way to stop paying, the cheaper one for a lean held forever above
#   0.05 rad. An agent that can straighten the pole never faces that choice; the trouble is the
#   reward's shape. Potential-based shaping grades every step and keeps the best policy.
# - A time-out is not a fall. Only `terminated` gets the -5; a `done` that also covers the
#   500-step limit punishes the best episode like the worst. The return-to-go of a truncated
#   episode stops at the limit, which is why truncated steps still bootstrap.
# - What we kept from the original: its reward function and its -5, as `pole_angle_reward`.
#   What we changed: the penalty looks at `terminated` by name, never at `done` (the original's
#   `done` was in fact `terminated`; naming it so keeps a port from turning it into
#   `terminated or truncated`). Lesson 6 trains the original's agent on its angle reward; the
#   DQN of lessons 7 to 11 trains on the environment's +1 (`dqn_lib.environment_reward`, the
#   default of `dqn_lib.train` and of every preset but `shaped`).
#
# Next, lesson 6 trains the original notebook's online agent for real.
