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
# # レッスン 3: ネットワークで表すQ関数
#
# レッスン 2 のテーブルは、状態を区切ったセルごとに数値を 1 つずつ持ち、各セルを別々に学習していました。そのため、区切りを細かくしたテーブルは大部分が空のままでした。ネットワークは、テーブルの代わりに観測そのものを入力とする関数を使うので、近い観測には近い値が与えられます。
#
# ここでは DQN の中核となるネットワークを作ります。観測を入力すると行動ごとに 1 つずつ価値が出力され、エージェントはその中で最大のものを選んで行動します。レッスン 4 と 6 ではまさにこのネットワークを、レッスン 7〜11 の DQN では同じ設計で幅を広げたネットワークを学習させます。そこで本レッスンでは、このネットワークを分解して、層の構成、テンソルの形状、1,282 個のパラメータ、そして学習前に何を出力するかを見ていきます。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dqn_lib
from dqn_lib import ACTION_NAMES, ANGLE_LIMIT_RADIANS, OBSERVATION_NAMES, make_env

SEED = 0
# Networks this small run fastest on one thread, and on one thread the same seed gives exactly
# the same numbers every time (sums are added in a fixed order).
torch.set_num_threads(1)

n_observations = len(OBSERVATION_NAMES)  # 4: cart position, cart velocity, pole angle, ...
n_actions = len(ACTION_NAMES)  # 2: push left, push right
print(f"観測の数値は {n_observations} 個: {OBSERVATION_NAMES}")
print(f"行動は {n_actions} 個: {ACTION_NAMES}")
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## CartPole における Q(s, a) の意味
#
# Q(s, a) が答えるのは、*観測 s にいて、いま行動 a をとり、その後はうまく行動したとき、どれだけの報酬が得られるか* という 1 つの問いです。CartPole では、ポールが立っているステップごとに環境から +1 の報酬が与えられます ([Gymnasium の CartPole のページ](https://gymnasium.farama.org/environments/classic_control/cart_pole/))。したがって Q(s, a) は、いまこの向きに押したときにポールが立ち続けるステップ数を、割り引いて (次の段落を参照) 数えたものです。はじめの十数〜二十数ステップ分はほぼそのままの数になり、100 を超えることはありません。Q を知っているエージェントは計画を立てる必要がありません。左に押す価値と右に押す価値を比べて、大きいほうを選べばよいのです。
#
# DQN は将来を割り引きます。k ステップ先の報酬は`gamma ** k`倍に数えられ、`gamma`は 1 よりわずかに小さい値です (理由はレッスン 4 で説明します)。これによって、学習済みネットワークの出力が到達すべきスケールが決まります。ポールが立ち続ける状態なら 100 近くです。500 ステップのエピソード全体がちょうどこのくらいの価値になります (時間制限を終わりとみなさないエージェントは、このような状態の価値を最大 1 / (1 - gamma) = 100 と見積もります。レッスン 4 を参照)。

# %%
gamma = 0.99  # the discount of the original notebook's training loop
best_discounted_return = sum(gamma**k for k in range(dqn_lib.MAX_EPISODE_STEPS))
print(
    f"1 ステップ +1 の報酬を {dqn_lib.MAX_EPISODE_STEPS} ステップ分、gamma = {gamma} で割り引いた合計: "
    f"{best_discounted_return:.1f}"
)

# %% [markdown]
# ## 行動ごとに出力を 1 つずつ持つ理由
#
# CartPole の観測は 4 つの実数なので、観測ごとに 1 つのエントリを持つテーブルは作れません。見たことのある観測から、その近くの観測へと汎化する関数が必要です。ニューラルネットワークはそのような関数です。観測 *と* 行動を入力して 1 つの数値を返すようにもできますが、そうすると行動を 1 つ選ぶのに、行動の数だけ順伝播 (forward pass) が必要になります。そこで、ネットワークには観測だけを入力し、**すべての** 行動の価値を一度に返させます。1 回の順伝播ですべての行動に順位がつくわけです。これは Mnih et al. (2015) の設計であり、原典のノートブックの設計でもあります。原典のコメントには「入力は状態、出力は各行動の価値」とあります。

# %% [markdown]
# ## ネットワークを書き下す
#
# これは原典のノートブックの`QNet`を、層の構成 (4-32-32-2) はそのままに、名前だけ本コースのものに変えたものです。原典で`n_states`と書かれていたところを`n_observations`としています。
#
# - `nn.Linear(4, 32)`: 32 個のユニットで、それぞれが 4 つの観測値の重み付き和にバイアスを加えたものです。これらはネットワークが学習する特徴量で、たとえば「ポールが右に傾き、しかも倒れる勢いが増している」といったものです。
# - `nn.ReLU()`: 各ユニットに`max(0, x)`を適用します。これがないと 3 つの線形層はつぶれて、観測の 1 つの線形関数になってしまいます。しかし、直立したポールの *両側* で下がっていく価値は線形ではありません。
# - `nn.Linear(32, 32)`と 2 つ目の ReLU: 特徴量の特徴量です。
# - `nn.Linear(32, n_actions)`: 行動ごとに 1 つの数値を出力します。その後ろに活性化関数は **ありません**。Q値はどんな実数にもなりうるからです (レッスン 5 の報酬では負にもなります)。


# %%
class QNet(nn.Module):
    """観測のバッチに対する各行動のQ値: (batch, 4) -> (batch, 2)。"""

    def __init__(self, n_observations: int, n_actions: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_observations, 32),  # (batch, 4) -> (batch, 32)
            nn.ReLU(),
            nn.Linear(32, 32),  # (batch, 32) -> (batch, 32)
            nn.ReLU(),
            nn.Linear(32, n_actions),  # (batch, 32) -> (batch, n_actions), no activation
        )

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return self.net(observations)  # (batch, n_actions)


# %% [markdown]
# ReLU を一言でいえば、負の数は 0 になり、正の数はそのまま通る、というものです。この折れ曲がりが、ネットワークが持つ非線形性のすべてです。

# %%
print(nn.ReLU()(torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])))

# %% [markdown]
# ## シードだけで決まる初期重み
#
# `nn.Linear`は初期重みを torch の *グローバルな* 乱数生成器から引きます。ここから 2 つの問題が生じます。1 つは、実行するたびにネットワークが変わってしまうことです。もう 1 つは、それを防ぐために`torch.manual_seed`を呼ぶと、ノートブック内の他のすべての乱数もリセットされてしまうため、あるセルを先に実行するか後に実行するかでネットワークが変わってしまうことです。`torch.random.fork_rng()`はグローバルな生成器の状態を保存し、`with`ブロックの中でシードを設定できるようにし、ブロックを出るときに元に戻します。こうすれば重みはシードだけで決まり、ほかの何にも左右されず、ブロックの外には何の影響も及びません。
# (原典のノートブックはシードを固定していなかったため、実行のたびに異なる重みから始まっていました。)


# %%
def new_q_network(n_observations: int, n_actions: int, seed: int) -> QNet:
    """初期重みが `seed` だけで決まる QNet。torch のグローバルな乱数生成器には触れない。"""
    with torch.random.fork_rng(devices=[]):  # devices=[]: CPU only, no GPU generators to save
        torch.manual_seed(seed)
        return QNet(n_observations, n_actions)


q_network = new_q_network(n_observations, n_actions, seed=SEED)
print(q_network)

# %% [markdown]
# 確認します。同じシードからは同じ重みが、別のシードからは異なる重みが得られること、グローバルな生成器がまったく元のままであること、そしてライブラリの補助関数`dqn_lib.new_q_network` (レッスン 4 のエージェントが使います) がまったく同じネットワークを作ることです。


# %%
def same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(
        torch.equal(x, y)
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )


global_state_before = torch.random.get_rng_state()
twin = new_q_network(n_observations, n_actions, seed=SEED)
other = new_q_network(n_observations, n_actions, seed=SEED + 1)
from_library = dqn_lib.new_q_network(n_observations, n_actions, seed=SEED)
assert torch.equal(torch.random.get_rng_state(), global_state_before), (
    "ネットワークの構築で torch のグローバルな乱数状態が変わりました。fork_rng が元に戻すはずです。"
)
assert same_weights(q_network, twin), (
    "同じシードで作った 2 つのネットワークの重みが異なります。"
)
assert not same_weights(q_network, other), f"シード {SEED} と {SEED + 1} で同じ重みになりました。"
assert same_weights(q_network, from_library), (
    "dqn_lib.new_q_network(4, 2, seed) が、このノートブックで定義した new_q_network と一致しません。"
)
print(
    "同じシードなら同じ重み、別のシードなら別の重み、グローバルな生成器は変化なし、"
    "ライブラリの補助関数とも一致"
)

# %% [markdown]
# ## 形状: 1 つの観測、次にバッチ
#
# 実際の観測は、シードを設定した環境から取得します。CartPole の観測は float32 の配列で、重みと同じ型なので、`torch.as_tensor`だけで済みます (float64 の配列だと "mat1 and mat2 must have the same dtype" というエラーになります)。
# `torch.no_grad()`は、値を見るだけであることを torch に伝えます。勾配計算のための記録は行われません。

# %%
env = make_env(seed=SEED)
observation, info = env.reset()
observation_tensor = torch.as_tensor(observation)  # (n_observations,)
with torch.no_grad():
    q_values = q_network(observation_tensor)  # (n_actions,)
print("観測:", observation, observation.dtype, tuple(observation_tensor.shape))
print("Q値: ", q_values, tuple(q_values.shape))

# %% [markdown]
# 学習 (レッスン 7) では、ネットワークに多数の観測を一度に入力します。これが **バッチ** で、観測を先頭の次元に沿って積み重ねたものです。`nn.Linear`は最後の次元にだけ作用するので、同じネットワークが`(batch, 4)`を`(batch, 2)`に変換します。以下は、ランダムな行動 (環境の、シードを設定した行動空間から引いたもの) でプレイしたエピソードの連続する 8 個の観測で、これを 1 層ずつ追っていきます。

# %%
observations = [observation]
while len(observations) < 8:
    observation, reward, terminated, truncated, info = env.step(env.action_space.sample())
    observations.append(observation)
    if terminated or truncated:
        observation, info = env.reset()
        observations.append(observation)
observations = observations[:8]
batch = torch.as_tensor(np.stack(observations))  # (batch, n_observations)

x = batch
print(f"{'入力':50} {tuple(x.shape)}")
with torch.no_grad():
    for layer in q_network.net:
        x = layer(x)
        print(f"{layer!s:52} {tuple(x.shape)}")
batch_q_values = x  # (batch, n_actions)

# %% [markdown]
# 確認します。1 つの観測からは`(n_actions,)`が、8 個のバッチからは`(8, n_actions)`が得られること、そしてバッチの出力の i 行目が、観測 i だけを入力したときのネットワークの出力と一致することです (バッチは、単一の順伝播を多数まとめて行っているにすぎません)。

# %%
with torch.no_grad():
    rows_one_by_one = torch.stack([q_network(row) for row in batch])  # (batch, n_actions)
assert q_values.shape == (n_actions,), f"観測 1 つ: (2,) のはずが {q_values.shape} です"
assert batch.shape == (8, n_observations), f"バッチ: (8, 4) のはずが {tuple(batch.shape)} です"
assert batch_q_values.shape == (8, n_actions), (
    f"バッチのQ値: (8, 2) のはずが {tuple(batch_q_values.shape)} です"
)
assert torch.allclose(batch_q_values, rows_one_by_one, atol=1e-6), (
    f"バッチでまとめて計算したQ値と 1 つずつ計算したQ値が、最大 "
    f"{(batch_q_values - rows_one_by_one).abs().max():.2e} 異なります。"
)
print("形状は (2,) と (8, 2)。バッチは 8 回の単一の順伝播と一致")

# %% [markdown]
# ## パラメータを数える
#
# 各`nn.Linear(n_in, n_out)`は、`n_out x n_in`個の数値からなる重み行列と、`n_out`個のバイアスを持ちます。つまりパラメータは`n_in * n_out + n_out`個です。ReLU はパラメータを持ちません。4-32-32-2 について手で数えると、次のとおりです。

# %%
by_hand = (4 * 32 + 32) + (32 * 32 + 32) + (32 * 2 + 2)
print(f"手計算: {4 * 32 + 32} + {32 * 32 + 32} + {32 * 2 + 2} = {by_hand:,}")
for name, parameter in q_network.named_parameters():
    print(f"{name:14} {str(tuple(parameter.shape)):10} {parameter.numel():5,}")
n_parameters = sum(p.numel() for p in q_network.parameters())
print(f"{'合計':23} {n_parameters:5,}")

# %%
assert n_parameters == by_hand, (
    f"sum(p.numel()) は {n_parameters:,} ですが、4*32+32 + 32*32+32 + 32*2+2 = {by_hand:,} です。"
)
print(f"ネットワークのパラメータは {n_parameters:,} 個で、手計算と一致")

# %% [markdown]
# 今日の基準では小さなネットワークですが、これで十分です。CartPole の 4 つの数値に、これ以上は必要ありません。パラメータの大部分は中間の層 (32 x 32) にあります。隠れ層の幅を広げると、パラメータ数は幅の二乗に比例して増えます。

# %% [markdown]
# ## ライブラリの`QNet`はこのネットワークと同じ
#
# レッスン 4 以降では、ネットワークはライブラリのものを使います。`dqn_lib.QNet(n_observations, n_actions,
# hidden=(32, 32))`は同じ層の構成で、隠れ層の幅をパラメータとして指定できるようにしたものです。確認します。パラメータの名前と形状が同じであること (そうでなければ、私たちの重みを`strict=True`で読み込むと失敗します)、そして私たちの重みを読み込めば、私たちの出力とまったく同じ出力になることです。

# %%
library_q_network = dqn_lib.QNet(n_observations, n_actions)
library_q_network.load_state_dict(q_network.state_dict(), strict=True)
with torch.no_grad():
    ours, theirs = q_network(batch), library_q_network(batch)  # (batch, n_actions) each
assert torch.equal(ours, theirs), (
    f"同じ重みなのに、このノートブックの QNet と dqn_lib.QNet の出力が 8 個のバッチで最大 "
    f"{(ours - theirs).abs().max():.2e} 異なります。"
)
print("このノートブックのネットワークの重みを読み込んだ dqn_lib.QNet(4, 2) は、まったく同じQ値を出力")

# %% [markdown]
# レッスン 7〜11 の DQN は、同じ設計で幅を広げたネットワーク`hidden=(64, 64)`を使います (この幅をどう選んだかはレッスン 7 で説明します)。同じ規則で、層ごとに`n_in * n_out + n_out`を足していくと次のようになります。


# %%
def count_by_hand(widths: list[int]) -> int:
    """これらの幅を持つ nn.Linear 層を連ねたときのパラメータ数。幅は入力が先頭、出力が末尾。"""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(widths[:-1], widths[1:], strict=True))


wide_q_network = dqn_lib.QNet(n_observations, n_actions, hidden=(64, 64))
wide_count = sum(p.numel() for p in wide_q_network.parameters())
wide_by_hand = count_by_hand([n_observations, 64, 64, n_actions])
assert count_by_hand([n_observations, 32, 32, n_actions]) == n_parameters, (
    "count_by_hand の結果が、4-32-32-2 のネットワークのパラメータ数と一致しません。"
)
assert wide_count == wide_by_hand, (
    f"QNet(4, 2, hidden=(64, 64)) のパラメータは {wide_count:,} 個ですが、規則からは {wide_by_hand:,} 個です。"
)
print(f"hidden=(64, 64): パラメータ {wide_count:,} 個、{wide_count / n_parameters:.1f} 倍")

# %% [markdown]
# ## `argmax`が選ぶもの: 貪欲な行動
#
# 行動するとき、エージェントはQ値が最大の行動をとります。これが **貪欲な (greedy)** 行動です。バッチの場合、argmax は行動の次元`dim=1`に沿ってとり、1 行につき 1 つの行動が得られます。(落とし穴: `dim`を指定せずに`argmax()`を呼ぶと、`(8, 2)`のテンソル全体が平坦化され、0 から 15 までのインデックスが 1 つだけ返されます。)

# %%
greedy_actions = batch_q_values.argmax(dim=1)  # (batch,)
print(f"{'ポールの角度 (度)':>8} {'Q(左に押す)':>9} {'Q(右に押す)':>10}   貪欲な行動")
for observation_row, q_row, action in zip(batch, batch_q_values, greedy_actions, strict=True):
    angle_degrees = np.degrees(observation_row[2].item())
    print(
        f"{angle_degrees:17.2f} {q_row[0].item():13.4f} {q_row[1].item():14.4f}   "
        f"{action.item()} ({dqn_lib.display_name(ACTION_NAMES[action.item()])})"
    )
toward_lean = int(((greedy_actions == 1) == (batch[:, 2] > 0)).sum())
print(f"貪欲な行動がポールの傾きの向きに押すのは {len(batch)} 行中 {toward_lean} 行")
print("dim を指定しない argmax():", batch_q_values.argmax().item(), "(16 個の数値の中でのインデックス)")

# %% [markdown]
# 確認します。バッチに対して`dim=1`に沿ってとった argmax が、各行について 1 つずつとった argmax と一致することです。

# %%
per_row = torch.tensor([row.argmax().item() for row in batch_q_values])  # (batch,)
assert greedy_actions.shape == (8,), f"1 行につき 1 つの行動が返るはずが、形状が {greedy_actions.shape} です"
assert torch.equal(greedy_actions, per_row), (
    f"argmax(dim=1) は {greedy_actions.tolist()}、1 行ずつ計算すると {per_row.tolist()} でした。"
)
print("argmax(dim=1) は各行で最良の行動を選ぶ:", greedy_actions.tolist())

# %% [markdown]
# ## 学習前のQ値には意味がない
#
# 上の表がすでにそれを示唆しています。値はごく小さく、貪欲な行動がポールの傾きに沿うのは偶然にすぎません。全体像を見るために、ポールの角度を -12 度から +12 度 (エピソードが終了する角度) まで動かし、他の 3 つの数値は 0 にして、5 つのシードから作った未学習のネットワークに問い合わせてみます。右に傾いたポール (正の角度) は右に押す必要があるので、学習済みのネットワークなら、右半分では Q(push right) > Q(push left)、左半分ではその逆になるはずです。

# %%
angles = torch.linspace(-ANGLE_LIMIT_RADIANS, ANGLE_LIMIT_RADIANS, 101)  # (101,) radians
sweep = torch.zeros(len(angles), n_observations)  # (101, n_observations)
sweep[:, 2] = angles  # pole angle; cart position, cart velocity, angular velocity stay 0
sweep_seeds = range(5)
with torch.no_grad():
    sweep_q_values = {  # seed -> (101, n_actions)
        seed: new_q_network(n_observations, n_actions, seed)(sweep) for seed in sweep_seeds
    }
angles_degrees = np.degrees(angles.numpy())

figure, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
for action, name in enumerate(ACTION_NAMES):
    name = dqn_lib.display_name(name)  # in the lesson's language
    left.plot(angles_degrees, sweep_q_values[SEED][:, action], label=f"Q({name})")
left.set_title(f"未学習のネットワーク (シード {SEED}): 2 つのQ値")
left.set_ylabel("Q値 (期待される収益、報酬の単位)")
for seed, values in sweep_q_values.items():
    right.plot(angles_degrees, values[:, 1] - values[:, 0], label=f"シード {seed}")
right.axhline(0, color="black", linewidth=0.8)
right.set_title("5 つの未学習ネットワーク: Q(右に押す) - Q(左に押す)")
right.set_ylabel("Q値の差 (報酬の単位、> 0 なら右に押す)")
for ax in (left, right):
    ax.axvspan(
        0,
        angles_degrees[-1],
        color="tab:green",
        alpha=0.08,
        label="ポールが右に傾いている: よい方策なら右に押す",
    )
    ax.set_xlabel("ポールの角度 (度、正 = 右に傾いている)")
    ax.axvline(0, color="grey", linewidth=0.8, linestyle=":")
    ax.grid(alpha=0.3)
for ax, columns in ((left, 2), (right, 3)):  # legends below the plots, clear of the lines
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns)
figure.suptitle(
    f"学習前: Q値はほぼ 0 (500 ステップ立ち続けるポールの価値は "
    f"{best_discounted_return:.1f})、どちらの行動が勝つかはシード次第"
)
figure.tight_layout()
plt.show()

# %% [markdown]
# 角度を動かしたときに未学習のネットワークがどう振る舞うか、またそのQ値がどのくらいの大きさかを見てみます。

# %%
largest = max(values.abs().max().item() for values in sweep_q_values.values())
right_counts = []
for seed, values in sweep_q_values.items():
    pushes_right = int((values.argmax(dim=1) == 1).sum())
    right_counts.append(pushes_right)
    sensible = ((values.argmax(dim=1) == 1) == (angles > 0)).float().mean().item()
    print(
        f"シード {seed}: 貪欲な行動が右に押すのは {len(angles)} 個の角度のうち {pushes_right:3} 個、"
        f"傾きの向きに押すのは全角度の {sensible:.0%}"
    )
print(
    f"全シード・全角度での |Q| の最大値: {largest:.3f} "
    f"(500 ステップ立ち続けるポールの価値は {best_discounted_return:.1f})"
)
assert largest < 1.0, f"未学習のQ値はほぼ 0 のはずですが、|Q| が最大 {largest:.3f} になりました。"
assert sorted(right_counts) == [0, *[len(angles)] * 4], (
    f"本文では右が 4 つ、左が 1 つとしています: {right_counts}"
)

# %% [markdown]
# 値は 1 ステップ分の報酬よりも小さく (上のセルでこれを assert しています)、数十にもなるよい状態の価値には遠く及びません。しかも、シードごとにそれぞれ勝手な線が描かれます。どちらの行動が「勝つ」かは、CartPole ではなくシードで決まります (この 5 つのシードではどれも、すべての角度で同じ一方の行動が勝ち、それが右だったのが 4 つ、左だったのが 1 つでした)。
# これはどれも誤りではありません。初期重みは小さな乱数なので (PyTorch は各層の重みをおよそ`±1/sqrt(n_in)`の範囲から引きます)、出力は小さな乱数の項の和になり、ポールについての情報はまだ何も重みに届いていないのです。この勝手な関数を収益 (リターン) の推定値に変えるのが学習です (レッスン 4 の更新を、レッスン 6 から実際に回します)。それまでは、貪欲な行動は、固定した選択やランダムな選択と比べて少しもよくありません。

# %% [markdown]
# ## Q値は確率ではない
#
# 2 つの出力は分類器のスコアのように見えますが、実際には報酬を単位とする *収益* の推定値です。正である必要も、合計が 1 になる必要もなく、CartPole の 1 ステップ +1 の報酬で学習させると数十にまで大きくなります。原典のノートブックの報酬 (`-|pole angle|`、転倒時は -5。レッスン 5) では、Q値はすべて負になります。行動を選ぶうえで意味があるのは値の順序だけです。両方に同じ数を足しても、貪欲な行動は変わりません。(最後に softmax を置いて確率を出力するネットワークは *方策* ネットワークであり、別系統の手法です。)

# %%
row_sums = batch_q_values.sum(dim=1)  # (batch,)
print("バッチのQ値の行ごとの和:", [round(total, 3) for total in row_sums.tolist()])
print(f"バッチ内のQ値の最小値: {batch_q_values.min().item():.3f}")
shifted = batch_q_values + 100.0  # (batch, n_actions)
assert torch.equal(shifted.argmax(dim=1), greedy_actions), (
    "すべてのQ値に同じ数を足したら、貪欲な行動が変わりました。"
)
print(
    "すべてのQ値に 100 を足しても、貪欲な行動は変わらない:",
    shifted.argmax(dim=1).tolist(),
)

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が誤っているかを言葉で教えてくれる確認セルがあります。この節より後のセルは、皆さんの解答を使いません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-03-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 3.1: Qネットワークを層ごとに書く (基本、約 15 分)
#
# レッスン 4 と 6 ではこのネットワークを (レッスン 7〜11 では同じ設計で幅を広げたものを) 学習させます。`forward`を自分の手で書くと、非線形性をどこに入れ、どこに入れてはいけないかがはっきりわかります。
#
# クラス`QNetwork(n_observations, n_actions)`を書いてください。上の`QNet`と同じ 4-32-32-2 の形の`nn.Module`ですが、今回は各ステップが見えるように`nn.Sequential`を使いません。`__init__`で 3 つの`nn.Linear`層を属性として作り、`forward(observations)`でそれらを順に適用して、間に`torch.relu`を挟みます (チェックはネットワークが計算する内容で判定するので、`nn.Sequential`を使っても合格はします。ここでの目的は、各ステップを自分で書くことです)。`(batch, n_observations)`を`(batch, n_actions)`に、1 つの観測`(n_observations,)`を`(n_actions,)`に写す必要があります。
#
# ヒント: 最後の層の後には何も置きません。Q値は収益であり、どんな実数にもなりうるからです (softmax、tanh、最後の ReLU は、いずれも値の範囲を制限してしまいます)。サイズは数値 4 と 2 ではなく、引数から取ってください。
#
# チェックでは、`QNetwork(4, 2)`を作り、5 個の観測のバッチと単一の観測を入力し、重みとバイアスの数 (1,282) を数え、入力に対して線形でないこと (2 つの入力の中点での出力が、2 つの出力の中点にならないこと。ReLU がなければ中点になります) を確かめ、巨大な入力を与えて、最後に置かれた softmax、tanh、sigmoid、ReLU を検出します。最後に`QNetwork(6, 3)`を作り、幅 32 の隠れ層で、形状`(7, 6)`のバッチを`(7, 3)`に写すことを確かめます。サイズは引数から決まる、ということです。


# %% nbgrader={"grade": false, "grade_id": "ex-03-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
class QNetwork(nn.Module):
    """各行動のQ値: (batch, n_observations) -> (batch, n_actions)、隠れ層は 32-32。"""

    def __init__(self, n_observations: int, n_actions: int):
        super().__init__()
        ### BEGIN SOLUTION
        self.hidden_1 = nn.Linear(n_observations, 32)
        self.hidden_2 = nn.Linear(32, 32)
        self.output = nn.Linear(32, n_actions)
        ### END SOLUTION

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        """(batch, n_observations) -> (batch, n_actions)。(n_observations,) -> (n_actions,) にも対応。"""
        ### BEGIN SOLUTION
        x = torch.relu(self.hidden_1(observations))  # (batch, 32)
        x = torch.relu(self.hidden_2(x))  # (batch, 32)
        return self.output(x)  # (batch, n_actions), no activation: Q-values are any real number
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-03-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_q_network

check_q_network(QNetwork)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-03-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 3.2: 1 つの観測に対する貪欲な行動 (ウォームアップ、約 5 分)
#
# 本コースのどのエージェントも、探索しないときはこのように行動し、評価もこのやり方で行われます。
#
# `greedy_action(q_network, observation) -> int`を書いてください。`observation`は、`env.reset`や`env.step`が返すとおりの、形状`(n_observations,)`の NumPy の観測 1 つです。Q値が最大の行動のインデックスを Python の`int`として返してください。勾配は追跡しないでください (値を見るだけで、学習はしません)。
#
# ヒント: 重みは float32 なので、`torch.as_tensor(observation, dtype=torch.float32)`で変換します (float64 の配列だと失敗します)。1 つの観測に対するQ値の形状は`(n_actions,)`です。`argmax()`はテンソルを返すので、`int(...)`で包んでください。
#
# チェックでは、4 つのネットワーク (うち 1 つは行動が 3 つ) に実際の CartPole の観測を与えます。各ネットワークの各行動について、その行動が答えになる観測を 4 つずつ用意し (そのため、固定の答えでは合格できません)、さらに float64 の配列として与える観測を 1 つ加えた、計 37 ケースです。それぞれを、ネットワーク自身のQ値の argmax と照合します。


# %% nbgrader={"grade": false, "grade_id": "ex-03-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def greedy_action(q_network: nn.Module, observation: np.ndarray) -> int:
    """1 つの観測に対してQ値が最大の行動を、Python の int として返す。"""
    ### BEGIN SOLUTION
    with torch.no_grad():
        q_values = q_network(torch.as_tensor(observation, dtype=torch.float32))  # (n_actions,)
    return int(q_values.argmax())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-03-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_greedy_action

check_greedy_action(greedy_action)

# %% [markdown]
# ## まとめ
#
# - Q(s, a) は、観測 s で行動 a をとり、その後はうまく行動したときに期待される収益です。CartPole では、ポールが立ち続けるステップ数を割り引いて数えたものになります。`gamma = 0.99`で 1 ステップ +1 なら、500 ステップのエピソード全体の価値は約 99 で、100 を超える価値を持つ状態はありません。
# - Qネットワークは観測を入力として行動ごとに 1 つの価値を出力するので、1 回の順伝播ですべての行動に順位がつきます。構成は 32 個の ReLU ユニットからなる隠れ層 2 つと線形の出力層で、パラメータは 1,282 個、バッチサイズによらず`(batch, 4) -> (batch, 2)`です。
# - 貪欲な行動は`argmax(dim=1)`で、1 行に 1 つです。未学習のときは値はほぼ 0 で、その順位はシードによる偶然にすぎません。Q値は収益であり、確率ではありません。
# - `torch.random.fork_rng()`の中でシードを設定すると、初期重みはシードだけで決まります。
#
# **原典のノートブック** はまさにこの`QNet` (4-32-32-2、ReLU) を定義しており、本コースでもそれをそのまま使っています。変更点は、本コースの名前を使うこと (`n_states`の代わりに`n_observations`) と、torch のグローバルな生成器に触れずに初期重みのシードを設定することです。原典では、初期重みはそれ以前に何が実行されたかに左右されていました。今後、ネットワークには`dqn_lib.QNet`を使います。これがこのネットワークと完全に一致することは、上で確かめました。
#
# **次は** レッスン 4 (`04_agent`): ε-greedy法による行動選択と、TDターゲットからの学習です。
