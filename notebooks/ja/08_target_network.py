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
# # レッスン 8: ターゲットネットワーク
#
# はしごの 2 段目です。レッスン 7 ではオンラインエージェントにリプレイバッファを与えましたが、そのTDターゲットはまだ、学習中のネットワーク自身から計算されています。このレッスンでは、1 回の更新でそのターゲットがどれだけ動くかを測り、その対策である*ターゲットネットワーク* ([Mnih et al., 2015](https://www.nature.com/articles/nature14236)) をインラインで作って`dqn_lib`と照らし合わせ、最後に経験再生の段とターゲットネットワークの段を 5 つのシードで並べて学習させます。

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dqn_lib
from dqn_lib.presets import PRESETS, summarise_runs, train_seeds

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

config = dqn_lib.DQNConfig()  # the course's DQN settings (lesson 7 printed them)
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# 学習の材料になる遷移が必要です。レッスン 7 と同じく、半分ほど学習したエージェントが集めるような遷移を 5,000 個記録します。レッスン 1 の手で書いた方策で、5 回に 1 回はランダムな行動をとるものです。記録した遷移はライブラリの`dqn_lib.ReplayBuffer`に保存します (レッスン 7 ではインラインで書きました)。報酬は CartPole 本来の 1 ステップごとの +1 で、はしごの学習で使う報酬です。

# %%
N_RECORDED = 5_000
RECORD_EPSILON = 0.2


def lean_policy(observation):
    """レッスン 1 の手で書いた方策: ポールが倒れかけている側へカートを押す。"""
    return 1 if observation[2] + observation[3] > 0 else 0


env = dqn_lib.make_env(SEED)
lesson_rng = np.random.default_rng(SEED)  # this lesson's own randomness, seeded
buffer = dqn_lib.ReplayBuffer(N_RECORDED, n_observations=4, seed=SEED)
observation, _ = env.reset()
while len(buffer) < N_RECORDED:
    if lesson_rng.random() < RECORD_EPSILON:
        action = int(lesson_rng.integers(2))
    else:
        action = lean_policy(observation)
    next_observation, reward, terminated, truncated, _ = env.step(action)
    buffer.add(observation, action, float(reward), next_observation, terminated, truncated)
    observation = next_observation
    if terminated or truncated:
        observation, _ = env.reset()
print(f"遷移 {len(buffer)} 個、うち転倒で終わったもの {int(buffer.terminated.sum())} 個")

# %% [markdown]
# ## 1. ターゲットネットワーク
#
# ### なぜ必要か: 更新のたびに自分のターゲットが動く
#
# TDターゲット`reward + gamma * (1 - terminated) * max_a Q(next_observation, a)`は、Qネットワーク自身を使います。レッスン 4 では、1 回の更新でその結果を見ました。ステップで動かしたかったのは予測だけなのに、ターゲットも動いたのです。ここではバッファから取ったバッチで、DQN エージェントと同じ大きさの新しいQネットワーク、同じ学習率の Adam、そしてステップ前に作ったネットワークの*凍結したコピー*を使って、これを測ります。


# %%
def q_of_actions_taken(network, batch):
    """各遷移でとった行動の Q(observation, action): (batch,)。"""
    return network(batch.observations).gather(1, batch.actions.unsqueeze(1)).squeeze(1)


def targets_from(network, batch, gamma=config.gamma):
    """`network`からブートストラップした、バッチのTDターゲット: (batch,)。"""
    with torch.no_grad():
        next_q = network(batch.next_observations)  # (batch, n_actions)
        return dqn_lib.td_target(batch.rewards, next_q, batch.terminated, gamma)


q_network = dqn_lib.new_q_network(4, 2, SEED, hidden=config.hidden)
frozen_copy = copy.deepcopy(q_network)  # the same weights, never trained
optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate)
loss_fn = nn.MSELoss() if config.loss == "mse" else nn.SmoothL1Loss()  # as DQNAgent
batch = buffer.sample(config.batch_size)

targets_before = targets_from(q_network, batch)  # (batch,)
with torch.no_grad():
    q_before = q_of_actions_taken(q_network, batch)  # (batch,)
loss = loss_fn(q_of_actions_taken(q_network, batch), targets_before)
optimizer.zero_grad()
loss.backward()
optimizer.step()

with torch.no_grad():
    q_after = q_of_actions_taken(q_network, batch)  # (batch,)
prediction_moved = (q_after - q_before).abs().mean().item()
target_change = targets_from(q_network, batch) - targets_before  # (batch,)
online_target_moved = target_change.abs().mean().item()
# The part of the change that is not a shift of the whole batch: targets reshuffled.
online_target_jitter = (target_change - target_change.mean()).abs().mean().item()
frozen_target_moved = (targets_from(frozen_copy, batch) - targets_before).abs().mean().item()
print(f"勾配ステップ 1 回、{config.batch_size} 個のバッチでの平均:")
print(f"  予測 Q(s, a) の変化量:                        {prediction_moved:.5f}")
print(f"  更新後のネットワークによるターゲットの変化量: {online_target_moved:.5f}")
print(f"    うち、バッチ共通のずれ以外の部分:           {online_target_jitter:.5f}")
print(f"  凍結したコピーによるターゲットの変化量:       {frozen_target_moved:.5f}")
print(
    f"ターゲットは、それを追う予測の {online_target_moved / prediction_moved:.0%} の距離を動いた "
    f"(共通のずれを除くと {online_target_jitter / prediction_moved:.0%})"
)
assert online_target_moved > prediction_moved / 4, "ターゲットがほとんど動いていません: 下の本文を参照してください"
assert frozen_target_moved == 0.0, "凍結したコピーのターゲットが動きました。このコピーは一度も学習していないはずです"

# %% [markdown]
# ステップは予測をターゲットに近づけるためのものでしたが、ターゲットも動かしてしまい、その距離は予測の移動距離のかなりの部分に達しました (比は上に表示されており、セルではそれが少なくとも 4 分の 1 であることを確かめています)。その一部はバッチ全体が一緒にずれたものですが (1 ステップごとに +1 の報酬では、すべての価値が上昇していかなければなりません。下の 1 節の図に表れています)、すべてではありません。「うち、バッチ共通のずれ以外の部分」の行は、ターゲットが互いに対して動いた分です。ターゲットネットワークは共通の上昇を遅らせ、互いに対する動きの大部分を取り除きます (下の 1 節の図で両方を測ります)。次の観測は現在の観測とほぼ同じなので (レッスン 7 で測りました)、Q(s, a) を変えるものは何であれ Q(next_observation) も変え、それとともにターゲットも変わります。凍結したコピーのターゲットはまったく動きませんでした。これがターゲットネットワークです。TDターゲットの計算に使うQネットワークのコピーで、ずっと低い頻度でしか更新しません。こうすると、しばらくの間、ネットワークは止まったターゲットを追いかけることになります。
#
# コピーを最新に保つ方法は 2 つあり、`dqn_lib`はどちらも備えています。
#
# - **ハード更新** (hard copy、Mnih et al., 2015): 一定の間隔でQネットワークの重みをターゲットネットワークにコピーし、その間は手を付けません。Mnih et al. はこの間隔 (論文の`C`) をパラメータ更新の回数で数えており、環境の 4 ステップごとに 1 回の更新で、10,000 回です。`dqn_lib`はこれを環境ステップで数え、`target_update_every`とします。環境ステップごとに勾配ステップが 1 回 (`train_every`と`gradient_steps`がどちらも 1) なら、学習が始まってからの更新の回数は同じになります。
# - **ソフト更新** (Polyak 平均、Lillicrap et al., 2016): 勾配ステップのたびに、各ターゲット重みをオンラインの重みに向かって小さな割合`tau`だけ動かします。`target = target + tau * (online - target)`です。ターゲットは、飛ぶことなく滑らかにオンラインネットワークに遅れてついていきます。


# %%
def soft_update(target_network, q_network, tau):
    """各ターゲット重みを、オンラインの重みに向かって`tau`の割合だけ動かす (Polyak 平均)。"""
    with torch.no_grad():
        for target, online in zip(target_network.parameters(), q_network.parameters(), strict=True):
            target += tau * (online - target)


# %% [markdown]
# それぞれがターゲットをどう止めておくかを見るために、1 つのQネットワークを、ソフト更新する専用のターゲットネットワークとともに、バッファのバッチでしばらく学習させます。そして、256 個の遷移からなる固定バッチのTDターゲットを 3 つのネットワークで計算して観察します。Qネットワーク自身 (オンラインエージェントが使うもの)、ソフト更新のターゲット、そしてハード更新 (コピー) で新しくするターゲットネットワークです。このループは環境ステップではなく勾配ステップを数えるので、`target_update_every / train_every`勾配ステップごとにコピーします。これは、学習が始まってからのエージェントと同じ頻度です。

# %%
hard_every = config.target_update_every // config.train_every  # in gradient steps
n_updates = 3 * hard_every
probe = buffer.sample(256)

q_network = dqn_lib.new_q_network(4, 2, SEED, hidden=config.hidden)
soft_target, hard_target = copy.deepcopy(q_network), copy.deepcopy(q_network)
optimizer = torch.optim.Adam(q_network.parameters(), lr=config.learning_rate)
watched = {
    "the Q-network itself": [],
    "soft update": [],
    "hard copy": [],
}
for update in range(n_updates):
    batch = buffer.sample(config.batch_size)
    loss = loss_fn(q_of_actions_taken(q_network, batch), targets_from(soft_target, batch))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    soft_update(soft_target, q_network, config.tau)
    if (update + 1) % hard_every == 0:
        hard_target.load_state_dict(q_network.state_dict())
    for name, network in zip(watched, (q_network, soft_target, hard_target), strict=True):
        watched[name].append(targets_from(network, probe).numpy())  # (256,)

NO_CHANGE = 1e-6  # a log scale has no 0: a step that changed nothing is drawn at this height
moved_by = {}
fig, (ax_mean, ax_step) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, targets in watched.items():
    targets = np.array(targets)  # (n_updates, 256)
    ax_mean.plot(np.arange(1, n_updates + 1), targets.mean(axis=1), label=name)
    change = np.diff(targets, axis=0)  # (n_updates - 1, 256) each target's change in a step
    climb = change.mean(axis=1, keepdims=True)  # (n_updates - 1, 1) the batch's common climb
    jitter = np.abs(change - climb).mean(axis=1)  # (n_updates - 1,) the rest: targets reshuffled
    moved_by[name] = jitter
    ax_step.plot(np.arange(2, n_updates + 1), np.maximum(jitter, NO_CHANGE), label=name, lw=1)
ax_mean.set(
    title="固定バッチのTDターゲットの平均",
    xlabel="勾配ステップ数",
    ylabel="td_target の平均 (報酬の単位)",
)
ax_step.set(
    title="勾配ステップごとのターゲットのゆらぎ",
    xlabel="勾配ステップ数",
    ylabel="|変化 - バッチの平均変化| の平均 (対数)",
    yscale="log",
    ylim=(NO_CHANGE / 2, None),
)
ax_step.annotate(
    "まったく変化なし", (n_updates / 2, NO_CHANGE), xytext=(0, 6), textcoords="offset points"
)
for ax in (ax_mean, ax_step):
    for copy_step in range(hard_every, n_updates + 1, hard_every):
        ax.axvline(copy_step, color="grey", linewidth=0.6, linestyle=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
fig.suptitle(
    f"1 回の学習の間に 3 通りの方法で計算したターゲット (tau={config.tau}、ハード更新は "
    f"{hard_every} 勾配ステップごと、点線)"
)
fig.tight_layout()
plt.show()

# %% [markdown]
# 左の図では、3 つとも上昇しています。1 ステップごとに +1 の報酬では、すべての状態の価値が約 0 (新しいネットワーク) から約 100 に向かって増えなければならず、ターゲットはその増加を、転倒 (ターゲットが報酬だけになるところ) からその前の状態へと運んでいきます。この上昇は学習そのものであり、ターゲットネットワークはそれを止めません。遅れてついていくのです (ソフト更新のターゲット (オレンジ) は少し下を、ハード更新 (緑) は階段状に)。違いが出るのは右の図です。各ステップの変化のうち共通の上昇*ではない*部分、つまりネットワークの直前の勾配ステップによって、ある遷移のターゲットは上がり、別の遷移のターゲットは下がるという、互いに対する動きです。学習中のQネットワークで計算したターゲット (青。このネットワークはソフト更新のターゲットに対して学習しています。このネットワーク自身のターゲットは、ターゲットネットワークのないエージェントが使うものです) は、毎ステップゆらぎます。ソフト更新のゆらぎは数分の一です (Qネットワークの移動平均なので当然そうなります。その程度をセルで測ります)。ハード更新のゆらぎはコピーの間はちょうど 0 で (下端に沿った線)、コピーのたびに跳ね上がります。下のセルで 3 つすべてを確かめます。本コースはソフト更新で学習します (既定値。下に表示します)。本コースでは、はしごのベース設定でハード更新をソフト更新と比べる測定はしていないので、どちらがよく学習するかについては何も主張しません。レッスン 11 のプレイグラウンドで試してみてください。

# %%
online_moves, soft_moves, hard_moves = moved_by.values()
between_copies = (np.arange(2, n_updates + 1) % hard_every) != 0  # steps with no copy
print(
    f"1 ステップあたりのターゲットのゆらぎの平均: Qネットワーク {online_moves.mean():.2e}、ソフト更新 "
    f"{soft_moves.mean():.2e} ({online_moves.mean() / soft_moves.mean():.1f} 分の 1)、"
    f"ハード更新のコピー間 {hard_moves[between_copies].max():.1f}"
)
assert (online_moves > 0).all(), "Qネットワーク自身のターゲットが動かなかったステップがあります"
assert soft_moves.mean() < online_moves.mean() / 3, "ソフト更新のターゲットも、ほぼ同じくらいゆらいでいます"
assert (hard_moves[between_copies] == 0).all(), "ハード更新のターゲットが、コピーとコピーの間に動きました"
print(
    f"DQNConfig(): target_update={config.target_update!r}, tau={config.tau}, "
    f"target_update_every={config.target_update_every}"
)

# %% [markdown]
# チェック: ここで書いた`soft_update`と`dqn_lib.soft_update`が一致すること、そして更新がソフトのとき、エージェントの`learn`が勾配ステップのたびにまさにこれを行っていることを確かめます。つまり、`learn`後のターゲットネットワークは、`learn`前のターゲットネットワークを、ステップ後のQネットワークに向かって`tau`の割合だけ動かしたものに等しくなります。

# %%
target_ours = dqn_lib.new_q_network(4, 2, SEED, hidden=config.hidden)
target_library = copy.deepcopy(target_ours)
online = dqn_lib.new_q_network(4, 2, SEED + 1, hidden=config.hidden)
soft_update(target_ours, online, config.tau)
dqn_lib.soft_update(target_library, online, config.tau)
for (name, ours_weight), library_weight in zip(
    target_ours.named_parameters(), target_library.parameters(), strict=True
):
    difference = (ours_weight - library_weight).abs().max().item()
    assert difference < 1e-7, f"soft_update: {name} が最大 {difference:.2e} 異なります"

soft_config = config.replace(target_update="soft")  # the default or not, this check is on soft
agent = dqn_lib.DQNAgent(soft_config, seed=SEED)
expected_target = copy.deepcopy(agent.target_network)
agent.learn(buffer.sample(soft_config.batch_size))
soft_update(expected_target, agent.q_network, soft_config.tau)
for (name, expected), actual in zip(
    expected_target.named_parameters(), agent.target_network.parameters(), strict=True
):
    difference = (expected - actual).abs().max().item()
    assert difference < 1e-7, f"learn のあと、エージェントのターゲットの {name} が {difference:.2e} ずれています"
print("soft_update は dqn_lib.soft_update とも、DQNAgent.learn の処理とも一致しました")

# %% [markdown]
# ## 2. 測定: 経験再生と、経験再生 + ターゲットネットワークの比較、5 つのシード
#
# `target`プリセットは、`replay`プリセットに 1 つだけ変更を加えたもので、ソフト更新するターゲットネットワーク (`target_update="soft"`、`tau`は上に表示したとおり) を持ちます。それ以外はレッスン 7 と同じベース設定です。シードも、予算も、評価も同じです。

# %%
print(
    f"replay -> target: target_update {PRESETS['replay'].config.target_update!r} -> "
    f"{PRESETS['target'].config.target_update!r}"
)
SEEDS = [0, 1, 2, 3, 4]
BUDGET = 10_000  # environment steps per seed
runs = train_seeds(["replay", "target"], SEEDS, BUDGET, eval_values=True)

# %%
histories = {name: [run.history for run in seed_runs] for name, seed_runs in runs.items()}
ax = dqn_lib.plot_evaluations(histories)
ax.set_title(f"経験再生 vs 経験再生 + ターゲットネットワーク: シード {len(SEEDS)} 個、各 {BUDGET:,} ステップ")
plt.show()

# %% [markdown]
# レッスン 7 では、経験再生の段が予測する価値が数倍も高すぎることがわかりました。`eval_values=True`によって、評価のたびに、20 個の初期状態について予測された価値と、そこから実際に得られた割引収益 (リターン) を記録しています (`dqn_lib.value_estimates`)。学習終了時の両方の値は次のとおりです。

# %%
PERFECT = (1 - config.gamma**500) / (1 - config.gamma)  # a 500-step episode, about 99.3
print(f"{'preset':<8}{'seed':>5}{'predicted':>11}{'obtained':>10}   各評価での predicted の推移")
final_values = {}
for name, seed_runs in runs.items():
    for run in seed_runs:
        predicted = run.history.eval_predicted_values[-1]
        obtained = run.history.eval_obtained_values[-1]
        final_values[name, run.seed] = (predicted, obtained)
        trajectory = ", ".join(f"{v:.1f}" for v in run.history.eval_predicted_values)
        print(f"{name:<8}{run.seed:>5}{predicted:>11.1f}{obtained:>10.1f}   {trajectory}")
print(f"(完璧な 500 ステップのエピソードの価値は {PERFECT:.1f})")

# %% [markdown]
# 10,000 ステップの時点で、経験再生の段の価値は、1 つのエピソードが持ちうるどんな価値よりも高くなっています (決して転倒しない状態に対するエージェント自身のターゲットは 1 / (1 - gamma) = 100 です。時間制限を越えてブートストラップするからです。500 ステップのエピソードで得られるのは 99.3 です)。ターゲットネットワークがあると、どのシードでも予測はこの上限より低く、自身の貪欲方策で実際に得られた値よりも低く、しかもすべての評価で上昇し続けています。この予算では、ターゲットの段は*過小評価*しているのです。これは、上昇に遅れてついていくターゲットから生じうる結果です (1 節の図のソフト更新のターゲットは上昇に遅れていました)。ただし、このレッスンではこの原因をほかの原因と切り分けてはいません。もっと後で行き過ぎるかどうかも、このレッスンでは測っていません。このレッスンが示しているのは、この予算ではターゲットネットワークが価値の暴走を防いだ、ということです。

# %%
for seed in SEEDS:
    assert final_values["replay", seed][0] > 1.5 * PERFECT, f"replay のシード {seed}: 予測が高すぎるとは言えません"
    assert final_values["target", seed][0] < PERFECT, f"target のシード {seed}: 予測が上限を超えています"
    predicted, obtained = final_values["target", seed]
    assert predicted < obtained, f"target のシード {seed}: 過小評価になっていません"
    climb = np.diff(next(r for r in runs["target"] if r.seed == seed).history.eval_predicted_values)
    assert (climb > 0).all(), f"target のシード {seed}: 予測の上昇が止まりました"
print(
    "確認: replay の予測はすべてのシードで上限を超え、target の段の予測は上限より低く、"
    "実際に得た値より低く、上昇を続けています"
)

# %%
summary = summarise_runs(runs)

# %% [markdown]
# これは教科書から予想される話とは違うので、注意して読んでください。ターゲットネットワークを使うと、すべてのシードが「解けた」の基準に達し、しかも経験再生だけの場合より早く達しました (最初に解けた評価の中央値がより早い)。しかし、そこにとどまりませんでした。予算の終わりまでに、いくつかのシードは 475 を大きく下回るところまで落ちた一方で、経験再生の段のシードは持ちこたえました。このベース設定で、5 つのシードと 10,000 ステップという条件では、ターゲットネットワークは速さを得る代わりに安定性を失いました。確認セルはこの 3 つの主張を表に結びつけているので、再構築でそれが変わった場合は、本文が誤ったまま残るのではなく、ここでエラーになります。
#
# 止まっているターゲットが、なぜここでは事態を悪くするのでしょうか。このレッスンではそれを測っていないので、何も言いません。レッスン 9 では、学習中のターゲットの段の価値を予測値と実際に得た値で比べ、最後の段である Double DQN と並べて測ります。ベンチマークの、各段 10 シード・20,000 ステップの結果 (レッスン 9 の 4 節) を見れば、5 つのシードの結果が正しかったかどうかがわかります。ただし、ベンチマークのシード 0 から 4 はここと同じシードを (20,000 ステップまで) 使い直しているので、独立な証拠にはなりません。独立な証拠になるのはシード 5 から 9 だけです。

# %%
replay, target = summary["replay"], summary["target"]
assert target["solved"] == replay["solved"] == len(SEEDS), f"解けなかったシードがあります: {summary}"
assert target["median_steps"] < replay["median_steps"], "target の段のほうが早く解けてはいません"
assert target["final_mean"] < replay["final_mean"] - 50, "target の段の最終成績が低くなっていません"
assert target["stays_solved"] < replay["stays_solved"], "target の段も同じくらい解けた状態を保っています"
print(
    f"target: 解けるまで {target['median_steps']:,.0f} ステップ (中央値)、replay は "
    f"{replay['median_steps']:,.0f}。最終評価 {target['final_mean']:.1f}、replay は "
    f"{replay['final_mean']:.1f}。最後の 3 回の評価で解けていた割合 {target['stays_solved']:.0%}、"
    f"replay は {replay['stays_solved']:.0%}"
)

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後で、あなたの解答を使うところはありません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-08-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 8.1: ソフト更新のターゲットはどこまで過去を覚えているか (基本、約 15 分)
#
# ハード更新のターゲットが保持する重みは、古くても`target_update_every`ステップ前のものです。ソフト更新のターゲットには、そのような「年齢」がありません。`n`回のソフト更新のあと、`target = target + tau * (online - target)`によって、ターゲットは自身の初期の重みと、各更新の直後のQネットワークの重みとの加重和になっています。最近のものほど係数が大きく、古いものは薄れていきます。この係数を見れば、どこまで過去を覚えているかがわかります。
#
# `soft_target_weights(tau, n_updates)`を書いてください。`n_updates + 1`個の浮動小数点数からなる NumPy 配列を返します。`n_updates`回のソフト更新のあとのターゲットにおいて、要素 0 はターゲットの初期の重みの係数、要素`k` (1 から`n_updates`まで) は更新`k`の直後のQネットワークの重みの係数です。係数の合計は 1 になります。
#
# ヒント: 更新を`target = (1 - tau) * target + tau * online`と書き、2、3 回分を紙の上で展開してみましょう。各更新は、すでにある係数に何をし、何を加えるでしょうか。`tau = 1`なら最新の更新だけが残ります。それがハード更新です。
#
# チェックでは、期待される係数を、重みが 1 つだけのネットワークに`dqn_lib.soft_update`そのものを適用して求めます。`tau`が 0.5、0.1、1 で数回の更新、更新なし、`tau = 0.01`で 2,000 回の更新、そしてランダムな 3 つの場合を試し、よくある間違い (順序が逆、`tau`と`1 - tau`の取り違え、指数が 1 つずれている、要素 0 の抜け) を見分けます。合格すると、あなたの係数を使って、本コースのソフト更新のターゲットがQネットワークから平均で何回分の更新だけ遅れているかを示します。


# %% nbgrader={"grade": false, "grade_id": "ex-08-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def soft_target_weights(tau, n_updates):
    """`n_updates`回の更新後のソフト更新のターゲットにおける、各スナップショットの係数: (n_updates + 1,)。

    要素 0: ターゲットの初期の重み。要素 k: 更新 k の直後のQネットワーク。
    """
    ### BEGIN SOLUTION
    k = np.arange(1, n_updates + 1)  # (n_updates,) the updates
    from_updates = tau * (1 - tau) ** (n_updates - k)  # update k has faded n_updates - k times
    return np.concatenate([[(1 - tau) ** n_updates], from_updates])
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-08-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_soft_target_weights

check_soft_target_weights(soft_target_weights)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-08-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 8.2: ターゲットネットワークのバグを探す (基本、約 10 分)
#
# あるクラスメートがターゲットネットワークを次のように作って学習させたところ、まるでターゲットネットワークがまったくないかのように、経験再生の段とまったく同じ振る舞いになりました。
#
# ```python
# def make_target_network(q_network):
#     target_network = copy.copy(q_network)
#     return target_network
# ```
#
# `copy.copy`は新しいモジュールオブジェクトを作りますが、その層、したがって重みテンソルは、Qネットワークのものそのままです。Qネットワークに対する最適化手法 (オプティマイザ) のステップはすべて、「ターゲット」も一緒に動かしてしまいます。
#
# 正しい`make_target_network(q_network)`を書いてください。Qネットワークと同じ重み (同じQ値) を持ち、どのテンソルも共有せず、何によっても学習されない (重みが勾配を必要としない) ネットワークを返し、`q_network`は変更しないでください。
#
# ヒント: `copy`モジュールには、オブジェクトそのものだけでなく、オブジェクトが保持するものまでコピーする 2 つ目の関数があります。どの`nn.Module`にも、すべての重みの勾配計算を一度にオン・オフするメソッドがあります。その後もQネットワークが学習できることを確かめましょう。学習してはいけないのはコピーのほうです。
#
# チェックでは、大きさの異なる 3 つのネットワークを試します。あなたのコピーのQ値をQネットワークのQ値と比べ、共有された重みテンソルがないかを調べ、勾配を必要とする重みがないことを確認したうえで、Qネットワークで勾配ステップを 1 回行い、コピーが動かなかったことを確かめます。


# %% nbgrader={"grade": false, "grade_id": "ex-08-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def make_target_network(q_network):
    """`q_network`と同じ重みを持つ、独立した、学習できないコピー。"""
    ### BEGIN SOLUTION
    return copy.deepcopy(q_network).requires_grad_(False)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-08-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_target_network_copy

check_target_network_copy(make_target_network)

# %% [markdown]
# ## まとめ
#
# - **更新のたびに自分のターゲットが動きます。** 1 回の勾配ステップで、更新後のネットワークが計算するTDターゲットは、それを追う予測の移動距離の大部分にあたるだけ動き、その一部はターゲットどうしの互いに対する動きでした。凍結したコピーのターゲットは動きませんでした。
# - **ターゲットネットワーク**はそのコピーで、一定の間隔でのハード更新 (Mnih et al. はその間隔をパラメータ更新の回数で、`dqn_lib`は環境ステップ数`target_update_every`で数えます) か、勾配ステップごとのソフト更新`target += tau * (online - target)`で最新に保ちます。1 ステップごとに +1 の報酬では、すべてのターゲットが約 100 に向かって上昇しなければなりません。ターゲットネットワークはこの上昇を止めず、遅れてついていきます。そして、その上に乗るステップごとのゆらぎの大部分を取り除きます (ソフト更新のターゲットのゆらぎは数分の一でした)。
# - **5 つのシード、10,000 ステップでの測定**: ターゲットネットワークがあると、価値は 1 つのエピソードが持ちうる値より低く、エージェントが実際に得た値よりも低いままでした。一方、経験再生の段の価値はそれを上回りました。ターゲットの段はより早く解けましたが、その後いくつかのシードで成績が落ち、経験再生だけのほうは持ちこたえました。教科書的な改良も、自分の問題で測るまでは仮説にすぎません。
#
# 次は[レッスン 9](09_double_dqn.ipynb) です。`max`のバイアス、Double DQN、そしてはしご全体を各段 10 シードで比べます。
