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
# # レッスン 1: CartPole 環境
#
# エージェントが何かを学習できるようになる前に、まずその世界を知っておく必要があります。エージェントには何が見えるのか、何ができるのか、そしてエピソードはいつ終わるのか、です。このレッスンでは CartPole を分解して調べ、そのあと学習をまったく使わずに書いた 2 つの方策、つまりランダム方策と手で書いた方策を試して、DQN エージェントが超えなければならない基準を定めます。

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
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## 環境
#
# `make_env`は gymnasium の`CartPole-v1` (レールの上を動くカートに、ポールがヒンジで取り付けられたもの) を作り、シードが与えられればそのシードを設定します。そのため、このノートブックを何度実行しても同じエピソードが得られます。2 つの*空間* (space) が、観測と行動がどのような形をしているかを表します。

# %%
env = make_env(seed=SEED)
print("観測空間:", env.observation_space)
print("行動空間:", env.action_space)

# %% [markdown]
# ## エージェントが観測するもの
#
# 観測は 4 つの数値です。物理計算は SI 単位系で行われる (重力 9.8 m/s²、押す力 10 N、1 ステップ 0.02 s) ので、位置はメートル、角度はラジアンで表されます。角度は度でも併記します。
#
# | 番号 | 名前 | 意味 | 単位 | 観測空間 | この範囲を超えると終了 |
# | --- | --- | --- | --- | --- | --- |
# | 0 | カートの位置 (cart position) | カートの中心。0 = レールの中央、+ = 右 | m | -4.8 〜 4.8 | ±2.4 |
# | 1 | カートの速度 (cart velocity) | + = 右向きに移動 | m/s | -inf 〜 inf | (制限なし) |
# | 2 | ポールの角度 (pole angle) | 0 = 直立、+ = 右に傾いている | rad | ±0.419 (±24°) | ±0.2094 (±12°) |
# | 3 | ポールの角速度 (pole angular velocity) | + = 右向きに回転 | rad/s | -inf 〜 inf | (制限なし) |
#
# 原典のノートブックの表は、±4.8 と ±24° という範囲を、あたかもゲームの限界であるかのように載せていました。これらは観測空間の境界にすぎず、エピソードを終わらせる観測もなお空間の内側に収まるよう、実際の限界の*2 倍*に設定されています。エピソードが終わるのは ±2.4 m と ±12° で、`dqn_lib`ではこれらを`POSITION_LIMIT`と`ANGLE_LIMIT_RADIANS`という名前で定義しています。次のセルでは、この表を環境そのものと照らし合わせて確認します。

# %%
low, high = env.observation_space.low, env.observation_space.high
# display_name(name): the name in the lesson's language (the names themselves stay English)
for index, name in enumerate(OBSERVATION_NAMES):
    print(f"{index}  {display_name(name):<14} {low[index]:>8.4f} 〜 {high[index]:.4f}")
print(
    f"この範囲を超えると終了: カートの位置 ±{POSITION_LIMIT} m、"
    f"ポールの角度 ±{ANGLE_LIMIT_RADIANS:.4f} rad = ±{np.degrees(ANGLE_LIMIT_RADIANS):.0f}°"
)

cartpole = env.unwrapped  # the CartPole class itself, under gymnasium's wrappers
assert cartpole.x_threshold == POSITION_LIMIT == 2.4, (
    f"gymnasium は x = ±{cartpole.x_threshold} でエピソードを終了しますが、レッスンでは ±2.4、"
    f"dqn_lib では ±{POSITION_LIMIT} としています"
)
assert np.isclose(cartpole.theta_threshold_radians, ANGLE_LIMIT_RADIANS), (
    f"gymnasium は {cartpole.theta_threshold_radians} rad でエピソードを終了しますが、"
    f"dqn_lib では {ANGLE_LIMIT_RADIANS} rad としています"
)
assert np.isclose(np.degrees(ANGLE_LIMIT_RADIANS), 12), "角度の限界が 12 度ではありません"
assert np.isclose(high[0], 2 * POSITION_LIMIT) and np.isclose(high[2], 2 * ANGLE_LIMIT_RADIANS), (
    f"観測空間の境界 {high} が、終了の限界の 2 倍になっていません"
)
assert np.isclose(np.degrees(high[2]), 24), "観測空間の角度の境界が 24 度ではありません"

# %% [markdown]
# ## エージェントにできること
#
# 行動は 2 つだけで、その中間はありません。カートを一定の力で左に押すか、右に押すかです。「何もしない」という行動はないので、その場にとどまるだけでも、左右に押すことを絶えず交互に繰り返す必要があります。

# %%
print("行動の数:", env.action_space.n)
for action, name in enumerate(ACTION_NAMES):
    print(f"行動 {action} = {display_name(name)}")

# %% [markdown]
# ## 1 ステップずつ進める
#
# エピソードは`reset`で始まります。`reset`は最初の観測 (各変数は -0.05 から 0.05 の間で抽選されます) と`info`辞書を返します。その後は`step(action)`を呼ぶたびに 5 つの値が返ります。次の観測、報酬 (最後のステップも含め、1 ステップごとに +1)、`terminated`、`truncated`、そして`info`です。`reset`にシードを渡すと、エピソードがまったく同じように再現されます。これを使って、同じ初期位置で方策どうしを比較していきます。

# %%
first_observation, info = env.reset(seed=SEED)
print("最初の観測:       ", first_observation)

observation, reward, terminated, truncated, info = env.step(1)  # push right
print("右に 1 回押した後:", observation)
print(f"reward={reward}  terminated={terminated}  truncated={truncated}  info={info}")

# %% [markdown]
# 右に押すとカートは右向きに加速し (番号 1 が増加)、ポールの下からカートを引き抜いたときと同じように、ポールの角速度は左向きに変化しました (番号 3 が減少)。1 ステップは短い時間なので、位置と角度そのものはまだほとんど変わっていません。同じシードでリセットすると、まったく同じ最初の観測が返ってきます。

# %%
assert observation[1] > first_observation[1] and observation[3] < first_observation[3], (
    f"右に押すと、カートの速度は上がり、ポールの角速度は下がるはずです: "
    f"{first_observation} -> {observation}"
)
first_again, _ = env.reset(seed=SEED)
first_other, _ = env.reset(seed=SEED + 1)
same_start, _ = env.reset(seed=SEED)
assert np.array_equal(first_again, same_start), (
    f"reset(seed={SEED}) が {first_again} を返し、次に {same_start} を返しました。シードを指定しても再現されません"
)
assert not np.array_equal(first_again, first_other), "異なる 2 つのシードが同じ初期状態を返しました"
assert np.abs(np.concatenate([first_again, first_other])).max() <= 0.05, (
    "reset が [-0.05, 0.05] の範囲外の初期値を抽選しました"
)
print(f"シード {SEED}: {first_again}\nシード {SEED + 1}: {first_other}")

# %% [markdown]
# ## 終了か打ち切りか: 2 種類の終わり方
#
# エピソードの終わり方は 2 通りあり、`step`はそれを区別して知らせます。
#
# - **terminated (終了)**: 物理的にゲームが終わった場合です。ポールが 12° を超えて傾いたか、カートの中心が ±2.4 m でレールの端を越えました。このステップの後に未来はありません。
# - **truncated (打ち切り)**: こちらが観察をやめた場合です。`CartPole-v1`はどのエピソードも`MAX_EPISODE_STEPS` = 500 ステップ (シミュレーション上の時間で 10 秒) で打ち切ります。ポールは完璧にバランスが取れているかもしれず、打ち切らなければ未来は続いていたはずです。
#
# したがって、収益 (リターン) の最大値は 500 です。この違いは、エージェントが学習するときに重要になります。エージェントは状態の価値を「今の報酬に、次に来るものの価値を加えたもの」として推定します。終了の後には何も来ないので、その価値はゼロです。一方、打ち切りの後でも次の状態にはまだ価値があります。時間切れを転倒と同じように扱うと (昔の`done`フラグはまさにそうしていました)、エージェントは「長くバランスを取り続けると破滅につながる」と学習してしまいます。この点にはレッスン 4 と 5 で再び立ち返ります。

# %%
print("MAX_EPISODE_STEPS =", MAX_EPISODE_STEPS)
assert env.spec.max_episode_steps == MAX_EPISODE_STEPS == 500, (
    f"gymnasium は {env.spec.max_episode_steps} ステップで打ち切りますが、dqn_lib では {MAX_EPISODE_STEPS} としています"
)

# %% [markdown]
# ## どのように見えるか
#
# `render=True`を指定すると、`env.render()`は場面を RGB 画像 (高さ, 幅, 色) として返します。画像の横幅はちょうど -2.4 m から 2.4 m までのレールに一致するので、画像の端に触れたカートはレールの端を越えています。ここでは、メートル単位の座標軸の上に画像を描きます。

# %%
render_env = make_env(render=True)
observation, _ = render_env.reset(seed=SEED)
frame = render_env.render()  # (400, 600, 3) uint8
render_env.close()
print("フレーム:", frame.shape, frame.dtype)

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
    "カート", xy=(observation[0], -0.1), xytext=(-1.4, -0.55), arrowprops={"arrowstyle": "->"}
)
ax.annotate(
    "ポール (カートにヒンジで固定、長さ 1 m)",
    xy=(observation[0], 0.6),
    xytext=(0.4, 1.4),
    arrowprops={"arrowstyle": "->"},
)
ax.annotate("レール", xy=(1.6, 0.0), xytext=(1.5, 0.45), arrowprops={"arrowstyle": "->"})
ax.set_title(
    f"reset(seed={SEED}) 直後の CartPole: カートは {observation[0]:+.3f} m、"
    f"ポールは {np.degrees(observation[2]):+.2f}°"
)
ax.set_xlabel("カートの位置 (m)。カートの中心が ±2.4 を越えるとエピソードは終了")
ax.set_ylabel("レールからの高さ (m)")
plt.show()

# %% [markdown]
# ## ランダム方策
#
# *方策*は、観測を行動に対応づけるものです。最も単純な方策は、観測を無視してコインを投げます。そのコインは専用の乱数生成器`np.random.default_rng(SEED)`なので、ノートブックのほかの部分が何をしても、その抽選結果は変わりません。


# %%
def make_random_policy(seed):
    """各行動を確率 1/2 で選ぶ方策。シードを指定した専用の乱数生成器を使う。"""
    rng = np.random.default_rng(seed)
    return lambda observation: int(rng.integers(env.action_space.n))


# %% [markdown]
# このコースのすべてのエピソードは、次のループで実行されます。リセットし、エピソードが終了するか打ち切られるまで、行動を選んでステップを進めます。エピソードの収益は報酬の合計で、CartPole ではポールが立っていたステップ数になります。100 エピソードを実行し、エピソード`i`はシード`SEED + i`でリセットするので、試すどの方策も同じ 100 通りの初期位置から始めることになります。


# %%
def run_episode(env, policy, seed):
    """reset(seed=seed) から 1 エピソードを実行し、(episode_return, terminated, truncated) を返す。"""
    observation, info = env.reset(seed=seed)
    episode_return = 0.0
    while True:
        action = policy(observation)
        observation, reward, terminated, truncated, info = env.step(action)
        episode_return += reward
        if terminated or truncated:
            return episode_return, terminated, truncated


def episode_returns(policy, episodes=100, seed=SEED):
    """`episodes`個の各エピソードの収益。エピソード i は seed + i でリセットする。"""
    return np.array([run_episode(env, policy, seed + i)[0] for i in range(episodes)])


random_returns = episode_returns(make_random_policy(SEED))
print(
    f"ランダム方策、{len(random_returns)} エピソード: 平均 {random_returns.mean():.1f}、"
    f"中央値 {np.median(random_returns):.0f}、最小 {random_returns.min():.0f}、"
    f"最大 {random_returns.max():.0f}"
)

# %%
fig, ax = plt.subplots(figsize=(8, 4))
ax.hist(random_returns, bins=np.arange(0, random_returns.max() + 5, 4), edgecolor="white")
ax.axvline(
    random_returns.mean(), color="black", linestyle="--", label=f"平均 {random_returns.mean():.1f}"
)
ax.set_title(f"ランダム方策: シードを指定した {len(random_returns)} エピソードの収益")
ax.set_xlabel("収益 (ポールが立っていたステップ数。1 ステップ = 0.02 s)")
ax.set_ylabel("エピソード数")
ax.legend()
plt.show()

# %% [markdown]
# コイン投げでは、ほとんどの場合、ポールが立っているのは 1 秒よりずっと短い時間です。ポールはほぼ直立した状態から始まりますが、ランダムに押していると、数十ステップのうちに 12° を超えて傾いてしまいます。

# %%
assert random_returns.mean() < 30, (
    f"ランダム方策の平均は {random_returns.mean():.1f} でした。30 未満のはずです"
)
assert (random_returns < MAX_EPISODE_STEPS).all(), "ランダム方策のエピソードが時間制限に達しました"

# %% [markdown]
# ## 手で書いた方策
#
# ほうきを手の上に立ててバランスを取る人は、ほうきが倒れかけている側へ手を動かします。これはそのまま書き下せます。ポールが右に傾いているか、右向きに回転していれば (`angle + angular_velocity > 0`) 右に押し、そうでなければ左に押します。角度と角速度 (単位の異なる 2 つの量) を足し合わせるのは大雑把ですが、ポールが大きく傾いてからではなく、その前に反応できます。


# %%
def lean_policy(observation):
    """ポールが倒れかけている側へ押す。カートはまったく見ない。"""
    cart_position, cart_velocity, pole_angle, pole_angular_velocity = observation
    return 1 if pole_angle + pole_angular_velocity > 0 else 0


lean_returns = episode_returns(lean_policy)
reached_limit = int((lean_returns == MAX_EPISODE_STEPS).sum())
print(
    f"手で書いた方策、{len(lean_returns)} エピソード: 平均 {lean_returns.mean():.1f}、"
    f"最小 {lean_returns.min():.0f}、最大 {lean_returns.max():.0f}。"
    f"{reached_limit} エピソードが {MAX_EPISODE_STEPS} ステップの制限に到達"
)

# %%
assert lean_returns.mean() > 10 * random_returns.mean(), (
    f"手で書いた方策の平均は {lean_returns.mean():.1f} で、ランダム方策の "
    f"{random_returns.mean():.1f} の 10 倍にも届きません"
)
assert lean_returns.min() > random_returns.max(), (
    f"手で書いた方策の最悪のエピソード ({lean_returns.min():.0f}) が、ランダム方策の"
    f"最良のエピソード ({random_returns.max():.0f}) を上回りませんでした"
)
assert reached_limit > len(lean_returns) / 2, (
    f"手で書いた方策が時間制限に達したのは {reached_limit} エピソードだけでした"
)
print(
    f"手で書いた方策の最悪のエピソード ({lean_returns.min():.0f} ステップ) でも、"
    f"ランダム方策の最良のエピソード ({random_returns.max():.0f} ステップ) より長く続きます"
)

# %% [markdown]
# 2 つの方策は同じ 100 通りの初期位置で試したので、シードごとに比較できます。

# %%
seeds = SEED + np.arange(len(random_returns))
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.plot(
    seeds,
    lean_returns,
    "o",
    markersize=4,
    label=f"手で書いた方策 (傾いている側へ押す): 平均 {lean_returns.mean():.1f}",
)
ax.plot(seeds, random_returns, "o", markersize=4, label=f"ランダム方策: 平均 {random_returns.mean():.1f}")
ax.axhline(
    MAX_EPISODE_STEPS,
    color="grey",
    linestyle=":",
    label=f"時間制限 ({MAX_EPISODE_STEPS} ステップ): 打ち切り",
)
ax.set_ylim(0, MAX_EPISODE_STEPS + 60)
ax.set_title("同じ 100 通りの初期位置での 2 つの方策")
ax.set_xlabel("env.reset に渡したシード")
ax.set_ylabel("収益 (ポールが立っていたステップ数)")
ax.legend(loc="center", bbox_to_anchor=(0.5, 0.4))
plt.show()

# %% [markdown]
# ### 確認: 自前のループと`dqn_lib.evaluate`は一致する
#
# レッスン 6 以降は、`dqn_lib.evaluate(policy, episodes, seed)`がこれらのエピソードを実行してくれます。エピソード`i`を`seed + i`でリセットし、報酬を合計して収益を求めます。決定的な方策であれば、私たちのループとまったく同じ結果になるはずです。(ランダム方策の抽選結果は、それまでに何回抽選したかに左右されるので、ここでは手で書いた方策で確認します。)

# %%
library_returns = dqn_lib.evaluate(lean_policy, episodes=100, seed=SEED)
differ = np.flatnonzero(library_returns != lean_returns)
assert differ.size == 0, (
    f"シード {(SEED + differ).tolist()} で evaluate と自前のループの結果が食い違っています: "
    f"evaluate は {library_returns[differ].tolist()}、ループは {lean_returns[differ].tolist()}"
)
print(f"100 個の収益が完全に一致しました。平均 {library_returns.mean():.2f}")

# %% [markdown]
# ### 確認: 時間制限に達するのは打ち切りであり、終了ではない
#
# 手で書いた方策は、ほとんどのシードで 500 ステップ全部を持ちこたえます。そのうちの 1 つを 1 ステップずつ再生すると、`step`が何を報告するかがわかります。499 ステップの間はどちらのフラグも立たず、500 ステップ目に`terminated=False`のまま`truncated=True`になります。そのとき、ポールはまだ立っていて、カートもレールの上にあります。

# %%
full_seed = int(SEED + np.flatnonzero(lean_returns == MAX_EPISODE_STEPS)[0])
observation, _ = env.reset(seed=full_seed)
steps = 0
terminated = truncated = False
while not (terminated or truncated):
    observation, reward, terminated, truncated, _ = env.step(lean_policy(observation))
    steps += 1
print(
    f"シード {full_seed}: {steps} ステップで終わりました。terminated={terminated}、"
    f"truncated={truncated}、最後の観測 {np.round(observation, 3)}"
)
assert steps == MAX_EPISODE_STEPS, f"エピソードは {MAX_EPISODE_STEPS} ステップ続くはずが、{steps} ステップでした"
assert truncated and not terminated, (
    f"時間制限では truncated=True、terminated=False のはずが、{truncated}、{terminated} でした"
)
assert abs(observation[0]) <= POSITION_LIMIT and abs(observation[2]) <= ANGLE_LIMIT_RADIANS, (
    "時間制限の時点でポールかカートが範囲外にあったのに、エピソードが終了していません"
)

# %% [markdown]
# ## 手で書いた方策がうまくいかないところ
#
# `lean_policy`はポールしか見ていません。ポールが立っている間も、カートがレールの上を少しずつ移動していくのを止めるものは何もなく、いくつかのシードでは時間制限より前に 2.4 m を越えてしまいます。最初の 10 個のシードについてカートの位置を追うと、このドリフト (ずれ) がわかります。


# %%
def cart_positions(policy, seed):
    """1 エピソードでの、reset 直後と各ステップ後のカートの位置。"""
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
    ax.plot(np.arange(len(positions)) * seconds_per_step, positions, label=f"シード {seed}")
for limit in (-POSITION_LIMIT, POSITION_LIMIT):
    ax.axhline(limit, color="red", linestyle="--")
ax.text(0.1, POSITION_LIMIT - 0.3, "レールの端 (終了)", color="red")
ax.set_title("手で書いた方策: ポールは立ったまま、カートがずれていく")
ax.set_xlabel("時間 (s)。500 ステップ = 10 s")
ax.set_ylabel("カートの位置 (m)")
ax.legend(loc="center left", bbox_to_anchor=(1, 0.5))
plt.show()

# %% [markdown]
# ## 2 つの方策の動きを見る
#
# `dqn_lib.animate_episode(policy, seed=...)`は 1 エピソードを実行して全フレームを記録し、ノートブックに表示される GIF を返します。キャプションにはステップ数が表示され、最後のフレームではエピソードがどう終わったかが示されます。まずはランダム方策です。シード`SEED`で初期化した新しいコインを使い、シード`SEED`のエピソードを実行します。自前のループで測ったこのエピソードの長さを、上の 100 エピソードの中央値と並べて表示するので、これが典型的なエピソードであることがわかります。

# %%
random_episode_return, random_terminated, _ = run_episode(env, make_random_policy(SEED), SEED)
print(
    f"このエピソード: {random_episode_return:.0f} ステップ "
    f"({random_episode_return * seconds_per_step:.2f} s)。"
    f"ランダム方策の 100 エピソードの中央値: {np.median(random_returns):.0f}"
)
assert random_terminated and random_episode_return * seconds_per_step < 1, (
    "ランダム方策のエピソードは 1 秒以内に転倒で終わるはずでした"
)
dqn_lib.animate_episode(make_random_policy(SEED), seed=SEED, title="ランダム方策")

# %% [markdown]
# ポールは 1 秒もたたないうちに 12° を超えて傾き、エピソードは終了します (キャプションは「ポールが倒れた」)。
#
# 次は手で書いた方策です。時間制限に達しなかったシードのうち、最初のものを使います。ポールではなくカートに注目してください。ポールはずっと立ったままですが、カートは一方の側へ着実に滑っていき、やがて最後のフレームのキャプションに「カートがレールの端を越えた」と表示されます。

# %%
drift_seed = int(SEED + np.flatnonzero(lean_returns < MAX_EPISODE_STEPS)[0])
drift_positions = cart_positions(lean_policy, drift_seed)
print(
    f"シード {drift_seed}: {len(drift_positions) - 1} ステップ、"
    f"最後のカートの位置 {drift_positions[-1]:+.2f} m"
)
assert abs(drift_positions[-1]) > POSITION_LIMIT, "このエピソードは、カートがレールの端を越えて終わるはずでした"
dqn_lib.animate_episode(lean_policy, seed=drift_seed, title="手で書いた方策")

# %%
env.close()

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後のセルで、あなたの答えが使われることはありません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-01-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 1.1: カートも見る手で書いた方策 (ウォームアップ、約 10 分)
#
# 方策を手で書いてみると、4 つの数値のうちどれが重要なのかがわかり、学習するエージェントが越えるべき基準も定まります。
#
# 自分なりの方策`cart_aware_policy(observation) -> int`を書いてください。1 つの観測の 4 つの数値から、1 (右に押す) か 0 (左に押す) を返します。まずはポールの角度だけを使い、確認セルを実行してみましょう。それでどれだけ足りないかを教えてくれます。次に`lean_policy`が加えているものを加え、さらにカートがずれていかないよう、カートの速度の小さな項を加えます。その項の符号はどちらにすべきでしょうか。両方試してみてください。`dqn_lib.evaluate(cart_aware_policy, episodes=100, seed=SEED)`はシードを指定した 100 エピソードを実行するので、上で`lean_policy`について数えたように、500 ステップに達したエピソードの数を数えられます。
#
# ヒント: bool ではなく Python の`int`を返してください (`1 if ... else 0`)。角度と角速度は単位が異なるので、重みを付けてください (`lean_policy`は単純に足しているだけです)。
#
# 確認セルは、実際の CartPole のプレイから得た 200 個の観測であなたの方策を呼び出し (答えはどれも 0 か 1 で、常に同じ答えであってはいけません)、次にあなたの方策とランダム方策で、シードを指定した 20 エピソードをそれぞれ実行します。あなたの方策は、平均で少なくとも 100 ステップ長く続かなければなりません。ドリフトは測定しないので、その部分は自分で確かめてください。


# %% nbgrader={"grade": false, "grade_id": "ex-01-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def cart_aware_policy(observation):
    """ポールが倒れかけている側へ押す。カートの速度で少しだけ補正する。"""
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
# ### 演習 1.2: エピソードの長さ (基本、約 10 分)
#
# このコースの収益はすべてこのループで数えられます。転倒したときにしか止まらないループは、バランスを取り続ける方策ではいつまでも終わりません。よいエピソードのほとんどは、時間制限で終わるのです。
#
# `episode_length(env, policy, seed) -> int`を書いてください。`env`を`seed`でリセットし、エピソードが終わるまで`policy(observation)`でステップを進め、かかったステップ数を`int`で返します。エピソードが終わるのは、`step`が`terminated` (ポールが倒れたか、カートがレールの端を越えた) *または*`truncated` (500 ステップの時間制限) を返したときです。
#
# ヒント: エピソードを終わらせたステップも数えてください。そうすれば、時間制限までバランスを取り続ける方策では 500 になります。シードは`env.reset(seed=seed)`に渡してください。そうすれば、同じシードで同じエピソードが得られます。
#
# 確認セルは、シード 0、7、123 で 3 つの方策を試します。常に左に押す方策 (ポールは約 10 ステップで倒れます)、ポールの角度だけを見て傾いている側へ押す方策 (数十ステップ)、500 ステップの制限までバランスを取り続ける方策です。さらに、ランダムな線形方策 3 つ (`observation @ w > 0`のとき右に押す。`w`はランダムに抽選) をランダムなシードで試します。すべてシードが固定されているので、確認セルは毎回同じケースを試します。確認用の環境は、エピソードが終わった後で`step`を呼ぶループを止め、どちらの終わり方を見落としたかを教えてくれます。また、1 つずれた数え方 (off-by-one) やシードの渡し忘れも指摘します。


# %% nbgrader={"grade": false, "grade_id": "ex-01-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def episode_length(env, policy, seed):
    """`env.reset(seed=seed)`から`policy`で 1 エピソードを実行し、そのステップ数を返す。"""
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
# ### 演習 1.3: 予想してから実行: 常に右に押す (ウォームアップ、約 5 分)
#
# 測定する前に予想してみると、自分が本当は何を予想していたのかがわかります。観測を無視して常に右に押す方策は、上のランダム方策と同じ 100 通りの初期状態で、ポールをどれくらい立たせておけるでしょうか。コイン投げより長いでしょうか、同じくらいでしょうか、それとも短いでしょうか。ステップ数で答えてください。
#
# 次のセルを実行する*前に*、予想を`my_prediction()`に書いてください。予想する平均ステップ数と、その理由を 1 文で書いた文字列の組を返します。それから、測定するセルと確認セルを実行します。確認セルは、予想がどれだけ近かったかを教えてくれます (差が 1.5 倍以内なら近いとみなします)。予想が外れても不合格にはなりませんが、予想がない場合や理由がない場合は不合格になります。(「すべて実行」(Run All) を使った場合、下のセルはすでに実行されています。表示された結果までスクロールする前に、予想を書いてください。)


# %% nbgrader={"grade": false, "grade_id": "ex-01-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """次のセルを実行する前に: (常に右に押したときの平均ステップ数, 理由)。"""
    ### BEGIN SOLUTION
    return 10, "右に押すたびにポールは左に傾き、それを押し戻す行動が一度も来ないから"
    ### END SOLUTION


# %%
push_right_returns = episode_returns(lambda observation: 1)
print(
    f"常に右に押す方策、{len(push_right_returns)} エピソード: 平均 "
    f"{push_right_returns.mean():.1f}、最小 {push_right_returns.min():.0f}、最大 "
    f"{push_right_returns.max():.0f}。ランダム方策: 平均 {random_returns.mean():.1f}"
)

# %% nbgrader={"grade": true, "grade_id": "ex-01-3-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_push_right_prediction

check_push_right_prediction(my_prediction, push_right_returns)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-01-4-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 1.4: バグを探す: 遷移の記録関数 (基本、約 15 分)
#
# レッスン 4 以降、エージェントは 1 ステップに 1 つずつ得られる*遷移*から学習します。遷移とは`(observation, action, reward, next_observation, terminated)`、つまり何を見て、何をして、何を得て、その結果どこに行き着いたか、そしてエピソードがそこで完全に終わったかどうかです。下の記録関数は、方策を指定したステップ数だけ実行します。そのためにエピソードが何回必要でも、エピソードをまたいで実行を続けます。エラーなく動きますが、2 つの誤ったものを記録してしまい、それで学習した DQN は誤った方向に導かれます。一方を直すと、もう一方が悪さをし始めます。
#
# 2 つのバグを両方見つけ、その次のセルに修正版の`record_transitions(policy, steps, seed)`を書いてください。最初は`seed`でリセットし、各エピソードの後はシードなしでリセットします (記録関数と同じです)。`env.step`が返した配列と bool をそのまま入れた、`steps`個のタプルのリストを返してください。
#
# ヒント: エピソードを終わらせるステップで何が記録されているかを見て、上の「終了か打ち切りか」を読み直してください。確認セルは、数ステップで倒れる方策 (エピソードの終わりが多い) と、4 つの数値すべてに重みを付ける線形方策 (演習 1.1 のよい答えもその一例です) を実行し、後者は 500 ステップの時間制限に達します。そしてすべての遷移を比較し、あなたの答えにまだどちらかのバグが残っていれば、そのバグを指摘します。


# %%
def buggy_record_transitions(policy, steps, seed):
    """`policy`を`steps`ステップ実行し、エピソードが終わるとリセットする。遷移を返す。
    バグが 2 つある。"""
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
    """`steps`個の遷移 (observation, action, reward, next_observation, terminated)。"""
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
# ## まとめ
#
# - CartPole の観測は 4 つの数値です。カートの位置 (m)、カートの速度 (m/s)、ポールの角度 (rad)、ポールの角速度 (rad/s) です。行動は左に押すか右に押すかの 2 つで、休むことはできません。
# - `reset(seed=...)`は再現可能なエピソードを始めます。`step`は観測、報酬、terminated、truncated、info を返します。報酬は 1 ステップごとに +1 なので、収益はステップ数を数えたものになり、最大で 500 です。
# - *終了* (terminated) は、ポールが 12° を超えたか、カートが 2.4 m を超えたことを意味し、その先に未来はありません。*打ち切り* (truncated) は 500 ステップの時間制限を意味し、未来は続いていたのに、観察をやめただけです。学習ではこの 2 つを区別して扱わなければなりません。
# - シードを指定した同じ 100 通りの初期状態で、ランダム方策がポールを立たせておけるのは平均 30 ステップ未満ですが、3 行の手で書いた方策はその 10 倍以上長く、最悪のエピソードでもランダム方策の最良のエピソードを上回ります。それでもこの方策はカートを無視するので、カートはずれていき、いくつかのシードではレールの端を越えてしまいます。学習するエージェントは、少なくともこれと同じくらいよい方策を自力で見つけなければなりません。
#
# 原典のノートブックがしていたことと、変更した点: 原典の状態の表 (このレッスンにも掲載) は、観測空間の境界である ±4.8 と ±24° を、ゲームの範囲として載せていました。本コースでは、エピソードが実際に終了する限界である ±2.4 m と ±12° を加え、両方を環境と照らし合わせて確認しました。原典は`import gym`を使いながら gymnasium の 5 つの値を返す`step`を呼び出し、3 番目の値だけを`done`として使っていました。本コースでは gymnasium を使い、`terminated`と`truncated`を区別して名前を付けています。原典のエピソードはシードが指定されていませんでしたが、ここではどのエピソードもシードから生成されるので、上の数値は再現されます。原典のアニメーションは JavaScript (`to_jshtml`) で、保存したノートブックでは何も表示されませんでした。本コースのアニメーションは GIF です。
#
# 次はレッスン 2 (`02_q_table`) です。4 つの数値をビン (区間) に分割し、状態と行動の組ごとに 1 つの値を持つテーブルを、Q学習で学習させます。
