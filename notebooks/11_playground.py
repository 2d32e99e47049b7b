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
# # Lesson 11: the playground
#
# Sliders for the settings that lessons [7](07_replay.ipynb), [8](08_target_network.ipynb) and
# [9](09_double_dqn.ipynb) built the course's DQN from, a switch for exploring starts, a Train
# button that draws the learning curve live and keeps earlier runs beside it, and a button to
# watch the latest agent. Reading in a table that a setting matters is one thing; predicting
# what a change will do, then seeing whether you were right, is how the settings start to make
# sense.

# %%
import dataclasses
import json
import statistics
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display

import dqn_lib
from dqn_lib.checks import check_hard_update, check_linear_schedule
from dqn_lib.playground import COURSE_PRESET, DEFAULT_STEPS, Playground, RunSettings
from dqn_lib.presets import PRESETS, get_preset, load_results
from dqn_lib.starts import RESET_BOX

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

config = dqn_lib.DQNConfig()  # the course's DQN: where every slider starts
course = get_preset(COURSE_PRESET)  # ... and its reward and exploring starts
SOLVED = 475  # CartPole-v1's threshold: a greedy mean return of 475 or more is solved
BUDGET = DEFAULT_STEPS  # environment steps a playground run, unless you move the slider
# The benchmark's committed results (the kernel runs in notebooks/)

# %% [markdown]
# ## 1. The knobs, and what the benchmark found about each
#
# Every knob of the playground is a field of `DQNConfig` ([lesson 7](07_replay.ipynb)), or the
# reward, the starts, the budget and the seed. Several of them the benchmark has measured: it
# trains the course's DQN (the preset `double`), the rungs of the ladder that led to it, and
# presets that change one thing of it, ten seeds each, and commits the results to
# `benchmarks/results/` as JSON, one record a seed. Under
# each knob below, the cell prints what the benchmark found, read from that JSON, and checks
# that it still says what the sentence above it says: rerun the benchmark with other results
# and the cell fails. The columns:
#
# - **solved**: the seeds whose greedy evaluation (20 episodes, every 2,000 steps) reached 475
#   within the budget, and the median of the steps they took;
# - **stays solved**: the share of the last five evaluations at 475 or more, over all seeds;
# - **final 100**: after training, the mean return of 100 greedy episodes from starts never
#   used before, averaged over the seeds;
# - **perturbed 100**: the same from perturbed starts (the cart up to 1 m off centre and moving,
#   the pole tilted and turning: [lesson 10](10_inside.ipynb)).


# %%
def as_json(value):
    """`value` as the benchmark's JSON holds it (tuples become lists)."""
    return json.loads(json.dumps(value))


def benchmark(name):
    """One preset's committed records, one a seed (`benchmarks/solve.py --preset NAME --out`)."""
    records = load_results(name)  # benchmarks/results/NAME.json, beside dqn_lib
    preset = get_preset(name)
    settings = as_json(dataclasses.asdict(preset.config))
    for record in records:  # measured with the preset as it is now, or the numbers mean nothing
        same = record["settings"] == settings and record["reward"] == preset.reward
        assert same and record["start_fraction"] == preset.start_fraction, (
            f"{name}.json was measured with other settings than preset {name!r} has now: "
            "rerun the benchmark"
        )
    return records


def summary(name):
    """A preset's benchmark in the columns above."""
    records = benchmark(name)
    assert len(records) == 10, f"the text says ten seeds a preset; {name} has {len(records)}"
    steps = [r["solved_step"] for r in records if r["solved_step"] is not None]
    return {
        "seeds": len(records),
        "solved": len(steps),
        "median_steps": statistics.median(steps) if steps else None,
        "stays": statistics.mean(r["stays_solved"] for r in records),
        "final": statistics.mean(r["final_100"] for r in records),
        "perturbed": statistics.mean(r["perturbed_100"] for r in records),
    }


def compare(*names):
    """Print presets side by side, one a row; return their summaries by name."""
    print(
        f"{'preset':<13} {'solved':>6} {'median steps':>13} {'stays solved':>13} "
        f"{'final 100':>10} {'perturbed 100':>14}   what it changes"
    )
    found = {}
    for name in names:
        s = found[name] = summary(name)
        steps = f"{s['median_steps']:,.0f}" if s["median_steps"] is not None else "-"
        solved = f"{s['solved']}/{s['seeds']}"
        print(
            f"{name:<13} {solved:>6} {steps:>13} {s['stays']:>13.0%} {s['final']:>10.1f} "
            f"{s['perturbed']:>14.1f}   {get_preset(name).describe()}"
        )
    return found


records = benchmark(COURSE_PRESET)
print(
    f"benchmarks/results/{COURSE_PRESET}.json: {len(records)} seeds, {records[0]['budget']:,} "
    f"steps each; {records[0]['command']}"
)
found = compare(COURSE_PRESET)

# %% [markdown]
# **`learning_rate`**, Adam's step size. Too small and the agent learns slowly; too large and
# each step overshoots, and a solved policy can be unlearned. The course's DQN starts at 5e-4
# and lets the rate *fall* linearly to 5e-5 over 16,000 steps: big steps to learn, small ones to
# keep what was learned. The checkbox under the slider turns the fall off. The benchmark's
# `constant_lr` keeps 5e-4 for the whole run. It solved at least as soon, on every seed, and
# then unlearned: over the benchmark's budget its seeds stayed solved in far fewer of their
# last evaluations, and ended far lower.

# %%
found = compare(COURSE_PRESET, "constant_lr")
ours, constant = found[COURSE_PRESET], found["constant_lr"]
assert constant["solved"] == constant["seeds"], "the text says constant_lr solved on every seed"
assert constant["median_steps"] <= ours["median_steps"], "the text says it solved at least as soon"
assert constant["stays"] < ours["stays"] / 2, "the text says it stayed solved far less often"
assert constant["final"] < ours["final"] - 100, "the text says it ended far lower"

# %% [markdown]
# **`gamma`**, the discount: a reward `k` steps ahead counts `gamma**k`, so the agent looks
# about `1 / (1 - gamma)` steps ahead. On +1 a step, the value of a state is the discounted
# count of the steps still to come: at most `1 / (1 - gamma)` if the episode never ends, and an
# episode that will end `k` steps from now is worth less by a share `gamma**k` of that. The
# table shows how much of the value an end `k` steps ahead takes away: a pole about to fall is
# plain to see, a cart drifting slowly towards the end of the track much less so, and the
# smaller `gamma`, the sooner an end fades from view.

# %%
AHEAD = (10, 50, 100, 300)  # steps until the episode ends
print(f"{'':>20}share of the value taken away by an end ...")
print(f"{'gamma':>6}{'looks ahead':>14}" + "".join(f"{f'{k} steps ahead':>17}" for k in AHEAD))
for gamma in (0.9, 0.98, config.gamma, 0.999):
    horizon = 1 / (1 - gamma)  # steps; also the value of +1 a step forever
    print(f"{gamma:>6}{horizon:>8.0f} steps" + "".join(f"{gamma**k:>17.1%}" for k in AHEAD))

# %% [markdown]
# The course's DQN uses `gamma` 0.99. The benchmark's `gamma_0.98` halves how far it looks
# ahead. It solved as soon, on every seed, then on average stayed solved less often than with
# 0.99 and ended lower, from CartPole's own starts and from perturbed ones; by less, though, than
# turning off the learning rate's fall cost. Ten seeds do not settle the gamma difference: in
# the course README's results table, the interval estimates of `gamma_0.98` and `double` overlap
# on every measure they are given for, where the constant rate's returns are clearly apart.

# %%
found = compare(COURSE_PRESET, "gamma_0.98", "constant_lr")
ours, shorter, constant = found[COURSE_PRESET], found["gamma_0.98"], found["constant_lr"]
assert shorter["solved"] == shorter["seeds"], "the text says gamma 0.98 solved on every seed"
assert shorter["median_steps"] <= ours["median_steps"], "the text says it solved as soon"
for column in ("stays", "final", "perturbed"):
    assert shorter[column] < ours[column], f"the text says gamma 0.98 did worse on {column}"
    assert ours[column] - shorter[column] < ours[column] - constant[column], (
        f"the text says gamma 0.98 cost less than constant_lr on {column}"
    )

# %% [markdown]
# **`epsilon_start`, `epsilon_end`, `epsilon_decay_steps`**: the probability of a random
# action falls in a straight line from start to end. Explore too little and the agent never
# sees what it is missing; too long and its training episodes stay clumsy. The benchmark keeps
# this schedule the same in every preset, so it has no finding here (section 4 has experiments
# instead).
#
# The two default schedules, and where a playground run of the default budget stops: before
# epsilon reaches its end, and about halfway down the learning rate's fall. The training
# episodes explore to the last; that is why the playground judges an agent by its greedy
# evaluations.

# %%
steps = np.arange(max(config.epsilon_decay_steps, config.learning_rate_decay_steps) + 1)
epsilon = [
    dqn_lib.linear_schedule(
        config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps, int(step)
    )
    for step in steps
]
learning_rate = [
    dqn_lib.linear_schedule(
        config.learning_rate,
        config.final_learning_rate,
        config.learning_rate_decay_steps,
        int(step),
    )
    for step in steps
]
fig, (ax_epsilon, ax_rate) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
ax_epsilon.plot(steps, epsilon)
ax_epsilon.set(
    title=f"epsilon: {config.epsilon_start:g} to {config.epsilon_end:g} over "
    f"{config.epsilon_decay_steps:,} steps",
    xlabel="environment steps",
    ylabel="probability of a random action",
    ylim=(0, 1.05),
)
ax_rate.plot(steps, learning_rate, color="C1")
ax_rate.set(
    title=f"learning_rate: {config.learning_rate:g} to {config.final_learning_rate:g} over "
    f"{config.learning_rate_decay_steps:,} steps",
    xlabel="environment steps",
    ylabel="Adam's step size",
    ylim=(0, config.learning_rate * 1.05),
)
for ax in (ax_epsilon, ax_rate):
    ax.axvline(BUDGET, color="black", linestyle="--", linewidth=0.8)
    ax.annotate(
        f" a playground run\n stops here ({BUDGET:,})",
        (BUDGET, 0.82),
        xycoords=("data", "axes fraction"),
        fontsize="small",
    )
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_formatter("{x:,.0f}")
fig.suptitle("The default schedules of the course's DQN")
plt.show()
at_end = {"epsilon": epsilon[BUDGET], "learning_rate": learning_rate[BUDGET]}
print(
    f"at step {BUDGET:,}: epsilon {at_end['epsilon']:.3f}, learning_rate "
    f"{at_end['learning_rate']:.2e} ({at_end['learning_rate'] / config.learning_rate:.0%} of "
    "where it started)"
)
assert at_end["epsilon"] > config.epsilon_end, "the text says epsilon has not reached its end"
fallen = (config.learning_rate - at_end["learning_rate"]) / (
    config.learning_rate - config.final_learning_rate
)
assert 0.4 < fallen < 0.6, f"the text says the learning rate is about halfway down: {fallen:.0%}"

# %% [markdown]
# **`buffer_size`**: how many recent transitions the replay buffer keeps. The ladder's first
# two rungs ([lesson 7](07_replay.ipynb)) differ by replay alone: `online` learns from each
# transition once, as it comes, in batches of one, like lesson 6's agent; `replay` keeps the
# last 50,000 transitions and learns from random batches of 128 of them. Lesson 7's
# `small_buffer` keeps the batches of 128 but a buffer of only one batch, 128 transitions. The
# online agent never learns to balance on any seed: its greedy agent lasts about as long as one
# that always pushes the same way. With a buffer of one batch, every seed solves, but later
# than with 50,000, and stays solved less often; with 50,000, every seed solves and stays
# solved.

# %%
found = compare("online", "small_buffer", "replay")
online, small, replay = found["online"], found["small_buffer"], found["replay"]
best_online = max(r for record in benchmark("online") for _, _, r in record["evals"])
always_push = max(np.mean(dqn_lib.evaluate(lambda o, a=a: a)) for a in (0, 1))
print(
    f"online, best greedy evaluation of any seed: {best_online:.1f}; always pushing one way: "
    f"{always_push:.1f}"
)
assert online["solved"] == 0 and best_online <= 1.2 * always_push, (
    "the text says the online agent never learns, lasting about as long as pushing one way"
)
assert small["solved"] == small["seeds"] and replay["solved"] == replay["seeds"], (
    "the text says every seed solves with a buffer of 128 and of 50,000"
)
assert small["median_steps"] > replay["median_steps"] and small["stays"] < replay["stays"], (
    "the text says a buffer of one batch solves later and stays solved less often"
)
assert replay["stays"] >= 0.9, "the text says replay's seeds stay solved"

# %% [markdown]
# **`target_update`**: the target network either follows the online one a little after every
# gradient step (**soft**, a fraction `tau` of the way; the course's DQN, with `tau` 0.01) or is
# copied outright every `target_update_every` steps (**hard**, as in Mnih et al., 2015, who
# counted that period in parameter updates where `dqn_lib` counts environment steps). Both
# are meant to keep the TD targets from chasing every update
# ([lesson 8](08_target_network.ipynb)). The benchmark's `target` rung adds a soft-updated
# target network to `replay`. It solved sooner, but it did not end steadier: its seeds stayed
# solved less often than replay's, and ended lower. The next rung, Double DQN's target
# ([lesson 9](09_double_dqn.ipynb); the playground always uses it), wins back most of that
# steadiness on these ten seeds, a lean rather than a proof (lesson 9 shows the intervals).

# %%
found = compare("replay", "target", COURSE_PRESET)
replay, target, double = found["replay"], found["target"], found[COURSE_PRESET]
assert target["median_steps"] < replay["median_steps"], (
    "the text says the target rung solved sooner"
)
assert target["stays"] < replay["stays"] and target["final"] < replay["final"], (
    "the text says the target rung stayed solved less often than replay, and ended lower"
)
assert double["stays"] - target["stays"] > (replay["stays"] - target["stays"]) / 2, (
    "the text says Double DQN's target wins back most of the steadiness replay had"
)
assert double["final"] - target["final"] > (replay["final"] - target["final"]) / 2, (
    "the text says Double DQN's target wins back most of the steadiness replay had"
)

# %% [markdown]
# **`reward`**: the environment's +1 a step (the course's DQN), the original notebook's
# `-|pole angle|` (`pole_angle`), or `angle_and_position`, which also costs a little at every
# step the cart is off centre ([lesson 5](05_reward.ipynb)). The benchmark's `shaped` trains the
# course's DQN, exploring starts and all, on `angle_and_position` (its returns are still
# counted in steps, so the rows compare). From CartPole's own starts it did at least as well:
# it solved sooner, and stayed solved at least as often. From perturbed starts it did worse. A
# faster solve from the starts the evaluation uses is not the whole story; the course keeps the
# task's own +1, the reward the benchmark measures every other preset on.

# %%
found = compare(COURSE_PRESET, "shaped")
ours, shaped = found[COURSE_PRESET], found["shaped"]
assert shaped["median_steps"] < ours["median_steps"], "the text says shaped solved sooner"
assert shaped["stays"] >= ours["stays"] and shaped["final"] >= ours["final"], (
    "the text says shaped did at least as well from CartPole's own starts"
)
assert shaped["perturbed"] < ours["perturbed"], (
    "the text says shaped did worse from perturbed starts"
)

# %% [markdown]
# **exploring starts** (a checkbox): CartPole's `reset` puts the cart within 5 cm of the centre,
# the pole nearly upright. With exploring starts, half of the training episodes start instead
# anywhere within 2 m of the centre, the cart moving and the pole tilted and turning
# (`dqn_lib.starts.ExploringStarts`); the evaluations always start from CartPole's own `reset`.
# The benchmark's `reset_starts` turns them off. With them, every seed of the course's DQN
# solves, and stays solved in most of its last evaluations; without them, most seeds never
# solve within the budget and none stays solved, and the agents do far worse after training:
# worse from CartPole's own starts, and by a wider margin from perturbed ones. The table lists
# every preset that makes one change to the course's DQN: turning exploring starts off does worst
# on every count, seeds solved, stays solved, final 100 and perturbed 100.

# %%
one_change = [preset.name for preset in PRESETS.values() if preset.parent == COURSE_PRESET]
found = compare(COURSE_PRESET, *one_change)
ours, without = found[COURSE_PRESET], found["reset_starts"]
assert course.start_fraction == 0.5 and course.start_box[0] == 2.0, "the text: half, 2 m"
assert RESET_BOX[0] == 0.05, "the text: CartPole's reset is within 5 cm"
assert ours["solved"] == ours["seeds"] and ours["stays"] > 0.5, (
    "the text says every seed solves with exploring starts, and mostly stays solved"
)
assert without["solved"] < without["seeds"] / 2, "the text says most seeds never solve without"
assert all(r["stays_solved"] == 0 for r in benchmark("reset_starts")), (
    "the text says no seed stays solved without exploring starts"
)
assert without["final"] < ours["final"] - 100, "the text says far worse from CartPole's starts"
assert ours["perturbed"] - without["perturbed"] > ours["final"] - without["final"], (
    "the text says the gap is wider still from perturbed starts"
)
for column in ("solved", "stays", "final", "perturbed"):
    worst = min(found[name][column] for name in one_change)
    assert without[column] == worst, f"the text says reset_starts does worst on {column}"

# %% [markdown]
# **`steps`** (the budget) and **`seed`**. One seed is an anecdote. Even the course's DQN, which
# solves on every seed, does not behave the same on all of them afterwards: some seeds stay at
# 475 or more in all of their last five evaluations, others dip below it. The benchmark trains
# ten seeds a preset; the playground trains one a click.

# %%
stays = {r["seed"]: r["stays_solved"] for r in benchmark(COURSE_PRESET)}
print(f"{COURSE_PRESET}, share of the last five evaluations >= {SOLVED}, by seed: {stays}")
assert max(stays.values()) == 1 and min(stays.values()) < 1, (
    "the text says some seeds stay solved throughout and others dip"
)

# %% [markdown]
# The line under the playground's controls shows the run that Train would start. For the
# defaults, the course's DQN, it reads:

# %%
defaults = RunSettings()
print(defaults.describe())
quoted = (config.learning_rate, config.final_learning_rate, config.learning_rate_decay_steps)
assert quoted == (5e-4, 5e-5, 16_000), f"the text quotes 5e-4 to 5e-5 over 16,000: {quoted}"
assert (config.gamma, config.target_update, config.tau) == (0.99, "soft", 0.01), (
    "the text quotes gamma 0.99 and soft target updates with tau 0.01"
)
assert (config.buffer_size, config.batch_size) == (50_000, 128), "the text: 50,000 and 128"
assert defaults.reward == course.reward == "environment" and defaults.exploring_starts

# %% [markdown]
# ## 2. The playground
#
# Run this notebook in JupyterLab and the cell below shows the controls. Move a slider and the
# "Next run" line changes: it describes the run that **Train** would start, or, for a
# combination `DQNConfig` refuses (an `epsilon_end` above `epsilon_start`, a buffer smaller than
# one batch of 128), says what is wrong. **Train** runs a fresh agent for `steps` environment
# steps with a progress bar; every 2,000 steps it evaluates the greedy agent on 20 episodes and
# redraws the curve, and the runs before it stay on the same axes, each in its own colour and
# labelled with what differs from the defaults. **Clear runs** starts the comparison over;
# **Watch latest agent** plays one episode of the latest run's agent as a GIF.
#
# Under the hood it is the course's `DQNAgent` and `train`, nothing else. With the defaults, a
# playground run is the benchmark's run of the course's DQN, step for step:
# `dqn_lib.presets.train_preset("double", seed, steps)`, the same training environment with
# exploring starts, the same reward, the same evaluations (a test checks it, and section 3
# shows it).

# %%
playground = Playground(steps=BUDGET)
display(playground)  # the widgets, in JupyterLab; a line of text where widgets cannot show
assert (playground.eval_every, playground.eval_episodes) == (2_000, 20), (
    "the text above says: an evaluation of 20 episodes every 2,000 steps"
)
assert playground.settings_from_widgets().preset().start_box == course.start_box, (
    "the playground should start from the course's exploring starts"
)

# %% [markdown]
# ## 3. Three runs, side by side
#
# The cells below do what you would do with the mouse: set widgets, then call `train_once()`,
# which is what the Train button calls. In JupyterLab the playground's curve above grows as
# they run; the figure after run 3 draws the same curves again, so that a saved copy of this
# notebook shows them too. Before each run, make a prediction.
#
# **Run 1: the defaults**, the course's DQN on seed 0, one of the benchmark's seeds. Section 1
# printed how it did over ten seeds: when does this one reach the solved line, and does it stay?

# %%
history = playground.train_once()

# %% [markdown]
# **Run 2: a learning rate twenty times larger, held constant.** `learning_rate` 0.01 with the
# fall turned off; everything else as in run 1. Each gradient step moves the network twenty
# times further. Faster, steadier, or neither?

# %%
playground.learning_rate.value = 20 * config.learning_rate
playground.learning_rate_decay.value = False
history = playground.train_once()

# %% [markdown]
# **Run 3: the defaults without exploring starts.** Back to the default learning rate, and the
# exploring-starts box unticked: every training episode starts where CartPole's own `reset` puts
# it, near the centre, and the greedy evaluations start there too. Section 1 printed what the
# benchmark found over ten seeds; what will this seed do, and when?

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-11-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 11.1: predict, then run: without exploring starts (warm-up, about 5 minutes)
#
# Before the next cell trains run 3, write down what its *final* greedy evaluation (at 8,000
# steps) will be: `"solved"` (475 or more), `"in between"` (100 to 475) or `"failing"` (under
# 100). Return `(answer, why)` from `my_prediction()`, the reason as a sentence; section 1's table
# is fair evidence. The check after the run says what happened; a wrong prediction does not fail
# it, a missing one does.
# (If you used Run All, the cells below have already run: write your prediction before you
# scroll down to what they printed.)


# %% nbgrader={"grade": false, "grade_id": "ex-11-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """Before run 3: ("solved" | "in between" | "failing", why)."""
    ### BEGIN SOLUTION
    return "in between", "it balances the pole but has rarely seen the cart far out, so it drifts"
    ### END SOLUTION


# %%
playground.learning_rate.value = config.learning_rate
playground.learning_rate_decay.value = True
playground.exploring_starts.value = False
history = playground.train_once()

# %% nbgrader={"grade": true, "grade_id": "ex-11-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_run_3_prediction

check_run_3_prediction(my_prediction, history.eval_returns)

# %% [markdown]
# The playground's own figure of the three runs: solid lines are the greedy evaluations (the
# mean return of 20 episodes without exploration, from CartPole's own starts, every 2,000
# steps), faint lines the training episodes (a moving average). The training episodes explore
# (epsilon falls only to about 0.2 by the end of the 8,000 steps), and in runs 1 and 2 half of
# them start from anywhere on the track: they stay below the evaluations.

# %%
fig, ax = plt.subplots(figsize=(8, 5.6), layout="constrained")
playground.draw(ax)
plt.show()

# %% [markdown]
# The numbers behind the figure, and a check that they say what the next paragraph says. Run 1
# is also checked against the benchmark's record of seed 0: the same run, so the same
# evaluations.

# %%
runs = playground.runs
print(f"{'run':<56} {'best evaluation':>20} {'final evaluation':>17}")
for run in runs:
    h = run.history
    best = int(np.argmax(h.eval_returns))
    print(
        f"{run.label:<56} {h.eval_returns[best]:>8.1f} at {h.eval_steps[best]:>6,} "
        f"{h.eval_returns[-1]:>17.1f}"
    )
defaults_run, fast_run, centre_run = runs
course_seed_0 = next(r for r in benchmark(COURSE_PRESET) if r["seed"] == SEED)
from_benchmark = [r for step, _, r in course_seed_0["evals"] if step <= BUDGET]
print(f"benchmark, {COURSE_PRESET!r} seed {SEED}, same steps: {from_benchmark}")
assert defaults_run.history.eval_returns == from_benchmark, (
    "run 1 should be the benchmark's seed 0, evaluation for evaluation"
)
returns = {run.number: run.history.eval_returns for run in runs}
assert max(returns[1]) >= SOLVED and returns[1][-1] >= SOLVED, (
    f"the text says run 1 reached the solved line and ended on it: {returns[1]}"
)
assert returns[2][-1] < SOLVED - 100, f"the text says run 2 ended far below the line: {returns[2]}"
assert max(returns[3]) < SOLVED, f"the text says run 3 never reached the solved line: {returns[3]}"
assert np.argmax(returns[3]) == 0 and returns[3][-1] < returns[3][0] - 100, (
    f"the text says run 3 did best at its first evaluation, then fell back: {returns[3]}"
)
assert returns[3][0] > returns[1][0], "the text says run 3 started better than run 1"
assert max(returns[3][1:]) < SOLVED - 100, "the text says run 3 never got near the line again"

# %% [markdown]
# Run 1 reached the solved line and stayed on it, as the benchmark's record of the same seed
# says it would. Run 2, with steps twenty times larger, ended far below the line. Whether it
# first touches the line on the way depends on the seed, and even on the kind of processor: a
# long run amplifies the last bit of float rounding, which differs between CPU kinds. That is why
# one run cannot tell you what a setting does; ten seeds can, and the benchmark has them for a
# neighbouring setting only: a constant rate of 5e-4 (`constant_lr`, section 1) solved on every
# seed and stayed solved far less often. A constant 0.01, twenty times larger, it never tried. Run 3 did best at its first evaluation, better than run 1 did
# at the same point, then fell back and never got near the line again.
#
# How do their episodes end? An episode ends at the 500-step limit, when the pole falls past 12
# degrees, or when the cart leaves the 2.4 m track; the cell replays the 20 evaluation episodes
# of each run's final agent and counts.

# %%
EVAL_EPISODES, EVAL_SEED = playground.eval_episodes, playground.eval_seed


def how_it_ends(agent, seed):
    """Play one greedy episode from CartPole's own start; return how it ended."""
    env = dqn_lib.make_env()
    observation, _ = env.reset(seed=seed)
    for _ in range(dqn_lib.MAX_EPISODE_STEPS):
        observation, _, terminated, truncated, _ = env.step(agent.act(observation, greedy=True))
        if truncated:
            return "time limit"
        if terminated:
            off_track = abs(observation[0]) > dqn_lib.POSITION_LIMIT
            return "cart left the track" if off_track else "pole fell"
    return "time limit"


endings = {
    run.number: [how_it_ends(run.agent, EVAL_SEED + i) for i in range(EVAL_EPISODES)]
    for run in runs
}
for run in runs:
    counts = Counter(endings[run.number])
    print(f"{run.label}: " + ", ".join(f"{n} {what}" for what, n in counts.most_common()))
assert Counter(endings[1])["time limit"] == EVAL_EPISODES, (
    f"run 1 should always hold on: {endings[1]}"
)
for number in (2, 3):
    assert Counter(endings[number])["cart left the track"] > EVAL_EPISODES / 2, (
        f"the text says run {number}'s agent mostly drives the cart off the track: "
        f"{Counter(endings[number])}"
    )

# %% [markdown]
# Runs 2 and 3 fail mostly the same way: in run 2 the cart leaves the track in all 20 episodes,
# in run 3 in 14 of them (the pole falls in the other 6). For run 3,
# that is section 1's finding about exploring starts, on one seed. What did its agent have to
# learn from? Each run's replay buffer (50,000 transitions) still holds every transition of its
# run; the cell counts the share with the cart more than halfway to the end of the track.

# %%
HALFWAY = dqn_lib.POSITION_LIMIT / 2  # metres from the centre
far = {}
for run in runs:
    buffer = run.agent.replay_buffer
    positions = buffer.observations[: len(buffer), 0]  # (transitions,) cart positions, metres
    far[run.number] = float(np.mean(np.abs(positions) > HALFWAY))
    print(
        f"{run.label}: {len(buffer):,} transitions, {far[run.number]:.1%} with the cart "
        f"beyond {HALFWAY} m"
    )
assert all(len(run.agent.replay_buffer) == BUDGET for run in runs), "the buffers hold every step"
assert far[3] < far[1] / 3 and far[3] < far[2] / 3, (
    "the text says run 3 saw the cart far from the centre several times less often"
)
assert far[2] > 0.7 * far[1], "the text says run 2 saw nearly as much of the track as run 1"

# %% [markdown]
# Run 3's agent saw the cart far from the centre several times less often than the other two:
# starting every episode at the centre, it seldom got far from it while it learned. And on
# +1 a step, an end a few hundred steps ahead takes only a small share of the value (section
# 1's table of `gamma**k`), so a slow drift costs little until it is too late. Exploring starts
# put half the training episodes far from the centre, where the end of the track is close.
# Run 2 saw nearly as much of the track as run 1 and failed anyway: on this one seed, the data
# it learned from was not what it lacked; its learning rate, twenty times larger and held
# constant, is the one thing it changed.
#
# The Watch button plays the latest agent, run 3's; here it plays the first evaluation episode
# in which its cart left the track:

# %%
playground.watch(seed=EVAL_SEED + endings[3].index("cart left the track"))

# %% [markdown]
# ## 4. Your turn
#
# In JupyterLab, use the playground above (the three runs are already on its axes; **Clear
# runs** to start afresh). For each experiment, **write your prediction down first**, then
# train. A run of the default budget takes about as long as those of section 3 (their summary
# lines give the seconds).
#
# 1. **Exploration.** Set `epsilon_decay_steps` to 1,000, then to 40,000. Which one is still
#    exploring at the end of the run, and what does that do to the faint training curve
#    compared with the solid evaluation curve?
# 2. **No exploration at all.** `epsilon_start` and `epsilon_end` both 0. The network's first
#    guesses decide every action: does it still learn? (Every reward is +1: what happens to the
#    value of the one action it keeps taking?)
# 3. **Replay.** `buffer_size` 1,000 versus 50,000. Then try 100 and read the message.
# 4. **The target network.** Switch to hard updates and compare `target_update_every` 50 and
#    5,000: in a run of the default budget, how many times is the target copied with 5,000? Then
#    soft updates with `tau` 1.0 (the target *is* the online network).
# 5. **The learning rate.** 1e-4 with the fall turned off: faster or slower than run 1 at
#    first? Then the default 5e-4 with the fall turned off, for 20,000 steps (this one takes a
#    while): section 1 printed what the benchmark's `constant_lr` did on ten seeds. Does seed 0
#    do the same? (With these settings, a playground run is that preset's run.)
# 6. **gamma.** 0.9 and 0.999: how far ahead does each look (section 1's table)? Is ten steps
#    ahead enough to balance a pole, with exploring starts on?
# 7. **Two ways to tell the agent about the track.** Untick exploring starts and choose the
#    reward `angle_and_position`, which costs a little at every step the cart is off centre:
#    does a reward that *tells* the agent about the track replace starts that *show* it the
#    track?
# 8. **Seeds.** Pick the setting you like best and train it with seeds 0, 1, 2 and 3. The
#    benchmark trains ten: when two settings differ by less than the seeds differ, one run
#    each says nothing.
#
# The widgets can also be driven from code, as section 3 did: `playground.gamma.value = 0.9`,
# then `playground.train_once()`; `playground.runs` holds every run's settings, `History` and
# agent.

# %% [markdown]
# ## Exercises

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-11-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 11.2: the epsilon schedule (warm-up, about 10 minutes)
#
# Write `linear_schedule(start, end, duration, step)`, the function behind the epsilon and
# learning-rate sliders: it returns `start` at step 0, `end` from step `duration` on, and values
# on the straight line between in the steps in between (at step `duration / 2`, halfway). Return
# a float. Hint: after `duration` steps the value must *stay* at `end`; an epsilon that keeps
# falling goes below zero. The check tries a 10-step schedule from 1 to 0, epsilon's and the
# learning rate's default schedules, a constant one and three random (seeded) falling ones, at
# step 0, 1, halfway, one step before the end, the end, one step past it and far past it.


# %% nbgrader={"grade": false, "grade_id": "ex-11-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def linear_schedule(start, end, duration, step):
    """`start` at step 0, `end` from step `duration` on, a straight line between."""
    ### BEGIN SOLUTION
    fraction = min(1.0, step / duration)  # how much of the way we are, never more than all
    return start + (end - start) * fraction
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-11-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_linear_schedule(linear_schedule)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-11-3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### Exercise 11.3: the hard target update (core, about 15 minutes)
#
# Write `hard_update(target_network, q_network)`, what the "hard (copy)" setting does every
# `target_update_every` steps: afterwards, every weight and bias of `target_network` equals
# `q_network`'s, and `q_network` is unchanged. It returns nothing: it changes the target network
# in place. Hints: `target_network = q_network` inside the function only gives a local name a
# new meaning; and the target must hold *copies*, not `q_network`'s own tensors, or the next
# gradient step on `q_network` would move the target too. The check tries three pairs of
# networks of different sizes, and looks at every parameter, the direction of the copy, and
# whether any tensor is shared.


# %% nbgrader={"grade": false, "grade_id": "ex-11-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def hard_update(target_network, q_network):
    """Copy every weight of `q_network` into `target_network`, in place."""
    ### BEGIN SOLUTION
    target_network.load_state_dict(q_network.state_dict())  # copies the values, tensor by tensor
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-11-3-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check_hard_update(hard_update)

# %% [markdown]
# ## Summary
#
# - Every knob of the playground is a field of `DQNConfig` (or the reward, the starts, the
#   budget and the seed); the playground builds the config from the widgets, and a combination
#   `DQNConfig` refuses is explained in words instead of trained. Its defaults are the course's
#   DQN, the benchmark's `double` preset: a playground run with the defaults is the benchmark's
#   run of the same seed, evaluation for evaluation.
# - A playground run is one `dqn_lib.train` call: after every evaluation a `dqn_lib.Callback`
#   redraws the curve with the training clock stopped, and the run stays the benchmark's.
# - What the benchmark found, read from its JSON and checked: turning exploring starts off costs
#   the most of any one change to the course's DQN; replay is what makes the online agent learn
#   at all; the learning rate's fall keeps what was learned; a target network alone solved
#   sooner but less steadily, and Double DQN's target won most of it back; the shaped
#   reward solved sooner from CartPole's own starts and did worse from perturbed ones.
# - Three runs on one seed: the course's DQN reached the solved line and stayed; a learning rate
#   twenty times larger ended far below it; without exploring starts the agent mostly kept the
#   pole up and drove the cart off the track (14 of 20 episodes), having seen the cart far from the centre several times
#   less often in training.
# - One seed is an anecdote: compare settings on several seeds before believing a difference.
#
# The original notebook fixed its hyperparameters in code and trained one run. What this lesson
# adds is a way to change them and compare runs on one set of axes, the greedy evaluation
# separate from the exploring training episodes, every choice checked by `DQNConfig`, and every
# claim about a setting checked against the benchmark.
#
# The course's next lessons (planned): dueling networks and n-step returns. Until then, the
# playground is yours.
