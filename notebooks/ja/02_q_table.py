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
# # レッスン 2: Q値のテーブル
#
# ニューラルネットワークに入る前に、DQN の土台となる考え方を最も素朴な形で見ておきます。状態と行動の組それぞれに 1 つの数、つまり価値 Q(s, a) を持つテーブルを用意し、経験からQ学習で学ばせるのです。CartPole では、4 つの連続値をいくつかのビンに区切って初めてテーブルが使えるようになり、それがどれだけうまくいくかは区切り方しだいです。次のレッスンのネットワークでは、この区切りが不要になります。

# %%
import matplotlib.pyplot as plt
import numpy as np

import dqn_lib
from dqn_lib import ANGLE_LIMIT_RADIANS, MAX_EPISODE_STEPS

SEED = 0
EVAL_SEED = 10_000  # evaluation starts, kept apart from training (as in every lesson)
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## Q(s, a) と、それが満たす方程式
#
# Q(s, a) が答えるのは次の問いです。*状態 s で今すぐ行動 a をとり、その後はできるかぎりうまく行動したとき、どれだけの報酬を得られるか。* CartPole はポールが立っているステップごとに +1 の報酬を与える ([Gymnasium の CartPole のページ](https://gymnasium.farama.org/environments/classic_control/cart_pole/)) ので、Q(s, a) はこの先続くステップ数を割り引いて数えたものになります。k ステップ先の報酬は`gamma ** k`倍に割り引かれます (ここでは`gamma = 0.99`)。この先続く n ステップの価値は`(1 - gamma ** n) / (1 - gamma)`で、n が小さいうちは n に近く、`1 / (1 - gamma)`、つまり 100 を超えることはありません。
#
# 最適な価値は **ベルマン最適方程式** ([Sutton & Barto、3.6 節](http://incompleteideas.net/book/the-book-2nd.html)) を満たします:
#
# $$Q^*(s, a) = \mathbb{E}\left[\, r + \gamma \max_{a'} Q^*(s', a') \;\middle|\; s, a \,\right]$$
#
# つまり、そのステップで今得られる報酬に、行き着いた先から最善に行動したときの割り引いた価値を足したものです。そのステップでエピソードが終わる (ポールが倒れる、またはカートがレールの端を越える) ときは次の状態がなく、価値は報酬だけになります。**Q学習** はこの方程式を更新則に変えます。各ステップ`(s, a, r, s')`の後で、テーブルの要素を右辺に向けて小さな幅`alpha`だけ動かすのです。右辺はその 1 ステップだけから推定します (これを*TDターゲット*と呼びます):
#
# $$Q(s, a) \leftarrow Q(s, a) + \alpha \left(r + \gamma \max_{a'} Q(s', a') - Q(s, a)\right)$$
#
# ターゲットには、エージェントが次に実際にどの行動をとるかにかかわらず、*最善の*次の行動を使います。そのためQ学習は、貪欲方策とは違う振る舞い (ときどきランダムに探索する) をしながら、貪欲方策の価値を学びます。これが **方策オフ型 (off-policy)** です。レッスン 7 はまさにこの性質の上に成り立っています。以前の、よりランダムな方策で集めた遷移からでも、貪欲方策の価値を学べるのです。

# %% [markdown]
# ## テーブルには有限個の状態が必要: ビン
#
# CartPole の観測は 4 つの実数で、テーブルにすべての実数の行を用意することはできません。そこで各変数の範囲を等しい幅のビンに区切り、ビンの番号を状態として使います。テーブルを小さく保つため、まずはポールにとって最も重要な 2 つの数、ポールの角度と角速度 (レッスン 1 の手で書いた方策もこの 2 つだけを使っていました) から始め、それぞれを 8 個のビンに分けます。状態は 64 個、行動は 2 個、数は合わせて 128 個です。範囲を超えた値は、いちばん外側のビンに入ります。

# %%
RANGES = {  # the span each variable is cut into bins over (beyond it: the outermost bin)
    "cart position": 2.4,  # m, where the cart leaves the track
    "cart velocity": 3.0,  # m/s
    "pole angle": ANGLE_LIMIT_RADIANS,  # rad, where the pole counts as fallen
    "pole angular velocity": 3.5,  # rad/s
}
COARSE_BINS = (1, 1, 8, 8)  # one bin (ignored) for the cart's two numbers, 8 for the pole's


def state_of(observation, bins):
    """観測に対応するテーブルの状態: 変数ごとに 1 つのビン番号。"""
    state = []
    for value, span, n in zip(observation, RANGES.values(), bins, strict=True):
        fraction = (value + span) / (2 * span)  # 0 at -span, 1 at +span
        state.append(min(n - 1, max(0, int(fraction * n))))
    return tuple(state)


upright = np.zeros(4)
print(f"直立して静止 -> 状態 {state_of(upright, COARSE_BINS)}")
print(f"右に 0.1 rad 傾いている -> 状態 {state_of(np.array([0, 0, 0.1, 0]), COARSE_BINS)}")
print(f"テーブルの形 {COARSE_BINS + (2,)}: 数は {np.prod(COARSE_BINS) * 2} 個")

# %% [markdown]
# ## Q学習を書き下す
#
# レッスン 1 のループに 1 行を加えるだけです。毎ステップの後に、上の更新を行います。エージェントは ε-greedy法で探索します。確率`epsilon`でランダムな行動を選び、それ以外のときはテーブルの現在の状態の行で値の大きいほうの行動を選びます。epsilon は 1 から始まり (すべてランダム: テーブルはまだ何も知りません)、エピソードの前半をかけて 0.05 まで下がります。ステップサイズ`alpha`は 0.1 です。1 回の更新で要素はターゲットまでの 10 分の 1 だけ動くので、たまたま運の良い、あるいは悪い 1 ステップだけで値が決まってしまうことはありません。


# %%
def q_learning(bins, episodes, seed, alpha=0.1, gamma=0.99, epsilon_end=0.05):
    """CartPole でQテーブルを学習させ、そのテーブルと学習中の各エピソードの長さを返す。"""
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
    """観測に対応するテーブルの行で、値の大きいほうの行動をとる。"""
    return lambda observation: int(np.argmax(q_table[state_of(observation, bins)]))


# %% [markdown]
# 3 つのシードでそれぞれ 800 エピソード学習させ (シード 1 つあたり数秒)、それぞれの貪欲方策を 20 個の固定した初期状態で評価します。同じ初期状態で、レッスン 1 のランダム方策も並べて評価します。

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
    """貪欲方策の各エピソードの終わり方を数える: 時間制限、ポールの転倒、カートがレールの端を越える。"""
    env, endings = dqn_lib.make_env(), {"時間切れ": 0, "ポールが倒れた": 0, "カートが端を越えた": 0}
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        terminated = truncated = False
        while not (terminated or truncated):
            observation, _, terminated, truncated, _ = env.step(policy(observation))
        if truncated:
            endings["時間切れ"] += 1
        else:
            endings[
                "カートが端を越えた" if abs(observation[0]) > RANGES["cart position"] else "ポールが倒れた"
            ] += 1
    env.close()
    return endings


print(f"ランダム方策: 20 エピソードでの平均収益 {random_returns.mean():.1f}")
endings = {}
for seed in SEEDS:
    endings[seed] = how_episodes_end(greedy_policy(tables[seed], COARSE_BINS), 20, EVAL_SEED)
    print(
        f"シード {seed}: 学習 {sum(lengths[seed]):,} ステップ、20 エピソードでの貪欲方策の平均収益 "
        f"{coarse_returns[seed].mean():.1f} "
        f"({MAX_EPISODE_STEPS} に達したのは {np.sum(coarse_returns[seed] == MAX_EPISODE_STEPS)} 回)、"
        f"終わり方: {endings[seed]}"
    )
assert all(coarse_returns[s].mean() > 2 * random_returns.mean() for s in SEEDS), (
    "本文では、どのシードでもテーブルの貪欲方策はランダム方策の 2 倍を超えて長くポールを支えると述べています"
)
assert all(endings[s]["カートが端を越えた"] == 20 for s in SEEDS), (
    f"本文では、貪欲方策のどのエピソードもカートがレールの端を越えて終わると述べています: {endings}"
)

# %% [markdown]
# どのシードのテーブルも、コイン (ランダム方策) よりはるかに長く、およそ九倍から十二倍の長さにわたってポールを立てていられます (セルでは 2 倍を超えることを確認しています)。128 個の数と数秒のプレイだけでこうなるのです。ただし、500 に達した貪欲方策のエピソードは 1 つもありません。どのエピソードも、ポールは立ったまま、カートがレールの端を越えて終わっています。テーブルにはカートが見えないので、テーブルの中にカートが流れていくのを止めるものが何もないのです。さらに学習曲線からは、学習がいかに不安定かがわかります。区切った CartPole での表形式のQ学習は、上昇した後、良い時期と悪い時期の間を揺れ動きます。理由の 1 つは、1 つのビンに、異なる押し方を必要とする状態がまとめて入ってしまうことです (遠くまで外れたカートと中央にあるカートが同じセルを共有します)。そのためテーブルの状態は状況を完全には記述しておらず、本当の意味でのテーブルならQ学習に成り立つ保証が、ここでは成り立たないのです。

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for seed in SEEDS:
    ax.plot(dqn_lib.moving_average(lengths[seed], 20), label=f"シード {seed}")
ax.axvline(EPISODES / 2, color="grey", linestyle=":", label="epsilon が 0.05 に達する")
ax.set(
    xlabel="学習エピソード",
    ylabel="ポールが立っていたステップ数\n(直近 20 エピソードの平均)",
    title=f"ポールの角度と角速度の {COARSE_BINS[2]} x {COARSE_BINS[3]} テーブルでのQ学習",
)
ax.legend(fontsize="small")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## テーブルが学んだこと
#
# マップの各セルはテーブルの 1 つの状態です。横方向はポールの角度のビン、縦方向は角速度のビンで、色はそのセルでテーブルが好む押し方を表します。赤は右、青は左、灰色は一度も訪問されなかったセル (値は最初のゼロのまま) です。黒い線はレッスン 1 の手で書いた方策で、線より上 (角度と角速度の和が正) では右に、下では左に押します。

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
ax.plot(line, -line, color="black", linewidth=2, label="レッスン 1: 角度 + 角速度 = 0")
ax.set(
    xlim=(-angle_span, angle_span),
    ylim=(-turn_span, turn_span),
    xlabel="ポールの角度 (rad、右が正)",
    ylabel="ポールの角速度 (rad/s)",
    title=f"シード {SEEDS[0]} のテーブル: 赤は右に押す、青は左に押す、灰色は未訪問",
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
        f"シード {seed}: {seed_visited.size} 状態のうち {seed_visited.sum()} 状態を訪問。そのうち "
        f"{agreement[seed]:.0%} で、テーブルはセルの中心でのレッスン 1 の方策と同じ向きに"
        "押す"
    )
steps_worth = np.log(1 - q_table.max() * (1 - 0.99)) / np.log(0.99)  # n: (1 - 0.99**n) / 0.01
print(
    f"テーブルの最大値: {q_table.max():.1f}。これはあと {steps_worth:.0f} ステップ分の"
    f"価値です。ポールを永遠に立て続けた場合の価値は 1 / (1 - gamma) = {1 / (1 - 0.99):.0f}"
)
assert all(0.5 < share < 0.75 for share in agreement.values()), (
    f"本文では「半分より多いが、常にはほど遠い」と述べています: {agreement}"
)

# %% [markdown]
# 試行錯誤で見つけたものですが、テーブルがレッスン 1 の手で書いた方策と同じ向きに押すのは、半分より多いものの、常にはほど遠い割合です。各シードが訪問したセルのうち 68%、65%、57% です (コインならおよそ半分で一致するでしょう)。一致するところでは、テーブルはポールが傾いている側、あるいは回転している側、つまりポールの下に向かって押し、ポールを元に戻します。(黒い線が平らに見えるのは、この単位では角度の範囲が角速度の範囲に比べて小さいからです。) 一致しないセルは、線のすぐそばで、どちらに押してもほぼ同じくらい良いところか、端の行です。端の行にはポールはめったに到達せず、そこからはどう押してもたいてい立て直せません。
#
# テーブルの最大値 79.0 は、あと約 155 ステップ分の価値にあたり (出力を参照)、このシードの貪欲方策の平均収益と同程度の大きさです。何を学んだとしても、100 を超える値はありえません。テーブルは 0 から始まり、各更新は、高々 1 に最大値の 0.99 倍を足したターゲットに向けて平均をとるからです。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-02-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 2.1: 予想してから実行: より細かいテーブル (ウォームアップ、約 5 分)
#
# 上のテーブルにはカートが見えず、その貪欲方策のエピソードはどれもカートがレールの端を越えて終わりました。次のセルでは、4 つの数すべてを見るテーブルを、より細かいビンで学習させます。カートの 2 つの数にはそれぞれ 6 個、ポールの 2 つの数にはそれぞれ 10 個のビンを使い、状態は 3,600 個です。シードは同じで、エピソード数も同じ 800 です。この貪欲方策は`"better"` (良くなる)、`"about the same"` (ほぼ同じ: 粗いテーブルの平均収益との差が 4 分の 1 以内)、`"worse"` (悪くなる) のどれになるでしょうか。実行する前に、`my_prediction()`から`(answer, why)`を返してください。理由 (why) は文で書きます。チェックは何が起きたかを教えてくれます。予想が外れても不合格にはなりませんが、予想がなければ不合格です。
# (Run All ですべてのセルを実行した場合、下のセルはすでに実行されています。下にスクロールして出力を見る前に、予想を書いてください。)


# %% nbgrader={"grade": false, "grade_id": "ex-02-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """次のセルの前に: ("better" | "about the same" | "worse", 理由)。"""
    ### BEGIN SOLUTION
    return "worse", "3,600 個の状態を学ぶには、800 エピソードで各状態に回ってくるよりはるかに多くの訪問が必要です"
    ### END SOLUTION


# %% [markdown]
# ## 細かいテーブルはどれだけ埋まるか
#
# 細かいテーブルなら、粗いテーブルがひとまとめにしている状態を区別できます。しかし、どのセルもゼロから始まり、そのセル自身への訪問からしか学びません。あるセルで学んだことは、どれほど近くても隣のセルには引き継がれないのです。同じ予算で、どれだけのセルに手が届くかを数えます。

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
print(f"{'':>8}{'粗いテーブル (64 状態)':>22}{'細かいテーブル (3,600 状態)':>21}")
print(f"{'シード':>5}{'訪問済み':>11}{'貪欲方策の収益':>8}{'訪問済み':>11}{'貪欲方策の収益':>8}")
for seed in SEEDS:
    print(
        f"{seed:>8}{coarse_visited[seed]:>15.0%}{coarse_returns[seed].mean():>15.1f}"
        f"{fine_visited[seed]:>15.0%}{fine_returns[seed].mean():>15.1f}"
    )
coarse_mean = np.mean([coarse_returns[s].mean() for s in SEEDS])
fine_mean = np.mean([fine_returns[s].mean() for s in SEEDS])
print(f"{'平均':>6}{'':>15}{coarse_mean:>15.1f}{'':>15}{fine_mean:>15.1f}")
assert all(fine_visited[s] < 0.25 for s in SEEDS), "本文では、細かいテーブルはほとんど空のままだと述べています"
assert fine_mean < coarse_mean / 2, "本文では、細かいテーブルのほうがはるかに悪いと述べています"

# %% nbgrader={"grade": true, "grade_id": "ex-02-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_finer_table_prediction

check_finer_table_prediction(
    my_prediction,
    [coarse_returns[s].mean() for s in SEEDS],
    [fine_returns[s].mean() for s in SEEDS],
)

# %% [markdown]
# 同じ 800 エピソードでは、細かいテーブルはセルの大部分に一度も触れず、その貪欲方策ははるかに悪い結果になります (セルで両方を確認しています)。このテーブルを埋めるには、到達可能なセルの一つひとつに何度も訪問が必要です。さらに細かく区切ったり、数の多い問題を扱ったりすれば、セルの数はまた何倍にも増えます。これが壁です。**テーブルは汎化しない**。ほとんど同じ状態はほとんど同じ価値を持つはずですが、テーブルにはそれを表す手段がありません。
#
# 次のレッスンの答えは、テーブルを観測そのものの関数、つまり 4 つの数を受け取って両方のQ値を返す小さなニューラルネットワークに置き換えることです。すると近い観測には近い値がつきやすくなり、1 回の更新で、訪問したかどうかにかかわらず多くの状態の価値が一度に動きます。それは良い方向にも、そして (レッスン 6 で見るように) ときには悪い方向にも働きます。

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後では、あなたの答えは使われません。(演習 2.1 は上の、レッスン本文の中にあります。)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-02-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 2.2: SARSA、Q学習の方策オン型の双子 (基本、約 15 分)
#
# Q学習のターゲットは最善の次の行動を使います。SARSA (1 回の更新が読む 5 つの要素 s, a, r, s', a' にちなんだ名前) は、探索も含めてエージェントが*実際に*とる次の行動を使うので、自分が従っている方策の価値を学びます。方策オン型 (on-policy) です。
#
# `sarsa_update(q_table, state, action, reward, next_state, next_action, terminated, alpha, gamma) -> float`を書いてください。`q_table[state][action]`を (その場で) `reward + gamma * q_table[next_state][next_action]`に向けて幅`alpha`だけ動かします。`terminated`なら`reward`だけに向けて動かします。戻り値は TD誤差 (ターゲットから古い値を引いたもの) で、Python の float として返します。`state`と`next_state`は、`state_of`が返すようなビン番号のタプルです。他の要素は 1 つも変えてはいけません。
#
# ヒント: `q_table[state][action]`で要素を 1 つ読めます。`float(...)`は NumPy の数を Python の float に変換します。チェックでは、次の行動が貪欲な行動ではない場合 (これでQ学習の max を使っていれば見抜けます)、エピソードが終わった場合、シードを固定したランダムな 3 つの場合を試し、よくある間違いを指摘します。


# %% nbgrader={"grade": false, "grade_id": "ex-02-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sarsa_update(q_table, state, action, reward, next_state, next_action, terminated, alpha, gamma):
    """SARSA による q_table[state][action] のその場での更新。TD誤差を返す。"""
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
# ## まとめ
#
# - Q(s, a) は、`s`で`a`をとり、その後は最善に行動したときに、この先得られる割り引いた報酬です。ベルマン最適方程式は、各価値を次の状態の最善の価値と関係づけます。
# - Q学習は毎ステップの後、テーブルの要素を`r + gamma * max_a' Q(s', a')`に向けて動かします。この max があるため方策オフ型になります。探索しながら貪欲方策の価値を学ぶのです。
# - CartPole では、ポールの角度と角速度を 8 x 8 のビンに区切ったテーブルが、どのシードでも数秒でランダム方策を上回り、半分より多くのセルでレッスン 1 の方策と同じ向きに押します。
# - 4 つの数すべてにわたる細かいテーブルは、同じ予算ではほとんど空のままで、結果も悪くなります。テーブルはセルを 1 つずつ別々に学ぶからです。次のレッスンでは、汎化するネットワークでテーブルを置き換えます。
#
# 次は、レッスン 3 (`03_q_network`): ニューラルネットワークとしてのQ関数です。
