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
# # レッスン 11: プレイグラウンド
#
# レッスン [7](07_replay.ipynb)、[8](08_target_network.ipynb)、[9](09_double_dqn.ipynb) で本コースの DQN を組み立てたときの設定を動かすスライダー、探索的スタート (exploring starts) の切り替えスイッチ、学習曲線をその場で描きながら以前の実行も横に残しておく「学習させる」ボタン、そして最新のエージェントの動きを見るためのボタンを用意しました。ある設定が重要だと表で読むことと、変更が何をもたらすかを予想し、その予想が当たったかどうかを確かめることとは別物です。設定の意味がわかってくるのは、後者を通してです。

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
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## 1. 各設定項目と、ベンチマークでわかったこと
#
# プレイグラウンドの設定項目は、どれも`DQNConfig`のフィールド ([レッスン 7](07_replay.ipynb)) か、報酬、初期状態、予算 (学習に使う環境ステップ数)、シードのいずれかです。そのうちいくつかはベンチマークで測定済みです。ベンチマークは、本コースの DQN (プリセット`double`)、そこに至るまでのはしご (ladder) の各段、そして本コースの DQN から 1 か所だけ変えたプリセットを、それぞれ 10 シードで学習させ、その結果を JSON として`benchmarks/results/`にコミットしています (1 シードにつき 1 レコード)。以下の各設定項目の下にあるセルは、その JSON から読み取ったベンチマークの結果を表示し、直前の文が述べていることを結果がいまも支持しているかを確かめます。ベンチマークを再実行して結果が変われば、セルは失敗します。各列の意味は次のとおりです。
#
# - **solved**: 貪欲方策での評価 (20 エピソード、2,000 ステップごと) が予算内に 475 に達したシードの数と、達するまでにかかったステップ数の中央値。
# - **stays solved**: 全シードを通して、最後の 5 回の評価のうち 475 以上だったものの割合。
# - **final 100**: 学習後、それまで一度も使われていない初期状態から始めた、貪欲方策での 100 エピソードの平均収益 (リターン) を、シードについて平均したもの。
# - **perturbed 100**: 同じことを、乱した初期状態から行ったもの (カートは中心から最大 1 m ずれた位置で動いており、ポールは傾いて回転している。[レッスン 10](10_inside.ipynb))。


# %%
def as_json(value):
    """`value` を、ベンチマークの JSON に保存されている形にしたもの (タプルはリストになる)。"""
    return json.loads(json.dumps(value))


def benchmark(name):
    """あるプリセットのコミット済みの記録。1 シードにつき 1 レコード (`benchmarks/solve.py --preset NAME --out`)。"""
    records = load_results(name)  # benchmarks/results/NAME.json, beside dqn_lib
    preset = get_preset(name)
    settings = as_json(dataclasses.asdict(preset.config))
    for record in records:  # measured with the preset as it is now, or the numbers mean nothing
        same = record["settings"] == settings and record["reward"] == preset.reward
        assert same and record["start_fraction"] == preset.start_fraction, (
            f"{name}.json は、プリセット {name!r} の現在の設定とは異なる設定で測定されています: "
            "ベンチマークを再実行してください"
        )
    return records


def summary(name):
    """あるプリセットのベンチマーク結果を、上で説明した列にまとめたもの。"""
    records = benchmark(name)
    assert len(records) == 10, f"本文ではプリセットごとに 10 シードとしていますが、{name} は {len(records)} シードです"
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
    """プリセットを 1 行に 1 つずつ並べて表示し、名前をキーとしてその集計を返す。"""
    print(
        f"{'preset':<13} {'solved':>6} {'median steps':>13} {'stays solved':>13} "
        f"{'final 100':>10} {'perturbed 100':>14}   変更点"
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
    f"benchmarks/results/{COURSE_PRESET}.json: {len(records)} シード、各 {records[0]['budget']:,} "
    f"ステップ。コマンド: {records[0]['command']}"
)
found = compare(COURSE_PRESET)

# %% [markdown]
# **`learning_rate`**: Adam のステップ幅です。小さすぎるとエージェントの学習は遅くなり、大きすぎると各ステップが行き過ぎて、一度解けた方策が崩れてしまうことがあります。本コースの DQN は 5e-4 から始めて、16,000 ステップかけて学習率を 5e-5 まで直線的に *下げて* いきます。学習するには大きなステップで、学習したことを保つには小さなステップで、という考え方です。スライダーの下のチェックボックスで、この低下をオフにできます。ベンチマークの`constant_lr`は、実行全体を通して 5e-4 のままにしたものです。こちらはすべてのシードで少なくとも同じくらい早く解けましたが、その後、学習したことが崩れました。ベンチマークの予算の範囲では、最後の評価のうち解けた状態を保てた割合がずっと低く、最終的な成績もずっと低くなりました。

# %%
found = compare(COURSE_PRESET, "constant_lr")
ours, constant = found[COURSE_PRESET], found["constant_lr"]
assert constant["solved"] == constant["seeds"], "本文では constant_lr はすべてのシードで解けたとしています"
assert constant["median_steps"] <= ours["median_steps"], "本文では少なくとも同じくらい早く解けたとしています"
assert constant["stays"] < ours["stays"] / 2, "本文では解けた状態を保つ頻度がずっと低かったとしています"
assert constant["final"] < ours["final"] - 100, "本文では最終的にずっと低い成績で終わったとしています"

# %% [markdown]
# **`gamma`**: 割引率です。`k`ステップ先の報酬は`gamma**k`倍に数えられるので、エージェントはおよそ`1 / (1 - gamma)`ステップ先まで見通すことになります。1 ステップ +1 の報酬では、状態の価値は、この先に続くステップ数を割り引いて数えたものです。エピソードが終わらなければ最大で`1 / (1 - gamma)`になり、いまから`k`ステップ後に終わるエピソードでは、そのうち`gamma**k`の割合だけ価値が小さくなります。下の表は、`k`ステップ先の終了によって価値のどれだけが失われるかを示しています。いまにも倒れそうなポールははっきり見えますが、ゆっくりとレールの端へ流れていくカートはずっと見えにくく、`gamma`が小さいほど、終了はより近い距離で視界から消えてしまいます。

# %%
AHEAD = (10, 50, 100, 300)  # steps until the episode ends
print(f"{'':>20}終了によって失われる価値の割合 (終了が何ステップ先にあるか別) ...")
print(f"{'gamma':>6}{'見通し':>11}" + "".join(f"{f'{k} ステップ先':>12}" for k in AHEAD))
for gamma in (0.9, 0.98, config.gamma, 0.999):
    horizon = 1 / (1 - gamma)  # steps; also the value of +1 a step forever
    print(f"{gamma:>6}{horizon:>8.0f} ステップ" + "".join(f"{gamma**k:>17.1%}" for k in AHEAD))

# %% [markdown]
# 本コースの DQN は`gamma`に 0.99 を使います。ベンチマークの`gamma_0.98`では、見通すステップ数が半分になります。こちらもすべてのシードで同じくらい早く解けましたが、その後は 0.99 のときより、平均して解けた状態を保つ頻度が低く、最終的な成績も低くなりました。これは CartPole 本来の初期状態からでも、乱した初期状態からでも同じです。ただしその差は、学習率の低下をオフにしたときの悪化よりは小さいものでした。gamma の違いについては、10 シードでは決着がつきません。コースの README の結果表では、`gamma_0.98`と`double`の区間推定は、両者について示されているどの指標でも重なっています。一方、学習率を一定にした場合の収益は、はっきりと離れています。

# %%
found = compare(COURSE_PRESET, "gamma_0.98", "constant_lr")
ours, shorter, constant = found[COURSE_PRESET], found["gamma_0.98"], found["constant_lr"]
assert shorter["solved"] == shorter["seeds"], "本文では gamma 0.98 はすべてのシードで解けたとしています"
assert shorter["median_steps"] <= ours["median_steps"], "本文では同じくらい早く解けたとしています"
for column in ("stays", "final", "perturbed"):
    assert shorter[column] < ours[column], f"本文では gamma 0.98 は {column} で劣っていたとしています"
    assert ours[column] - shorter[column] < ours[column] - constant[column], (
        f"本文では {column} での gamma 0.98 の悪化は constant_lr より小さいとしています"
    )

# %% [markdown]
# **`epsilon_start`、`epsilon_end`、`epsilon_decay_steps`**: ランダムな行動をとる確率は、start から end まで直線的に下がります。探索が少なすぎると、エージェントは自分が何を見逃しているのかに気づけません。探索が長すぎると、学習エピソードがいつまでもぎこちないままです。ベンチマークではこのスケジュールをすべてのプリセットで同じにしているので、ここで示せる結果はありません (その代わり、4 節に実験があります)。
#
# 下の図は、2 つの既定のスケジュールと、既定の予算でプレイグラウンドの実行が止まる位置を示しています。その位置は、epsilon が最終値に達する前で、学習率の低下のおよそ半分のところです。学習エピソードは最後まで探索を続けます。プレイグラウンドがエージェントを貪欲方策での評価で判断するのはそのためです。

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
    title=f"epsilon: {config.epsilon_start:g} から {config.epsilon_end:g} へ、"
    f"{config.epsilon_decay_steps:,} ステップかけて",
    xlabel="環境ステップ数",
    ylabel="ランダムな行動の確率",
    ylim=(0, 1.05),
)
ax_rate.plot(steps, learning_rate, color="C1")
ax_rate.set(
    title=f"learning_rate: {config.learning_rate:g} から {config.final_learning_rate:g} へ、"
    f"{config.learning_rate_decay_steps:,} ステップかけて",
    xlabel="環境ステップ数",
    ylabel="Adam のステップ幅",
    ylim=(0, config.learning_rate * 1.05),
)
for ax in (ax_epsilon, ax_rate):
    ax.axvline(BUDGET, color="black", linestyle="--", linewidth=0.8)
    ax.annotate(
        f" プレイグラウンドの実行は\n ここで終了 ({BUDGET:,})",
        (BUDGET, 0.82),
        xycoords=("data", "axes fraction"),
        fontsize="small",
    )
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_formatter("{x:,.0f}")
fig.suptitle("本コースの DQN の既定のスケジュール")
plt.show()
at_end = {"epsilon": epsilon[BUDGET], "learning_rate": learning_rate[BUDGET]}
print(
    f"ステップ {BUDGET:,} で: epsilon {at_end['epsilon']:.3f}、learning_rate "
    f"{at_end['learning_rate']:.2e} (開始時の {at_end['learning_rate'] / config.learning_rate:.0%} "
    "の大きさ)"
)
assert at_end["epsilon"] > config.epsilon_end, "本文では epsilon はまだ最終値に達していないとしています"
fallen = (config.learning_rate - at_end["learning_rate"]) / (
    config.learning_rate - config.final_learning_rate
)
assert 0.4 < fallen < 0.6, f"本文では学習率の低下はおよそ半分まで進んだとしています: {fallen:.0%}"

# %% [markdown]
# **`buffer_size`**: リプレイバッファが直近の遷移をいくつ保持するかです。はしごの最初の 2 つの段 ([レッスン 7](07_replay.ipynb)) は、経験再生の有無だけが違います。`online`は、レッスン 6 のエージェントと同じように、各遷移を、来たときに 1 回だけ、バッチサイズ 1 で学習に使います。`replay`は直近の 50,000 個の遷移を保持し、そこからランダムに取り出した 128 個ずつのバッチで学習します。レッスン 7 の`small_buffer`は、128 個のバッチはそのままに、バッファをわずか 1 バッチ分、つまり 128 個の遷移にしたものです。online のエージェントは、どのシードでもバランスのとり方を学習しません。その貪欲方策は、常に同じ向きに押し続けるエージェントと同じくらいしか持ちません。バッファが 1 バッチ分だと、すべてのシードが解けますが、50,000 のときより解けるのが遅く、解けた状態を保つ頻度も低くなります。50,000 なら、すべてのシードが解け、解けた状態を保ちます。

# %%
found = compare("online", "small_buffer", "replay")
online, small, replay = found["online"], found["small_buffer"], found["replay"]
best_online = max(r for record in benchmark("online") for _, _, r in record["evals"])
always_push = max(np.mean(dqn_lib.evaluate(lambda o, a=a: a)) for a in (0, 1))
print(
    f"online で、全シード中最も良い貪欲方策での評価: {best_online:.1f}。常に一方向に押す場合: "
    f"{always_push:.1f}"
)
assert online["solved"] == 0 and best_online <= 1.2 * always_push, (
    "本文では online のエージェントはまったく学習せず、常に一方向に押すのと同じくらいしか持たないとしています"
)
assert small["solved"] == small["seeds"] and replay["solved"] == replay["seeds"], (
    "本文ではバッファが 128 でも 50,000 でも、すべてのシードが解けるとしています"
)
assert small["median_steps"] > replay["median_steps"] and small["stays"] < replay["stays"], (
    "本文ではバッファが 1 バッチ分だと解けるのが遅く、解けた状態を保つ頻度も低いとしています"
)
assert replay["stays"] >= 0.9, "本文では replay のシードは解けた状態を保つとしています"

# %% [markdown]
# **`target_update`**: ターゲットネットワークは、勾配ステップのたびにオンラインネットワークへ少しずつ近づくか (**ソフト更新**。差の`tau`の割合だけ近づきます。本コースの DQN は`tau`が 0.01)、`target_update_every`ステップごとに丸ごとコピーされるか (**ハード更新**。Mnih et al., 2015 と同じ方式ですが、彼らはこの周期をパラメータ更新の回数で数えており、`dqn_lib`は環境ステップ数で数えます) のどちらかです。どちらも、TDターゲットが更新のたびに動いてしまわないようにするためのものです ([レッスン 8](08_target_network.ipynb))。ベンチマークの`target`の段は、`replay`にソフト更新のターゲットネットワークを加えたものです。こちらはより早く解けましたが、最終的により安定したわけではありません。解けた状態を保つ頻度は replay のシードより低く、最終的な成績も低くなりました。次の段である Double DQN のターゲット ([レッスン 9](09_double_dqn.ipynb)。プレイグラウンドでは常にこれを使います) は、この 10 シードでその安定性の大部分を取り戻しています。ただし、これは傾向であって証明ではありません (区間はレッスン 9 で示しています)。

# %%
found = compare("replay", "target", COURSE_PRESET)
replay, target, double = found["replay"], found["target"], found[COURSE_PRESET]
assert target["median_steps"] < replay["median_steps"], (
    "本文では target の段のほうが早く解けたとしています"
)
assert target["stays"] < replay["stays"] and target["final"] < replay["final"], (
    "本文では target の段は replay より解けた状態を保つ頻度が低く、最終的な成績も低かったとしています"
)
assert double["stays"] - target["stays"] > (replay["stays"] - target["stays"]) / 2, (
    "本文では Double DQN のターゲットが、replay にあった安定性の大部分を取り戻すとしています"
)
assert double["final"] - target["final"] > (replay["final"] - target["final"]) / 2, (
    "本文では Double DQN のターゲットが、replay にあった安定性の大部分を取り戻すとしています"
)

# %% [markdown]
# **`reward`**: 環境が与える 1 ステップ +1 の報酬 (本コースの DQN)、原典のノートブックの`-|pole angle|` (`pole_angle`)、またはカートが中心から外れているステップごとに少しコストを課す`angle_and_position` ([レッスン 5](05_reward.ipynb)) のいずれかです。ベンチマークの`shaped`は、本コースの DQN を探索的スタートも含めてそのまま、`angle_and_position`で学習させたものです (収益は引き続きステップ数で数えるので、行どうしを比較できます)。CartPole 本来の初期状態からは、少なくとも同等の成績でした。より早く解け、解けた状態を保つ頻度も少なくとも同じでした。乱した初期状態からは、成績が悪化しました。評価に使う初期状態からより早く解けることが、すべてではありません。本コースでは、タスク本来の +1 の報酬を使い続けます。ベンチマークが他のすべてのプリセットを測定しているのも、この報酬です。

# %%
found = compare(COURSE_PRESET, "shaped")
ours, shaped = found[COURSE_PRESET], found["shaped"]
assert shaped["median_steps"] < ours["median_steps"], "本文では shaped のほうが早く解けたとしています"
assert shaped["stays"] >= ours["stays"] and shaped["final"] >= ours["final"], (
    "本文では shaped は CartPole 本来の初期状態から少なくとも同等の成績だったとしています"
)
assert shaped["perturbed"] < ours["perturbed"], (
    "本文では shaped は乱した初期状態からの成績が悪かったとしています"
)

# %% [markdown]
# **探索的スタート** (チェックボックス): CartPole の`reset`は、カートを中心から 5 cm 以内に置き、ポールをほぼ直立させます。探索的スタートを使うと、学習エピソードの半分は、代わりに中心から 2 m 以内のどこからでも始まり、カートは動いていて、ポールは傾いて回転しています (`dqn_lib.starts.ExploringStarts`)。評価は常に CartPole 本来の`reset`から始まります。ベンチマークの`reset_starts`は、探索的スタートをオフにしたものです。探索的スタートありでは、本コースの DQN のすべてのシードが解け、最後の評価の大部分で解けた状態を保ちます。探索的スタートなしでは、大半のシードが予算内に一度も解けず、解けた状態を保つシードは 1 つもなく、学習後の成績もずっと悪くなります。CartPole 本来の初期状態からでも悪く、乱した初期状態からだとさらに大きな差がつきます。下の表には、本コースの DQN から 1 か所だけ変えたプリセットをすべて並べています。探索的スタートをオフにしたものが、solved、stays solved、final 100、perturbed 100 のすべての指標で最も悪い結果です。

# %%
one_change = [preset.name for preset in PRESETS.values() if preset.parent == COURSE_PRESET]
found = compare(COURSE_PRESET, *one_change)
ours, without = found[COURSE_PRESET], found["reset_starts"]
assert course.start_fraction == 0.5 and course.start_box[0] == 2.0, "本文: 半分、2 m"
assert RESET_BOX[0] == 0.05, "本文: CartPole の reset は中心から 5 cm 以内"
assert ours["solved"] == ours["seeds"] and ours["stays"] > 0.5, (
    "本文では探索的スタートありならすべてのシードが解け、大部分の評価で解けた状態を保つとしています"
)
assert without["solved"] < without["seeds"] / 2, "本文では探索的スタートなしだと大半のシードが解けないとしています"
assert all(r["stays_solved"] == 0 for r in benchmark("reset_starts")), (
    "本文では探索的スタートなしだと解けた状態を保つシードは 1 つもないとしています"
)
assert without["final"] < ours["final"] - 100, "本文では CartPole 本来の初期状態からでもずっと悪いとしています"
assert ours["perturbed"] - without["perturbed"] > ours["final"] - without["final"], (
    "本文では乱した初期状態からだと差はさらに大きいとしています"
)
for column in ("solved", "stays", "final", "perturbed"):
    worst = min(found[name][column] for name in one_change)
    assert without[column] == worst, f"本文では {column} で reset_starts が最も悪いとしています"

# %% [markdown]
# **`steps`** (予算) と **`seed`**: シード 1 つの結果は一例にすぎません。すべてのシードで解ける本コースの DQN でさえ、その後の振る舞いはシードによって異なります。最後の 5 回の評価すべてで 475 以上を保つシードもあれば、それを下回るシードもあります。ベンチマークはプリセットごとに 10 シードを学習させますが、プレイグラウンドが学習させるのは 1 回のクリックで 1 シードです。

# %%
stays = {r["seed"]: r["stays_solved"] for r in benchmark(COURSE_PRESET)}
print(f"{COURSE_PRESET}、最後の 5 回の評価のうち {SOLVED} 以上だった割合 (シード別): {stays}")
assert max(stays.values()) == 1 and min(stays.values()) < 1, (
    "本文では、最後まで解けた状態を保つシードもあれば、下回るシードもあるとしています"
)

# %% [markdown]
# プレイグラウンドの操作部の下にある行には、「学習させる」を押したときに始まる実行の内容が表示されます。既定の設定、つまり本コースの DQN では、次のようになります。

# %%
defaults = RunSettings()
print(defaults.describe())
quoted = (config.learning_rate, config.final_learning_rate, config.learning_rate_decay_steps)
assert quoted == (5e-4, 5e-5, 16_000), f"本文では 16,000 ステップで 5e-4 から 5e-5 としています: {quoted}"
assert (config.gamma, config.target_update, config.tau) == (0.99, "soft", 0.01), (
    "本文では gamma 0.99、tau 0.01 のソフト更新としています"
)
assert (config.buffer_size, config.batch_size) == (50_000, 128), "本文: 50,000 と 128"
assert defaults.reward == course.reward == "environment" and defaults.exploring_starts

# %% [markdown]
# ## 2. プレイグラウンド
#
# このノートブックを JupyterLab で実行すると、下のセルに操作部が表示されます。スライダーを動かすと「次の実行」の行が変わります。この行は **学習させる** で始まる実行の内容を表し、`DQNConfig`が受け付けない組み合わせ (`epsilon_start`より大きい`epsilon_end`や、128 の 1 バッチより小さいバッファなど) の場合は、何がいけないのかを示します。**学習させる** は、新しいエージェントを`steps`環境ステップの間、進捗バーを表示しながら学習させます。2,000 ステップごとに貪欲方策のエージェントを 20 エピソードで評価して曲線を描き直します。それ以前の実行は同じ座標軸上にそれぞれ別の色で残り、既定値との違いがラベルとして付きます。**実行を消去** は比較を最初からやり直します。**最新のエージェントを見る** は、最新の実行のエージェントのエピソードを 1 つ GIF で再生します。
#
# 内部で使っているのは、本コースの`DQNAgent`と`train`だけです。既定の設定では、プレイグラウンドの実行は、ベンチマークにおける本コースの DQN の実行とステップ単位で同じです。つまり`dqn_lib.presets.train_preset("double", seed, steps)`と同じ学習環境 (探索的スタートあり)、同じ報酬、同じ評価です (テストで確認しており、3 節でも示します)。

# %%
playground = Playground(steps=BUDGET)
display(playground)  # the widgets, in JupyterLab; a line of text where widgets cannot show
assert (playground.eval_every, playground.eval_episodes) == (2_000, 20), (
    "上の本文では、2,000 ステップごとに 20 エピソードで評価するとしています"
)
assert playground.settings_from_widgets().preset().start_box == course.start_box, (
    "プレイグラウンドは本コースの探索的スタートから始まるはずです"
)

# %% [markdown]
# ## 3. 3 つの実行を並べる
#
# 以下のセルは、マウスで行う操作をコードで行います。ウィジェットを設定してから、「学習させる」ボタンが呼ぶのと同じ`train_once()`を呼びます。JupyterLab では、セルの実行に合わせて上のプレイグラウンドの曲線が伸びていきます。実行 3 の後の図は同じ曲線をもう一度描くので、保存したノートブックにも曲線が残ります。各実行の前に、予想を立ててください。
#
# **実行 1: 既定の設定。** シード 0 での本コースの DQN で、ベンチマークのシードの 1 つです。1 節で、10 シードでの結果を表示しました。このシードはいつ解けた基準線に達し、その後もとどまるでしょうか。

# %%
history = playground.train_once()

# %% [markdown]
# **実行 2: 20 倍の学習率を一定のまま。** `learning_rate`を 0.01 にし、低下をオフにします。それ以外は実行 1 と同じです。勾配ステップ 1 回でネットワークが動く量は 20 倍になります。速くなるか、安定するか、それともどちらでもないか。

# %%
playground.learning_rate.value = 20 * config.learning_rate
playground.learning_rate_decay.value = False
history = playground.train_once()

# %% [markdown]
# **実行 3: 探索的スタートなしの既定の設定。** 学習率を既定値に戻し、探索的スタートのチェックを外します。すべての学習エピソードは CartPole 本来の`reset`が置く位置、つまり中心付近から始まり、貪欲方策での評価もそこから始まります。1 節で、ベンチマークが 10 シードで得た結果を表示しました。このシードはどうなるでしょうか。そしてそれはいつでしょうか。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-11-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 11.1: 予想してから実行: 探索的スタートなし (ウォームアップ、約 5 分)
#
# 次のセルで実行 3 を学習させる前に、その *最後の* 貪欲方策での評価 (8,000 ステップ時点) がどうなるかを書いてください。`"solved"` (475 以上)、`"in between"` (100〜475)、`"failing"` (100 未満) のいずれかです。`my_prediction()`から`(answer, why)`を返してください。why には理由を文で書きます。1 節の表は根拠として使ってかまいません。実行後のチェックが、何が起きたかを教えてくれます。予想が外れても不合格にはなりませんが、予想がないと不合格になります。
# (Run All を使った場合、下のセルはすでに実行されています。表示された結果までスクロールする前に、予想を書いてください。)


# %% nbgrader={"grade": false, "grade_id": "ex-11-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """実行 3 の前に: ("solved" | "in between" | "failing", 理由)。"""
    ### BEGIN SOLUTION
    return "in between", "探索的スタート (exploring starts) がないと、ポールは支えられても、遠くのカートをほぼ見ていないので流される"
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
# プレイグラウンド自身が描いた 3 つの実行の図です。実線は貪欲方策での評価 (探索なしでの 20 エピソードの平均収益。CartPole 本来の初期状態から、2,000 ステップごと)、薄い線は学習エピソード (移動平均) です。学習エピソードは探索を行い (epsilon は 8,000 ステップの終わりまでに約 0.2 までしか下がりません)、実行 1 と 2 ではその半分がレール上のどこからでも始まります。そのため、学習エピソードの曲線は評価を下回ります。

# %%
fig, ax = plt.subplots(figsize=(8, 5.6), layout="constrained")
playground.draw(ax)
plt.show()

# %% [markdown]
# 図の背後にある数値と、それが次の段落の内容と一致するかのチェックです。実行 1 は、ベンチマークのシード 0 の記録とも照合します。同じ実行なので、評価も同じになるはずです。

# %%
runs = playground.runs
print(f"{'実行':<54} {'最良の評価':>15} {'最終評価':>13}")
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
print(f"ベンチマーク、{COURSE_PRESET!r} のシード {SEED}、同じステップまで: {from_benchmark}")
assert defaults_run.history.eval_returns == from_benchmark, (
    "実行 1 は、ベンチマークのシード 0 と評価ごとに一致するはずです"
)
returns = {run.number: run.history.eval_returns for run in runs}
assert max(returns[1]) >= SOLVED and returns[1][-1] >= SOLVED, (
    f"本文では実行 1 は解けた基準線に達し、その上で終わったとしています: {returns[1]}"
)
assert returns[2][-1] < SOLVED - 100, f"本文では実行 2 は基準線を大きく下回って終わったとしています: {returns[2]}"
assert max(returns[3]) < SOLVED, f"本文では実行 3 は一度も解けた基準線に達しなかったとしています: {returns[3]}"
assert np.argmax(returns[3]) == 0 and returns[3][-1] < returns[3][0] - 100, (
    f"本文では実行 3 は最初の評価が最も良く、その後下がったとしています: {returns[3]}"
)
assert returns[3][0] > returns[1][0], "本文では実行 3 は実行 1 より良いスタートを切ったとしています"
assert max(returns[3][1:]) < SOLVED - 100, "本文では実行 3 は二度と基準線に近づかなかったとしています"

# %% [markdown]
# 実行 1 は解けた基準線に達し、その上にとどまりました。同じシードについてのベンチマークの記録どおりです。ステップが 20 倍大きい実行 2 は、基準線を大きく下回って終わりました。実行 2 が途中で一度でも基準線に届くかどうかは、シードによって、さらにはプロセッサの種類によっても変わります。長い実行では浮動小数点の丸めによる最下位ビットの違いが増幅され、その丸めは CPU の種類によって異なるからです。だからこそ、1 回の実行では、ある設定が何をもたらすかはわかりません。10 シードならわかりますが、ベンチマークにあるのは近い設定についての結果だけです。一定の学習率 5e-4 (`constant_lr`、1 節) は、すべてのシードで解けましたが、解けた状態を保つ頻度はずっと低いものでした。その 20 倍の一定値 0.01 は、ベンチマークでは試していません。実行 3 は最初の評価が最もよく、同じ時点の実行 1 よりもよい値でしたが、その後下がり、二度と基準線に近づくことはありませんでした。
#
# それぞれのエピソードはどのように終わっているのでしょうか。エピソードが終わるのは、500 ステップの時間制限に達したとき、ポールが 12 度を超えて倒れたとき、またはカートが 2.4 m のレールの端を越えたときです。次のセルは、各実行の最終的なエージェントで 20 回の評価エピソードを再生し、終わり方を数えます。

# %%
EVAL_EPISODES, EVAL_SEED = playground.eval_episodes, playground.eval_seed


def how_it_ends(agent, seed):
    """CartPole 本来の初期状態から、貪欲方策で 1 エピソードをプレイし、どう終わったかを返す。"""
    env = dqn_lib.make_env()
    observation, _ = env.reset(seed=seed)
    for _ in range(dqn_lib.MAX_EPISODE_STEPS):
        observation, _, terminated, truncated, _ = env.step(agent.act(observation, greedy=True))
        if truncated:
            return "時間切れ"
        if terminated:
            off_track = abs(observation[0]) > dqn_lib.POSITION_LIMIT
            return "カートがレールの端を越えた" if off_track else "ポールが倒れた"
    return "時間切れ"


endings = {
    run.number: [how_it_ends(run.agent, EVAL_SEED + i) for i in range(EVAL_EPISODES)]
    for run in runs
}
for run in runs:
    counts = Counter(endings[run.number])
    print(f"{run.label}: " + ", ".join(f"{n} {what}" for what, n in counts.most_common()))
assert Counter(endings[1])["時間切れ"] == EVAL_EPISODES, (
    f"実行 1 は常に持ちこたえるはずです: {endings[1]}"
)
for number in (2, 3):
    assert Counter(endings[number])["カートがレールの端を越えた"] > EVAL_EPISODES / 2, (
        f"本文では実行 {number} のエージェントはたいていカートをレールの端から出してしまうとしています: "
        f"{Counter(endings[number])}"
    )

# %% [markdown]
# 実行 2 と 3 は、ほぼ同じ形で失敗しています。実行 2 では 20 エピソードすべてで、実行 3 では 14 エピソードで、カートがレールの端を越えました (残りの 6 エピソードではポールが倒れました)。実行 3 については、これは 1 節で見た探索的スタートについての結果が、1 つのシードで現れたものです。実行 3 のエージェントは、何から学習していたのでしょうか。各実行のリプレイバッファ (50,000 遷移) には、その実行の遷移がすべて残っています。次のセルは、そのうちカートがレールの端までの半分より外側にある遷移の割合を数えます。

# %%
HALFWAY = dqn_lib.POSITION_LIMIT / 2  # metres from the centre
far = {}
for run in runs:
    buffer = run.agent.replay_buffer
    positions = buffer.observations[: len(buffer), 0]  # (transitions,) cart positions, metres
    far[run.number] = float(np.mean(np.abs(positions) > HALFWAY))
    print(
        f"{run.label}: 遷移 {len(buffer):,} 個、そのうちカートが中心から {HALFWAY} m より外側にあるもの "
        f"{far[run.number]:.1%}"
    )
assert all(len(run.agent.replay_buffer) == BUDGET for run in runs), "バッファにはすべてのステップが入っているはずです"
assert far[3] < far[1] / 3 and far[3] < far[2] / 3, (
    "本文では実行 3 がカートが中心から遠い状態を見た頻度は、ほかの数分の一だったとしています"
)
assert far[2] > 0.7 * far[1], "本文では実行 2 はレールの端のほうを実行 1 とほぼ同じくらい見たとしています"

# %% [markdown]
# 実行 3 のエージェントが、カートが中心から遠い状態を見た頻度は、ほかの 2 つの実行の数分の一でした。毎回のエピソードを中心から始めたため、学習中に中心から遠くへ行くことがほとんどなかったのです。そのうえ、1 ステップ +1 の報酬では、数百ステップ先の終了が奪う価値はごく一部にすぎません (1 節の`gamma**k`の表)。そのため、ゆっくりとした流れは、手遅れになるまでほとんど損になりません。探索的スタートは、学習エピソードの半分を中心から遠く、レールの端に近いところから始めさせます。実行 2 は、レールの範囲を実行 1 とほぼ同じくらい見ていたにもかかわらず失敗しました。このシードに関していえば、足りなかったのは学習に使ったデータではありません。実行 2 が変えたのはただ 1 つ、20 倍に大きくして一定に保った学習率です。
#
# 「最新のエージェントを見る」ボタンは最新のエージェント、つまり実行 3 のエージェントを再生します。ここでは、カートがレールの端を越えた最初の評価エピソードを再生します。

# %%
playground.watch(seed=EVAL_SEED + endings[3].index("カートがレールの端を越えた"))

# %% [markdown]
# ## 4. 自分で試す
#
# JupyterLab で、上のプレイグラウンドを使ってください (3 つの実行はすでに座標軸上に描かれています。最初からやり直すには **実行を消去** を押します)。どの実験でも、**まず予想を書き留めてから** 学習させてください。既定の予算での 1 回の実行にかかる時間は、3 節の実行と同程度です (それぞれの要約の行に秒数が表示されています)。
#
# 1. **探索。** `epsilon_decay_steps`を 1,000 にし、次に 40,000 にします。実行の終わりにまだ探索を続けているのはどちらでしょうか。そのことは、実線の評価曲線と比べて、薄い学習曲線にどう影響するでしょうか。
# 2. **探索をまったくしない。** `epsilon_start`と`epsilon_end`をどちらも 0 にします。すべての行動を、ネットワークの最初の推測が決めることになります。それでも学習するでしょうか。(報酬はすべて +1 です。とり続ける 1 つの行動の価値はどうなるでしょうか?)
# 3. **経験再生。** `buffer_size`を 1,000 と 50,000 で比べます。次に 100 を試して、表示されるメッセージを読んでください。
# 4. **ターゲットネットワーク。** ハード更新に切り替えて、`target_update_every`を 50 と 5,000 で比べます。既定の予算の実行で、5,000 のときターゲットは何回コピーされるでしょうか。次に、`tau`を 1.0 にしたソフト更新を試します (ターゲットはオンラインネットワーク *そのもの* になります)。
# 5. **学習率。** 低下をオフにして 1e-4: 最初のうちは実行 1 より速いでしょうか、遅いでしょうか。次に、既定の 5e-4 で低下をオフにして、20,000 ステップ学習させます (これは少し時間がかかります)。1 節で、ベンチマークの`constant_lr`が 10 シードでどうだったかを表示しました。シード 0 でも同じことが起きるでしょうか。(この設定では、プレイグラウンドの実行はそのプリセットの実行と同じです。)
# 6. **gamma。** 0.9 と 0.999: それぞれどのくらい先まで見通すでしょうか (1 節の表)。探索的スタートありで、10 ステップ先まで見通せれば、ポールのバランスをとるのに十分でしょうか。
# 7. **レールのことをエージェントに伝える 2 つの方法。** 探索的スタートのチェックを外し、カートが中心から外れているステップごとに少しコストを課す報酬`angle_and_position`を選びます。レールのことを *教える* 報酬は、レールを *見せる* 初期状態の代わりになるでしょうか。
# 8. **シード。** 一番気に入った設定を選び、シード 0、1、2、3 で学習させてください。ベンチマークは 10 シードを学習させます。2 つの設定の差がシード間の差より小さいときは、それぞれ 1 回ずつの実行からは何もわかりません。
#
# ウィジェットは、3 節で行ったように、コードから操作することもできます。`playground.gamma.value = 0.9`としてから`playground.train_once()`を呼びます。`playground.runs`には、すべての実行の設定、`History`、エージェントが入っています。

# %% [markdown]
# ## 演習

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-11-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 11.2: epsilon のスケジュール (ウォームアップ、約 10 分)
#
# epsilon と学習率のスライダーの背後にある関数`linear_schedule(start, end, duration, step)`を書いてください。ステップ 0 では`start`を、ステップ`duration`以降は`end`を返し、その間のステップでは両者を結ぶ直線上の値を返します (ステップ`duration / 2`では、ちょうど中間の値)。戻り値は float にしてください。ヒント: `duration`ステップを過ぎたら、値は`end`の *まま* でなければなりません。下がり続ける epsilon は、やがて負になってしまいます。チェックでは、1 から 0 へ 10 ステップで下がるスケジュール、epsilon と学習率の既定のスケジュール、一定のスケジュール、そしてランダムな (シードを固定した) 下降スケジュール 3 つを、ステップ 0、1、中間、終わりの 1 ステップ前、終わり、終わりの 1 ステップ後、ずっと後で試します。


# %% nbgrader={"grade": false, "grade_id": "ex-11-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def linear_schedule(start, end, duration, step):
    """ステップ 0 では `start`、ステップ `duration` 以降は `end`、その間は直線。"""
    ### BEGIN SOLUTION
    fraction = min(1.0, step / duration)  # how much of the way we are, never more than all
    return start + (end - start) * fraction
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-11-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_linear_schedule(linear_schedule)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-11-3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 11.3: ターゲットネットワークのハード更新 (基本、約 15 分)
#
# `hard_update(target_network, q_network)`を書いてください。「ハード更新 (コピー)」の設定が`target_update_every`ステップごとに行う処理です。実行後、`target_network`のすべての重みとバイアスは`q_network`のものと等しくなり、`q_network`は変化しません。戻り値はありません。ターゲットネットワークをその場で (in place) 書き換えます。ヒント: 関数の中で`target_network = q_network`としても、ローカルな名前に新しい意味を与えるだけです。また、ターゲットは`q_network`のテンソルそのものではなく *コピー* を持たなければなりません。そうしないと、次に`q_network`で勾配ステップを行ったときに、ターゲットまで動いてしまいます。チェックでは、サイズの異なる 3 組のネットワークで試し、すべてのパラメータ、コピーの向き、そしてテンソルが共有されていないかを調べます。


# %% nbgrader={"grade": false, "grade_id": "ex-11-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def hard_update(target_network, q_network):
    """`q_network` のすべての重みを `target_network` に、その場でコピーする。"""
    ### BEGIN SOLUTION
    target_network.load_state_dict(q_network.state_dict())  # copies the values, tensor by tensor
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-11-3-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check_hard_update(hard_update)

# %% [markdown]
# ## まとめ
#
# - プレイグラウンドの設定項目は、どれも`DQNConfig`のフィールド (または報酬、初期状態、予算、シード) です。プレイグラウンドはウィジェットから設定を組み立て、`DQNConfig`が受け付けない組み合わせは、学習させる代わりに言葉で説明します。既定値は本コースの DQN、つまりベンチマークの`double`プリセットです。既定の設定でのプレイグラウンドの実行は、同じシードのベンチマークの実行と、評価ごとに一致します。
# - プレイグラウンドの実行は、`dqn_lib.train`の 1 回の呼び出しです。評価のたびに`dqn_lib.Callback`が学習の時計を止めて曲線を描き直すので、実行はベンチマークのものと同じままです。
# - ベンチマークでわかったこと (JSON から読み取り、確認済み): 本コースの DQN に対する 1 か所だけの変更の中で、成績を最も大きく下げるのは探索的スタートをオフにすることです。online のエージェントがそもそも学習できるのは、経験再生があるからです。学習率の低下は、学習したことを保ちます。ターゲットネットワークだけを加えると、より早く解けましたが安定性は下がり、Double DQN のターゲットがその大部分を取り戻しました。整形した報酬は、CartPole 本来の初期状態からはより早く解けましたが、乱した初期状態からは成績が悪化しました。
# - 1 つのシードでの 3 つの実行: 本コースの DQN は解けた基準線に達し、その上にとどまりました。20 倍の学習率では、基準線を大きく下回って終わりました。探索的スタートなしでは、エージェントはたいていポールを立てたまま、カートをレールの端から出してしまいました (20 エピソード中 14)。学習中にカートが中心から遠い状態を見た頻度が、数分の一だったのです。
# - シード 1 つの結果は一例にすぎません。差を信じる前に、複数のシードで設定を比べてください。
#
# 原典のノートブックでは、ハイパーパラメータはコードの中に固定され、学習は 1 回だけでした。本レッスンで加えたのは、それらを変えて複数の実行を同じ座標軸上で比べる手段です。貪欲方策での評価を探索を伴う学習エピソードとは分けて示し、すべての選択を`DQNConfig`が検査し、設定についてのすべての主張をベンチマークと照合しています。
#
# 本コースで今後予定しているレッスンは、Dueling ネットワークと n ステップ収益です。それまでは、プレイグラウンドを自由に使ってみてください。
