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
# # レッスン 5: 報酬の設計
#
# CartPole の報酬関数を 2 つ書きます。環境そのものの「1 ステップごとに +1」と、原典のノートブックの「`-|pole angle|`、転倒したら -5」です。同じエピソードを両方で採点し、状態の価値を見積もる 2 つの方法、モンテカルロ収益と TDターゲットを比べます。エージェントはタスクそのものを見ることはなく、見えるのは報酬だけです。報酬が言っていることが、そのままエージェントの学ぶことになります。だからこそ、報酬関数で学習させる前に、それを 1 つのメッセージとして読んでおく価値があります。

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
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## 2 つの報酬関数
#
# 学習ループ (レッスン 6) は、ステップのたびに報酬関数を`reward_fn(next_observation, env_reward, terminated) -> float`の形で呼び出し、そのステップが返した値を渡します。1 つ目の関数は CartPole 自身の報酬をそのまま返します。最後のステップも含め、すべてのステップで +1 です ([Gymnasium の CartPole のページ](https://gymnasium.farama.org/environments/classic_control/cart_pole/))。


# %%
def environment_reward(next_observation, env_reward, terminated):
    """CartPole 自身の報酬。1 ステップごとに +1 なので、エピソードの収益はその長さになります。"""
    return float(env_reward)


# %% [markdown]
# 原典のノートブックは独自の報酬を書いていました。ポールが直立に近いほど報酬が高く (`-|pole angle|`、単位はラジアン)、エピソードが終了したときは -5 です。ペナルティを受けるのは`terminated` (ポールが倒れた、またはカートがレールの端を越えた) のときだけです。なぜそうするのかは、最後に改めて説明します。

# %%
FALL_PENALTY = -5.0  # the original notebook's reward for a fall


def pole_angle_reward(next_observation, env_reward, terminated):
    """原典のノートブックの報酬: -|pole angle| (ラジアン)、転倒したときは -5。"""
    if terminated:
        return FALL_PENALTY
    pole_angle = next_observation[2]  # cart position, cart velocity, pole angle, angular velocity
    return -abs(float(pole_angle))


# %% [markdown]
# ## 採点する 2 つのエピソード
#
# 2 つの関数を比べるため、*同じ*遷移を両方で採点します。エピソードの各ステップについて、次に観測された値、環境の報酬、エピソードがどう終わったかを記録します。`make_env()`のあとに`reset(seed=...)`を呼ぶのは`dqn_lib.record_episode`と同じ手順なので、シードが同じなら、ここでもアニメーションでも同じエピソードになります。


# %%
def record_transitions(policy, seed):
    """`reset(seed=seed)` から `policy` で 1 エピソードをプレイし、ステップごとの dict のリストを返します。"""
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
    """エピソードの終わり方: 時間制限で打ち切られたか、終了したか、そしてその理由。"""
    last = transitions[-1]
    if last["truncated"]:
        return "打ち切り (時間制限)"
    x = last["next_observation"][0]
    return (
        "終了 (カートがレールの端を越えた)" if abs(x) > POSITION_LIMIT else "終了 (ポールが倒れた)"
    )


def ending(transitions):
    """エピソードがどう終わり、何ステップ続いたかを言葉で返します。"""
    return f"{len(transitions)} ステップで{ending_kind(transitions)}"


# %% [markdown]
# ランダム方策では、ポールは数十ステップのうちに倒れます。これを転倒で終わるエピソードとして使います。コイン投げには専用の乱数生成器を使い、シードを固定しているので、同じエピソードが再現されます。

# %%
rng = np.random.default_rng(SEED)


def random_policy(observation):
    return int(rng.integers(2))  # 0 pushes left, 1 pushes right


fallen = record_transitions(random_policy, seed=SEED)
print(f"ランダム方策、シード {SEED}: {ending(fallen)}")

# %% [markdown]
# 長く続くエピソードには、レッスン 1 で手で書いた`lean_policy`を使います。ポールの角度と角速度の和から、ポールが倒れかけている側を判断して、そちらへ押す方策です。いくつかのシードを試し、500 ステップの時間制限に最初に達したものを残します。


# %%
def lean_policy(observation):
    """ポールが倒れかけている側へ押します。カートのことはまったく考えません。"""
    cart_position, cart_velocity, pole_angle, pole_angular_velocity = observation
    return int(pole_angle + pole_angular_velocity > 0)


hand_written = {seed: record_transitions(lean_policy, seed) for seed in range(SEED, SEED + 5)}
for seed, transitions in hand_written.items():
    print(f"手で書いた方策、シード {seed}: {ending(transitions)}")

timed_out_seed = next(s for s, t in hand_written.items() if t[-1]["truncated"])
timed_out = hand_written[timed_out_seed]
print(f"\nシード {timed_out_seed} を、時間切れになるエピソードとして残します。")

# %% [markdown]
# この方策はポールをうまく立たせているのに、早く終わってしまうシードもあります。このことは覚えておいてください。後でまた取り上げます。比べる 2 つのエピソードは次のとおりです。

# %%
trajectories = {
    f"ランダム方策、シード {SEED}": fallen,
    f"手で書いた方策、シード {timed_out_seed}": timed_out,
}

# %% [markdown]
# ここでインラインで書いた関数は、`dqn_lib`が後のレッスンのために用意している関数と同じものです。両方のエピソードのすべてのステップで両者が一致すること、そして報酬が上で述べたとおりの値であることを確かめます。

# %%
reward_functions = {
    "環境の報酬 (1 ステップごとに +1)": (environment_reward, dqn_lib.environment_reward),
    "ポールの角度の報酬 (-|angle|、転倒で -5)": (pole_angle_reward, dqn_lib.pole_angle_reward),
}
for trajectory_name, transitions in trajectories.items():
    for function_name, (inline, library) in reward_functions.items():
        for t, step in enumerate(transitions):
            args = (step["next_observation"], step["env_reward"], step["terminated"])
            assert inline(*args) == library(*args), (
                f"{function_name}, {trajectory_name}, ステップ {t + 1}: インラインの関数は {inline(*args)}、"
                f"dqn_lib は {library(*args)} を返しました"
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
    assert all(r == 1.0 for r in rewards), f"{trajectory_name}: 環境の報酬が 1 でないステップがあります"

# The fallen episode: -5 on its last step, -|angle| within the 12-degree limit on every other.
assert fallen[-1]["terminated"], "ランダム方策のエピソードは終了 (terminated) で終わるはずです"
angle_rewards = [
    pole_angle_reward(s["next_observation"], s["env_reward"], s["terminated"]) for s in fallen
]
assert angle_rewards[-1] == FALL_PENALTY, f"最後の角度報酬が -5 ではなく {angle_rewards[-1]} です"
assert all(-ANGLE_LIMIT_RADIANS <= r <= 0 for r in angle_rewards[:-1]), (
    f"角度報酬が -{ANGLE_LIMIT_RADIANS:.4f} を下回るステップがあります: {min(angle_rewards[:-1])}"
)
print(
    "インラインの報酬関数と dqn_lib の報酬関数は、両方のエピソードの全 "
    f"{sum(len(t) for t in trajectories.values())} ステップで一致しました"
)

# %% [markdown]
# ## 各エピソードに沿った報酬
#
# 1 つの図に 4 つのパネルを並べます。各行が報酬関数、各列がエピソードです。赤い線は、エピソードが終わったステップとその終わり方を示します。


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
        ax.set_ylabel("そのステップの報酬")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
    axes[1, column].set_xlabel("エピソードのステップ")
axes[0, 0].set_ylim(0, 1.5)
axes[0, 1].set_ylim(0, 1.5)
fig.suptitle("ステップごとの報酬: 同じ 2 つのエピソードを 2 つの報酬関数で採点")
fig.tight_layout()
plt.show()

# %% [markdown]
# +1 の報酬はどのステップでも同じです。ステップどうしを区別するのはエピソードの終わりだけです。角度報酬はステップごとに変わり (*密な*報酬です)、転倒は -5 としてはっきり目立ちます。とはいえ、より情報の多い報酬が必要なわけではありません。このコースの DQN は、ベンチマークのすべてのシードで、+1 の報酬から CartPole を学習できています (レッスン 9)。整形した報酬で何が変わるかはレッスン 10 で測ります。CartPole 本来の初期状態からは早く解けるようになる一方、中央から遠い状態への対処は悪くなります。角度報酬のスケールにも注意してください。1 ステップの角度報酬が -0.21 (12 度の限界をラジアンで表した値) を下回ることはないので、1 回の転倒が、限界ぎりぎりのステップ何回分の重みに相当するかを計算すると、次のようになります。

# %%
print(
    f"転倒 1 回 = 12 度の限界でのステップ {FALL_PENALTY / -ANGLE_LIMIT_RADIANS:.1f} 回分 "
    f"(1 ステップあたり {-ANGLE_LIMIT_RADIANS:.4f})"
)

# %% [markdown]
# 右の列では、時間制限はどちらの報酬も変えません。エピソードがただ止まるだけです。
#
# ## +1 の報酬が言っていること: 生き延びよ
#
# エージェントが最大化するのは*割引*収益です。各報酬には、それが何ステップ先かに応じて`gamma`のべき乗の重みが掛かります。1 ステップごとに +1 なら、これによって残りのステップ数が価値に変わります。あと`k`ステップ生き延びることの価値は`1 + gamma + ... + gamma**(k-1) = (1 - gamma**k) / (1 - gamma)`、永遠に生き延びることの価値は`1 / (1 - gamma)`です。

# %%
print(f"gamma = {GAMMA}")
for k in (1, 10, 50, 100, 200, MAX_EPISODE_STEPS):
    print(f"  あと k = {k:>3} ステップ生き延びる価値は {(1 - GAMMA**k) / (1 - GAMMA):6.2f}")
print(f"  永遠に生き延びる価値は                {1 / (1 - GAMMA):6.2f}")

# %% [markdown]
# つまり、エージェントが学ぶべき価値は 1 (転倒寸前) から 100 (安全) までの範囲にあり、「10 ステップ後に転倒」と「100 ステップ後に転倒」の差は大きくなります。+1 の報酬は、エピソードがどれだけ早く終わるかで状態を順位づけし、それ以外のことは何も表しません。あるステップの残りの収益 (return-to-go) とは、そのステップから先に集める報酬の和です。後ろから計算すれば、各ステップは自分の報酬を、その後に続く割引された和に足すだけです。


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
# 確認: 1 ステップごとに +1 なら、残り`k`ステップでの残りの収益は
# `(1 - gamma**k) / (1 - gamma)`になるはずです。

# %%
for trajectory_name, transitions in trajectories.items():
    returns = discounted_return_to_go(rewards_of(environment_reward, transitions), GAMMA)
    steps_left = np.arange(len(transitions), 0, -1)  # k = episode length - t
    expected = (1 - GAMMA**steps_left) / (1 - GAMMA)
    worst = np.abs(returns - expected).max()
    assert np.allclose(returns, expected), f"{trajectory_name}: 式から最大 {worst} ずれています"
    print(
        f"{trajectory_name}: 最初のステップの残りの収益 {returns[0]:.2f}、"
        f"最後のステップ {returns[-1]:.2f}"
    )

# %% [markdown]
# 同じ 2 つのエピソードを、今度はそれぞれの報酬関数のもとでの残りの収益として表します。

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 6.5), sharex="col")
for column, (trajectory_name, transitions) in enumerate(trajectories.items()):
    steps = np.arange(1, len(transitions) + 1)
    for row, (function_name, (reward_fn, _)) in enumerate(reward_functions.items()):
        ax = axes[row, column]
        returns = discounted_return_to_go(rewards_of(reward_fn, transitions), GAMMA)
        ax.plot(steps, returns, linewidth=1.5, label="残りの収益")
        mark_ending(ax, transitions)
        ax.set_title(f"{function_name}\n{trajectory_name}", fontsize=10)
        ax.set_ylabel(f"割引された残りの収益\n(gamma = {GAMMA})")
        ax.grid(alpha=0.3)
    axes[1, column].set_xlabel("エピソードのステップ")
for ax in axes[0]:
    ax.axhline(1 / (1 - GAMMA), color="grey", linestyle=":", label="永遠に生き延びる (100)")
    ax.set_ylim(0, 110)
for ax in axes.flat:
    ax.legend(loc="best", fontsize=8)
fig.suptitle("割引された残りの収益: 各報酬から見た、これらのエピソードの各ステップの価値")
fig.tight_layout()
plt.show()

# %% [markdown]
# 右上のパネルを見てください。手で書いた方策は最後までポールを立たせ続けたのに、その残りの収益は約 99 から 1 まで下がっていきます。まるで最後のほうのステップが、転倒直前のステップと同じくらい悪いかのようです。ポールには何の問題もありませんでした。和が止まるのは、時間切れになったからにすぎません。エージェントには時計が見えないので、エージェントにとってこれらの最後の状態は他の状態と変わらず、価値はおよそ 100 です。だからこそ、打ち切られたステップでも、TDターゲットではブートストラップしなければなりません (レッスン 4)。TDターゲットは、エピソードが集めきれなかった価値の分として`gamma * max Q(next_observation)`を加えます。(右下のパネルが最後に 0 まで上がっていくのも同じ理由です。コストを課される残りのステップが少なくなるからです。)

# %% [markdown]
# ## 価値の 2 つの推定: モンテカルロ収益と TDターゲット
#
# 残りの収益は、ある状態が*1 つの*エピソードで結果的にどれだけの価値だったかを表します。状態の価値、つまりそこから*期待*できる収益を知りたいエージェントには、経験からそれを推定する方法が 2 つあります ([Sutton & Barto、第 2 版](http://incompleteideas.net/book/the-book-2nd.html)、モンテカルロ法は 5 章、TD 学習は 6 章)。
#
# - **モンテカルロ収益**: エピソードが終わるのを待ち、残りの収益そのものを使います。
# - レッスン 4 の **TDターゲット**: 1 ステップの報酬に、そのステップで移った先の状態の価値の*推定値*を割り引いて足します。`reward + gamma * V(next_observation)`であり、エピソードの終わりを待つ必要はありません。
#
# 両者を比べるには、1 つの状態から始まる多数のエピソードが必要です。同じ初期状態`reset(seed=SEED)`からランダム方策を 1,000 回プレイします。CartPole の物理は決定的なので、ばらつきはすべてコイン投げから生まれます。(ここではどちらも、プレイしている方策、つまりランダム方策にとっての初期状態の価値を、状態ごとに 1 つの数`V(s)`として推定します。レッスン 4 の Q学習のターゲットは、`max`を使って、うまく行動した場合の価値を問うものですが、2 つの推定の間のトレードオフは同じです。)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-05-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 5.1: 予想してから実行: どちらの推定のばらつきが大きいか (ウォームアップ、約 5 分)
#
# 次のセルは 1,000 エピソードをプレイし、各エピソードについて、初期状態のモンテカルロ収益と TDターゲット`reward + gamma * V(next_observation)`を計算します。`V`はこれらと同じエピソードから測ったものです。どちらも平均すれば正しい値になります。では、エピソードごとのばらつきが大きいのはどちらでしょうか。`"monte carlo"`、`"td"`、`"about the same"` (2 つの標準偏差の差が、大きいほうの 4 分の 1 以内) から選んでください。実行する前に、`my_prediction()`から`(answer, why)`を返します。理由は文で書いてください。チェックは実際に何が起きたかを教えてくれます。予想が外れても不合格にはなりませんが、予想がなければ不合格になります。(「すべて実行」(Run All) を使った場合は、下のセルがすでに実行されています。出力された結果までスクロールする前に、予想を書いてください。)


# %% nbgrader={"grade": false, "grade_id": "ex-05-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """次のセルの前に: ("monte carlo" | "td" | "about the same", 理由)。"""
    ### BEGIN SOLUTION
    return "monte carlo", "1 エピソード分のコイン投げ全体は、1 ステップよりもはるかに大きくばらつくから"
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

print(f"ランダム方策、シード {SEED} の初期状態から {N_EPISODES:,} エピソード\n")
print(
    f"{'エピソード':>2} {'初手':>6} {'長さ':>4} {'MC 収益':>8} {'TD, V = 0':>10} {'TD, V 実測':>13}"
)
for i in range(8):
    push = "左" if first_actions[i] == 0 else "右"
    print(
        f"{i:>7} {push:>10} {len(episodes[i]):>6} {mc_returns[i]:>10.2f} {td_zero[i]:>10.2f} "
        f"{td_measured[i]:>15.2f}"
    )
for label, statistic in (("平均", np.mean), ("標準偏差", np.std)):
    print(
        f"{label + ' (全データ)':>19} {statistic(mc_returns):>10.2f} {statistic(td_zero):>10.2f} "
        f"{statistic(td_measured):>15.2f}"
    )
standard_error = mc_returns.std() / np.sqrt(N_EPISODES)
print(
    f"\nランダム方策での初期状態の価値: {mc_returns.mean():.2f} "
    f"(モンテカルロ収益の平均。誤差はおよそ ±{standard_error:.2f})"
)

# %% [markdown]
# 確認: 2 種類のターゲットが、表に示されたとおりのものになっていることを確かめます。

# %%
assert np.allclose(mc_returns, (1 - GAMMA ** np.array([len(e) for e in episodes])) / (1 - GAMMA))
assert np.all(td_zero == 1.0), "V = 0 なら、TDターゲットはすべて最初の報酬 +1 になるはずです"
assert td_measured.std() < mc_returns.std() / 3, "TDターゲットのばらつきはずっと小さいはずです"
assert abs(td_measured.mean() - mc_returns.mean()) < 1e-9, "作り方からして、平均は同じになるはずです"
assert mc_returns.mean() - td_zero.mean() > 5 * standard_error, "V = 0 では大きく外れるはずです"
print("確認しました: モンテカルロ収益は大きくばらつき、V = 0 ではすべての TDターゲットが +1 になります")

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
    label="モンテカルロ収益 (エピソードの長さごとに棒 1 本)",
)
for action, name in ((0, "左"), (1, "右")):
    ax.axvline(
        1 + GAMMA * value_measured[action],
        color="C2",
        linestyle="-" if action == 0 else "--",
        label=f"TDターゲット (最初の行動が {name}、V は測定値)",
    )
ax.axvline(1.0, color="C3", linewidth=2, label="TDターゲット、V = 0 (すべてのエピソード)")
ax.axvline(mc_returns.mean(), color="black", linestyle=":", label="モンテカルロ収益の平均")
ax.set(
    title=f"初期状態の価値の推定値: ランダム方策、シード {SEED} から {N_EPISODES:,} エピソード",
    xlabel=f"初期状態の価値の推定値 (割引あり、gamma = {GAMMA})",
    ylabel="エピソード数",
)
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# 表は列ごとに読んでください。モンテカルロ収益はどれも初期状態の価値の公平なサンプルで、その平均 19.22 が手元にある最良の推定値です。しかし、1 エピソードの収益は大きくばらつきます (標準偏差 8.92)。エピソード中のすべてのコイン投げに左右されるからです。TDターゲットが左右されるのは、1 回のコイン投げ、つまり最初に押す向きと、その後の推定値`V`だけです。`V`をこれらと同じエピソードから測ると、TDターゲットは押した向きごとに 1 つずつ、2 つの値しかとらず、ばらつきははるかに小さくなります (1.63)。その平均は、作り方からしてモンテカルロ収益の平均と一致します。その`V`はこれらの収益から求めたものだからです。推定の出発点である`V = 0`では、TDターゲットはどのエピソードでも +1 です。ばらつきはまったくありませんが、価値のほぼ全体の分だけ外れています。
#
# これがトレードオフです (Sutton & Barto、6 章)。モンテカルロ収益にはバイアスがありませんが、分散が大きくなります。TDターゲットは分散が小さい代わりに、ブートストラップのもとになる推定値のバイアスを受け継ぎます。このバイアスは、学習によって推定値が改善するにつれて小さくなります。DQN のターゲットは TDターゲットです。最初は`V = 0`の列と同じくらい外れていて、ネットワークが学習するにつれて上がっていきます (レッスン 8 でその上昇を観察します)。

# %% [markdown]
# ## 角度報酬が言っていること: ポールを直立に保て
#
# 角度報酬はすべてのステップを採点するので、転倒するずっと前からエージェントに進むべき方向を示します。しかし、この報酬は決して正になりません。生きているステップはどれも何かしらのコストを払い、払うのをやめる唯一の方法はエピソードを終わらせることで、その代償は 1 回限りの 5 です。2 つの未来を並べてみましょう。`a`ラジアンの傾きを永遠に保つと、割引した報酬で`a / (1 - gamma)`のコストがかかり、今すぐ転倒すると 5 のコストがかかります。両者のコストが等しくなるのは、傾きが`5 * (1 - gamma)`のときです。

# %%
break_even_lean = -FALL_PENALTY * (1 - GAMMA)  # a / (1 - gamma) == -FALL_PENALTY
print(
    f"傾きを永遠に保つコストが転倒 1 回と等しくなるのは {break_even_lean:.3f} rad "
    f"({np.degrees(break_even_lean):.1f} 度) のとき"
)
for trajectory_name, transitions in trajectories.items():
    leans = np.abs([s["next_observation"][2] for s in transitions if not s["terminated"]])
    print(
        f"{trajectory_name}: 平均の傾き {leans.mean():.3f} rad、"
        f"最大 {leans.max():.3f} rad ({len(leans)} ステップ)"
    )

# %% [markdown]
# この比較が何を意味するのかを正しく読んでください。これが成り立つのは、傾きが永遠に続く場合だけです。ポールを直立に戻せるエージェントが、この選択を迫られることはありません。傾いたままの数ステップはそれぞれ数百分の一程度のコストで、その後はほとんどコストがかかりません。ランダム方策の平均の傾きはこの線を上回っていますが、それは保たれている傾きではありません。傾きはポールが倒れる前に 0.190 rad まで振れ、そしてポールはどのみち倒れます。手で書いた方策の平均の傾きは、この線をはるかに下回っています。

# %% [markdown]
# 問題は数値ではなく、報酬の形にあります。決して正にならない報酬に、エピソードを終わらせるペナルティが組み合わさっていることです。このような報酬のもとでは、エピソードを終わらせることは支払いをやめる手段になります。そして、それがより安い手段かどうかは、この先の状態がエージェントの推定値にとってどれだけ悪く見えるかで決まります。学習の初期、ポールをまっすぐに戻すことをまだ学んでいない段階では、推定値が「終わらせたほうが安い」と示すこともあり、エージェントはそこから学んでしまいます。1 ステップごとに +1 の報酬なら、このような損得の比較は生じません。生きているステップはどれも収益を増やします。`gamma`を下げても解決にはなりません。それは*すべての*判断で遠い未来を軽く扱うことになり、別の目的を解くことになってしまいます。

# %% [markdown]
# 報酬は、どの方策が最良かを変えずに、すべてのステップを採点することができます。その方法を示したのが Ng, Harada & Russell です。タスクの報酬に、*ポテンシャルに基づく*項`gamma * Phi(next_observation) - Phi(observation)`を加えます。ここで`Phi`は状態の任意の関数です (エピソードが終了した後は`Phi`を 0 とします)。こうしても、最良の方策は最良のままです ([Ng, Harada & Russell (1999)](https://people.eecs.berkeley.edu/~pabbeel/cs287-fa09/readings/NgHaradaRussell-shaping-ICML1999.pdf))。`Phi = -|pole angle|`とすると、この項はおおまかに言って、ポールをまっすぐに戻すと報酬を与え、さらに傾けるとコストを課します。原典のノートブックの「1 ステップごとに`-|pole angle|`、転倒したら -5」は、この形ではありません。

# %% [markdown]
# ## 角度報酬はカートを見ていない
#
# 角度報酬はポールしか見ていません。手で書いた方策で、早く終わったシードがあったのを覚えていますか。それは、角度報酬では非常に高い点を取りながら、カートが流されてレールの端を越えてしまう方策です。

# %%
drifted_seed = next((s for s, t in hand_written.items() if t[-1]["terminated"]), None)
assert drifted_seed is not None, "手で書いた方策のシードのうち 1 つは早く終わるはずです"
drifted = hand_written[drifted_seed]
cart_positions = np.array([s["next_observation"][0] for s in drifted])
drifted_rewards = rewards_of(pole_angle_reward, drifted)
print(f"手で書いた方策、シード {drifted_seed}: {ending(drifted)}")
print(
    f"  終わる前の 1 ステップあたりの角度報酬: 平均 {drifted_rewards[:-1].mean():.4f}、"
    f"最悪 {drifted_rewards[:-1].min():.4f} (限界は {-ANGLE_LIMIT_RADIANS:.4f})"
)
print(
    f"  最後のポールの角度: {drifted[-1]['next_observation'][2]:+.4f} rad、"
    f"カートの位置 {cart_positions[-1]:+.2f} m"
)

# %%
steps = np.arange(1, len(drifted) + 1)
fig, (ax_position, ax_reward) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
ax_position.plot(steps, cart_positions, label="カートの位置")
for limit in (-POSITION_LIMIT, POSITION_LIMIT):
    ax_position.axhline(limit, color="grey", linestyle=":")
ax_position.text(2, POSITION_LIMIT - 0.35, f"レールの端 (±{POSITION_LIMIT} m)", color="grey")
ax_position.set_ylabel("カートの位置 (m)")
ax_position.set_ylim(-2.8, 2.8)
ax_reward.plot(steps[:-1], drifted_rewards[:-1], linewidth=1, label="角度報酬 -|angle| (rad)")
ax_reward.axhline(-ANGLE_LIMIT_RADIANS, color="grey", linestyle=":", label="転倒前の最悪値")
ax_reward.set_ylabel("そのステップの報酬")
ax_reward.set_xlabel("エピソードのステップ")
ax_reward.set_ylim(-0.25, 0.02)
for ax in (ax_position, ax_reward):
    mark_ending(ax, drifted)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
ax_reward.annotate(
    f"ステップ {len(drifted)} で -5 (グラフの範囲外)",
    xy=(len(drifted), -0.25),
    xytext=(len(drifted) * 0.55, -0.15),
    arrowprops={"arrowstyle": "->"},
)
fig.suptitle(f"手で書いた方策、シード {drifted_seed}: ポールは直立、カートはレールの外へ流れていく")
fig.tight_layout()
plt.show()

# %% [markdown]
# カートが端へ向かっていく間も、どのステップの角度報酬も最良値の 0 の近くにとどまっています。唯一の警告は、カートがレールを外れたときの -5 だけです。どちらの報酬も、途中のカートの位置については何も言いません。しかし角度報酬は、ポールを直立させるという 1 つの目標へ引っ張る力を加えます。そしてその目標は、カートが流されていても達成できてしまいます。(レッスン 1 では、この種のエピソードをアニメーションで見ました。ポールは立ったまま、カートが画面の端から滑り出ていきます。) 演習 5.2 ではカートのための項を加えた報酬`dqn_lib.angle_and_position_reward`を書き、レッスン 10 ではこの報酬で、+1 の報酬と並べてこのコースの DQN を学習させます。

# %% [markdown]
# ## 時間切れは転倒ではない
#
# CartPole-v1 は、どのエピソードも 500 ステップで止めます。これは、ポールを立て続けるエージェントにとって、ありうる最良のエピソードです。このとき、そのステップは`terminated=False, truncated=True`を返します。ポールは倒れておらず、時間切れになっただけです。転倒を罰する報酬は、`terminated`だけを見なければなりません。
#
# 落とし穴は`done`という一語にあります。gym 0.26 より前は、`step`は 4 つの値を返し、その`done`は転倒したときだけでなく、時間制限に達したときにも真になりました。原典のノートブックはこの名前をそのまま使っています。
#
# ```python
# next_s, _, done, _, _ = env.step(a)
# r = reward_func(next_s) if not done else -5
# ```
#
# 古いコードや多くの移植版のように、この規則を「エピソードが終わった」という意味の`done`、つまり`terminated or truncated`で書くと、500 ステップすべてでバランスを取り続けたエージェントを、ポールを落としたのとまったく同じように罰してしまいます。この規則に両方の意味の done を与え、時間切れになったエピソードの最後のステップで試してみます。


# %%
def original_reward(next_observation, done):
    """原典のノートブックの規則: -|pole angle|、ただし `done` のときは -5。"""
    return FALL_PENALTY if done else -abs(float(next_observation[2]))


last = timed_out[-1]
angle_rewards = rewards_of(pole_angle_reward, timed_out)
done_means_over = original_reward(last["next_observation"], last["terminated"] or last["truncated"])
done_as_unpacked = original_reward(last["next_observation"], last["terminated"])
ours = pole_angle_reward(last["next_observation"], last["env_reward"], last["terminated"])
print(
    f"時間切れになったエピソードの最後のステップ: terminated={last['terminated']}、"
    f"truncated={last['truncated']}"
)
print(f"  元の規則、done = terminated or truncated: {done_means_over:+.4f}")
print(f"  元の規則、done = step の 3 番目の値:      {done_as_unpacked:+.4f}")
print(f"  pole_angle_reward (terminated のみ):      {ours:+.4f}")

assert last["truncated"] and not last["terminated"], "エピソードは時間切れで終わるはずです"
assert len(timed_out) == MAX_EPISODE_STEPS, f"時間切れが 500 ステップではなく {len(timed_out)} ステップで起きました"
assert FALL_PENALTY not in angle_rewards, "pole_angle_reward が、打ち切られたエピソードで -5 を返しました"
assert done_means_over == FALL_PENALTY, "時間制限も含む done なら -5 になるはずです"
assert ours == done_as_unpacked == -abs(float(last["next_observation"][2])), (
    f"時間制限では -|angle| になるはずですが、{ours} と {done_as_unpacked} でした"
)

# %% [markdown]
# `done = terminated or truncated`とすると、完璧なエピソードの最後のステップの価値は、転倒と同じ -5 になります。その結果エージェントは、上手にバランスを取って到達した状態が破局につながると教え込まれてしまいます。私たちの`pole_angle_reward`は、時間切れのステップにも通常どおり`-|angle|`を与えます。
#
# 原典のノートブックの名誉のために言っておくと、その行は 5 つの値を展開しており、gymnasium (および gym 0.26) が返す 5 つの値の 3 番目は`terminated`です。したがって、書かれたとおりなら`done`は`terminated`であり、その報酬は時間切れを罰していませんでした (上の出力の真ん中の行)。このバグが編集 1 つで入り込みうるのは、この名前のせいです。原典のノートブックが 2 つの終わり方を実際に混同していたのは TDターゲットのほうで、`done`をまったく無視し、転倒のたびにその先までブートストラップしていました。レッスン 4 の`td_target`は`terminated`で止まり、`truncated`ではブートストラップを続けます。

# %% [markdown]
# ## 名前で報酬関数を選ぶ
#
# 後のレッスンや設定、ウィジェットは、報酬関数を名前で選びます。`dqn_lib.get_reward_function`は名前から関数を探し、知らない名前は拒否して、使える名前を示します。

# %%
assert dqn_lib.get_reward_function("pole_angle") is dqn_lib.pole_angle_reward, "関数が違います"
assert dqn_lib.get_reward_function("environment") is dqn_lib.environment_reward, "関数が違います"
try:
    dqn_lib.get_reward_function("pole angle")  # a space instead of an underscore
except ValueError as error:
    message = str(error)
    print(f"ValueError: {message}")
else:
    raise AssertionError("未知の報酬関数名では ValueError が発生するはずです")
assert all(name in message for name in dqn_lib.REWARD_FUNCTIONS), (
    f"エラーメッセージは有効な報酬関数名 {sorted(dqn_lib.REWARD_FUNCTIONS)} を示すはずです"
)

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後で、あなたの答えを使うものはありません。(演習 5.1 は、この上のレッスン本文の中にあります。)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-05-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 5.2: カートを見る報酬 (基本、約 10 分)
#
# 角度報酬は、手で書いた方策がカートをレールの外へ走らせている間も、最良値の近くにとどまっていました。報酬は、レールの中央が安全な場所だということを、すべてのステップで伝えなければなりません。
#
# `angle_and_position_reward(next_observation, env_reward, terminated) -> float`を書いてください。`terminated`のときは`FALL_PENALTY` (-5)、それ以外は`-|pole angle| - 0.1 * |cart position|`を返します。角度の単位はラジアン、位置の単位はメートルなので、中央から 1 m 離れたカートは、0.1 rad (5.7 度) の傾きと同じコストになります。レッスン 10 では、この報酬 (ベンチマークの`shaped`プリセット) でこのコースの DQN を学習させ、+1 の報酬と比べます。
#
# ヒント: 観測は (カートの位置、カートの速度、ポールの角度、ポールの角速度) なので、位置は`[1]`ではなく`next_observation[0]`です。中央より左にあるカートの位置は負で、右に同じ距離だけ離れたカートと同じコストにならなければなりません。`truncated`引数は意図的に用意していません。500 ステップで打ち切られたエピソードの最後のステップは`terminated=False`で、通常どおりの報酬を受け取ります (原典のノートブックの`done`なら、転倒と同じように罰していたはずです)。配列ではなく Python の`float`を返してください (NumPy の数値を`float(...)`で囲みます)。
#
# チェックは、手作りのステップ (ポールが左に傾いている、右に傾いている、カートがどちらかの側に大きく寄っている)、2 種類の終了 (ポールが倒れた、カートがレールの端を越えた)、ランダムなプレイから記録したステップ、時間制限で打ち切られたエピソードの最後のステップについて、あなたの関数を`dqn_lib.angle_and_position_reward`と比べます。値が違うときは、あなたの関数が代わりに観測のどの要素を読んでいるらしいかを教えてくれます。値が正しくても型が違えば (NumPy の数値、テンソル、`int`) 不合格になります。


# %% nbgrader={"grade": false, "grade_id": "ex-05-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def angle_and_position_reward(next_observation, env_reward, terminated):
    """-|pole angle| - 0.1 * |cart position|、終了したときは FALL_PENALTY (-5)。"""
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
# ## まとめ
#
# - 報酬関数は各ステップを 1 つの数に変えます。`(next_observation, env_reward, terminated) -> float`。エージェントは、その数が言うことを何でも学びます。
# - 環境の「1 ステップごとに +1」は「生き延びよ」と言っています。`gamma = 0.99`なら、あと`k`ステップ生き延びる価値は`(1 - gamma**k) / (1 - gamma)`、永遠に生き延びる価値は 100 なので、状態はエピソードがどれだけ早く終わるかで順位づけされます。どのステップにも同じ報酬が付き、情報をもたらすのはエピソードの終わりだけです。
# - モンテカルロ収益はエピソードの終わりを待ち、平均すれば正しい値になりますが、1 エピソード分の収益は大きくばらつきます。TDターゲットは 1 ステップと残りの推定値を使うので、ばらつきは小さいものの、その正しさは推定値の正しさ次第です。
# - 原典のノートブックの「`-|pole angle|`、転倒したら -5」は「ポールを直立に保て」と言っています。すべてのステップを採点する分だけ密ですが、カートを無視します (カートがレールの外へ流れていく間も、ポールを直立に保つ方策がありえます)。また、決して正にならず、エピソードを終わらせるペナルティがあるため、エピソードを終わらせることが支払いをやめる手段になります。0.05 rad を超える傾きを永遠に保つ場合には、そのほうが安い手段です。ポールをまっすぐに戻せるエージェントは、この選択に直面しません。問題は報酬の形にあります。ポテンシャルに基づく報酬整形なら、すべてのステップを採点しつつ、最良の方策を変えずに保てます。
# - 時間切れは転倒ではありません。-5 を受けるのは`terminated`だけです。500 ステップの制限も含む`done`を使うと、最良のエピソードを最悪のエピソードと同じように罰してしまいます。打ち切られたエピソードの残りの収益は制限のところで止まります。だからこそ、打ち切られたステップでもブートストラップを続けます。
# - 原典のノートブックから残したもの: その報酬関数と -5 を、`pole_angle_reward`として。変えたもの: ペナルティは`terminated`という名前の値を見て、`done`は決して見ません (原典のノートブックの`done`は実際には`terminated`でした。そう名付けておけば、移植の際に`terminated or truncated`に変えられてしまうことを防げます)。レッスン 6 では、原典のノートブックのエージェントをその角度報酬で学習させます。レッスン 7 から 11 の DQN は、環境の +1 (`dqn_lib.environment_reward`。`dqn_lib.train`と、`shaped`以外のすべてのプリセットのデフォルト) で学習します。
#
# 次のレッスン 6 では、原典のノートブックのオンラインエージェントを実際に学習させます。
