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
# # レッスン 9: Double DQN と、はしご全体
#
# はしごの最後の段です。TDターゲットの`max`には上向きのバイアスがあります。Double DQN ([van Hasselt et al., 2016](https://arxiv.org/abs/1509.06461)) は、このバイアスの一部を取り除くためのものです。このレッスンでは、そのターゲットをインラインで組み立てて`dqn_lib`と照合し、それからバイアスを*測定*します。エージェントが初期状態の価値をいくつと予測しているかと、そこから実際に得た割引収益とを、学習の過程を通して、Double DQN ありとなしで、5 つのシードで比べます。その後、このコースの DQN を保存し、ベンチマークの 1 段あたり 10 シードの結果から、はしご全体を並べて比べます。

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

import dqn_lib
from dqn_lib import MAX_EPISODE_STEPS
from dqn_lib.presets import LADDER, PRESETS, load_results, summarise_runs, train_seeds
from dqn_lib.stats import iqm_interval

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

config = dqn_lib.DQNConfig()  # the course's DQN settings (lesson 7 printed them)
EVAL_EPISODES, EVAL_SEED, SOLVED = 20, 10_000, 475  # the benchmark's evaluation
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ターゲットの確認に使う遷移を、レッスン 8 と同じように記録し (レッスン 1 の手で書いた方策、5 回に 1 回はランダムな行動、CartPole の +1 の報酬)、`dqn_lib.ReplayBuffer`に入れます。

# %%
env = dqn_lib.make_env(SEED)
lesson_rng = np.random.default_rng(SEED)  # this lesson's own randomness, seeded
buffer = dqn_lib.ReplayBuffer(5_000, n_observations=4, seed=SEED)
observation, _ = env.reset()
while len(buffer) < 5_000:
    if lesson_rng.random() < 0.2:
        action = int(lesson_rng.integers(2))
    else:
        action = 1 if observation[2] + observation[3] > 0 else 0  # lesson 1's lean policy
    next_observation, reward, terminated, truncated, _ = env.step(action)
    buffer.add(observation, action, float(reward), next_observation, terminated, truncated)
    observation = next_observation
    if terminated or truncated:
        observation, _ = env.reset()


def targets_from(network, batch, gamma=config.gamma):
    """`network` の max からブートストラップした、バッチの通常の TDターゲット: (batch,)。"""
    with torch.no_grad():
        next_q = network(batch.next_observations)  # (batch, n_actions)
        return dqn_lib.td_target(batch.rewards, next_q, batch.terminated, gamma)


# %% [markdown]
# ## 1. Double DQN: 次の行動を選ぶのは誰か
#
# TDターゲットの`max`には、それ自体のバイアスがあります。ネットワークの Q値は誤差を含む推定値であり、ノイズを含む複数の推定値の最大値は高すぎる値になりがちです。ノイズがたまたま有利に働いた行動が選ばれるからです。ブートストラップによって、その過大評価は次のターゲットへ、さらにその次へと送り込まれていきます。Double DQN (van Hasselt et al., 2016) は、選ぶことと価値を見積もることを分けます。*オンライン*ネットワークが最良の次の行動を選び、*ターゲット*ネットワークがその行動の価値を答えます。こうすると、2 つのネットワークのうち片方だけが過大評価している行動は、もはや水増しされた価値を受け取りません。


# %%
def double_dqn_td_target(batch, q_network, target_network, gamma):
    """reward + gamma * (1 - terminated) * Q_target(next_observation, argmax_a Q_online)."""
    with torch.no_grad():
        best_next = q_network(batch.next_observations).argmax(dim=1, keepdim=True)  # (batch, 1)
        next_q = target_network(batch.next_observations).gather(1, best_next).squeeze(1)  # (batch,)
        return batch.rewards + gamma * (1.0 - batch.terminated) * next_q  # (batch,)


# %% [markdown]
# 確認: サンプルしたバッチについて、このターゲットが`DQNAgent.td_targets`と等しいことを確かめます。この確認に意味をもたせるには、いくつかの行で、2 つのネットワークが選ぶ次の行動が食い違っていなければなりません。一致している行では、Double DQN のターゲットは通常のターゲットと同じだからです。ターゲットネットワークは Qネットワークのすぐ後を追うので、学習の初期にはすべての行で一致していることがよくあります。そこでこの確認のためだけに、エージェントのターゲットネットワークに、別のシードで初期化したばかりのネットワークの重みを与えます。

# %%
agent = dqn_lib.DQNAgent(config, seed=SEED)
other = dqn_lib.new_q_network(4, 2, SEED + 1, hidden=config.hidden)
agent.target_network.load_state_dict(other.state_dict())  # only so that the two disagree
batch = buffer.sample(config.batch_size)

ours = double_dqn_td_target(batch, agent.q_network, agent.target_network, config.gamma)
library = agent.td_targets(batch)  # (batch,)
plain = targets_from(agent.target_network, batch)  # (batch,) the target network's own max
with torch.no_grad():
    online_next = agent.q_network(batch.next_observations)  # (batch, n_actions)
    target_next = agent.target_network(batch.next_observations)  # (batch, n_actions)
disagree = online_next.argmax(dim=1) != target_next.argmax(dim=1)  # (batch,)
print(
    f"2 つのネットワークが選ぶ次の行動は {len(disagree)} 行中 {int(disagree.sum())} 行で異なります。"
    "そのうち最初の 3 行:"
)
print(
    f"{'行':>3} {'Q_online(next)':>16} {'Q_target(next)':>16} {'通常の値':>7} "
    f"{'Double の値':>10}"
)
for i in np.flatnonzero(disagree.numpy())[:3]:
    pick = int(online_next[i].argmax())
    print(
        f"{i:>4} {np.array2string(online_next[i].numpy(), precision=3):>16} "
        f"{np.array2string(target_next[i].numpy(), precision=3):>16} "
        f"{target_next[i].max():>11.3f} {target_next[i, pick]:>12.3f}"
    )

assert config.double_dqn, "本文ではデフォルトのエージェントが Double DQN を使うとしていますが、DQNConfig() はそうなっていません"
assert torch.allclose(ours, library, atol=1e-6), (
    "double_dqn_td_target と DQNAgent.td_targets の差が最大 "
    f"{(ours - library).abs().max():.2e} あります"
)
assert disagree.any(), "2 つのネットワークがすべての行で一致しています。これではこの確認で両者を区別できません"
assert torch.allclose(ours[~disagree], plain[~disagree]), "ネットワークが一致する行で、ターゲットが異なります"
assert (ours[disagree] < plain[disagree]).all(), "ネットワークが食い違う行で、Double DQN のターゲットが低くなっていません"
print("インラインの Double DQN ターゲット == DQNAgent.td_targets。選ぶ行動が異なる行では通常のターゲットより低くなります")

# %% [markdown]
# 最後の行は作り方からして成り立ちます。オンラインネットワークが選んだ行動の価値をターゲットネットワークで見積もると、ターゲットネットワーク自身の最大値を超えることは決してなく、2 つのネットワークの選択が食い違う行ではそれより小さくなります。

# %% [markdown]
# ## 2. バイアスを測る: エージェントの予測と、実際に得たもの
#
# 2,000 ステップごとに、`train_seeds(..., eval_values=True)` (`train`のコールバックの中の`Evaluation(2_000, values=True)`) は通常の貪欲方策での評価に加えて、評価の 20 個の初期状態について 2 つの数を記録します (`dqn_lib.value_estimates`)。エージェントが初期状態について*予測*する価値`max_a Q(s_0, a)`と、その状態から実際に*得た*割引収益、つまりポールが立っている間の`1 + gamma + gamma**2 + ...`です。予測が正しければ、2 つは一致するはずです。得た値より予測が高ければ、それが過大評価です。gamma が 0.99 なら、完璧な 500 ステップのエピソードの価値は`(1 - 0.99**500) / (1 - 0.99)`、約 99.3 です。
#
# `target`の段 (レッスン 8: 経験再生とターゲットネットワーク、通常の max) と、ターゲットの次の行動を選ぶのが誰かだけを変えた`double`の段を、同じ 5 つのシードで学習させます。

# %%
print(
    f"target -> double: double_dqn {PRESETS['target'].config.double_dqn} -> "
    f"{PRESETS['double'].config.double_dqn}"
)
SEEDS = [0, 1, 2, 3, 4]
BUDGET = 10_000  # environment steps per seed
runs = train_seeds(["target", "double"], SEEDS, BUDGET, eval_values=True)

# %%
PERFECT = (1 - config.gamma**MAX_EPISODE_STEPS) / (1 - config.gamma)  # a 500-step episode
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, (name, seed_runs) in zip(axes, runs.items(), strict=True):
    for i, run in enumerate(seed_runs):
        h = run.history
        ax.plot(h.eval_steps, h.eval_predicted_values, "o-", color=f"C{i}", markersize=3)
        ax.plot(h.eval_steps, h.eval_obtained_values, "x--", color=f"C{i}", markersize=4)
    ax.axhline(PERFECT, color="black", lw=0.8, ls=":")
    ax.set(
        title=f"{name}: 予測 (o、実線) と実際に得た値 (x、破線)", xlabel="環境のステップ数"
    )
    ax.grid(alpha=0.3)
axes[0].set_ylabel("20 個の初期状態の価値 (平均)")
handles = [
    plt.Line2D([], [], color="grey", marker="o", label="予測した max Q(s0)"),
    plt.Line2D([], [], color="grey", marker="x", ls="--", label="実際に得た割引収益"),
    plt.Line2D([], [], color="black", ls=":", label=f"500 ステップのエピソード ({PERFECT:.1f})"),
    *[plt.Line2D([], [], color=f"C{i}", label=f"シード {s}") for i, s in enumerate(SEEDS)],
]
axes[1].legend(handles=handles, fontsize="small", loc="lower right")
plt.show()

# %%
gaps = {}
for name, seed_runs in runs.items():
    predicted = np.array([r.history.eval_predicted_values for r in seed_runs])  # (seeds, evals)
    obtained = np.array([r.history.eval_obtained_values for r in seed_runs])  # (seeds, evals)
    gaps[name] = predicted - obtained
    print(
        f"{name:>7}: 予測から実際に得た値を引いた差 (各評価時点でのシードの平均): "
        + ", ".join(f"{g:+.1f}" for g in gaps[name].mean(axis=0))
    )
summary = summarise_runs(runs)

# %% [markdown]
# 期待している筋書きより先に、まずグラフを読んでください。このグラフには、Double DQN が対策として設計されたバイアスは表れて**いません**。少なくともこの予算 (学習ステップ数) では、そしてこれらの状態では表れていません。このベース設定では、最初の 10,000 ステップの間、どちらの段も初期状態を*過小*評価しています。予測は 0 付近 (初期化したばかりのネットワーク) から始まって着実に上がっていく一方、実際に得る値は数千ステップのうちに 500 ステップ分の値まで跳ね上がります。価値はまだ上昇の途中で、ゆっくり動くターゲットネットワーク (tau 0.01) の後を追っています。そして 2 つの段はほぼ揃って上がっていきます。上に出力した平均の差は、段どうしでせいぜい数単位しか違いません。(差には段が予測するものと得るものの両方が混ざっているので、ここから言えるのは、2 つの段が真の値からほぼ同じだけ離れているということです。両者の予測がどれだけ離れているかを正確に言えるわけではありません。)
#
# それでも結果は違います。`double`の段のシードは最後まですべて解けたままでしたが、`target`の段はいくつかのシードで後退しました (表を参照。レッスン 8 でも同じ 5 つのシードを学習させました)。つまりこのベース設定では、これら 5 つのシードについて Double DQN は役に立ちました。しかし、その理由はグラフには表れていません。まだ上昇中の初期状態の価値は、通常の`max`のほうが Double DQN より過大評価されているわけではありません。この予算では、価値は 1 つ前の段ですでに抑えられていました。レッスン 7 と 8 では、ターゲットネットワークのない段が、どのエピソードの価値よりも何倍も大きい値を予測すること、そしてターゲットネットワークがその値をこの上限より下に抑えることを測定しました。バイアスが後になって、価値が本来の水準に達してから現れるのか、あるいは初期状態から遠い状態で現れるのかは、このレッスンでは測定していません。演習 9.2 では`max`そのもののバイアスを測ります。確認セルは、これらの主張を上に出力した数値に結びつけて確かめます。

# %%
for name, gap in gaps.items():
    assert (gap.mean(axis=0) < 0).all(), f"{name}: 予測の平均が実際に得た値を上回っています"
difference = np.abs(gaps["double"].mean(axis=0) - gaps["target"].mean(axis=0))
assert difference.max() < 10, f"段どうしで価値の差が最大 {difference.max():.1f} 違います"
assert summary["double"]["stays_solved"] > summary["target"]["stays_solved"], summary
assert summary["double"]["final_mean"] > summary["target"]["final_mean"], summary
print(
    f"どちらの段もすべての評価時点で過小評価しています。平均の差の違いは最大 "
    f"{difference.max():.1f}。最後の 3 回の評価で解けていた割合: double "
    f"{summary['double']['stays_solved']:.0%}、target {summary['target']['stays_solved']:.0%}"
)

# %% [markdown]
# バイアスが実際に表れる場所: レッスン 10 では、このコースのチェックポイント、つまり 3 倍の長さ学習させた Double DQN を開き、それが評価の初期状態を平均で 100 より高く、つまり +1 が永遠に続く価値よりも高く見積もっていることを確かめます。これは過大評価であり、Double DQN のターゲットを使っている*にもかかわらず*起きています。一方のネットワークで選び、もう一方で価値を見積もることは`max`の上向きのバイアスを減らしますが (van Hasselt et al. は、それによって過大評価が小さくなることを測定しました)、取り除くわけではありません。

# %% [markdown]
# ## 3. 保存し、読み込み直し、観察する
#
# 学習には時間がかかりました。チェックポイントがあれば、その結果を残せます。`dqn_lib.save_checkpoint`は、ネットワーク、最適化手法 (オプティマイザ)、設定、カウンタ、すべての乱数生成器の状態 (`include_replay=True`ならリプレイバッファも) を 1 つのファイルにアトミックに書き込みます。一時ファイルに書き込んでから名前を変えるので、クラッシュしても書きかけのチェックポイントが残ることはありません。ファイルには SHA-256 チェックサムが付いており、`dqn_lib.load_checkpoint`はそれを`torch.load(..., weights_only=True)`で読み込みます。そのため、誰かから送られてきたファイルであっても、中に入りうるのはテンソルと数値だけで、実行されるコードが入っていることは決してありません。
#
# 学習させたエージェントを 1 つ一時フォルダに保存し (手元に残したい場合は、好きなパスを使ってください)、読み込み直して、読み込んだエージェントが保存したものとまったく同じようにプレイすることを確かめます。

# %%
checkpoint_folder = tempfile.TemporaryDirectory()
checkpoint_path = Path(checkpoint_folder.name) / "dqn_seed.pt"
saved = runs["double"][0]  # the course's DQN, seed 0, as trained above
saved_seed = saved.seed
saved_returns = dqn_lib.evaluate(saved.agent, episodes=EVAL_EPISODES, seed=EVAL_SEED)
dqn_lib.save_checkpoint(saved.agent, checkpoint_path)
loaded = dqn_lib.load_checkpoint(checkpoint_path).agent
loaded_returns = dqn_lib.evaluate(loaded, episodes=EVAL_EPISODES, seed=EVAL_SEED)
print(
    f"DQN (シード {saved_seed}) を保存しました ({checkpoint_path.stat().st_size / 1e3:.0f} KB)。読み込んだ"
    f"エージェントの貪欲方策での平均収益: {loaded_returns.mean():.1f}"
)
assert np.array_equal(loaded_returns, saved_returns), (
    "読み込んだエージェントが、保存したエージェントと同じようにプレイしません"
)
assert loaded_returns.mean() >= SOLVED, f"読み込んだエージェントが解けていません: {loaded_returns.mean()}"

# %% [markdown]
# 壊れたファイルは、ファイル名と原因を示すメッセージとともに拒否され、途中まで読み込まれることはありません。ここでは、ファイルの真ん中の 1 バイトを反転させます。

# %%
damaged_path = checkpoint_path.with_name("damaged.pt")
data = bytearray(checkpoint_path.read_bytes())
data[len(data) // 2] ^= 0xFF
damaged_path.write_bytes(bytes(data))
try:
    dqn_lib.load_checkpoint(damaged_path)
except dqn_lib.CheckpointError as error:
    message = str(error)
print(message.replace(str(checkpoint_path.parent), "<一時フォルダ>"))
assert "checksum" in message, f"チェックサムが反転したバイトを検出するはずです: {message}"

# %% [markdown]
# 評価の初期状態のうち、読み込んだエージェントが 500 ステップすべてでポールを立たせ続けたもので再生します (セルは、そのようなエピソードのうち最初のものを選びます)。

# %%
gif_episode = next(
    episode for episode, value in enumerate(loaded_returns) if value == MAX_EPISODE_STEPS
)
dqn_lib.animate_episode(
    loaded,
    seed=EVAL_SEED + gif_episode,
    title=f"読み込んだ DQN、シード {saved_seed}、{BUDGET:,} ステップ",
)

# %%
checkpoint_folder.cleanup()  # the temporary folder and its files go away

# %% [markdown]
# ## 4. はしご全体、1 段につき 10 シード
#
# 5 つのシードと 10,000 ステップが、1 つのレッスンで使える予算です。ベンチマークは各段を 10 シードで 20,000 ステップ学習させ、最後に、それまで一度も使っていない初期状態で 100 エピソードの評価を行います (`benchmarks/solve.py --preset NAME --seeds 0-9 --budget 20000 --workers 2`。正確なコマンドは README にあります)。その結果は、シードごとに 1 レコードの JSON としてコミットされています。ここではそれを読み込み、各段を四分位平均 (IQM: シードの中央の半分の平均。平均ほど 1 つの外れたシードに振り回されず、中央値ほどデータを無駄にしません) と、95% の層化ブートストラップ信頼区間で要約します。計算には、この分野でまさにこのために使われるライブラリである rliable (Agarwal et al., 2021) を使います (`dqn_lib.stats.iqm_interval`はブートストラップのシードを固定して呼び出すので、表は毎回同じになります)。

# %%
ladder = {name: load_results(name) for name in LADDER}  # benchmarks/results/NAME.json


print(
    f"{'段':<7}{'解けた':>5}{'解けたステップ IQM [95% CI]':>23}{'最終収益 IQM [95% CI]':>26}"
)
ladder_iqm = {}
for name, records in ladder.items():
    budget = records[0]["budget"]
    steps = [r["solved_step"] if r["solved_step"] is not None else budget for r in records]
    s, s_lo, s_hi = iqm_interval(steps)
    f, f_lo, f_hi = iqm_interval([r["final_100"] for r in records])
    solved = sum(r["solved_step"] is not None for r in records)
    ladder_iqm[name] = {
        "steps": s,
        "final": f,
        "final_low": f_lo,
        "final_high": f_hi,
        "solved": solved,
    }
    print(
        f"{name:<8}{solved:>5}/{len(records):<3}{f'{s:,.0f} [{s_lo:,.0f}, {s_hi:,.0f}]':>30}"
        f"{f'{f:.1f} [{f_lo:.1f}, {f_hi:.1f}]':>30}"
    )
print(f"(一度も解けなかったシードは、予算の {ladder['online'][0]['budget']:,} ステップとして数えます)")

# %% [markdown]
# ベンチマークの 10 シードは、レッスンの 5 シード (シード 0 から 4 を 20,000 ステップまで続けたもの) に 5 シードを加えたものなので、証拠の一部は重複しています。そのことを念頭に置くと、次のことが言えます。
#
# - **このベース設定で学習を成り立たせるのは経験再生です** (正確にはそのバッチです。レッスン 7 で読んだ、ベンチマークの`small_buffer`プリセットがそう示しています)。オンラインの段は一度も解けず、経験再生の段はすべてのシードで解けて、最上位で終わりました。
# - **ターゲットネットワークは解けるまでを速くしましたが、安定性は下がりました**: 経験再生だけの段より早く解けましたが、最終収益の区間は最上位よりかなり下まで伸びています。経験再生の区間はそうなっていません。
# - **Double DQN は速さを保ち、target の段より高い値で終わりました**: 同じくらい速く、その区間は経験再生の区間と同じく最上位にあります。2 つの区間は重なっているので、10 シードでは、これは傾向であって証明ではありません。
#
# 確認セルは、これらの各主張を出力された数値に結びつけて確かめます。README の表には、ほかの列 (最後の 5 回の評価で解けたままだった割合、乱した初期状態) と、最終段の設定を 1 つだけ変えたプリセットが載っています。

# %%
online, replay, target, double = (ladder_iqm[name] for name in LADDER)
assert online["solved"] == 0 and replay["solved"] == target["solved"] == double["solved"] == 10
assert target["steps"] < replay["steps"] and double["steps"] <= target["steps"]
assert replay["final_low"] > target["final_low"] + 50 and double["final_low"] > target["final_low"]
print("確認しました: 経験再生で学習が成り立ち、ターゲットネットワークは速いが安定性に欠け、Double DQN は速く、かつより安定しています")

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後で、あなたの答えを使うものはありません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-09-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 9.1: 初期状態で得た価値 (ウォームアップ、約 10 分)
#
# 第 2 節では、エージェントが初期状態について*予測*する価値と、実際に*得た*価値を比べました。得た価値とは、その後に続いたエピソードの割引収益です:
# `rewards[0] + gamma * rewards[1] + gamma**2 * rewards[2] + ...`。
#
# `discounted_return(rewards, gamma)`を書いてください。`rewards`は 1 エピソードの報酬を順に並べたリストです。割引収益を Python の float として返し、リストは変更しないでください。
#
# ヒント: 最初の報酬は割り引きません (gamma のべき指数は 0)。`enumerate`を使うと、各報酬が何ステップ目のものかがわかります。gamma が 0.99 で、値 1 の報酬が 500 個なら、答えは約 99.3 です。
#
# チェックは、gamma 0.5、0.9、1、0 での短いエピソード、gamma 0.99 での 500 ステップのエピソード、3 つのランダムなエピソードを試し、よくある間違い (最初の報酬まで割り引いている、報酬を最後から割り引いている、まったく割り引いていない) を指摘します。


# %% nbgrader={"grade": false, "grade_id": "ex-09-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def discounted_return(rewards, gamma):
    """1 エピソードの報酬の割引収益。最初の報酬は割り引きません。"""
    ### BEGIN SOLUTION
    return float(sum(reward * gamma**step for step, reward in enumerate(rewards)))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-09-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_discounted_return

check_discounted_return(discounted_return)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-09-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 9.2: max のバイアスを実験で測る (基本、約 15 分)
#
# 第 1 節では、ノイズを含む推定値の最大値は高すぎる値になりがちだと述べました。それを測ってみましょう。コードを書く前に、予想を書き留めてください。真の価値がどちらも 0 の 2 つの行動があり、それぞれ標準偏差 1 の正規分布に従う誤差を含んで推定されるとします。2 つの推定値の max は、平均すると 0、約 0.5、約 1 のどれになるでしょうか。行動が 10 個ならどうでしょうか。そのうえで実験を実行してください。
#
# `max_bias(true_values, noise_std, samples, rng)`を書いてください。`true_values`は行動の真の価値の NumPy 配列です。`samples`回の抽出のそれぞれで、すべての真の価値に、標準偏差`noise_std`の正規分布に従う誤差を`rng` (`np.random.Generator`) から引いて加え、行動についての max をとります。それらの最大値の平均から`max(true_values)`を引いた値を float で返してください。
#
# ヒント: すべての誤差を、形状`(samples, len(true_values))`の配列として、生成器の`normal`メソッドで一度に引きます。ブロードキャストによって`true_values`が各行に加わり、正しい軸に沿って max をとれば、各抽出の最大値が得られます。
#
# チェックは、あなたの答えを 200,000 回の抽出による独自の実験結果と、標準誤差の 4 倍以内で比べます。試すのは、真の価値が等しい場合 (行動 2 つと 10 個)、一方の行動が他方を大きく上回る場合、ノイズがまったくない場合、3 つの近い値の場合です。また、同じシードの生成器で関数を 2 回呼び出し、同じ答えになることを求めます。


# %% nbgrader={"grade": false, "grade_id": "ex-09-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def max_bias(true_values, noise_std, samples, rng):
    """`samples` 回の抽出での max(true_values + noise) の平均から、max(true_values) を引いた値。"""
    ### BEGIN SOLUTION
    errors = rng.normal(0.0, noise_std, size=(samples, len(true_values)))  # (samples, actions)
    return float((true_values + errors).max(axis=1).mean() - true_values.max())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-09-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_max_bias

check_max_bias(max_bias)

# %% [markdown]
# ## まとめ
#
# - **Double DQN** では、オンラインネットワークが次の行動を選び、ターゲットネットワークがその価値を見積もります。その値が、ターゲットネットワークの通常の`max`を超えることは決してありません。
# - **バイアスの測定**: 予測した初期状態の価値と、実際に得た割引収益を比べました。このベース設定と予算では、どちらの段も価値が上がっていく間は過小評価しており、その程度はほぼ同じでした。Double DQN が対策として作られたバイアスは、これらの価値には表れませんでした。レッスン 10 のチェックポイントは、Double DQN と、すべてのエピソードでの探索的スタート (exploring starts) を使って 3 倍長く学習させたもので、初期状態を、どの状態の価値よりも高く見積もっています。その理由 (通常の`max`なのか、2 つの変更を同時に加えたことなのか、ネットワークの外挿なのか) は、どのレッスンでも測定していません。
# - **結果の測定**: ここでの 5 シードでは、target の段のシードが後退したのに対し、Double DQN のシードは解けたままでした。ベンチマークの 10 シードでは、区間は重なっているものの、Double DQN のほうが高い値で終わりました。
# - **チェックポイント**は、エージェントをチェックサム付きでアトミックに保存し、コードを実行することなく読み込みます。
# - **はしご全体**について、このベース設定では、経験再生のバッチが学習を成り立たせ、ターゲットネットワークは安定性を犠牲にして学習を速め、Double DQN は速さを保ったまま、より高い値で終わります。
#
# 原典が何をしていたか、そしてこのレッスンで何を変えたか (原典の設定は`OnlineAgent`に残してあります。DQN の列は`DQNConfig()`から出力しています):

# %%
original = dqn_lib.OnlineAgent(seed=SEED)
comparison = [
    ("Qネットワークの隠れ層", original.q_network.hidden, config.hidden),
    ("learning_rate", original.optimizer.param_groups[0]["lr"], config.learning_rate),
    ("gamma", original.gamma, config.gamma),
    (
        "epsilon",
        original.epsilon,
        f"{config.epsilon_start} -> {config.epsilon_end} ({config.epsilon_decay_steps:,} ステップかけて)",
    ),
    ("勾配ステップ 1 回あたりの遷移数", 1, config.batch_size),
    ("リプレイバッファ", "なし", f"直近 {config.buffer_size:,} 個の遷移"),
    (
        "ターゲットネットワーク",
        "なし (Qネットワーク自身)",
        f"ソフト更新、tau={config.tau}"
        if config.target_update == "soft"
        else f"{config.target_update_every:,} ステップごとにハード更新 (コピー)",
    ),
    (
        "次の行動を選ぶのは",
        "同じネットワーク",
        "オンラインネットワーク (Double DQN)" if config.double_dqn else "ターゲットネットワーク",
    ),
    ("loss", "huber", config.loss),
]
print(f"{'':<30}{'原典 (OnlineAgent)':<28}{'DQN (DQNConfig())'}")
for name, before, after in comparison:
    print(f"{name:<30}{before!s:<30}{after!s}")

# %% [markdown]
# DQN は、CartPole 自身の +1 の報酬で、探索的スタート (exploring starts) を使って学習させています (レッスン 7)。原典のノートブックは、CartPole 本来の初期状態から、独自の角度報酬で学習していました。
#
# 次は [レッスン 10](10_inside.ipynb) です。学習したネットワークが何を学んだのか、状態全体にわたる Q値と、1 エピソードをステップごとにたどったときの Q値、中央から遠い初期状態からどれだけうまくやれるか、そして探索的スタートと報酬がそれについて何を変えるかを見ます。
