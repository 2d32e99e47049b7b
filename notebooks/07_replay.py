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
# # Lesson 7: experience replay
#
# Lesson 6's online agent learned a little, then lost it, and its seeds disagreed. Lessons 7, 8
# and 9 build DQN ([Mnih et al., 2015](https://www.nature.com/articles/nature14236)) from it one
# idea at a time, and *measure* each idea: every
# lesson adds one idea to a fixed base, trains the result on five seeds beside the rung before
# it, and says what the measurement says. This lesson builds the first idea,
# experience replay, inline, checks it against `dqn_lib`, and then trains the online agent and
# the agent with replay side by side.

# %%
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_lib
from dqn_lib import OBSERVATION_NAMES
from dqn_lib.presets import LADDER, PRESETS, load_results, summarise_runs, train_seeds

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

config = dqn_lib.DQNConfig()  # the course's DQN settings (section 3 prints them)

# %% [markdown]
# ## Where lesson 6 left us
#
# The online agent takes one gradient step on each transition as it happens, then forgets the
# transition, and it computes its TD target with the very network it is updating. Lesson 6 ended
# with two hypotheses for why it is unstable; the next three lessons test them one at a time:
#
# 1. **Consecutive transitions are nearly the same, and each is used once** (this lesson). The
#    fix Mnih et al. adopted, *experience replay* ([Lin,
#    1992](https://doi.org/10.1007/BF00992699)), is to remember many transitions and learn from
#    random batches of them.
# 2. **Every update moves its own target** (lesson 8). The fix is a *target network*.
#
# Lesson 9 adds a third idea, Double DQN, against a bias of the `max` in the target.
#
# ## 1. Experience replay
#
# ### Why: consecutive transitions are nearly the same
#
# To look at what an agent learns from, we record 5,000 transitions the way a half-trained agent
# collects them: lesson 1's hand-written policy (push toward the side the pole is falling), with a
# random action one time in five, like lesson 6's `epsilon` of 0.2. The reward is the original
# notebook's, lesson 5's `pole_angle_reward` (it does not matter for what we look at here).
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
# expense of everything else, then towards the next corner: a plausible reason for the forgetting
# lesson 6 watched (this lesson measures what replay changes, not this mechanism itself). The
# check below pins what the printed numbers say.

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
# others from other moments and other episodes. How often the agent learns is set by two more
# settings: every `train_every` environment steps it takes `gradient_steps` gradient steps, each
# on a fresh batch. With the settings we will train with:

# %%
samples_per_step = config.batch_size * config.gradient_steps / config.train_every
print(
    f"batch_size={config.batch_size}, gradient_steps={config.gradient_steps}, "
    f"train_every={config.train_every}: {samples_per_step:.0f} transitions sampled per new "
    f"transition, so each is learned from about {samples_per_step:.0f} times on average (the "
    "online agent: once); on average only: while the buffer fills, the first transitions are "
    "drawn far more often than the last ones"
)

# %% [markdown]
# ### Why old transitions are still good data: off-policy learning
#
# A replay batch mixes transitions collected by the agent's older selves, with a larger epsilon
# and a worse network than today's. Why may the agent learn from them? Because Q-learning is
# *off-policy* ([Sutton & Barto, 2nd edition](http://incompleteideas.net/book/the-book-2nd.html),
# section 6.5). Its target, `reward + gamma * (1 - terminated) * max_a' Q(next_observation, a')`,
# asks what the best action from the next state is worth, never which action the policy that
# collected the transition took there. A transition `(s, a, r, s')` records what the environment
# did after action `a` in state `s`, whoever chose `a`, so it stays a sample of lesson 4's Bellman
# optimality equation for as long as the buffer keeps it; the policy that collected it only
# decides which states and actions the buffer holds. Mnih et al. chose Q-learning for exactly
# this reason. A method that learns the value of the policy that is acting, such as lesson 5's
# Monte Carlo returns, could not reuse old transitions like this without corrections: what
# followed an old transition is what the *old* policy did.

# %% [markdown]
# ### A replay buffer, written out
#
# The buffer is a *ring*: a fixed number of slots, and when they are full the next transition
# overwrites the oldest. Memory stays fixed, and the buffer follows the agent as its behaviour
# improves, dropping transitions from its clumsy beginnings first. Each field lives in one
# preallocated NumPy array, so adding a transition writes one row of each, and sampling a batch is
# one fancy index per field, with no Python object per transition.
#
# Two details carry over from lessons 4-6. `terminated` and `truncated` are stored apart: only a
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
# ## 2. The ladder: one fixed base, one change a rung
#
# A fair test changes one thing. `dqn_lib.presets` names every setup the course trains, so a
# lesson, the benchmark (`benchmarks/solve.py --preset NAME`) and the README's table all train
# the same thing. The ladder has four rungs, each one idea more than the one before:
#
# `online` -> `replay` (this lesson) -> `target` (lesson 8) -> `double` (lesson 9)
#
# Every rung is a `dqn_lib.DQNAgent`, built from a `dqn_lib.DQNConfig`, a typed dataclass of every
# setting, checked when it is built. The online rung is the DQN agent with a buffer of one
# transition and a batch of one: lesson 6's agent's way of learning (one gradient step on the
# latest transition, then nothing remembered), though not lesson 6's settings. Every rung shares
# one base, `DQNConfig()`'s defaults and the `double` preset's reward and starts, and that base
# was chosen for the *final* rung: in exploratory runs of the final rung (seeds 0 to 5, 20,000
# steps, CartPole's +1 reward), these settings solved fastest and stayed solved. The lower rungs
# are measured on settings tuned for the top one, which can only flatter the top. The base:

# %%
for field in dataclasses.fields(config):
    print(f"{field.name:>26} = {getattr(config, field.name)!r}")
base = PRESETS["double"]
print(f"{'reward':>26} = {base.reward!r} (CartPole's own +1 a step)")
print(
    f"{'exploring starts':>26} = {base.start_fraction:.0%} of the training episodes start "
    f"anywhere in the box {base.start_box}"
)

# %% [markdown]
# The ladder's ideas come one a lesson: `buffer_size`, `batch_size`, `train_every` and
# `gradient_steps` in this one, `target_update` and `tau` in lesson 8, `double_dqn` in lesson 9
# (`gamma` and epsilon came in lesson 4, the `hidden` widths in lesson 3). The others are not
# ideas of DQN but practical settings, the same on every rung:
#
# - **`epsilon_start` to `epsilon_end`**: lesson 4's epsilon on a schedule, falling in a straight
#   line over `epsilon_decay_steps` environment steps, from acting at random to almost never.
# - **`learning_starts`**: the agent acts, almost at random since epsilon starts at 1, for this
#   many environment steps before its first gradient step, so that the first batches are drawn
#   from more than a handful of transitions.
# - **`learning_rate` to `final_learning_rate`**: Adam's step size falls in a straight line over
#   `learning_rate_decay_steps` environment steps: large steps while the values are far off,
#   smaller ones once the policy is good.
# - **`loss = 'mse'`**: PyTorch's `nn.MSELoss`, the mean of the squared TD errors *without* the
#   half of lesson 4's plot, so its slope is twice the TD error; `'huber'` is the other choice.
# - **`max_grad_norm`**, gradient clipping: before each Adam step, if the gradient of all the
#   weights together, seen as one long vector, is longer than this, it is scaled down to this
#   length, its direction unchanged (`torch.nn.utils.clip_grad_norm_`). It guards against a
#   batch whose gradient is far larger than usual: unclipped, it would enter Adam's running
#   averages in full and push the weights further than usual for several steps.

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
# Two things in the base come from measurements you will see later, and hold for every rung:
#
# - **The reward is CartPole's own +1 a step**, the reward every other library is measured on.
#   Lesson 5's shaped reward is one of the variants measured in lesson 10, not a requirement.
# - **Exploring starts** (Sutton & Barto, section 5.3): half of the training episodes start from
#   a state drawn anywhere in the box printed above, which reaches nearly to the track's ends
#   (`dqn_lib.starts.ExploringStarts`), the other half from
#   CartPole's own starts, all within 0.05 of the centre. The evaluation always uses CartPole's own
#   starts. Without them, on the +1 reward, this DQN never learns where the track ends: lesson 10
#   shows why and what it costs.
#
# What each rung changes, printed from the presets themselves:


# %%
def changes(before, after):
    """The settings (and reward, starts) that differ between two presets."""
    out = {}
    for field in dataclasses.fields(before.config):
        a, b = getattr(before.config, field.name), getattr(after.config, field.name)
        if a != b:
            out[field.name] = (a, b)
    for name in ("reward", "start_box", "start_fraction"):
        if getattr(before, name) != getattr(after, name):
            out[name] = (getattr(before, name), getattr(after, name))
    return out


for before, after in zip(LADDER, LADDER[1:], strict=False):
    print(f"{before} -> {after}: {changes(PRESETS[before], PRESETS[after])}")
assert set(changes(PRESETS["online"], PRESETS["replay"])) == {"buffer_size", "batch_size"}

# %% [markdown]
# ## 3. The measurement: the online rung against replay, five seeds
#
# `train_seeds` trains each preset on each seed in a process of its own with one torch thread,
# two at a time (the two cores of the course machine), on the benchmark's schedule: every 2,000
# steps, a greedy evaluation of 20 episodes on starts no training episode used (seeds 10000 to
# 10019). A seed gives the same run whichever process trains it.

# %%
SEEDS = [0, 1, 2, 3, 4]
BUDGET = 10_000  # environment steps per seed
# eval_values=True: each evaluation also records the predicted values lesson 8 plots (it only
# reads the agent: the runs are the same without it)
runs = train_seeds(["online", "replay"], SEEDS, BUDGET, eval_values=True)

# %%
histories = {name: [run.history for run in seed_runs] for name, seed_runs in runs.items()}
ax = dqn_lib.plot_evaluations(histories)
ax.set_title(f"The online rung vs experience replay: {len(SEEDS)} seeds, {BUDGET:,} steps each")
plt.show()

# %%
summary = summarise_runs(runs)

# %% [markdown]
# The printed table says it plainly. On this base, the online rung never learned to balance:
# every seed's greedy policy ends at the same short return, at every evaluation. With a replay
# buffer and batches, every seed solved CartPole within the budget. The check cell pins both
# statements to the numbers.

# %%
online, replay = summary["online"], summary["replay"]
assert online["solved"] == 0 and online["final_mean"] < 50, (
    f"the online rung did better than the text says: {online}"
)
assert replay["solved"] == replay["seeds"], f"not every replay seed solved: {replay}"
print(
    f"online: {online['solved']}/{online['seeds']} solved, final evaluation {online['final_mean']:.1f}; "
    f"replay: {replay['solved']}/{replay['seeds']} solved, median {replay['median_steps']:,.0f} steps"
)

# %% [markdown]
# ### What went wrong in the online rung
#
# A Q-value is a prediction: the discounted return the agent expects from a state. We can check
# it. `dqn_lib.value_estimates` plays the 20 evaluation episodes greedily and compares, for each
# start state, the value the agent predicts, `max_a Q(s_0, a)`, with the discounted return it
# then actually obtains, `1 + gamma + gamma**2 + ...` for as long as the pole stays up (a perfect
# 500-step episode is worth about 99.3 with gamma 0.99).

# %%
values = {}
print(
    f"{'preset':<8}{'seed':>5}{'predicted':>11}{'obtained':>10}   Q(first start): push left, push right"
)
for name, seed_runs in runs.items():
    for run in seed_runs:
        predicted, obtained = dqn_lib.value_estimates(
            run.agent, config.gamma, episodes=20, seed=10_000
        )
        values[name, run.seed] = (predicted.mean(), obtained.mean())
        start, _ = dqn_lib.make_env().reset(seed=10_000)
        q = run.agent.q_values(start).numpy()
        print(
            f"{name:<8}{run.seed:>5}{predicted.mean():>11.1f}{obtained.mean():>10.1f}   "
            f"{q[0]:.1f}, {q[1]:.1f}"
        )

# %% [markdown]
# Both rungs predict far more than they get. The online rung's values exploded: predictions in
# the tens of thousands for episodes worth about 9, and the greedy action follows whichever of
# the two inflated values happens to be larger. The replay rung's predictions are too high as
# well, three to four times the 99.3 that even a perfect episode is worth, yet its greedy
# policy balances to the time limit: acting well needs the right *order* of the two actions'
# values in each state, not the right level. Values that run away from the returns they are
# meant to predict are a warning all the same; lesson 8 measures what a target network does to
# them, and lesson 9 looks at the bias of the `max`.

# %%
PERFECT = (1 - config.gamma**500) / (1 - config.gamma)  # a 500-step episode, about 99.3
for seed in SEEDS:
    online_predicted, online_obtained = values["online", seed]
    replay_predicted, replay_obtained = values["replay", seed]
    assert online_predicted > 100 * online_obtained, (
        f"online seed {seed}: predicted {online_predicted:.1f}, obtained {online_obtained:.1f}"
    )
    assert replay_predicted > 2 * PERFECT and replay_obtained > 0.9 * PERFECT, (
        f"replay seed {seed}: predicted {replay_predicted:.1f}, obtained {replay_obtained:.1f}"
    )
print(
    f"checked: online predictions over 100 times what it obtains; replay's over twice the "
    f"{PERFECT:.1f} of a perfect episode, while it obtains nearly that"
)

# %% [markdown]
# ### Is it the memory, or the batch?
#
# Replay changed two things at once: a memory of 50,000 transitions, and batches of 128 instead
# of one. A sceptic asks which of the two did the work. The benchmark answers it with one more
# preset, `small_buffer`: replay with a buffer that holds only one batch, 128 transitions, so the
# agent still learns from batches of 128 but only from the last 128 steps. Ten seeds a preset,
# 20,000 steps (`benchmarks/solve.py --preset NAME --seeds 0-9 --budget 20000 --workers 2`), read
# from the committed JSON:

# %%
print(
    f"{'preset':<14}{'solved':>8}{'median steps':>14}{'last 5 solved':>15}"
    f"{'mean final (100 new starts)':>30}   final by seed"
)
benchmark = {}
for name in ("online", "small_buffer", "replay"):
    records = load_results(name)  # benchmarks/results/NAME.json, beside dqn_lib
    solved = [r["solved_step"] for r in records if r["solved_step"] is not None]
    benchmark[name] = {
        "solved": len(solved),
        "median": float(np.median(solved)) if solved else float("nan"),
        "final": float(np.mean([r["final_100"] for r in records])),
        "stays": float(np.mean([r["stays_solved"] for r in records])),
    }
    median = f"{np.median(solved):,.0f}" if solved else "-"
    print(
        f"{name:<14}{len(solved):>5}/{len(records):<3}{median:>14}"
        f"{benchmark[name]['stays']:>15.0%}{benchmark[name]['final']:>30.1f}   "
        + ", ".join(f"{r['final_100']:.0f}" for r in records)
    )

# %% [markdown]
# Both, in different ways. Batches of 128 drawn from only the last 128 transitions (a narrow
# window of recent states, like section 1's consecutive batch) already turn the online rung's
# failure into learning: every `small_buffer` seed solved. So on this base a wide memory of
# uncorrelated transitions is not what makes learning happen. What does is not fully separated
# here: going from the online rung to `small_buffer` changes the batch from 1 to 128 *and* has
# each transition drawn about 128 times during its stay, where the online rung uses it once (the
# benchmark has no rung that changes only one of the two). The memory adds the rest: with every
# transition of its run to draw from (the 50,000 slots never fill in a 20,000-step run), the
# replay rung solved sooner, stayed solved in more of its last
# five evaluations, and ended higher, where some `small_buffer` seeds fell back from solved by
# the end of the budget. The check cell pins these statements to the table.

# %%
online_b, small, full = benchmark["online"], benchmark["small_buffer"], benchmark["replay"]
assert online_b["solved"] == 0 and small["solved"] == full["solved"] == 10, benchmark
assert full["median"] < small["median"] and full["final"] > small["final"], benchmark
assert full["stays"] > small["stays"], benchmark
print("checked: the batch alone learns; the memory makes it faster and steadier")

# %% [markdown]
# ## Exercises
#
# Each exercise has a cell to complete and a check cell that tells you in words what is right or
# wrong. Nothing after this section uses your answers.

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-07-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 7.1: sampling a replay batch (core, about 15 minutes)
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
# rows. It also checks what comes back: a tuple of five NumPy arrays, each with the dtype the
# buffer stores (unlike `RingBuffer.sample` above, which converts them to tensors for the
# network: here, no tensors, no conversion), and that some transition comes twice in a batch
# (with replacement).


# %% nbgrader={"grade": false, "grade_id": "ex-07-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
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


# %% nbgrader={"grade": true, "grade_id": "ex-07-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_replay_sample

check_replay_sample(sample_batch)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-07-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 7.2: the small-buffer rung, as a config (warm-up, about 5 minutes)
#
# A comparison is only a fair test if it changes one idea. Section 3's `small_buffer` preset asks
# "is it the memory or the batch?" by keeping the replay rung's batches and taking away its
# memory: a buffer that holds exactly one batch, so every batch is drawn from the latest
# `batch_size` transitions and nothing older.
#
# Write `small_buffer_rung(config)`: given a `DQNConfig`, return a new `DQNConfig` equal to
# `config` except that its replay buffer holds exactly one of its batches. Leave `config` itself
# unchanged.
#
# Hints: `config.replace(...)` returns a new, checked config with the fields you name changed
# and every other field kept. The batch is not always 128: take its size from `config`.
#
# The check tries `DQNConfig()` and three configs that differ from it (another gamma and network;
# a batch of 32; a batch of 64 without a target network), so a size written as a number, or a
# config built from the defaults instead of from `config`, is caught; it names every setting you
# changed that the rung keeps, and builds a `DQNAgent` from your answer to see that it draws its
# batches from the latest `batch_size` transitions only: five cases in all.


# %% nbgrader={"grade": false, "grade_id": "ex-07-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def small_buffer_rung(config):
    """`config` with a replay buffer that holds exactly one batch, nothing else changed."""
    ### BEGIN SOLUTION
    return config.replace(buffer_size=config.batch_size)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-07-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_small_buffer_rung

check_small_buffer_rung(small_buffer_rung)

# %% [markdown]
# ## Summary
#
# - **Consecutive transitions are nearly the same** (the pole angle one step apart correlates
#   almost perfectly), so the online agent's updates pull the network towards one small corner of
#   the states at a time, and each transition is used once.
# - **Experience replay** keeps the last `buffer_size` transitions in a ring of preallocated
#   arrays, with `terminated` apart from `truncated` and the true final observation, and every
#   gradient step learns from a random batch: neighbouring rows unrelated, the whole buffer
#   covered, each transition reused many times.
# - **Off-policy learning is what allows it**: Q-learning's target takes the `max` over the next
#   actions, so a transition collected by an older, more random policy is still a sample of the
#   Bellman optimality equation.
# - **The ladder** (`dqn_lib.presets`) adds one idea a rung on a fixed base, tuned for the final
#   rung. Replay moves two settings at once, the memory and the batch; the benchmark's
#   `small_buffer` preset separates them: batches of 128 from a window of the last 128
#   transitions already learn, the memory makes it faster and steadier.
# - **Measured on five seeds:** on this base the online rung never learned to balance, and its
#   predicted values exploded; with replay every seed solved CartPole, though its values were
#   still several times too high: a good policy needs the right order of the values, not the
#   right level.
#
# Next, [lesson 8](08_target_network.ipynb): the second hypothesis, a target that moves with
# every update, and the target network that holds it still.
