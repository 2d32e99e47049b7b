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
# # レッスン 6: 原典のエージェントを、正直に学習させる
#
# レッスン 3-5 の部品を 1 つの学習ループにまとめ、原典のノートブックのオンラインエージェントを実際に学習させます。学習の前後で動きを見て、学習曲線を描き、貪欲方策で評価します。続いて別のシードでも学習させます。1 回の実行だけでは、アルゴリズムを実力以上に良く (あるいは不当に悪く) 見せてしまうことがあるからです。さらに、原典を書かれたとおりにバグも含めて学習させ、修正版と並べて、バグの代償を測ります。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_lib

SEED = 0
# A network this small runs fastest on one thread, and on one thread a seeded run repeats exactly
# (float sums can come out in a different order, and so differ slightly, with more threads).
torch.set_num_threads(1)
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## エージェントと報酬
#
# エージェントはレッスン 4 の`OnlineAgent`で、原典のノートブックのエージェントです。4-32-32-2 のQネットワーク、ε-greedy法による探索、そして遷移が起きるたびにその場で、その遷移について Huber損失で Adam のステップを 1 回行います。原典と違うのは 1 か所だけで、TDターゲットが転倒を越えてブートストラップせず、転倒で止まります (原典の版も、レッスンの終わり近くで学習させます)。このセルでは、ハイパーパラメータが原典と同じであることを確認します。

# %%
agent = dqn_lib.OnlineAgent(seed=SEED)
learning_rate = agent.optimizer.param_groups[0]["lr"]
print(f"q_network: {agent.q_network}")
print(f"learning_rate={learning_rate}, gamma={agent.gamma}, epsilon={agent.epsilon}")
assert (learning_rate, agent.gamma, agent.epsilon) == (1e-4, 0.99, 0.2), (
    f"原典のノートブックの learning_rate=1e-4, gamma=0.99, epsilon=0.2 のはずが、実際は "
    f"{learning_rate}, {agent.gamma}, {agent.epsilon}"
)
assert agent.q_network.hidden == (32, 32), (
    f"隠れ層は (32, 32) のはずが、実際は {agent.q_network.hidden}"
)

# %% [markdown]
# エージェントは、原典のノートブックの報酬`dqn_lib.pole_angle_reward`から学びます。毎ステップ`-|pole angle|`、転倒にはペナルティです (これが何を教えるのか、そしてなぜ罰するのは転倒だけで、時間制限は決して罰しないのかは、レッスン 5 で説明しました)。報酬関数は、環境が今進めたステップを見ます。`reward_fn(next_observation, env_reward, terminated)`。

# %%
reward_fn = dqn_lib.pole_angle_reward
upright = np.array([0.0, 0.0, 0.0, 0.0])
leaning = np.array([0.0, 0.0, 0.1, 0.0])  # pole 0.1 rad (5.7 degrees) off vertical
print(
    f"直立: {reward_fn(upright, 1.0, False)}、傾き: {reward_fn(leaning, 1.0, False)}、"
    f"転倒: {reward_fn(leaning, 1.0, True)}"
)

# %% [markdown]
# ## 学習ループを書き下す
#
# 学習では 4 つのことを繰り返します。エージェントが**行動し** (ε-greedy法)、環境が**ステップを進め**、**報酬関数**がそのステップを、エージェントが学ぶ報酬に変え、エージェントがその遷移を**観測します** (このエージェントは、その遷移で勾配ステップも 1 回行います)。大事な点が 2 つあります:
#
# - エピソードは`terminated`*または*`truncated`で終わり、そのときにだけ`reset`します。どちらも「このエピソードは終わった」という意味なので、どちらでもそのエピソードのステップを回すループを抜けます。
# - 学習の信号には`terminated`と`truncated`を別々に渡し、1 つにまとめた`done`は決して使いません。エージェントのTDターゲットがブートストラップをやめるのは、ポールが倒れたとき (`terminated`) だけです。時間切れ (`truncated`、500 ステップ後) は記録の終わりであって、ポールの未来の終わりではありません。
#
# 各エピソードについて記録するのは、エージェントが受け取った整形済みの報酬ではなく、*環境の*収益 (ポールが立っていたステップ数) です。こうすることで、このコースのすべての実行が同じ尺度で測られます。


# %%
def train_inline(agent, env, episodes, reward_fn):
    """`agent`を`env`で`episodes`エピソード学習させ、各エピソードの環境での収益を返す。"""
    returns = []
    episode_return = 0.0
    observation, info = env.reset()
    while len(returns) < episodes:
        action = agent.act(observation)  # epsilon-greedy while learning
        next_observation, env_reward, terminated, truncated, info = env.step(action)
        reward = reward_fn(next_observation, float(env_reward), bool(terminated))
        agent.observe(observation, action, reward, next_observation, terminated, truncated)
        episode_return += float(env_reward)
        observation = next_observation
        if terminated or truncated:  # the episode is over either way: start a new one
            returns.append(episode_return)
            episode_return = 0.0
            observation, info = env.reset()
    return returns


# %% [markdown]
# ライブラリの`dqn_lib.train`は、このループに記録のための処理を加えたものです。`tqdm`のプログレスバーと、整形済みの収益、エピソードの長さ、各エピソードが終わったステップ、すべての損失も保持する`History`です。信用する前に、同じループであることを確かめます。同じシードの新しいエージェントを 2 つ用意し、同じシードの環境で数エピソード学習させます。一方は自前のループで、もう一方はライブラリのループで学習させ、最後に収益が同じで、重みもまったく同一になっていなければなりません。

# %%
CHECK_EPISODES = 20
inline_agent = dqn_lib.OnlineAgent(seed=SEED)
inline_returns = train_inline(inline_agent, dqn_lib.make_env(SEED), CHECK_EPISODES, reward_fn)

library_agent = dqn_lib.OnlineAgent(seed=SEED)
library_history = dqn_lib.train(
    library_agent, episodes=CHECK_EPISODES, reward_fn=reward_fn, seed=SEED, progress=False
)

print(f"自前のループ:  {inline_returns}")
print(f"dqn_lib.train: {library_history.returns}")
assert inline_returns == library_history.returns, (
    f"エピソードの収益が異なります: 自前 {inline_returns}、ライブラリ {library_history.returns}"
)
library_weights = library_agent.q_network.state_dict()
for name, weight in inline_agent.q_network.state_dict().items():
    assert torch.equal(weight, library_weights[name]), (
        f"{CHECK_EPISODES} エピソード後、重み {name!r} が最大 "
        f"{(weight - library_weights[name]).abs().max().item():.3g} 異なります"
    )
print(
    f"{CHECK_EPISODES} エピソード後、収益は同じで重みも完全に一致しました "
    f"(更新 {library_history.steps} 回)。"
)

# %% [markdown]
# ## 学習前
#
# 学習で何が変わるかを見るため、エージェントの学習前の双子を動かして評価します。同じシードからは同じ初期の重みが得られ (セルで確認します)、双子は学習させずにおくので、学習後と比べるための「学習前」がそのまま残ります。エージェント本体はそのまま学習に進みます。このレッスンで後に出てくる他のシードとまったく同じく、新しいエージェントを作ってから`train`する、という手順です。

# %%
untrained = dqn_lib.OnlineAgent(seed=SEED)
for name, weight in untrained.q_network.state_dict().items():
    assert torch.equal(weight, agent.q_network.state_dict()[name]), f"双子の {name!r} が異なります"

EVAL_SEED = 10_000  # evaluation episodes reset with seeds 10000, 10001, ...: never training's
EVAL_EPISODES = 20
SOLVED = 475  # CartPole-v1's reward threshold: a greedy mean return of 475 or more is "solved"
dqn_lib.animate_episode(untrained, seed=EVAL_SEED, title="学習前")

# %% [markdown]
# 貪欲方策での評価 (`dqn_lib.evaluate`) は、探索なしでエピソードをプレイします。使うのは評価専用の環境で、各エピソードはそれぞれのシード (`EVAL_SEED`、`EVAL_SEED + 1`、...) でリセットされ、学習用環境の乱数生成器 (`SEED`でシードを設定) とは切り離されています。このレッスンの評価はすべて同じ初期状態を使うので、学習の前と後も、あるシードと別のシードも比べられます。

# %%
returns_before = dqn_lib.evaluate(untrained, episodes=EVAL_EPISODES, seed=EVAL_SEED)
print(
    f"学習前、貪欲方策: {EVAL_EPISODES} エピソードでの平均収益 {returns_before.mean():.1f} "
    f"(各エピソード {returns_before.min():.0f}〜{returns_before.max():.0f} ステップ)"
)

# %% [markdown]
# ## 本番の学習
#
# 原典のノートブックのセルが指定したのと同じエピソード数だけ学習させます (セルがその数を表示します。原典のプログレスバーはこの数と食い違っていますが、それについてはレッスンの最後の注を見てください)。プログレスバーには学習の進行中、直前のエピソードの収益が表示されます。保存されたノートブックには最初に描かれた時点のバーが残るので、`train`は終了時に 1 行の要約も表示します。

# %%
EPISODES = 500
history = dqn_lib.train(
    agent, episodes=EPISODES, reward_fn=reward_fn, seed=SEED, description=f"シード {SEED}"
)
print(
    f"{history.episodes} エピソード、環境 {history.steps} ステップを学習しました "
    f"(勾配ステップも同じ回数)。"
)

# %% [markdown]
# ## 学習曲線
#
# 薄い線はそれぞれ 1 つの学習エピソードの収益で、実線は直近 20 エピソードの平均です。学習エピソードは探索を行い (5 回に 1 回はランダムな行動)、評価とは別の状態から始まるので、貪欲方策を測るものではありません (下の 4 つのシードの表で両者を比べます)。見るべきはその傾向です。

# %%
ax = dqn_lib.plot_learning_curve(history, label=f"シード {SEED}")
ax.set_title(f"オンラインエージェントの学習中の収益 (シード {SEED}、{EPISODES} エピソード)")
plt.show()

window_means = dqn_lib.moving_average(history.returns, 20)[19:]  # full windows of 20 episodes
best_window_end = int(window_means.argmax()) + 20
print(
    f"最良の連続 20 エピソード: 平均収益 {window_means.max():.1f} (エピソード "
    f"{best_window_end - 19}-{best_window_end})、直近 20 エピソード: {window_means[-1]:.1f}、"
    f"最長のエピソード: {max(history.returns):.0f} ステップ"
)

# %% [markdown]
# 曲線は上昇した後、得たものの多くを手放しています。学習を長く続けても、良いエージェントにはなりませんでした。この形を、他のシードを見るときにも覚えておいてください。
#
# ## 学習後
#
# 学習前と同じ初期状態で、同じ貪欲方策での評価を行います。

# %%
returns_after = dqn_lib.evaluate(agent, episodes=EVAL_EPISODES, seed=EVAL_SEED)
print(
    f"{EPISODES} エピソード学習後、貪欲方策: 平均収益 {returns_after.mean():.1f} "
    f"(学習前: {returns_before.mean():.1f})、"
    f"各エピソード {returns_after.min():.0f}〜{returns_after.max():.0f} ステップ"
)
assert returns_after.mean() > returns_before.mean(), (
    f"学習で貪欲方策での評価が改善しませんでした: 学習前 {returns_before.mean():.1f}、"
    f"学習後 {returns_after.mean():.1f}"
)
assert returns_after.mean() < SOLVED / 2, (
    f"エージェントは下の本文が述べるよりも解ける水準 ({SOLVED}) に近づいています: "
    f"{returns_after.mean():.1f}"
)

# %% [markdown]
# 学習前よりは良くなりましたが、(上で確認したとおり) CartPole を解ける水準、つまり貪欲方策での平均 475 ステップの半分にも届いていません。学習後の最初の評価エピソードをもう一度見てみましょう:

# %%
dqn_lib.animate_episode(agent, seed=EVAL_SEED, title=f"{EPISODES} エピソード学習後")

# %% [markdown]
# ## シードのせいか: 同じエージェント、4 つのシード
#
# 1 回の実行は 1 回のくじ引きにすぎません。初期の重みも、探索も、初期状態も変わります。そこで同じエージェントを、さらに 3 つのシードで学習させます。それぞれ`OnlineAgent(seed=s)`と`train(..., seed=s)`を使い、上でシード 0 を学習させたのとまったく同じ方法で行います (こちらは二度学習させず、上の結果を再利用します)。
#
# 各実行は互いに依存しないので、`dqn_lib.run_in_processes`で 2 つずつ、コア 1 つにつき 1 つずつ学習させます。各実行は新しいプロセスで、torch のスレッド 1 つで動きます。そこで実行される関数`dqn_lib.train_online_agent(seed, episodes, reward_fn)`は、上のセルをライブラリの関数にしたものです (新しいプロセスは、ノートブックで定義した関数を import できません)。シードを固定した実行は、スレッドが 1 つなら、どのプロセスで実行しても同じ結果になります。短くなるのは待ち時間だけです。

# %%
SEEDS = [SEED, 1, 2, 3]
trained = dqn_lib.run_in_processes(
    dqn_lib.train_online_agent,
    [{"seed": seed, "episodes": EPISODES, "reward_fn": reward_fn} for seed in SEEDS[1:]],
    description="シード 1-3",
)
agents = {SEED: agent}
histories = {SEED: history}
final_returns = {SEED: returns_after}
untrained_returns = {SEED: returns_before}
for seed, (seed_agent, seed_history) in zip(SEEDS[1:], trained, strict=True):
    untrained_returns[seed] = dqn_lib.evaluate(
        dqn_lib.OnlineAgent(seed=seed), episodes=EVAL_EPISODES, seed=EVAL_SEED
    )
    histories[seed] = seed_history
    final_returns[seed] = dqn_lib.evaluate(seed_agent, episodes=EVAL_EPISODES, seed=EVAL_SEED)
    agents[seed] = seed_agent

# %% [markdown]
# 良いエージェントほどエピソードが長く続くので、同じエピソード数の実行でも、環境のステップ数は実行ごとに異なります。そこで`dqn_lib.plot_runs`は横軸に環境のステップ数をとり、各シードの 20 エピソード平均をさらにシード間で平均した線と、最悪のシードから最良のシードまでの帯を描きます。どちらも、最も短い実行が終わるところで止まります。各シード自身の曲線も細い線で加えます。

# %%
ax = dqn_lib.plot_runs(list(histories.values()), label="オンラインエージェント")
for seed, seed_history in histories.items():
    ax.plot(
        seed_history.episode_end_steps,
        dqn_lib.moving_average(seed_history.returns, 20),
        linewidth=0.8,
        alpha=0.7,
        label=f"シード {seed} (直近 20 エピソードの平均)",
    )
ax.set_xlim(0, max(h.steps for h in histories.values()))
ax.legend(loc="upper right", fontsize="small")
ax.set_title(f"オンラインエージェント、{len(SEEDS)} シード、各 {EPISODES} エピソード")
plt.show()

# %% [markdown]
# 表で数値を並べて比べます。「貪欲」の列は同じ 20 個の初期状態 (`EVAL_SEED`からのシード) での評価で、「学習中」の列は探索ありの学習エピソードから得た値です。

# %%
rows = []
for seed in SEEDS:
    seed_history = histories[seed]
    window_means = dqn_lib.moving_average(seed_history.returns, 20)[19:]
    rows.append(
        {
            "seed": seed,
            "episodes": seed_history.episodes,
            "steps": seed_history.steps,
            "greedy_untrained": untrained_returns[seed].mean(),
            "best_training_return": max(seed_history.returns),
            "best_20_training": window_means.max(),
            "last_20_training": window_means[-1],
            "greedy_final": final_returns[seed].mean(),
        }
    )
print(
    f"{'':>2} {'エピソード':>5} {'':>6} {'貪欲':>7} {'学習中':>6} {'学習中':>6} "
    f"{'学習中':>6} {'貪欲':>7}"
)
print(
    f"{'シード':>3} {'':>4} {'ステップ':>4} {'学習前':>6} {'最良':>7} {'最良 20':>7} "
    f"{'直近 20':>7} {'最終':>7}"
)
for row in rows:
    print(
        f"{row['seed']:>4} {row['episodes']:>8} {row['steps']:>6} {row['greedy_untrained']:>9.1f} "
        f"{row['best_training_return']:>9.0f} {row['best_20_training']:>9.1f} "
        f"{row['last_20_training']:>9.1f} {row['greedy_final']:>9.1f}"
    )

finals = np.array([row["greedy_final"] for row in rows])
best_seed, worst_seed = SEEDS[int(finals.argmax())], SEEDS[int(finals.argmin())]
n_solved = int((finals >= SOLVED).sum())
print(f"\nCartPole を解けたシード (貪欲方策の平均 >= {SOLVED}): {len(SEEDS)} 個中 {n_solved} 個")
print(
    f"最終的な貪欲方策での評価: 最良はシード {best_seed} の {finals.max():.1f}、最悪はシード "
    f"{worst_seed} の {finals.min():.1f}、その比は {finals.max() / finals.min():.1f} 倍"
)
print(
    "各シードの直近 20 学習エピソードの、最良の連続 20 エピソードに対する比: "
    + ", ".join(
        f"シード {r['seed']} {r['last_20_training'] / r['best_20_training']:.2f}" for r in rows
    )
)
n_greedy_below = sum(row["greedy_final"] < row["last_20_training"] for row in rows)
print(
    f"最終的な貪欲方策の平均が直近 20 (探索ありの) 学習エピソードを下回ったシード: "
    f"{len(SEEDS)} 個中 {n_greedy_below} 個"
)

# %% [markdown]
# シードからわかることを挙げます。どの主張も下のセルで確認しています:
#
# - **遅い。** この予算では、どのシードも CartPole を解けていません。どれも解ける水準の半分に届かずに終わります。
# - **シードによって結果が食い違う。** 同じエージェント、同じハイパーパラメータ、同じエピソード数なのに、最良のシードの最終的な貪欲方策での評価は最悪のシードの 2 倍を超え、最悪のシードの評価は学習前より良くなっていません。
# - **良い時期は失われうる。** どのシードにも、直近 20 エピソードの 1.5 倍以上の成績を上げた、連続 20 学習エピソードの時期がありました。どのシードも何かを学び、その後学習を続けるうちにその多くを失ったのです。どのシードでも、最長の学習エピソードは、最終的な貪欲方策での 20 エピソードのうち最長のものの 1.5 倍を超えています。
# - **貪欲方策がはっきり良いとは言えない。** 4 つのシードのうち 3 つで、最終的な貪欲方策の成績は、ランダムな行動も含む直近 20 学習エピソードを*下回り* (そのうち 1 つでは差が 1 ステップに満たず、20 エピソードのノイズの範囲に十分収まります)、1 つでは上回っています。学習曲線は、貪欲方策が何をするかを教えてはくれません。評価しましょう。

# %%
assert n_solved == 0, f"{n_solved} 個のシードが解けました。どれも解けていないと述べている上の本文を更新してください"
assert finals.max() < SOLVED / 2, f"あるシードが {finals.max():.1f} に達しました。{SOLVED} の半分未満ではありません"
assert finals.max() > 2 * finals.min(), (
    f"シード間の結果は本文が述べるより揃っています: 最良 {finals.max():.1f}、最悪 {finals.min():.1f}"
)
assert finals.min() <= untrained_returns[worst_seed].mean(), (
    f"最悪のシード {worst_seed} は学習前より良い結果で終わりました: {finals.min():.1f} 対 "
    f"{untrained_returns[worst_seed].mean():.1f}"
)
for row in rows:
    assert row["last_20_training"] * 1.5 <= row["best_20_training"], (
        f"シード {row['seed']} は後退していません: 最良の 20 エピソード {row['best_20_training']:.1f}、"
        f"直近 20 エピソード {row['last_20_training']:.1f}"
    )
    longest_greedy = final_returns[row["seed"]].max()
    assert row["best_training_return"] > 1.5 * longest_greedy, (
        f"シード {row['seed']}: 最長の学習エピソード {row['best_training_return']:.0f}、"
        f"最終的な貪欲方策での最長エピソード {longest_greedy:.0f}。前者が後者の 1.5 倍を超えていません"
    )
assert n_greedy_below > len(SEEDS) / 2, (
    f"貪欲方策が直近 20 学習エピソードを下回ったのは {len(SEEDS)} シード中 "
    f"{n_greedy_below} シードだけで、過半数ではありません"
)
print(
    "確認しました: どのシードも解けておらず、シード間で結果が食い違い、どのシードも最良の時期から後退し、"
    "過半数のシードで貪欲方策は探索ありの自分の学習エピソードを下回って終わります。"
)

# %% [markdown]
# ## 原典どおりの版: 転倒を越えるブートストラップ
#
# 原典のノートブックの更新は、*すべての*遷移でターゲットを`r + gamma * max Q(next_s)`として計算します。`done`を一切見ないのです。したがって転倒でのターゲットは`-5 + 0.99 * max Q(fallen state)`となり、ポールが地面に倒れた後もエピソードが続くかのように扱われます。レッスン 4 ではこれを修正しました。この修正はどれほど重要なのでしょうか。測ってみましょう。原典どおりのエージェントは`OnlineAgent(bootstrap_through_termination=True)`で、ターゲットを原典のものにした以外は何も変えていません。同じシード、同じ報酬、同じエピソード数で学習させ、上の修正版エージェントと同じ初期状態で評価します。同じシードからは両方の版に同じ初期の重みが与えられるので (セルで確認します)、違いはターゲットだけです。この 4 つの実行も 2 つずつ行いますが、上のシードより時間がかかります。エピソードが長くなるのです (下の表でステップ数を数えます)。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-06-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 6.1: 予想してから実行: バグの代償はどれほどか (ウォームアップ、約 5 分)
#
# 次のセルで原典どおりの版を学習させる前に、予想してください。この 4 つのシードでの最終的な貪欲方策の平均収益は、修正版エージェントより`"lower"` (低い)、`"about the same"` (ほぼ同じ: 差が 10 ステップ以内)、`"higher"` (高い) のどれになるでしょうか。`my_prediction()`から組`(answer, why)`を返してください。理由 (why) は一文の文字列で書きます。それから先へ実行を進めてください。比較表の後のチェックが、実行で何が測定されたかを教えてくれます。予想が外れても不合格にはなりませんが、予想がなければ不合格です。
# (Run All ですべてのセルを実行した場合、下のセルはすでに実行されています。下にスクロールして出力を見る前に、予想を書いてください。)


# %% nbgrader={"grade": false, "grade_id": "ex-06-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """原典どおりの版を実行する前に: ("lower" | "about the same" | "higher", 理由)。"""
    ### BEGIN SOLUTION
    return "lower", "転倒後も max Q を足すターゲットは転倒に未来があるとみなすので、転倒を避けないよう教えるはずです"
    ### END SOLUTION


# %%
for seed in SEEDS:
    as_written = dqn_lib.OnlineAgent(seed=seed, bootstrap_through_termination=True)
    corrected_start = dqn_lib.OnlineAgent(seed=seed).q_network.state_dict()
    for name, weight in as_written.q_network.state_dict().items():
        assert torch.equal(weight, corrected_start[name]), f"シード {seed}: {name!r} の初期値が異なります"
trained = dqn_lib.run_in_processes(
    dqn_lib.train_online_agent,
    [
        {
            "seed": seed,
            "episodes": EPISODES,
            "reward_fn": reward_fn,
            "bootstrap_through_termination": True,
        }
        for seed in SEEDS
    ],
    description="原典どおり",
)
as_written_agents, as_written_histories, as_written_finals = {}, {}, {}
for seed, (as_written, as_written_history) in zip(SEEDS, trained, strict=True):
    assert as_written.bootstrap_through_termination
    as_written_histories[seed] = as_written_history
    as_written_finals[seed] = dqn_lib.evaluate(as_written, episodes=EVAL_EPISODES, seed=EVAL_SEED)
    as_written_agents[seed] = as_written

# %% [markdown]
# 2 つの版を並べて描きます。どちらも、`dqn_lib.plot_runs`が複数のシードを描くのと同じ描き方です。環境のステップ数に対して各シードの 20 エピソード平均をシード間で平均した線と、最悪のシードから最良のシードまでの帯を描き、どちらもその版で最も短い実行が終わるところで止まります。y 軸は、これらの実行が到達する収益の範囲に拡大しています。

# %%
ax = dqn_lib.plot_runs(list(histories.values()), label="修正版 (転倒で止める)", color="C0")
dqn_lib.plot_runs(
    list(as_written_histories.values()),
    ax=ax,
    label="原典どおり (転倒を越えてブートストラップ)",
    color="C3",
)
highest = max(
    dqn_lib.moving_average(h.returns, 20).max()
    for h in [*histories.values(), *as_written_histories.values()]
)
ax.set_ylim(0, 1.5 * highest)  # zoom in: every run stays far below the maximum of 500
ax.set_ylabel("学習中の収益 (20 エピソードの平均)")
ax.legend(loc="upper left", fontsize="small")
ax.set_title(
    f"原典のTDターゲット: 修正版と原典どおり ({len(SEEDS)} シード、各 {EPISODES} "
    f"エピソード)\ny 軸は {1.5 * highest:.0f} ステップで打ち切り。1 エピソードは最長 500 ステップ",
    fontsize="medium",
)
plt.show()

# %% [markdown]
# 最終的に重要なのは貪欲方策です。各実行の最終評価 (同じ 20 個の初期状態で行います) と、各実行の 500 エピソードにかかった環境のステップ数を見ます。

# %%
corrected_finals = np.array([final_returns[seed].mean() for seed in SEEDS])
as_written_means = np.array([as_written_finals[seed].mean() for seed in SEEDS])
corrected_steps = np.array([histories[seed].steps for seed in SEEDS])
as_written_steps = np.array([as_written_histories[seed].steps for seed in SEEDS])
print(f"{'':>4} {'最終的な貪欲方策の平均収益':^20} {'学習ステップ数':^12}")
print(
    f"{'シード':>3} {'修正版':>5} {'原典どおり':>6} {'差':>9} "
    f"{'修正版':>6} {'原典どおり':>5}"
)
for i, seed in enumerate(SEEDS):
    print(
        f"{seed:>4} {corrected_finals[i]:>10.1f} {as_written_means[i]:>11.1f} "
        f"{as_written_means[i] - corrected_finals[i]:>+10.1f} {corrected_steps[i]:>9} "
        f"{as_written_steps[i]:>10}"
    )
print(
    f"{'平均':>2} {corrected_finals.mean():>10.1f} {as_written_means.mean():>11.1f} "
    f"{as_written_means.mean() - corrected_finals.mean():>+10.1f} "
    f"{corrected_steps.mean():>9.0f} {as_written_steps.mean():>10.0f}"
)
corrected_spread = corrected_finals.max() - corrected_finals.min()
print(
    f"\n1 つのシードでの最大の差: {np.abs(as_written_means - corrected_finals).max():.1f}、"
    f"修正版エージェントの最良のシードと最悪のシードの差: {corrected_spread:.1f}"
)

# %% nbgrader={"grade": true, "grade_id": "ex-06-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_bootstrap_bug_prediction

check_bootstrap_bug_prediction(my_prediction, corrected_finals, as_written_means)

# %% [markdown]
# この予算では、バグは 4 つのシードで見分けられるほどの違いを生みません。どの主張も下のセルで確認しています:
#
# - 4 つのシードで平均すると、原典どおりのエージェントの最終的な貪欲方策での収益は、修正版エージェントより低くありません。また、どのシードでも 2 つの版の差は、修正版エージェントの最良のシードと最悪のシードの差より小さくなっています。どちらも解けるにはほど遠く、すべての実行が「解けた」とみなす基準の半分未満にとどまります。
# - 学習中は、原典どおりのエージェントのほうが、どのシードでもむしろ長く持ちこたえました。同じ 500 エピソードで環境のステップ数が多かったのです (これが、その 4 つの実行に修正版の 4 つより時間がかかる理由でもあります)。

# %%
assert as_written_means.mean() >= corrected_finals.mean(), (
    f"バグが損をもたらすようになりました: 原典どおり {as_written_means.mean():.1f}、修正版 "
    f"{corrected_finals.mean():.1f}。上の本文を書き直してください"
)
assert np.abs(as_written_means - corrected_finals).max() < corrected_spread, (
    "あるシードで、2 つの版の差が、修正版のシード同士の差より大きくなっています"
)
assert max(as_written_means.max(), corrected_finals.max()) < SOLVED / 2, (
    f"ある実行が {SOLVED} の半分に達しました。本文ではどちらも解けるにはほど遠いと述べています"
)
assert (as_written_steps > corrected_steps).all(), (
    f"原典どおりの実行が、すべてのシードで長かったわけではありません: {as_written_steps} 対 "
    f"{corrected_steps}"
)
print("確認しました: この予算ではバグによる損は測定できるほどではなく、その実行のほうが長く続きました。")

# %% [markdown]
# ### なぜ差がこれほど小さいのか
#
# これに関わる測定が 3 つあります。学習させたエージェントそれぞれについて、20 個の評価用の初期状態から貪欲方策をプレイし、初期状態の価値としてエージェントが*予測*する値`max_a Q(start, a)`と、そこから実際に*得る*割り引いた報酬 (`gamma = 0.99`、エージェントが学んだポールの角度に基づく報酬による) を記録します。また各エピソードの転倒の時点で、原典が転倒の -5 に加える項`0.99 * max Q(fallen state)`も記録します。さらに学習履歴から、遷移がそもそもどれくらいの頻度で転倒なのかを数えます。


# %%
def predicted_and_obtained(agent):
    """評価用の初期状態からの貪欲方策のエピソードについて: 初期状態の予測価値の平均、
    実際に得た割り引いた報酬の平均、そして gamma * max Q(転倒した状態) の平均。"""
    env = dqn_lib.make_env()
    predicted, obtained, bootstrap_at_fall = [], [], []
    for i in range(EVAL_EPISODES):
        observation, info = env.reset(seed=EVAL_SEED + i)
        predicted.append(agent.q_values(observation).max().item())
        discount, discounted_return = 1.0, 0.0
        terminated = truncated = False
        while not (terminated or truncated):
            action = agent.act(observation, greedy=True)
            observation, env_reward, terminated, truncated, info = env.step(action)
            discounted_return += discount * reward_fn(observation, float(env_reward), terminated)
            discount *= agent.gamma
        obtained.append(discounted_return)
        if terminated:  # what the original's target adds to the fall's reward
            bootstrap_at_fall.append(agent.gamma * agent.q_values(observation).max().item())
    env.close()
    return np.mean(predicted), np.mean(obtained), np.mean(bootstrap_at_fall or [np.nan])


def transitions_per_fall(history):
    """転倒 1 回あたりの学習中の遷移数: エピソードは、時間制限に達しなかったなら転倒で終わっている。"""
    falls = sum(length < dqn_lib.MAX_EPISODE_STEPS for length in history.lengths)
    return history.steps / falls


values = {
    (version, seed): predicted_and_obtained(version_agents[seed])
    for version, version_agents in [("修正版", agents), ("原典どおり", as_written_agents)]
    for seed in SEEDS
}
per_fall = {
    (version, seed): transitions_per_fall(version_histories[seed])
    for version, version_histories in [
        ("修正版", histories),
        ("原典どおり", as_written_histories),
    ]
    for seed in SEEDS
}
print(f"{'':>4} {'修正版':^27} {'原典どおり':^37}")
print(
    f"{'シード':>3} {'予測':>5} {'獲得':>7} {'転倒あたり':>5} {'予測':>7} "
    f"{'獲得':>7} {'ターゲット':>6} {'転倒あたり':>5}"
)
for seed in SEEDS:
    c_predicted, c_obtained, _ = values["修正版", seed]
    w_predicted, w_obtained, w_bootstrap = values["原典どおり", seed]
    print(
        f"{seed:>4} {c_predicted:>9.2f} {c_obtained:>9.2f} {per_fall['修正版', seed]:>10.1f} "
        f"{w_predicted:>9.2f} {w_obtained:>9.2f} {dqn_lib.FALL_PENALTY + w_bootstrap:>11.2f} "
        f"{per_fall['原典どおり', seed]:>10.1f}"
    )
print(
    "\n予測: max Q(初期状態) の平均、獲得: そこから得た割り引いた報酬の平均、ターゲット: "
    f"{dqn_lib.FALL_PENALTY} + 0.99 * max Q(転倒した状態)、原典どおりのエージェントの転倒での"
    "ターゲット (修正版エージェントでは "
    f"{dqn_lib.FALL_PENALTY})、転倒あたり: 転倒 1 回あたりの学習中の遷移数"
)

# %% [markdown]
# 表からわかることを挙げます。どの主張も下のセルで確認しています:
#
# - **転倒は多くの遷移のうちの 1 つにすぎない。** 転倒になりうるのはエピソードの最後の遷移だけで、どの実行でも、転倒 1 回あたり 20 を超える遷移があります。それ以外のすべての遷移では、両方の版が同じ式でターゲットを計算します (`tests/test_agents.py`がそれを確かめています)。それでも、ブートストラップの元になる値は異なります。ブートストラップを通じて、転倒での誤差はその前のすべての状態に届くからです (3 つ目の点)。
# - **バグは転倒を良く見せるのではなく、悪く見せる。** 原典の報酬は決して正にならないので、真の価値もどれ一つ正にはなりません。そのため原典が転倒で加える項`0.99 * max Q(fallen state)`は負になります。原典どおりのどの実行でも、転倒のターゲットは -5 を下回っています (「ターゲット」列)。バグは転倒に -5 より重い罰を課すのであって、転倒を大目に見るのではありません。ですから、どちらの版も転倒から遠ざかるように押されます。(このより重い罰が、原典どおりの実行が学習中に長く持ちこたえた理由なのかどうかは、検証していません。)
# - **ただし、原典どおりの価値は間違っている。** 修正版エージェントは、初期状態の価値を、その貪欲方策が実際に得るものとの差 10% 以内で予測します。これはどのシードでも成り立ちます。ただし、これは修正版エージェントを支持する弱い証拠にすぎません。貪欲方策のエピソードはどれも数十ステップ以内に転倒するので、得られるものは -5 付近の狭い範囲 (割り引いたペナルティに、その前の数ステップの角度のコストを加えたもの) に収まり、その範囲の定数を答えるだけでも同じテストに合格してしまうからです。原典どおりのエージェントは、どのシードでも得るものより小さく予測します。転倒のたびに -5 に加えて決して訪れない未来の価値を課し、しかもその価値自体にまた転倒が含まれているので、誤差が自らを増幅していくのです。
#
# つまり、レッスン 4 の修正によって価値は本来の意味を持つようになりますが、この予算とこの報酬では、オンラインエージェントの足を引っぱっているのはこの点ではありません。それはバグが無害だからではなく報酬のおかげだろうと私たちは考えていますが、このレッスンではそれを検証していません。CartPole 本来の +1 の報酬なら、転倒でのターゲットは`1 + 0.99 * max Q(fallen state)`となり、エピソードが続く他のどのステップとも同じ式になって、ターゲットの中に転倒を悪いものとして示すものは何もなくなります。

# %%
for seed in SEEDS:
    for version in ["修正版", "原典どおり"]:
        assert per_fall[version, seed] > 20, (
            f"{version}、シード {seed}: 転倒は {per_fall[version, seed]:.1f} 遷移に 1 回で、"
            "20 を超えていません"
        )
    c_predicted, c_obtained, _ = values["修正版", seed]
    w_predicted, w_obtained, w_bootstrap = values["原典どおり", seed]
    assert w_bootstrap < 0, (
        f"原典どおり、シード {seed}: 0.99 * max Q(転倒した状態) が {w_bootstrap:.2f} で、負ではありません: "
        "バグはもう転倒を悪く見せていません"
    )
    assert abs(c_predicted - c_obtained) <= 0.1 * abs(c_obtained), (
        f"修正版、シード {seed}: 予測 {c_predicted:.2f} と実際 {c_obtained:.2f} の差が "
        "10% 以内ではありません"
    )
    assert w_predicted < w_obtained, (
        f"原典どおり、シード {seed}: 予測 {w_predicted:.2f} が実際 {w_obtained:.2f} より小さくありません"
    )
print(
    "確認しました: 転倒はまれな遷移で、バグは転倒を悪く見せ、価値が実際に得られるものと一致するのは"
    "修正版エージェントだけです。"
)

# %% [markdown]
# ## なぜ不安定なのか: 2 つの仮説
#
# オンラインエージェントは、各遷移から、それが起きた直後に一度だけ学び、その後は捨ててしまいます。これがなぜ不安定なのかについては、よく 2 つの説明がなされます。このレッスンで測定したのは、エージェントが遅く不安定である*ということ*であって、*なぜ*そうなのかではありません。ですから今のところ、どちらも仮説です:
#
# - **連続する更新は相関している。** 1 つのエピソードの百ステップは、ネットワークを状態空間の小さな片隅へと引っぱり、ひょっとすると他の場所で学んだことから引き離す、百回の更新です。これが良い時期を台無しにしているのなら、保存しておいた過去の遷移のランダムなバッチから学ぶこと (**経験再生**) が役立つはずです。
# - **ターゲットが更新のたびに動く。** TDターゲット`reward + gamma * max Q(next_observation)`は、まさに更新しているネットワーク自身で計算されるので、1 回の更新ごとに他の状態のターゲットも動きます。ネットワークは自分の尻尾を追いかけているのかもしれません。そうだとすれば、ときどきしか更新しないネットワークのコピー (**ターゲットネットワーク**) でターゲットを計算することが役立つはずです。
#
# これが DQN の 2 つのアイデアです (Mnih et al., 2015)。続くレッスンでは、このレッスンと同じように複数のシードで、固定したベース設定に対して一度に 1 つずつ変更を試します。[レッスン 7](07_replay.ipynb) で経験再生を、レッスン 8 でターゲットネットワークを、レッスン 9 で Double DQN を加えます。それぞれの変更が役立つかどうか、役立つならどれだけかを、それらのレッスンで測定します。
#
# ## 原典のノートブックの学習セルについての注
#
# 原典のセルには`train(env, agent, 500)`と書かれていますが、保存されたプログレスバーは 1000/1000 エピソードを示しています。ノートブックに残るのはセルを最後に*実行*したときの出力であって、現在のコードの出力ではありません。このバーは 1,000 エピソードでの以前の呼び出しによるもので、その後コードは 500 に書き換えられ、再実行されませんでした (実行番号も 41 から 46 に飛んでいるので、その間に他のセルが実行されています)。したがって、その後アニメーションで示されたエージェントは、何エピソード学習したのかわかりません。このコースでは、すべてのノートブックの出力を、上から下まで一度だけ通したクリーンな実行で作り、出力が現在のコードのものであることをテストで確認しています。

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後では、あなたの答えは使われません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-06-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 6.2: 1 回の学習ステップ (発展、約 25 分)
#
# これが、オンラインエージェントが 1 つの遷移から学ぶことのすべてです。そしてその各行には、エラーメッセージを出さずに学習が進み、曲線が悪くなることでしか表に出ない間違いが潜んでいます。
#
# `train_step(q_network, optimizer, observation, action, reward, next_observation, terminated, gamma) -> float`を書いてください。`OnlineAgent.observe`と同じように、1 つの遷移に対して勾配ステップを 1 回行います。予測`Q(observation)[action]`、TDターゲット`reward + gamma * max_a Q(next_observation, a)` (`terminated`なら報酬だけ)、両者の間の Huber損失 (`torch.nn.SmoothL1Loss()`)、そして渡された`optimizer`のステップを 1 回。
# 損失は Python の`float`で返してください。観測は形状`(4,)`の float32 の NumPy 配列です。
#
# ヒント: ターゲットは`torch.no_grad()`の下で計算します。ターゲットはラベルであって、フィットさせる対象ではありません。PyTorch では勾配が足し合わされていくので、`loss.backward()`の前に`optimizer.zero_grad()`で消去します。返すのはテンソルではなく`loss.item()`です。
#
# チェックは 7 個の遷移 (固定した 4 個で、その中に転倒を 1 つ含み、続いてシードを固定したランダムな 3 個) を、あなたの関数と参照実装の両方に通します。それぞれ同じネットワークの別々のコピーを使い、最適化手法は素の SGD です。呼び出しのたびに、返された損失とすべての重みを比べます。食い違いがあれば、何回目の呼び出しかを示し、ありそうな間違いを指摘します。ターゲットを通る勾配、`zero_grad`の呼び忘れ、もう一方の行動のQ値、二乗誤差、転倒を越えるブートストラップ、`gamma`の掛け忘れ、ステップをまったく行わないこと。


# %% nbgrader={"grade": false, "grade_id": "ex-06-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_step(
    q_network, optimizer, observation, action, reward, next_observation, terminated, gamma
):
    """1 つの遷移に対して Huber損失で勾配ステップを 1 回行い、損失を Python の float で返す。"""
    ### BEGIN SOLUTION
    q = q_network(torch.as_tensor(observation, dtype=torch.float32))[action]  # a scalar
    with torch.no_grad():  # the target is a fixed number: no gradient flows through it
        next_q = q_network(torch.as_tensor(next_observation, dtype=torch.float32))  # (n_actions,)
        td_target = reward + gamma * (1.0 - float(terminated)) * next_q.max()
    loss = torch.nn.SmoothL1Loss()(q, td_target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-06-2-check", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_training_step

check_training_step(train_step)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-06-3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 6.3: 学習曲線の移動平均 (ウォームアップ、約 10 分)
#
# このレッスンの学習曲線はどれもこの平均を通して描かれています。この平均が過去の方向だけを見ることを知っていれば、なぜ曲線が、ならしている元の収益より遅れるのかがわかります。
#
# `dqn_lib.moving_average`と同じ計算をする`moving_average(values, window) -> np.ndarray`を書いてください。値 1 つにつき数を 1 つ返し、点`i`は値`i`とその前の`window - 1`個の値の平均です。最初のほうの点は前にある値が少ないので、ある分だけで平均します。点 0 は値 0 そのものです。`values`はリストでも配列でもかまいません。
#
# ヒント: 窓に実際に入っている値の個数で割ります。最初のうちは`window`より少なくなります。`np.convolve`は、返す点が少なすぎるか (モード`'valid'`)、多すぎるか (`'full'`)、中心に置いた窓になるか (`'same'`) のいずれかで、どれもひと手間かけないとこの平均にはならないので、素直なループで十分です。
#
# チェックでは、4 個の値に窓 2、5 個の値に窓 1、8 個の値に窓 3、わずか 3 個の値に窓 5、シードを固定したランダムな 60 個の収益に窓 10 を試します。平均ではなく合計を計算している、最初のうちも窓の大きさ全体で割っている、窓が中心に置かれている、長さが違う、窓の大きさが 1 つずれている、といった間違いを指摘します。


# %% nbgrader={"grade": false, "grade_id": "ex-06-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def moving_average(values, window):
    """点 i: values[i] とその前の window - 1 個の値の平均 (最初のほうは値が少ない)。"""
    ### BEGIN SOLUTION
    values = np.asarray(values, dtype=float)
    averages = np.empty(len(values))
    for i in range(len(values)):
        start = max(0, i - window + 1)  # the first value in the window
        averages[i] = values[start : i + 1].mean()
    return averages
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-06-3-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_moving_average

check_moving_average(moving_average)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-06-4-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 6.4: バグを探す: 貪欲方策での評価 (基本、約 15 分)
#
# このレッスンの「貪欲方策」の数値はどれも、下のような評価から得られたものです。そして評価にバグがあると、エラーメッセージもなく、エージェントを実力以上に良く、あるいは不当に悪く見せてしまいます。下の評価は動きますし、もっともらしい数値を返しますが、バグが 2 つあります。1 つは貪欲方策以外のものを測らせてしまい、もう 1 つは 20 エピソードを見かけより少なくしてしまいます。
#
# 両方を見つけ、修正した`greedy_mean_return(agent, episodes, seed)`を書いてください。エージェントの貪欲方策の、`episodes`エピソードにわたる平均収益を、エピソード`i`を`seed + i`でリセットして (`dqn_lib.evaluate`と同じように) 求め、Python の`float`で返します。
#
# ヒント: `OnlineAgent.act`のシグネチャを読みましょう (`help(dqn_lib.OnlineAgent.act)`)。また、各エピソードの最初の観測を表示してみましょう。チェックでは、探索時の方策が貪欲方策と異なる、動作をスクリプトで決めたエージェントを複数のシードで使い、どちらかのバグが残っていればそれを指摘します。
#
# 下のセルは、このレッスンで学習させたエージェントについて、バグのある評価と`dqn_lib.evaluate`の評価を並べて表示します。これほど弱いエージェントでは、2 つの数値がたまたま近くなります。こうしてこの種のバグは見過ごされるのです。


# %%
def buggy_greedy_mean_return(agent, episodes, seed):
    """`episodes`エピソードでの貪欲方策の平均収益。バグが 2 つある。"""
    env = dqn_lib.make_env()
    total = 0.0
    for _ in range(episodes):
        observation, _ = env.reset(seed=seed)
        terminated = truncated = False
        while not (terminated or truncated):
            action = agent.act(observation)
            observation, reward, terminated, truncated, _ = env.step(action)
            total += reward
    return total / episodes


print(
    f"シード {SEED} の学習済みエージェント、シード {EVAL_SEED} からの {EVAL_EPISODES} エピソード: バグのある"
    f"評価では {buggy_greedy_mean_return(agent, EVAL_EPISODES, EVAL_SEED):.1f}、"
    f"dqn_lib.evaluate では {returns_after.mean():.1f}"
)


# %% nbgrader={"grade": false, "grade_id": "ex-06-4-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def greedy_mean_return(agent, episodes, seed):
    """`agent`の貪欲方策の平均収益。エピソード i は seed + i でリセットする。"""
    ### BEGIN SOLUTION
    env = dqn_lib.make_env()
    total = 0.0
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)  # a new start each episode
        terminated = truncated = False
        while not (terminated or truncated):
            action = agent.act(observation, greedy=True)  # no exploration while measuring
            observation, reward, terminated, truncated, _ = env.step(action)
            total += reward
    return float(total / episodes)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-06-4-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_greedy_mean_return

check_greedy_mean_return(greedy_mean_return)

# %% [markdown]
# ## まとめ
#
# - 学習はループです。行動し、ステップを進め、報酬を求め、観測する。エピソードが`terminated`か`truncated`になったらリセットしますが、学習する側にはどちらだったかを伝えます。未来を終わらせるのは転倒だけだからです。`dqn_lib.train`は自前のループそのもの (収益が同じで、重みも同一) に、プログレスバーと`History`を加えたものです。
# - 評価は貪欲方策で、評価専用の初期状態を使い、学習の前と後で同じにします。エピソードを 1 つ見ることも忘れずに。
# - 原典のオンラインエージェントは確かに学びますが、その歩みは遅く、1 つのシードの曲線だけでは全体像はわかりません。シードによって結果は食い違い、学習を続けるうちに学んだことを失っていきます。
# - すべての転倒を越えてブートストラップする原典のターゲットは、間違った (悲観的すぎる) 価値を与えます。それでも、この予算と -5 の転倒ペナルティのもとでは、ここで測れるかぎり貪欲方策に何の損ももたらしません。バグは転倒のターゲットを良くするのではなく、悪くするからです。貪欲方策がなぜほとんど影響を受けないのかは測定していません。候補の 1 つは、誤差が両方の行動の価値を同じように下げ、貪欲方策はそれらを比べるだけだから、というものです。
# - 原典から引き継いだもの: ネットワーク、遷移ごとに 1 回というエージェントの更新、学習率 1e-4 の Adam、epsilon 0.2、gamma 0.99、ポールの角度に基づく報酬。変えたもの: TDターゲットは転倒で止まる (原典の版は`bootstrap_through_termination=True`というフラグ 1 つで戻せます)。`terminated`と`truncated`を区別する。すべてにシードを固定したので、ここの数値はどれも再現する。評価は貪欲方策で、学習とは別に行う。アニメーションは保存したノートブックでも再生される GIF にする。そして、1 つではなく複数のシードを見る。
#
# 次は[レッスン 7](07_replay.ipynb) で、1 つ目の仮説を検証します。経験再生だけを固定したベース設定に加え、複数のシードで学習させます。
