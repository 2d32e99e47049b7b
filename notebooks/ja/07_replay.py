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
# # レッスン 7: 経験再生
#
# レッスン 6 のオンラインエージェントは少し学習したものの、その後それを失ってしまい、シードによって結果もばらばらでした。レッスン 7、8、9 では、このエージェントから出発して DQN ([Mnih et al., 2015](https://www.nature.com/articles/nature14236)) をアイデア 1 つずつ組み立て、それぞれのアイデアを*測定*します。各レッスンでは、固定したベース設定にアイデアを 1 つ加え、その結果を 1 つ前の段 (rung) と並べて 5 つのシードで学習させ、測定結果が何を示しているかを述べます。このレッスンでは、最初のアイデアである経験再生をノートブックの中で自分で実装して`dqn_lib`と照らし合わせ、それからオンラインエージェントと経験再生を使うエージェントを並べて学習させます。

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
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## レッスン 6 の到達点
#
# オンラインエージェントは、遷移が起こるたびにその遷移で勾配ステップを 1 回行い、その後その遷移を忘れます。また、TDターゲットを、更新しているまさにそのネットワークで計算します。レッスン 6 は、これが不安定な理由について 2 つの仮説を立てて終わりました。これからの 3 つのレッスンで、それらを 1 つずつ検証します。
#
# 1. **連続する遷移はほとんど同じで、しかもそれぞれ 1 回しか使われない** (このレッスン)。Mnih et al. が採用した対策は*経験再生* ([Lin, 1992](https://doi.org/10.1007/BF00992699)) で、多くの遷移を記憶しておき、そこからランダムに取り出したバッチで学習します。
# 2. **更新のたびに、自分自身のターゲットが動いてしまう** (レッスン 8)。対策は*ターゲットネットワーク*です。
#
# レッスン 9 では 3 つ目のアイデアとして、ターゲットの中の`max`が持つバイアスに対処する Double DQN を加えます。
#
# ## 1. 経験再生
#
# ### なぜ必要か: 連続する遷移はほとんど同じ
#
# エージェントが何から学習しているのかを見るために、学習途中のエージェントが集めるのと同じやり方で 5,000 個の遷移を記録します。レッスン 1 の手で書いた方策 (ポールが倒れかけている側へ押す) を使い、レッスン 6 の`epsilon`の 0.2 と同じように、5 回に 1 回はランダムな行動をとります。報酬は原典のノートブックのもの、つまりレッスン 5 の`pole_angle_reward`です (ここで見る内容には影響しません)。
#
# 各遷移では`terminated`と`truncated`を区別して保存し、`next_observation`には、リセット*前*に`env.step`が返したものを保存します。エピソードの最後のステップでは、これはエピソードが終わったときの状態であり、次のエピソードの最初の観測ではありません。

# %%
N_RECORDED = 5_000
RECORD_EPSILON = 0.2


def lean_policy(observation):
    """レッスン 1 の手で書いた方策: ポールが倒れかけている側へ押す。"""
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
    f"遷移 {len(transitions)} 個。その中で終わったエピソードは {n_terminated + n_truncated} 個: "
    f"終了 (転倒) {n_terminated} 個、打ち切り (500 ステップの時間制限) {n_truncated} 個"
)

# %% [markdown]
# オンラインエージェントは、遷移が起こった順にそこから学習します。直近 64 回の更新には、直近 64 個の遷移が使われました。一方、リプレイバッファは、保持しているすべての遷移からランダムにバッチを取り出します。この 2 種類の 64 個のバッチを、2 つの観点で比較します。隣り合う行はどれくらい似ているか、そして、これまでに見た状態のどれだけをカバーしているか、です。

# %%
ANGLE = OBSERVATION_NAMES.index("pole angle")
POSITION = OBSERVATION_NAMES.index("cart position")
BATCH = 64

consecutive = np.arange(N_RECORDED - BATCH, N_RECORDED)  # (64,) the last 64, in order
sampled = lesson_rng.integers(0, N_RECORDED, size=BATCH)  # (64,) uniform over all 5,000


def neighbour_correlation(rows):
    """バッチの i 行目と i + 1 行目の間での、ポールの角度の相関。"""
    angles = observations[rows, ANGLE]
    return np.corrcoef(angles[:-1], angles[1:])[0, 1]


def coverage(rows):
    """各変数のバッチ内でのばらつきを、5,000 個全体でのばらつきに対する割合で表したもの (4 変数の平均)。"""
    return float(np.mean(observations[rows].std(axis=0) / observations.std(axis=0)))


step_correlation = np.corrcoef(observations[:, ANGLE], next_observations[:, ANGLE])[0, 1]
print(
    f"ステップ t とステップ t + 1 のポールの角度、全 {N_RECORDED} 個: "
    f"相関 {step_correlation:.3f}"
)
print(f"{'64 個のバッチ':<21}{'隣接行の相関':>16}{'カバー率':>6}")
for name, rows in (
    ("連続した 64 個 (オンラインエージェント)", consecutive),
    ("バッファから取り出した 64 個", sampled),
):
    print(f"{name:<26}{neighbour_correlation(rows):>22.3f}{coverage(rows):>10.2f}")

# %%
fig, (ax_step, ax_batch) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_step.scatter(
    np.degrees(observations[:, ANGLE]), np.degrees(next_observations[:, ANGLE]), s=2, alpha=0.3
)
limit = np.degrees(dqn_lib.ANGLE_LIMIT_RADIANS) * 1.1
ax_step.plot([-limit, limit], [-limit, limit], color="grey", linewidth=0.8, label="同じ角度")
ax_step.set(
    title=f"1 ステップ後、ポールはほとんど動いていない\n(相関 {step_correlation:.3f})",
    xlabel="ステップ t のポールの角度 (度)",
    ylabel="ステップ t + 1 のポールの角度 (度)",
    xlim=(-limit, limit),
    ylim=(-limit, limit),
)
ax_step.legend(loc="upper left")

ax_batch.scatter(
    observations[:, POSITION],
    np.degrees(observations[:, ANGLE]),
    s=2,
    color="lightgrey",
    label=f"全 {N_RECORDED} 個の観測",
)
ax_batch.plot(
    observations[consecutive, POSITION],
    np.degrees(observations[consecutive, ANGLE]),
    "o-",
    markersize=3,
    color="C1",
    label=f"連続する {BATCH} 個 (オンラインエージェントのバッチ)",
)
ax_batch.scatter(
    observations[sampled, POSITION],
    np.degrees(observations[sampled, ANGLE]),
    s=14,
    color="C0",
    label=f"バッファからランダムに取り出した {BATCH} 個",
)
ax_batch.set(
    title="64 個の遷移からなる 1 つのバッチがカバーする範囲",
    xlabel="カートの位置 (m)",
    ylabel="ポールの角度 (度)",
)
ax_batch.legend(loc="upper left", fontsize="small")
for ax in (ax_step, ax_batch):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# 左: 1 ステップ (シミュレーション上の時間で 0.02 s) 後のポールの角度は元の角度とほとんど変わらないので、点は対角線に張り付いています。右: 連続する 64 個の遷移は、エージェントがこれまでに見た状態の片隅を通る短い弧を 1 本描くだけですが、ランダムに選んだ 64 個はその全体に散らばっています。オレンジ色の弧で 64 回続けて更新されたネットワークは、ほかのすべてを犠牲にしてその片隅を正しく予測する方向へ引っ張られ、次には別の片隅へと引っ張られます。これは、レッスン 6 で見た忘却のもっともらしい原因の 1 つです (このレッスンで測定するのは経験再生によって何が変わるかであり、この仕組みそのものではありません)。下の確認セルで、表示された数値が本文のとおりであることを確かめます。

# %%
assert step_correlation > 0.9, (
    f"1 ステップ離れたポールの角度の相関は {step_correlation:.3f} しかなく、「ほとんど同じ」ではありません"
)
assert neighbour_correlation(consecutive) > 0.9, (
    f"連続したバッチの隣り合う行の相関は "
    f"{neighbour_correlation(consecutive):.3f} しかありません。本文ではほとんど同じだと述べています"
)
assert abs(neighbour_correlation(sampled)) < 0.5, (
    f"ランダムに取り出したバッチの隣り合う行の相関は {neighbour_correlation(sampled):.3f} です。"
    "本文では、ランダムな行どうしは似ていないと述べています"
)
assert coverage(consecutive) < coverage(sampled) / 2, (
    f"連続したバッチのカバー率は {coverage(consecutive):.2f}、ランダムに取り出したバッチは "
    f"{coverage(sampled):.2f} です。本文では半分未満としていますが、そうなっていません"
)
print(
    "確認済み: 連続したバッチでは隣り合う行が似ているが、ランダムに取り出したバッチでは似ておらず、より広い範囲をカバーしている"
)

# %% [markdown]
# もう 1 つの無駄は、オンラインエージェントが各遷移から 1 回だけ学習して、それを捨ててしまうことです。リプレイバッファは直近の`buffer_size`個の遷移を保持し、勾配ステップのたびにそこから`batch_size`個のバッチを取り出すので、同じ遷移から何度も学習でき、しかも毎回、別の時点や別のエピソードの遷移と一緒に学習されます。エージェントがどのくらいの頻度で学習するかは、さらに 2 つの設定で決まります。環境の`train_every`ステップごとに`gradient_steps`回の勾配ステップを行い、そのたびに新しいバッチを取り出します。これから学習に使う設定では、次のようになります。

# %%
samples_per_step = config.batch_size * config.gradient_steps / config.train_every
print(
    f"batch_size={config.batch_size}, gradient_steps={config.gradient_steps}, "
    f"train_every={config.train_every}: 新しい遷移 1 個あたり {samples_per_step:.0f} 個の遷移を"
    f"取り出すので、各遷移は平均で約 {samples_per_step:.0f} 回学習に使われます (オンライン"
    "エージェントでは 1 回)。ただしこれは平均にすぎません。バッファが埋まっていく間は、"
    "最初のほうの遷移が、最後のほうの遷移よりはるかに頻繁に取り出されます"
)

# %% [markdown]
# ### 古い遷移がなぜ今でもよいデータなのか: 方策オフ型学習
#
# リプレイバッファのバッチには、今より大きい epsilon と今より劣ったネットワークを持っていた、過去のエージェント自身が集めた遷移が混ざっています。なぜエージェントはそれらから学習してよいのでしょうか。それは、Q学習が*方策オフ型* (off-policy) だからです ([Sutton & Barto、第 2 版](http://incompleteideas.net/book/the-book-2nd.html)、6.5 節)。Q学習のターゲット`reward + gamma * (1 - terminated) * max_a' Q(next_observation, a')`が問うのは、次の状態からの最善の行動にどれだけの価値があるかであり、遷移を集めた方策がそこで実際にどの行動をとったかは決して問いません。遷移`(s, a, r, s')`は、誰が`a`を選んだかに関係なく、状態`s`で行動`a`をとった後に環境がどう振る舞ったかを記録したものです。したがって、バッファに残っている限り、レッスン 4 のベルマン最適方程式のサンプルであり続けます。遷移を集めた方策が決めるのは、バッファがどの状態と行動を保持するかだけです。Mnih et al. が Q学習を選んだのは、まさにこの理由からです。レッスン 5 のモンテカルロ収益のように、いま行動している方策の価値を学習する手法では、補正なしにこのように古い遷移を再利用することはできません。古い遷移の後に続いたのは、*古い*方策がとった行動だからです。

# %% [markdown]
# ### リプレイバッファを自分で書く
#
# このバッファは*リング*になっています。スロットの数は決まっていて、すべて埋まると、次の遷移は最も古い遷移を上書きします。メモリの使用量は一定のままで、エージェントの振る舞いが改善するにつれてバッファもそれに追従し、不慣れだった初期の遷移から先に捨てていきます。各フィールドは、あらかじめ確保した NumPy 配列 1 つに格納されます。そのため、遷移の追加は各配列に 1 行ずつ書き込むだけで済み、バッチのサンプリングもフィールドごとに 1 回のファンシーインデックスで済みます。遷移ごとに Python オブジェクトを作ることはありません。
#
# レッスン 4-6 から引き継ぐ細かな点が 2 つあります。`terminated`と`truncated`は区別して保存します。TDターゲットのブートストラップを止めるのは終了だけなので (時間切れは転倒ではありません)、ここで両者を 1 つの`done`にまとめてしまうと、その修正が台無しになります。また、`next_observation`は`env.step`が返したものなので、打ち切られた遷移も本当の最後の状態を保持します。バッチはライブラリの`dqn_lib.Batch` (5 つのフィールドを持つ単純なデータクラス) にテンソルとして入って返ってくるので、私たちのバッチをそのままライブラリのエージェントに渡せます。


# %%
class RingBuffer:
    """直近`capacity`個の遷移を、あらかじめ確保した配列に保持する。最も古いものから上書きされる。"""

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
# 記録した 5,000 個の遷移を、それらを全部保持できるバッファにすべて入れ、打ち切られたエピソードを見てみます。その最後の遷移は 500 ステップ目の状態を保持しており、次の遷移は、新たにリセットされた中央に近い状態から始まります。

# %%
buffer = RingBuffer(capacity=N_RECORDED, n_observations=4, seed=SEED)
for transition in transitions:
    buffer.add(*transition)

assert buffer.truncated.any(), "記録したエピソードのどれも時間制限に達していません。もっと多くのステップを記録してください"
timed_out = int(np.flatnonzero(buffer.truncated)[0])  # the truncated transition
final_state, reset_state = buffer.next_observations[timed_out], buffer.observations[timed_out + 1]
print(
    f"遷移 {timed_out}: terminated={buffer.terminated[timed_out]}、"
    f"truncated={buffer.truncated[timed_out]}"
)
print(f"  next_observation (500 ステップ目):     {final_state.round(3)}")
print(f"  遷移 {timed_out + 1} の observation (リセット後): {reset_state.round(3)}")
assert np.abs(reset_state).max() <= 0.05 < np.abs(final_state).max(), (
    "リセット直後の状態は中央付近 (すべての値が 0.05 以内) にあり、最後の状態はそこから離れているはずでした"
)
batch = buffer.sample(BATCH)
print(
    f"取り出したバッチ: observations {tuple(batch.observations.shape)}、actions "
    f"{tuple(batch.actions.shape)}、rewards {tuple(batch.rewards.shape)}、terminated "
    f"{tuple(batch.terminated.shape)}、うち転倒は {int(batch.terminated.sum())} 個"
)

# %% [markdown]
# 確認: 自前の`RingBuffer`と`dqn_lib.ReplayBuffer`は一致します。両方に同じ容量 (1,500。5,000 個の遷移で 3 回を超えていっぱいになるので、リングは一周して先頭に戻ります)、同じ遷移、同じシードを与えます。両者は同じ配列を保持し、まったく同じバッチを取り出し、最新の 1,500 個の遷移をちょうど保持していなければなりません。そしてその中で最も古い遷移は、次の遷移が上書きするスロットにあるはずです。

# %%
CHECK_CAPACITY = 1_500
ours = RingBuffer(CHECK_CAPACITY, n_observations=4, seed=SEED)
library = dqn_lib.ReplayBuffer(CHECK_CAPACITY, n_observations=4, seed=SEED)
for transition in transitions:
    ours.add(*transition)
    library.add(*transition)

for name in ("observations", "actions", "rewards", "next_observations", "terminated", "truncated"):
    assert np.array_equal(getattr(ours, name), getattr(library, name)), f"{name} の配列が異なります"
assert (ours.position, ours.size) == (library.position, len(library)), (
    f"position/size: 自前 {ours.position}/{ours.size}、ライブラリ {library.position}/{len(library)}"
)
for draw in range(10):
    ours_batch, library_batch = ours.sample(BATCH), library.sample(BATCH)
    for field in dataclasses.fields(dqn_lib.Batch):
        assert torch.equal(getattr(ours_batch, field.name), getattr(library_batch, field.name)), (
            f"{draw} 回目の抽出: 取り出した {field.name} が RingBuffer と ReplayBuffer で異なります"
        )

oldest_kept = N_RECORDED - CHECK_CAPACITY  # transitions 0 .. oldest_kept - 1 were overwritten
oldest_first = np.roll(ours.observations, -ours.position, axis=0)  # oldest slot first
assert np.array_equal(oldest_first, observations[oldest_kept:].astype(np.float32)), (
    f"リングが直近 {CHECK_CAPACITY} 個の遷移を、順番どおり正確に保持していません"
)
assert np.array_equal(ours.observations[ours.position], observations[oldest_kept]), (
    f"次に上書きされるスロット {ours.position} には、保持している中で最も古い遷移があるはずです"
)
print(
    f"RingBuffer と ReplayBuffer は一致: 同じ配列、同一のバッチ 10 個。リングは遷移 "
    f"{oldest_kept}..{N_RECORDED - 1} を保持し、最も古いものはスロット {ours.position} にあり、"
    "これが次に上書きされます"
)

# %% [markdown]
# ## 2. はしご: 固定したベース設定と、段ごとに 1 つの変更
#
# 公平な比較では、変えるのは 1 つだけです。`dqn_lib.presets`はこのコースで学習させるすべての構成に名前を付けているので、レッスンでも、ベンチマーク (`benchmarks/solve.py --preset NAME`) でも、README の表でも、まったく同じものを学習させます。はしご (ladder) には 4 つの段 (rung) があり、各段は 1 つ前の段にアイデアを 1 つ加えたものです。
#
# `online` -> `replay` (このレッスン) -> `target` (レッスン 8) -> `double` (レッスン 9)
#
# どの段も`dqn_lib.DQNAgent`で、`dqn_lib.DQNConfig`から作られます。`DQNConfig`はすべての設定を型付きで持つデータクラスで、作成時に値が検査されます。オンラインの段は、バッファに遷移 1 個、バッチサイズ 1 の DQN エージェントです。学習の仕方 (最新の遷移で勾配ステップを 1 回行い、その後は何も覚えておかない) はレッスン 6 のエージェントと同じですが、設定はレッスン 6 と同じではありません。すべての段は 1 つのベース設定、つまり`DQNConfig()`の既定値と`double`プリセットの報酬・初期状態を共有しています。このベース設定は*最後の*段のために選ばれました。最後の段の予備的な実行 (シード 0 から 5、20,000 ステップ、CartPole の +1 報酬) で、この設定が最も速く解け、解けた状態を保ったのです。下の段は最上段向けに調整された設定で測定されるので、この選び方は最上段を実際よりよく見せる方向にしか働きません。ベース設定は次のとおりです。

# %%
for field in dataclasses.fields(config):
    print(f"{field.name:>26} = {getattr(config, field.name)!r}")
base = PRESETS["double"]
print(f"{'reward':>26} = {base.reward!r} (CartPole 本来の報酬、1 ステップごとに +1)")
print(
    f"{'exploring starts':>26} = 学習エピソードの {base.start_fraction:.0%} が、ボックス "
    f"{base.start_box} 内の任意の位置から始まる"
)

# %% [markdown]
# はしごのアイデアは、1 レッスンに 1 つずつ登場します。このレッスンでは`buffer_size`、`batch_size`、`train_every`、`gradient_steps`、レッスン 8 では`target_update`と`tau`、レッスン 9 では`double_dqn`です (`gamma`と epsilon はレッスン 4 で、`hidden`の幅はレッスン 3 で登場しました)。それ以外は DQN のアイデアではなく実用上の設定で、どの段でも同じです。
#
# - **`epsilon_start`から`epsilon_end`へ**: レッスン 4 の epsilon をスケジュールに従って変化させます。環境の`epsilon_decay_steps`ステップをかけて直線的に下げ、常にランダムに行動する状態から、ほとんどランダムに行動しない状態へ移ります。
# - **`learning_starts`**: 最初の勾配ステップの前に、エージェントはこの数の環境ステップだけ行動します (epsilon は 1 から始まるので、ほぼランダムな行動です)。こうすることで、最初のバッチがほんの一握りの遷移から取り出されることを避けます。
# - **`learning_rate`から`final_learning_rate`へ**: Adam のステップ幅を、環境の`learning_rate_decay_steps`ステップをかけて直線的に下げます。価値が大きく外れている間は大きなステップ、方策がよくなってからは小さなステップにするためです。
# - **`loss = 'mse'`**: PyTorch の`nn.MSELoss`で、TD誤差の二乗の平均です。レッスン 4 の図にあった「半分」が*ない*ため、その傾きは TD誤差の 2 倍になります。もう 1 つの選択肢は`'huber'`です。
# - **`max_grad_norm`** (勾配クリッピング): Adam の各ステップの前に、すべての重みの勾配をまとめて 1 本の長いベクトルとみなし、その長さがこの値を超えていれば、向きを変えずにこの長さまで縮めます (`torch.nn.utils.clip_grad_norm_`)。これは、勾配が普段よりはるかに大きいバッチへの備えです。クリッピングしなければ、その勾配がそのまま Adam の移動平均に入り込み、その後の数ステップにわたって重みを普段より大きく動かしてしまいます。

# %% [markdown]
# 設定 (config) は作成時に検査されるので、タイプミスやありえない値は、1 時間後の奇妙な学習曲線としてではなく、その場で、何が期待されていたかを説明するメッセージとともにエラーになります。設定を変えるには`DQNConfig(gamma=0.98)`または`config.replace(gamma=0.98)`を使います。


# %%
def error_of(make_config):
    """拒否されるはずの設定を作り、その ValueError のメッセージを返す (表示もする)。"""
    try:
        make_config()
    except ValueError as error:
        print(f"ValueError: {error}\n")
        return str(error)
    raise AssertionError("この設定は受け付けられてしまいましたが、拒否されるべきでした")


typo = error_of(lambda: dqn_lib.DQNConfig.from_dict({"gama": 0.9}))
too_big = error_of(lambda: dqn_lib.DQNConfig(batch_size=128, buffer_size=64))
no_gamma = error_of(lambda: config.replace(gamma=1.5))
assert "'gamma' のことですか？" in typo, f"タイプミスに対するメッセージが 'gamma' を提案していません: {typo}"
assert "batch_size" in too_big and "buffer_size" in too_big, f"わかりにくいメッセージです: {too_big}"
assert "gamma" in no_gamma, f"メッセージに gamma の名前がありません: {no_gamma}"

# %% [markdown]
# ベース設定のうち次の 2 つは、後で見る測定結果に基づいており、どの段にも当てはまります。
#
# - **報酬は CartPole 本来の、1 ステップごとに +1**: ほかのどのライブラリもこの報酬で測定されています。レッスン 5 の整形した報酬は、レッスン 10 で測定する変種の 1 つであり、必須ではありません。
# - **探索的スタート (exploring starts)** (Sutton & Barto、5.3 節): 学習エピソードの半分は、上に表示したボックス内の任意の位置から抽選した状態から始まります。このボックスはレールの両端近くまで届きます (`dqn_lib.starts.ExploringStarts`)。残りの半分は CartPole 本来の初期状態、つまりすべて中央から 0.05 以内の状態から始まります。評価では常に CartPole 本来の初期状態を使います。探索的スタートがないと、+1 報酬のもとでは、この DQN はレールの端がどこにあるかをいつまでも学習しません。その理由と代償は、レッスン 10 で示します。
#
# 各段が何を変えるのかを、プリセットそのものから表示します。


# %%
def changes(before, after):
    """2 つのプリセットの間で異なる設定 (報酬と初期状態も含む)。"""
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
# ## 3. 測定: オンラインの段と経験再生の比較、5 つのシード
#
# `train_seeds`は、各プリセットを各シードで、torch のスレッド 1 本の専用プロセスで学習させます。同時に 2 つずつ (コース用マシンの 2 コア) 実行し、スケジュールはベンチマークと同じです。2,000 ステップごとに、どの学習エピソードでも使われていない初期状態 (シード 10000 から 10019) で、20 エピソードの評価 (貪欲方策での評価) を行います。同じシードなら、どのプロセスで学習しても同じ結果になります。

# %%
SEEDS = [0, 1, 2, 3, 4]
BUDGET = 10_000  # environment steps per seed
# eval_values=True: each evaluation also records the predicted values lesson 8 plots (it only
# reads the agent: the runs are the same without it)
runs = train_seeds(["online", "replay"], SEEDS, BUDGET, eval_values=True)

# %%
histories = {name: [run.history for run in seed_runs] for name, seed_runs in runs.items()}
ax = dqn_lib.plot_evaluations(histories)
ax.set_title(f"オンラインの段と経験再生の比較: シード {len(SEEDS)} 個、各 {BUDGET:,} ステップ")
plt.show()

# %%
summary = summarise_runs(runs)

# %% [markdown]
# 表示された表がはっきり示しています。このベース設定では、オンラインの段は一度もバランスを取れるようになりませんでした。どのシードの貪欲方策も、どの評価でも同じ短い収益で終わっています。リプレイバッファとバッチを使うと、すべてのシードで予算 (学習ステップ数) 内に CartPole が解けました。確認セルで、この 2 つの主張を数値と照らし合わせます。

# %%
online, replay = summary["online"], summary["replay"]
assert online["solved"] == 0 and online["final_mean"] < 50, (
    f"オンラインの段が、本文の記述よりよい結果を出しました: {online}"
)
assert replay["solved"] == replay["seeds"], f"経験再生の段で、解けなかったシードがあります: {replay}"
print(
    f"online: {online['solved']}/{online['seeds']} シードで解けた、最終評価 {online['final_mean']:.1f}。"
    f"replay: {replay['solved']}/{replay['seeds']} シードで解けた、中央値 {replay['median_steps']:,.0f} ステップ"
)

# %% [markdown]
# ### オンラインの段で何がうまくいかなかったのか
#
# Q値は予測です。つまり、エージェントがある状態から得られると期待している割引収益です。これは確かめることができます。`dqn_lib.value_estimates`は 20 個の評価エピソードを貪欲に実行し、各初期状態について、エージェントが予測する価値`max_a Q(s_0, a)`と、その後実際に得られる割引収益 (ポールが立っている間の`1 + gamma + gamma**2 + ...`) を比較します (gamma 0.99 では、完璧な 500 ステップのエピソードの価値は約 99.3 です)。

# %%
values = {}
print(
    f"{'段':<7}{'シード':>2}{'予測':>8}{'獲得':>8}   Q(最初の初期状態): 左に押す、右に押す"
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
# どちらの段も、実際に得られるよりはるかに大きな値を予測しています。オンラインの段の価値は発散しました。価値が約 9 しかないエピソードに対して数万という予測を出し、貪欲な行動は、膨れ上がった 2 つの値のうちたまたま大きいほうに従っているだけです。経験再生の段の予測も高すぎ、完璧なエピソードでさえ 99.3 の価値しかないのに、その 3〜4 倍の値になっています。それでもその貪欲方策は時間制限までバランスを取り続けます。うまく行動するために必要なのは、各状態での 2 つの行動の価値の正しい*順序*であって、正しい大きさではないからです。とはいえ、予測すべき収益からかけ離れていく価値は、やはり警告のサインです。レッスン 8 ではターゲットネットワークがこれにどう作用するかを測定し、レッスン 9 では`max`のバイアスを調べます。

# %%
PERFECT = (1 - config.gamma**500) / (1 - config.gamma)  # a 500-step episode, about 99.3
for seed in SEEDS:
    online_predicted, online_obtained = values["online", seed]
    replay_predicted, replay_obtained = values["replay", seed]
    assert online_predicted > 100 * online_obtained, (
        f"online、シード {seed}: 予測 {online_predicted:.1f}、実際 {online_obtained:.1f}"
    )
    assert replay_predicted > 2 * PERFECT and replay_obtained > 0.9 * PERFECT, (
        f"replay、シード {seed}: 予測 {replay_predicted:.1f}、実際 {replay_obtained:.1f}"
    )
print(
    f"確認済み: online の予測は実際に得た値の 100 倍超。replay の予測は完璧なエピソードの "
    f"{PERFECT:.1f} の 2 倍超で、実際にもほぼその値を得ている"
)

# %% [markdown]
# ### 効いたのは記憶か、それともバッチか
#
# 経験再生は 2 つのことを同時に変えました。50,000 個の遷移の記憶と、1 個ではなく 128 個のバッチです。疑り深い人なら、2 つのうちどちらが効いたのかと尋ねるでしょう。ベンチマークは、もう 1 つのプリセット`small_buffer`でこれに答えます。これは、バッファが 1 バッチ分、つまり 128 個の遷移しか保持しない経験再生です。エージェントは引き続き 128 個のバッチで学習しますが、それは直近 128 ステップの遷移だけから取り出されます。プリセットごとに 10 個のシード、20,000 ステップ (`benchmarks/solve.py --preset NAME --seeds 0-9 --budget 20000 --workers 2`) の結果を、コミット済みの JSON から読み込みます。

# %%
print(
    f"{'プリセット':<9}{'解けた':>5}{'中央値':>11}{'直近5回で解決':>9}"
    f"{'最終平均 (新しい初期状態 100)':>19}   シードごとの最終評価"
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
# 両方です。ただし、効き方が違います。直近 128 個の遷移だけから取り出した 128 個のバッチ (第 1 節の連続したバッチと同じく、最近の状態の狭い窓) だけでも、オンラインの段の失敗は学習へと変わります。`small_buffer`ではすべてのシードで解けました。つまりこのベース設定では、相関のない遷移を幅広く記憶していることが、学習を成立させている要因ではありません。では何が要因なのかは、ここでは完全には切り分けられていません。オンラインの段から`small_buffer`に移ると、バッチが 1 から 128 に変わり、*さらに*、各遷移がバッファにいる間に約 128 回取り出されるようになります (オンラインの段では 1 回しか使われません)。ベンチマークには、この 2 つのうち一方だけを変える段はありません。残りは記憶が上乗せします。実行中のすべての遷移から取り出せる (20,000 ステップの実行では 50,000 個のスロットは埋まりきりません) 経験再生の段は、より早く解け、最後の 5 回の評価のうち解けた状態を保った割合がより高く、最終的な成績もより高くなりました。一方、`small_buffer`のシードのいくつかは、予算を使い切るまでに解けた状態から後退しました。確認セルで、これらの主張を表と照らし合わせます。

# %%
online_b, small, full = benchmark["online"], benchmark["small_buffer"], benchmark["replay"]
assert online_b["solved"] == 0 and small["solved"] == full["solved"] == 10, benchmark
assert full["median"] < small["median"] and full["final"] > small["final"], benchmark
assert full["stays"] > small["stays"], benchmark
print("確認済み: バッチだけでも学習でき、記憶があると学習はより速く、より安定する")

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後のセルで、あなたの答えが使われることはありません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-07-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 7.1: リプレイバッファからバッチを取り出す (基本、約 15 分)
#
# 連続する遷移どうしが似ているという性質を断ち切るのは、バッファが保持するすべての遷移から一様に取り出したバッチです。一方、異なる遷移のフィールドを混ぜてしまったバッチは、でたらめなことを教えてしまいます。
#
# `sample_batch(observations, actions, rewards, next_observations, terminated, size, batch_size, rng)`を書いてください。これは`RingBuffer.sample`の中核部分を、クラスなしで書いたものです。5 つの配列はバッファのスロットごとに 1 行を持ち、先頭の`size`行に遷移が入っています。乱数生成器`rng`だけを使って`batch_size`行を一様に復元抽出 (重複を許して抽出) し、それらの行のタプル`(observations, actions, rewards, next_observations, terminated)`を、この順の NumPy 配列として返してください。
#
# ヒント: リングがいっぱいになるまでは、`size`行目以降はまだ空 (ゼロ) なので、`len(observations)`未満ではなく`size`未満から抽出してください。インデックスは 1 回だけ抽出し、5 つのフィールドすべてに使ってください。フィールドごとに抽出すると、ある遷移の観測と別の遷移の報酬を組み合わせてしまいます。
#
# 確認セルは、64 個の遷移が入る配列 (どのフィールドにも、それがどの行から来たかがわかる値が入っています) をあなたの関数に渡し、`size`を 1、40、64、バッチを 1 から 32 行として試します。また、150 個のバッチを取り出して、保存されたどの遷移もほぼ同じ頻度で現れることを確かめ、同じシードの乱数生成器を異なるグローバルな乱数状態のもとで渡して、同じ行が返ることを確かめます。さらに、返ってくるものも確認します。5 つの NumPy 配列のタプルであること、各配列がバッファに保存されているのと同じ dtype であること (上の`RingBuffer.sample`はネットワーク用にテンソルに変換しますが、ここではテンソルは使わず、変換もしません)、そして、バッチの中に 2 回現れる遷移があること (復元抽出) です。


# %% nbgrader={"grade": false, "grade_id": "ex-07-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def sample_batch(
    observations, actions, rewards, next_observations, terminated, size, batch_size, rng
):
    """先頭の`size`行から一様に復元抽出した`batch_size`個の遷移。

    observations, next_observations: (capacity, 4)。actions, rewards, terminated: (capacity,)。
    抽出した行の (observations, actions, rewards, next_observations, terminated) を返す。
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
# ### 演習 7.2: 小さなバッファの段を設定で表す (ウォームアップ、約 5 分)
#
# 比較が公平な検証になるのは、変えるアイデアが 1 つだけのときです。第 3 節の`small_buffer`プリセットは、経験再生の段のバッチはそのままにして記憶だけを取り去ることで、「効いたのは記憶か、バッチか」を問います。バッファはちょうど 1 バッチ分しか保持しないので、どのバッチも直近の`batch_size`個の遷移だけから取り出され、それより古いものは含まれません。
#
# `small_buffer_rung(config)`を書いてください。`DQNConfig`を受け取り、リプレイバッファがちょうど 1 バッチ分を保持する点を除いて`config`と等しい、新しい`DQNConfig`を返します。`config`そのものは変更しないでください。
#
# ヒント: `config.replace(...)`は、指定したフィールドを変更し、それ以外のフィールドはすべてそのまま保った、検査済みの新しい設定を返します。バッチはいつも 128 とは限りません。そのサイズは`config`から取得してください。
#
# 確認セルは`DQNConfig()`と、それとは異なる 3 つの設定 (gamma とネットワークが異なるもの、バッチが 32 のもの、バッチが 64 でターゲットネットワークを使わないもの) を試すので、サイズを数値で直接書いた答えや、`config`からではなく既定値から作った設定は見破られます。また、この段では変えないはずの設定をあなたが変更していれば、そのすべてを名指しします。さらに、あなたの答えから`DQNAgent`を作り、それが直近の`batch_size`個の遷移だけからバッチを取り出すことを確かめます。全部で 5 つのケースです。


# %% nbgrader={"grade": false, "grade_id": "ex-07-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def small_buffer_rung(config):
    """リプレイバッファがちょうど 1 バッチ分を保持する`config`。それ以外は何も変えない。"""
    ### BEGIN SOLUTION
    return config.replace(buffer_size=config.batch_size)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-07-2-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_small_buffer_rung

check_small_buffer_rung(small_buffer_rung)

# %% [markdown]
# ## まとめ
#
# - **連続する遷移はほとんど同じ**です (1 ステップ離れたポールの角度は、ほぼ完全に相関します)。そのため、オンラインエージェントの更新は、ネットワークをそのときどきで状態の小さな片隅の 1 つへと引っ張ります。しかも、各遷移は 1 回しか使われません。
# - **経験再生**では、直近の`buffer_size`個の遷移を、あらかじめ確保した配列からなるリングに保持します。`terminated`は`truncated`と区別し、本当の最後の観測も保持します。そして勾配ステップのたびにランダムなバッチから学習します。隣り合う行は無関係になり、バッファ全体がカバーされ、各遷移は何度も再利用されます。
# - **これを可能にしているのは方策オフ型学習です**: Q学習のターゲットは次の行動について`max`をとるので、より古く、よりランダムな方策が集めた遷移も、やはりベルマン最適方程式のサンプルです。
# - **はしご** (`dqn_lib.presets`) は、最後の段に合わせて調整した固定のベース設定に、段ごとにアイデアを 1 つずつ加えます。経験再生は記憶とバッチという 2 つの設定を同時に変えますが、ベンチマークの`small_buffer`プリセットがこれらを切り分けます。直近 128 個の遷移という窓から取り出した 128 個のバッチだけでも学習でき、記憶があると学習はより速く、より安定します。
# - **5 つのシードでの測定結果:** このベース設定では、オンラインの段は一度もバランスを取れるようにならず、予測した価値は発散しました。経験再生を使うとすべてのシードで CartPole が解けましたが、価値は依然として数倍も高すぎました。よい方策に必要なのは価値の正しい順序であって、正しい大きさではありません。
#
# 次は[レッスン 8](08_target_network.ipynb)です。2 つ目の仮説である「更新のたびに動くターゲット」と、それを固定しておくターゲットネットワークを扱います。
