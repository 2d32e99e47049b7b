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
# # レッスン 4: 行動し、学習するエージェント
#
# 学習するエージェントを 2 つの部分に分けて作ります。行動をどう選ぶか (ε-greedy法) と、1 つの遷移からQネットワークの勾配ステップをどう作るか (ベルマン最適方程式、それを推定するTDターゲット、そしてHuber損失) です。これは原典のノートブックの`Agent`の全体を、部品ごとに組み立て直したものです。ただし、TDターゲットのバグを修正し、乱数はエージェント専用の生成器から引くようにしたので、シードを決めればエージェントの振る舞いが決まります。

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dqn_lib
from dqn_lib import ACTION_NAMES, OnlineAgent, display_name, make_env

SEED = 0
# Networks this small run fastest on one thread, and on one thread every result repeats exactly
# (summing floats in a different order across threads changes the last digits).
torch.set_num_threads(1)
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## 題材にする実際の遷移
#
# 以下ではどの考え方も CartPole の実際のデータで示します。そこでまず、ランダムな行動で何エピソードかプレイし、各遷移`(observation, action, reward, next_observation, terminated, truncated)`を記録しておきます。行動はこのレッスン専用の、シードを固定した生成器から引くので、毎回同じになります。

# %%
env = make_env(SEED)
lesson_rng = np.random.default_rng(SEED)

transitions = []
observation, _ = env.reset()
while len(transitions) < 32:
    action = int(lesson_rng.integers(2))
    next_observation, reward, terminated, truncated, _ = env.step(action)
    transitions.append(
        (observation, action, float(reward), next_observation, terminated, truncated)
    )
    observation = next_observation
    if terminated or truncated:
        observation, _ = env.reset()

# One tensor per field, in the shapes a batch has in DQN: observations (32, 4), actions (32,).
observations = torch.as_tensor(np.array([t[0] for t in transitions]), dtype=torch.float32)
actions = torch.tensor([t[1] for t in transitions])  # (32,)
rewards = torch.tensor([t[2] for t in transitions])  # (32,)
next_observations = torch.as_tensor(np.array([t[3] for t in transitions]), dtype=torch.float32)
terminated_batch = torch.tensor([float(t[4]) for t in transitions])  # (32,) 1.0 where the pole fell
print(
    f"遷移 {len(transitions)} 個、うち終了 {int(terminated_batch.sum())} 個、"
    f"打ち切り {sum(t[5] for t in transitions)} 個"
)

# %% [markdown]
# 次に、まだ学習していないQネットワーク (レッスン 3 の`QNet`、原典と同じ 4-32-32-2) を用意します。作るのは`dqn_lib.new_q_network`で、この関数はレッスン 3 の`fork_rng`の中で重みを引きます。そのため、同じシードからは同じ重みが得られ、ほかのセルの乱数は変わりません (これは`OnlineAgent(seed=0)`が最初に持つ重みと同じです。最後に確かめます)。

# %%
q_network = dqn_lib.new_q_network(4, 2, seed=SEED)

# %% [markdown]
# ## ε-greedy法: そもそもなぜ探索するのか
#
# Qネットワークが最も高く評価する行動 (*貪欲な* (greedy) 行動) を常にとるエージェントは、その行動についてしか学べません。学習前のネットワークによる行動の評価はほとんどでたらめで、しかも多くの場合、ほぼどこでも同じ行動を好みます。32 個の観測に対して、このネットワークが好む行動は次のとおりです。

# %%
with torch.no_grad():
    q_values_batch = q_network(observations)  # (32, 2)
greedy_actions = q_values_batch.argmax(dim=1)  # (32,)
for a, name in enumerate(ACTION_NAMES):
    count = int((greedy_actions == a).sum())
    print(f"貪欲な行動が {display_name(name)!r} になる観測: 32 個中 {count} 個")

# %% [markdown]
# エージェントがこれに盲目的に従うと、もう一方の行動をとったら何が起こるかをほとんど、あるいはまったく見ることがなく、そちらのほうが良いと学ぶこともできません。ε-greedy法はこれを最も単純な方法で解決します。確率`epsilon`で一様ランダムに行動を選び、それ以外のときは貪欲な行動をとるのです。
#
# ランダムな抽選には、エージェント自身の`np.random.Generator`を使います。原典のノートブックは torch のグローバルな乱数生成器 (`torch.rand(1)`) から引いていたため、ほかのセルが乱数を 1 つ引くだけでエージェントの選択が変わってしまいました。専用の生成器を使えば、シードによって選択が決まります。


# %%
def epsilon_greedy(q_values: torch.Tensor, epsilon: float, rng: np.random.Generator) -> int:
    """確率 epsilon で一様ランダムな行動を、それ以外は Q の argmax を返す。"""
    # q_values: (n_actions,), the Q-values of one observation
    if rng.random() < epsilon:  # explore
        return int(rng.integers(q_values.shape[0]))  # any action, the greedy one included
    return int(q_values.argmax())  # exploit


agent_rng = np.random.default_rng(SEED)
print([epsilon_greedy(q_values_batch[0], 0.2, agent_rng) for _ in range(20)])

# %% [markdown]
# エージェントはどのくらいの頻度で貪欲な行動から外れるでしょうか。`epsilon`の割合ではありません。2 つの行動からランダムに選ぶと半分は貪欲な行動になるので、*貪欲でない*行動が現れる頻度は`epsilon / 2`です (一般には`epsilon * (n_actions - 1) / n_actions`)。10,000 回の抽選で測ってみます。

# %%
N_DRAWS = 10_000
q_values_one = q_values_batch[0]  # (2,)
greedy_action = int(q_values_one.argmax())
measure_rng = np.random.default_rng(SEED)

non_greedy_fractions = {}
for epsilon in (0.0, 0.05, 0.2, 0.5, 1.0):
    picks = np.array([epsilon_greedy(q_values_one, epsilon, measure_rng) for _ in range(N_DRAWS)])
    non_greedy_fractions[epsilon] = float(np.mean(picks != greedy_action))

print(f"{'epsilon':>8} {'貪欲でない割合 (実測)':>13} {'epsilon / 2':>12}")
for epsilon, measured in non_greedy_fractions.items():
    print(f"{epsilon:>8.2f} {measured:>22.4f} {epsilon / 2:>12.4f}")

# %% [markdown]
# 測った割合は`epsilon / 2`に近く、差はサンプリングによるばらつきにすぎません。10,000 回の抽選では、その標準偏差は`sqrt(p (1 - p) / 10000)`で、最大でも 0.005 です。チェックでは標準偏差の 4 倍までのずれを許容します。

# %%
for epsilon, measured in non_greedy_fractions.items():
    expected = epsilon / 2
    tolerance = 4 * np.sqrt(expected * (1 - expected) / N_DRAWS)
    assert abs(measured - expected) <= tolerance, (
        f"epsilon={epsilon} で、{N_DRAWS} 回の抽選のうち貪欲でない行動の割合は {measured:.4f} でした。"
        f"期待値は {expected:.4f} +- {tolerance:.4f} です"
    )
print("貪欲でない行動の頻度は、標準偏差の 4 倍以内で epsilon / 2 に一致しました")

# %% [markdown]
# チェック: `epsilon = 0`ではインライン版は一度も探索しないこと、そして同じシードの生成器を渡せば`dqn_lib.epsilon_greedy`とまったく同じ選択をすることを確かめます。

# %%
check_q_values = [torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), *q_values_batch]
rng = np.random.default_rng(SEED)
for i in range(N_DRAWS):
    q_values = check_q_values[i % len(check_q_values)]
    action = epsilon_greedy(q_values, 0.0, rng)
    assert action == int(q_values.argmax()), (
        f"抽選 {i}: epsilon=0 では行動は {q_values.tolist()} の argmax である "
        f"{int(q_values.argmax())} のはずが、{action} でした: 探索すべきでないところで探索しています"
    )

rng_inline, rng_library = np.random.default_rng(SEED), np.random.default_rng(SEED)
for i in range(N_DRAWS):
    q_values = check_q_values[i % len(check_q_values)]
    ours = epsilon_greedy(q_values, 0.2, rng_inline)
    library = dqn_lib.epsilon_greedy(q_values, 0.2, rng_library)
    assert ours == library, (
        f"抽選 {i}: Q値 {q_values.tolist()} に対して、インラインの epsilon_greedy は {ours}、"
        f"dqn_lib.epsilon_greedy は {library} を選びました: 2 つの生成器からの引き方が違います"
    )
print(f"epsilon=0 では一度も探索せず、インライン版とライブラリ版は {N_DRAWS} 回の抽選すべてで一致しました")

# %% [markdown]
# ## ベルマン最適方程式: Q(s, a) が満たすべき式
#
# 状態`s`で行動`a`をとり、その後は可能な限り良く行動したときに得られる報酬の割引和を`Q*(s, a)`と書きます。理想的なQネットワークが出力するはずの値です。これらの値は**ベルマン最適方程式**によって互いに結びついています ([Sutton & Barto、第 2 版](http://incompleteideas.net/book/the-book-2nd.html)、3.6 節)。
#
# `Q*(s, a) = E[ r + gamma * max_a' Q*(s', a') ]`
#
# ここで`r`はそのステップの報酬、`s'`はそのステップで移った先の状態で、期待値はそのステップでランダムに決まるものすべてについてとります。言葉でいえば、`s`から`a`で始めて良く行動することの価値は、最初の報酬に、行き着いた先から良く行動することの割引された価値を加えたものです。そのステップでエピソードが終わる (転倒する) 場合は後に何も続かないので、第 2 項は 0 になります。

# %% [markdown]
# ## TDターゲット: 右辺を 1 つのサンプルで推定する
#
# 右辺は計算できません。期待値も`Q*`もわからないからです。Q学習 (Sutton & Barto、6.5 節) は、期待値を直前に観測した 1 つの遷移で置き換え、`Q*`を現在の推定値`Q`、ここではネットワークの出力で置き換えます (DQN ([Mnih et al., 2015](https://www.nature.com/articles/nature14236)) もこのターゲットを使いますが、遷移はメモリから取り出し (レッスン 7)、そのための`Q`はゆっくり更新されるネットワークのコピーで計算します (レッスン 8))。
#
# `td_target = reward + gamma * (1 - terminated) * max_a Q(next_observation, a)`
#
# これがTDターゲットです (原典のノートブックで「正解」と呼んでいたものにあたります)。更新のたびに`Q(s, a)`はそのターゲットに近づきます。もし`Q`が`Q*`なら、どのターゲットも平均すると`Q(s, a)`に等しく、更新で直すべきものは何も残りません。CartPole の物理法則は決定的 (同じ状態と行動からは常に同じ次の状態と報酬が得られる) なので、1 つの遷移でも環境については正確です。ターゲットの誤差はすべて、次の状態についてのネットワークの推測から来ます。

# %% [markdown]
# ### 割引率 gamma が 1 よりわずかに小さい理由
#
# エージェントには時計が見えません。時間切れはエージェントにとって未来の終わりではないのです (これについては後で改めて扱います)。したがってエージェントから見ると、決して転倒しない状態からは +1 の報酬が果てしなく続きます。`gamma = 1`ではその和は無限大になり、`Q*`も無限大になります。`gamma`が 1 より小さければ、和は`1 + gamma + gamma**2 + ... = 1 / (1 - gamma)`です。gamma は、エージェントがどれだけ先まで見通すかも決めます。`k`ステップ先の報酬は`gamma**k`倍に数えられます。

# %%
GAMMA = 0.99  # the original notebook's discount, and the course's
print(f"毎ステップ +1 が永遠に続く場合、gamma = {GAMMA} で割り引いた和: 1 / (1 - gamma) = {1 / (1 - GAMMA):.0f}")
print(f"100 ステップ先の報酬は、いま受け取る報酬の gamma**100 = {GAMMA**100:.2f} 倍に数えられる")

# %% [markdown]
# ### ターゲットをコードで書く
#
# 重要なのは`(1 - terminated)`という因子です。ポールが倒れた (またはカートがレールの端を越えた) ときはエピソードが終わっていて、将来の報酬は*存在しない*ので、ターゲットは報酬だけになります。`truncated`が式に含まれていないことに注意してください。


# %%
def td_target(
    reward: torch.Tensor, next_q: torch.Tensor, terminated: torch.Tensor, gamma: float
) -> torch.Tensor:
    """reward + gamma * (1 - terminated) * max_a next_q を返す。"""
    # reward, terminated: (batch,); next_q: (batch, n_actions)
    best_next = next_q.max(dim=1).values  # (batch,) value of the best next action
    return reward + gamma * (1.0 - terminated) * best_next  # (batch,)


# %% [markdown]
# 3 つの遷移で手計算してみます。どれも CartPole の報酬 +1 で、`gamma = 0.99` (原典の値) とします。1 つはエピソードの途中、1 つはポールが倒れたとき (`terminated`)、1 つは 500 ステップの時間制限で打ち切られたとき (`truncated`) です。`next_q`の各行は、それぞれの次の観測についてネットワークが出しそうな値の代わりです。計算を追いやすいように、切りのよい数にしてあります。

# %%
labels = ["継続中", "終了 (ポールが倒れた)", "打ち切り (500 ステップ)"]
worked_reward = torch.tensor([1.0, 1.0, 1.0])  # (3,)
worked_next_q = torch.tensor([[10.0, 20.0], [18.0, 15.0], [40.0, 50.0]])  # (3, n_actions)
worked_terminated = torch.tensor([0.0, 1.0, 0.0])  # (3,)
worked_truncated = torch.tensor([0.0, 0.0, 1.0])  # (3,) not used by the target

worked_target = td_target(worked_reward, worked_next_q, worked_terminated, GAMMA)  # (3,)

print(
    f"{'遷移':<22}{'報酬':>5}{'終了':>5}{'打切り':>4}{'max_a Q(next)':>15}"
    f"{'td_target':>11}"
)
for i, label in enumerate(labels):
    print(
        f"{label:<24}{worked_reward[i]:>7.1f}{int(worked_terminated[i]):>7d}"
        f"{int(worked_truncated[i]):>7d}{worked_next_q[i].max():>15.1f}{worked_target[i]:>11.2f}"
    )

# %% [markdown]
# 手計算では、途中のステップは`1 + 0.99 * 20 = 20.8`、転倒は`1` (未来が断ち切られる)、時間切れは`1 + 0.99 * 50 = 50.5`です。
#
# **打ち切られた遷移でも、なぜブートストラップするのでしょうか。** 時間制限に達したとき、ポールは立っていて、カートはレールの上にありました。エピソードが止まったのは時間切れのためで、何かがうまくいかなかったからではありません。続けていればさらに報酬が得られたはずなので、その状態の価値は 0 ではありません。そもそも観測には時刻が含まれていないので、ステップ 20 で見た観測とステップ 500 で見た同じ観測には、同じ価値を与えなければなりません。ステップ 500 でブートストラップを断ち切ると、1 つの状態について矛盾する 2 つの答えをネットワークに教えることになります。(それでも学習ループは、打ち切りのあとに環境をリセットします。打ち切りが終わらせるのは*エピソード*、終了が終わらせるのは*未来*です。)
#
# ### 原典のノートブックがしていたこと
#
# 原典の`update`は、どのステップでも`target = r + gamma * max Q(next_s)`を計算していました。`terminated`を一度も見ていなかったのです。同じバッチに対する原典のターゲットは次のとおりです。

# %%
original_target = worked_reward + GAMMA * worked_next_q.max(dim=1).values  # (3,) never stops

print(f"{'遷移':<22}{'td_target':>11}{'原典':>8}")
for i, label in enumerate(labels):
    print(f"{label:<24}{worked_target[i]:>11.2f}{original_target[i]:>10.2f}")

# %% [markdown]
# 途中の行と打ち切りの行は一致します (原典も時間切れを越えてブートストラップしており、これは正しい扱いです)。問題は転倒の行です。このバッチの報酬 +1 では、原典のターゲットは転倒の価値を`1 + 0.99 * 18 = 18.82`とし、立ち続けた場合 (20.8) とほとんど変わりません。転倒後の状態に対するネットワークの価値はでっち上げの数値で (エージェントがそこから行動することはありません)、まだポールが立っていた近くの状態の価値に近いため、ブートストラップによって、転倒するかしないかの違いの大部分が隠れてしまいます。原典自体は +1 ではなく、`-|pole angle|`に転倒時の -5 を加えた報酬で学習していました (レッスン 5)。そこではすべての価値が負なので、同じブートストラップが -5 に負の数を足し、転倒を実際より*悪く*見せます。いずれにせよ、転倒時のターゲットは誤りです。それが原典にとってどれほどの代償になるかは、レッスン 6 で測ります。
#
# チェック: インラインの`td_target`と`dqn_lib.td_target`が手計算のバッチで一致し、各行が、Python の通常の浮動小数点数で式を書き下したときの値に等しいことを確かめます。

# %%
library_target = dqn_lib.td_target(worked_reward, worked_next_q, worked_terminated, GAMMA)
assert torch.allclose(worked_target, library_target), (
    f"インラインの td_target は {worked_target.tolist()}、dqn_lib.td_target は "
    f"{library_target.tolist()} でした"
)
for i, label in enumerate(labels):
    reward_i, terminated_i = float(worked_reward[i]), float(worked_terminated[i])
    by_hand = reward_i + GAMMA * (1 - terminated_i) * max(worked_next_q[i].tolist())
    assert abs(float(worked_target[i]) - by_hand) < 1e-5, (
        f"行 {i} ({label}): td_target は {float(worked_target[i]):.4f} ですが、式の値は "
        f"{by_hand:.4f} です"
    )
assert float(worked_target[1]) == float(worked_reward[1]), (
    f"終了した行のターゲットは報酬 {float(worked_reward[1])} にちょうど等しいはずが、"
    f"{float(worked_target[1])} でした: ターゲットが転倒を越えてブートストラップしています"
)
print("インライン版とライブラリ版の td_target は一致し、どの行も式どおりで、転倒の行は報酬そのものです")

# %% [markdown]
# ## Huber損失: 1 つの遷移の比重
#
# 差`Q(s, a) - td_target`が*TD誤差*で、更新はバッチ全体で平均したその損失を下げます。ある遷移が自分の`Q(s, a)`をどれだけ強く引っ張るかを決めるのは、その点での損失の傾き`d loss / d Q(s, a)`です。二乗誤差 (下の図のように半分にしたもの) では、傾きはTD誤差そのものです。10 倍間違っている遷移は 10 倍強く引っ張るので、予想外の遷移が 1 つあるだけで (学習初期のひどく間違ったQ値や、転倒時の -5 など)、バッチの残りすべてを合わせたより強く引っ張ることがあります。Huber損失 (`nn.SmoothL1Loss`、原典が選んだもの。Mnih et al. は誤差項を [-1, 1] にクリップしており、これは実質的に同じです) は、0 の近くでは二乗、1 を超えると線形なので、傾きの大きさは決して 1 を超えません。
#
# 下の図では、2 つの曲線が 0 の近くで一致するように、二乗誤差を半分にしています (`0.5 * error**2`)。PyTorch の`nn.MSELoss`は、本コースの DQN がレッスン 7 から使うもので (`loss="mse"`)、半分にしない`error**2`の平均です。その傾きは`2 * error`で、形は同じで傾きが 2 倍です。

# %%
td_errors = torch.linspace(-4, 4, 401, requires_grad=True)  # (401,) Q(s, a) - td_target
zeros = torch.zeros(401)
huber = nn.SmoothL1Loss(reduction="none")(td_errors, zeros)  # (401,)
squared = 0.5 * td_errors**2  # (401,)
(huber_grad,) = torch.autograd.grad(huber.sum(), td_errors)
(squared_grad,) = torch.autograd.grad(squared.sum(), td_errors)

x = td_errors.detach().numpy()
fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_loss.plot(x, squared.detach().numpy(), label="二乗誤差: 0.5 * error²")
ax_loss.plot(x, huber.detach().numpy(), label="Huber損失: nn.SmoothL1Loss")
ax_loss.set(
    title="1 つの遷移の損失",
    xlabel="TD誤差  Q(s, a) - td_target  (報酬の単位)",
    ylabel="損失",
)
ax_grad.plot(x, squared_grad.numpy(), label="二乗誤差: 勾配 = error")
ax_grad.plot(x, huber_grad.numpy(), label="Huber損失: 勾配は ±1 で頭打ち")
ax_grad.set(
    title="その傾き: 1 つの遷移が Q(s, a) を引っ張る強さ",
    xlabel="TD誤差  Q(s, a) - td_target  (報酬の単位)",
    ylabel="d loss / d Q(s, a)",
)
for ax in (ax_loss, ax_grad):
    ax.axvspan(-1, 1, color="grey", alpha=0.12, label="|error| < 1: 両者が一致")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", fontsize=8)
fig.suptitle("1 つの遷移でのHuber損失と二乗誤差の比較")
fig.tight_layout()
plt.show()

# %% [markdown]
# TD誤差が 10 のとき、勾配の差は 10 倍になります。

# %%
big_error = torch.tensor([10.0], requires_grad=True)
(grad_squared,) = torch.autograd.grad(0.5 * big_error.pow(2).sum(), big_error)
(grad_huber,) = torch.autograd.grad(nn.SmoothL1Loss()(big_error, torch.zeros(1)), big_error)
print(
    f"TD誤差 10: 二乗誤差の勾配は {grad_squared.item():.1f}、"
    f"Huber損失の勾配は {grad_huber.item():.1f}"
)

# %% [markdown]
# ただし、Huber損失はステップの大きさまでは抑え*ません*。Adam は各重みの勾配を、その勾配の大きさの移動平均で割るので、損失が 10 倍になっても重みが動く量はほぼ変わりません (下の更新で確かめます。Adam の最初のステップは、勾配を持つすべての重みを、勾配の大きさによらずほぼ学習率の分だけ動かします)。同じ理由で、`nn.MSELoss`の係数 2 もほとんど影響しません。損失が決めるのはステップの*向き*であり、したがって、各遷移がそのステップにどれだけ寄与するかです。以下は 32 個のTD誤差からなるバッチで、1 つだけが 10、残りはすべて 0.5 です。その 1 つの遷移が、バッチ全体の傾きの合計のうちどれだけの割合を占めるかを示します。

# %%
batch_errors = torch.full((32,), 0.5)  # (32,) TD errors of a batch
batch_errors[0] = 10.0  # one surprising transition
batch_losses = {
    "二乗誤差、0.5 * error²": lambda errors: 0.5 * errors**2,
    "nn.MSELoss, error²": lambda errors: errors**2,
    "Huber, nn.SmoothL1Loss": lambda errors: nn.SmoothL1Loss(reduction="none")(
        errors, torch.zeros_like(errors)
    ),
}
shares = {}
for name, loss_of in batch_losses.items():
    errors = batch_errors.clone().requires_grad_(True)
    (slopes,) = torch.autograd.grad(loss_of(errors).mean(), errors)  # (32,) d loss / d Q per row
    shares[name] = (slopes[0].abs() / slopes.abs().sum()).item()
    print(f"{name:<28} 1 つの遷移がバッチの傾きに占める割合: {shares[name]:.0%}")
assert shares["Huber, nn.SmoothL1Loss"] < shares["二乗誤差、0.5 * error²"] / 5
assert abs(shares["nn.MSELoss, error²"] - shares["二乗誤差、0.5 * error²"]) < 1e-6

# %% [markdown]
# 二乗誤差では、半分にしてもしなくても、32 個のうちの 1 つの遷移がバッチ全体の引っ張りの 39% を占めます。Huber損失では 6% です。これがHuber損失の働きです。抑えるのはバッチの中での 1 つの遷移の比重であって、重みが動く距離ではありません。

# %% [markdown]
# ## 1 回の更新を手計算で追う
#
# ここまでのすべてを、32 個の実際の遷移からなるバッチでまとめて行います。とった行動のQ値、TDターゲット、損失、そして原典の学習率 1e-4 での Adam による 1 回のステップです。
#
# まず予測です。ネットワークはすべての行動について値を出力します。`gather`は各行で、実際にとった行動の値だけを残します。

# %%
LEARNING_RATE = 1e-4  # the original notebook's
optimizer = torch.optim.Adam(q_network.parameters(), lr=LEARNING_RATE)
loss_fn = nn.SmoothL1Loss()

q_all = q_network(observations)  # (32, n_actions)
q_taken = q_all.gather(1, actions.unsqueeze(1)).squeeze(1)  # (32,) Q(s, a) for the a taken
print("Q(s, a)、最初の 5 個:", q_taken[:5].detach().numpy().round(3))

# %% [markdown]
# 次にターゲットを`torch.no_grad()`の下で計算します。ターゲットはラベルの役割を果たします。Q(s, a) をターゲットに近づけたいのであって、ターゲットを Q(s, a) に近づけたいのではありません。`no_grad`がないと勾配は`Q(next_observation)`にも流れ込み、更新は予測に合わせてラベルのほうを変えてしまいます。

# %%
with torch.no_grad():
    next_q = q_network(next_observations)  # (32, n_actions)
    targets = td_target(rewards, next_q, terminated_batch, GAMMA)  # (32,)
print("td_target、最初の 5 個:", targets[:5].numpy().round(3))
print("targets.requires_grad:", targets.requires_grad)
fell = int(terminated_batch.argmax())
print(f"行 {fell} が転倒: 報酬 {rewards[fell]:.1f}、ターゲット {targets[fell]:.3f}")

# %% [markdown]
# 損失を計算し、勾配ステップを 1 回行い、同じ (固定した) ターゲットでもう一度同じ損失を計算します。

# %%
loss = loss_fn(q_taken, targets)  # a scalar: the mean Huber loss over the batch
loss_before = loss.item()
weights_before_step = torch.cat([p.detach().flatten() for p in q_network.parameters()])  # (1282,)

optimizer.zero_grad()  # gradients add up in PyTorch: clear the previous ones
loss.backward()  # d loss / d every weight
gradients = torch.cat([p.grad.flatten() for p in q_network.parameters()])  # (1282,)
optimizer.step()  # move each weight a small step downhill

with torch.no_grad():
    q_taken_after = q_network(observations).gather(1, actions.unsqueeze(1)).squeeze(1)  # (32,)
    loss_after = loss_fn(q_taken_after, targets).item()
    targets_after = td_target(rewards, q_network(next_observations), terminated_batch, GAMMA)

print(f"ステップ前のバッチの損失: {loss_before:.6f}")
print(
    f"ステップ後のバッチの損失: {loss_after:.6f}  "
    f"({100 * (loss_before - loss_after) / loss_before:.2f} % 減少)"
)
print(f"ターゲット自体も最大 {(targets_after - targets).abs().max():.6f} 動いた")
weight_steps = (
    torch.cat([p.detach().flatten() for p in q_network.parameters()]) - weights_before_step
).abs()  # (1282,)
has_gradient = gradients != 0  # (1282,)
print(
    f"{len(gradients)} 個の重みのうち {int(has_gradient.sum())} 個に勾配があり、大きさは "
    f"{gradients[has_gradient].abs().min():.1e} から {gradients[has_gradient].abs().max():.1e}"
)
print(
    f"  それぞれの移動量は {weight_steps[has_gradient].min():.2e} から "
    f"{weight_steps[has_gradient].max():.2e} (学習率は {LEARNING_RATE:.0e})"
)
print(
    f"勾配がちょうど 0 だった残りの {int((~has_gradient).sum())} 個の移動量は "
    f"{weight_steps[~has_gradient].max():.1f}"
)

# %% [markdown]
# 原典の学習率では変化は小さいものの目に見えるので、ここでは 1e-4 のままにします。1 回の更新はネットワークを少し押すだけで、学習には何千回もの更新が必要です (レッスン 6)。出力からは、さらに 2 つのことがわかります。
#
# - Adam の最初のステップは、勾配の大きさによらず、すべての重みをほぼ学習率の分だけ動かします (Adam は各勾配を、その勾配自身の大きさの移動平均で割ります)。勾配がちょうど 0 の重みは動きません。オフになっている ReLU ユニットは勾配を逆伝播しないので、バッチの観測に対してオフだったユニットに入る重みや、そこから出る重みには勾配が届きません。
# - ステップの間はターゲットを固定していたのに、ターゲットも動きました。ターゲットは、いま変更したのと同じネットワークから計算されるからです。ステップのたびに動くターゲットを追いかけることが、このエージェントが不安定な理由の 1 つです。レッスン 8 のターゲットネットワークは、ターゲットを止めておきます。
#
# チェック: 1 回の更新で、そのバッチの損失が下がったことを確かめます。

# %%
assert loss_after < loss_before, (
    f"Adam の 1 回のステップで、そのバッチの損失は下がるはずです: 前 {loss_before:.6f}、"
    f"後 {loss_after:.6f}"
)
print("更新によって、そのバッチの損失が下がりました")

# %% [markdown]
# ## ライブラリの`OnlineAgent`
#
# `dqn_lib.OnlineAgent`は、原典のノートブックのエージェントを、ここまでの部品で組み立てたものです。`act`は専用のシード付き生成器を使う ε-greedy法で (`act(observation, greedy=True)`は決して探索しません)、`observe`は遷移が起こるたびに、その遷移だけのバッチでHuber損失による Adam の更新を 1 回行います。TDターゲットは転倒で止まるものを使います。既定値は原典と同じです。

# %%
agent = OnlineAgent(seed=SEED)
agent_learning_rate = agent.optimizer.param_groups[0]["lr"]
print(
    f"epsilon={agent.epsilon}, gamma={agent.gamma}, learning_rate={agent_learning_rate}, "
    f"loss={agent.loss_fn}, network={agent.q_network.hidden}"
)
assert (agent.epsilon, agent.gamma, agent_learning_rate) == (0.2, 0.99, 1e-4), (
    "本文は原典の epsilon 0.2、gamma 0.99、学習率 1e-4 を挙げていますが、エージェントの値は "
    f"{agent.epsilon}、{agent.gamma}、{agent_learning_rate} です"
)

# %% [markdown]
# (原典の`update`は`gamma=0.9`を既定値としていましたが、`train`は常に 0.99 を渡していました。)
#
# シード付きの環境で、実際に何ステップか進めてみます。エージェントが行動し、環境がステップを進め、エージェントがその遷移から学習します。「貪欲?」列は、その行動がネットワークの一番のお気に入り (貪欲な行動) だったかどうかを示します。「損失」列は、更新前のその遷移のHuber損失です (`observe`は更新のステップを済ませてから、この値を返します)。

# %%
env = make_env(SEED)
observation, _ = env.reset()
print(
    f"{'ステップ':>4} {'Q(左)':>5} {'Q(右)':>6} {'行動':>13} {'貪欲?':>6} {'報酬':>5} "
    f"{'終了':>4} {'損失':>6}"
)
for step in range(12):
    q_values = agent.q_values(observation)  # (2,) before this step's update
    action = agent.act(observation)
    next_observation, reward, terminated, truncated, _ = env.step(action)
    reward = float(reward)
    loss = agent.observe(observation, action, reward, next_observation, terminated, truncated)
    print(
        f"{step:>4} {q_values[0]:>8.4f} {q_values[1]:>9.4f} {display_name(ACTION_NAMES[action]):>11} "
        f"{str(action == int(q_values.argmax())):>8} {reward:>7.1f} {str(terminated):>6} "
        f"{loss:>8.4f}"
    )
    observation = next_observation
    if terminated or truncated:
        observation, _ = env.reset()

# %% [markdown]
# チェック: `observe`が有限の損失を返し、それがこのレッスンの部品で計算したその 1 つの遷移のHuber損失に等しいこと、そして重みを変えることを確かめます。エージェントは、私たちの`q_network`と同じ重みから始まります (どちらもシード 0)。

# %%
fresh_agent = OnlineAgent(seed=SEED)
same_seed_network = dqn_lib.new_q_network(4, 2, seed=SEED)
for (name, p_agent), p_ours in zip(
    fresh_agent.q_network.named_parameters(), same_seed_network.parameters(), strict=True
):
    assert torch.equal(p_agent, p_ours), f"OnlineAgent(seed={SEED}) と QNet で {name} が異なります"

obs_0, action_0, reward_0, next_obs_0, terminated_0, truncated_0 = transitions[0]
with torch.no_grad():
    q_sa = fresh_agent.q_values(obs_0)[action_0]  # a scalar
    next_q_0 = fresh_agent.q_values(next_obs_0).unsqueeze(0)  # (1, n_actions)
    target_0 = td_target(
        torch.tensor([reward_0]), next_q_0, torch.tensor([float(terminated_0)]), fresh_agent.gamma
    )[0]
    loss_by_hand = nn.SmoothL1Loss()(q_sa, target_0).item()

weights_before = [p.detach().clone() for p in fresh_agent.q_network.parameters()]
loss_0 = fresh_agent.observe(obs_0, action_0, reward_0, next_obs_0, terminated_0, truncated_0)
assert np.isfinite(loss_0), f"observe が有限でない損失を返しました: {loss_0}"
assert abs(loss_0 - loss_by_hand) < 1e-6, (
    f"observe の損失 {loss_0:.6f} が手計算の値 {loss_by_hand:.6f} と異なります"
)
changed = [
    not torch.equal(before, after)
    for before, after in zip(weights_before, fresh_agent.q_network.parameters(), strict=True)
]
assert all(changed), f"observe が変更しなかった重みテンソルがあります: changed = {changed}"
print(
    f"observe: 損失 {loss_0:.6f} (手計算 {loss_by_hand:.6f})、{len(changed)} 個の重みテンソルが"
    "すべて変化しました"
)

# %% [markdown]
# チェック: 同じシードの 2 つのエージェントは、探索も含めて同じ行動を選び (重みも生成器も同じなので)、異なるシードのエージェントは異なる重みから始まることを確かめます。

# %%
agent_a, agent_b = OnlineAgent(seed=SEED), OnlineAgent(seed=SEED)
actions_a = [agent_a.act(observations[i % 32].numpy()) for i in range(1000)]
actions_b = [agent_b.act(observations[i % 32].numpy()) for i in range(1000)]
differences = [i for i, (a, b) in enumerate(zip(actions_a, actions_b, strict=True)) if a != b]
first_difference = differences[0] if differences else None
assert first_difference is None, (
    f"2 つの OnlineAgent(seed={SEED}) が異なる行動を選びました (最初の違いは呼び出し {first_difference})"
)

agent_other = OnlineAgent(seed=SEED + 1)
same_weights = [
    torch.equal(p, q)
    for p, q in zip(agent_a.q_network.parameters(), agent_other.q_network.parameters(), strict=True)
]
assert not any(same_weights), (
    f"OnlineAgent(seed={SEED}) と OnlineAgent(seed={SEED + 1}) が初期の重みテンソルを共有しています: "
    f"{same_weights}"
)
print(
    f"同じシード: 1000 回の呼び出しで行動がすべて一致 (右に押したのは {actions_a.count(1)} 回)、"
    "異なるシード: 初期の重みが異なる"
)

# %% [markdown]
# ## 演習
#
# 各演習には、完成させるセルと、何が正しく何が間違っているかを言葉で教えてくれる確認セルがあります。この節より後で、あなたの解答を使うところはありません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-04-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 4.1: バッチ版の ε-greedy法 (基本、約 10 分)
#
# ベクトル化された環境 (たとえば gymnasium の`gymnasium.vector.SyncVectorEnv`) は、1 つの環境の多数のコピーを一度にステップさせ、それらの行動を、コピーごとに 1 つずつ並べた 1 つの NumPy 配列として受け取ります。それらを動かすエージェントは、一度の呼び出しでバッチ全体の行動を選びます。そして各コピーは、上の単一のエージェントと同じように、それぞれ独立に探索しなければなりません。
#
# `epsilon_greedy_batch(q_values, epsilon, rng) -> np.ndarray`を書いてください。`q_values`は形状`(batch, n_actions)`のテンソルで、各行が 1 つの観測のQ値 (勾配なしで計算したもの) です。`rng`は`np.random.Generator`です。各行は、ほかの行とは独立に、確率`epsilon`で探索する (貪欲な行動も含めた*すべての*行動から一様に選ぶ) か、そうでなければその行でQ値が最大の行動をとります。dtype が`int64`、形状が`(batch,)`の NumPy 配列を、行ごとに 1 つの行動として返してください。テンソルやリストではいけません。
#
# ヒント: 行ごとにコインを 1 枚投げます。`rng.random(batch) < epsilon`です。バッチ全体でコインを 1 枚にすると、すべての行が一斉に探索するか、どれも探索しないかのどちらかになってしまいます。各行の貪欲な行動は、行動についての argmax、`q_values.argmax(dim=1)`で、`.numpy()`でそのテンソルを配列に変換できます。`np.where(explore, random_actions, greedy_actions)`で行ごとに選び分けられます。乱数は`rng`だけから引き (`rng.random`、`rng.integers`)、`np.random`、`random`、`torch`からは決して引かないでください。
#
# チェックでは次の場合を試します。`epsilon = 0`で 4 つの固定バッチ (1 つは正方形、1 つは 1 行だけ。すべての行が argmax をとるはずです)。形状`(200, 2)`のQ値に対する二十回の呼び出しで`epsilon = 0.5` (*どの*呼び出しでも、約 4 分の 1 の行が貪欲でない行動になるはずです)。3 つの行動で`epsilon = 1` (貪欲な行動も含め、どの行動も約 3 分の 1 ずつ)。2 つの行動で`epsilon = 0.2` (約 10% の行が貪欲でない行動)。そして同じシードの生成器での 2 回の実行で、これはグローバルな乱数の状態によらず同じ行動を選ばなければなりません。型、dtype、形状が間違っていれば、それを指摘します。


# %% nbgrader={"grade": false, "grade_id": "ex-04-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def epsilon_greedy_batch(
    q_values: torch.Tensor, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """`q_values`の各行について、行ごとに独立に: 確率`epsilon`で一様ランダムな行動、
    それ以外はその行の argmax。

    q_values: (batch, n_actions)。rng: 唯一の乱数源。
    行動を、形状 (batch,) の NumPy int64 配列として返す。
    """
    ### BEGIN SOLUTION
    batch, n_actions = q_values.shape
    greedy_actions = q_values.argmax(dim=1).numpy()  # (batch,) each row's best action
    explore = rng.random(batch) < epsilon  # (batch,) one coin per row
    random_actions = rng.integers(n_actions, size=batch)  # (batch,) any action, greedy included
    return np.where(explore, random_actions, greedy_actions)  # (batch,) int64
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-04-1-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_epsilon_greedy_batch

check_epsilon_greedy_batch(epsilon_greedy_batch)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-04-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 4.2: n ステップのTDターゲット (基本、約 20 分)
#
# 上の[TDターゲット](#TDターゲット:-右辺を-1-つのサンプルで推定する)は、実際の報酬を 1 つとり、そのあとはネットワークの推測を使います。*n ステップ*のターゲット ([Sutton & Barto、第 2 版](http://incompleteideas.net/book/the-book-2nd.html)、7 章) は、推測の前に実際の報酬を`n`個とります。そのため、1 ステップのターゲットでは 1 つの報酬が 1 つの遷移のターゲットにしか入らないのに対し、n ステップのターゲットでは、その報酬に至る`n`個の遷移のターゲットに入ります。
#
# 遷移のバッチに対する`n_step_target(rewards, terminated, next_q, gamma) -> torch.Tensor`を書いてください。各遷移には、そこから始まる`n`ステップが付いています。
#
# - `rewards`、形状`(batch, n)`: その`n`ステップの報酬 (順番どおり)。
# - `terminated`、形状`(batch, n)`: ステップ`i`で終了 (ポールが倒れた、またはカートがレールの端を越えた) によってエピソードが終わったところは`1.0`、それ以外は`0.0`。
# - `next_q`、形状`(batch, n_actions)`: `n`ステップ後の観測のQ値。
#
# 各行のターゲットは、`rewards[0] + gamma * rewards[1] + ... + gamma**(n - 1) * rewards[n - 1]`をその行で最初に終了したステップで止めたもの (そのステップの報酬は数え、それより後は数えない) に、その行のどのステップも終了していない場合に限り`gamma**n * max_a next_q`を加えたものです。形状`(batch,)`で`rewards`と同じ dtype のテンソルを返してください。また、入力をその場で (in place) 変更してはいけません。チェックはコピーを渡し、呼び出しのあとで比較します。
#
# ここでは、時間制限を含むウィンドウはありません。n ステップのターゲットを作るリプレイバッファは、打ち切りのところでウィンドウを短く切り、エピソードが打ち切られた時点の観測から、それに対応する`gamma`のべき乗を掛けてブートストラップします。1 ステップのターゲットと同じく、時間切れでもブートストラップするのです。また`n > 1`では、報酬はそれを集めた方策 (探索を含む) から来るので、n ステップのターゲットはもはや純粋な方策オフ型のQ学習のターゲットではありません。DQN の派生手法はこれをそのまま使い (Rainbow、[Hessel et al., 2018](https://arxiv.org/abs/1710.02298))、学習が速くなることと引き換えに、そのバイアスを受け入れています。
#
# `n = 1`のとき、これは[ターゲットをコードで書く](#ターゲットをコードで書く)の`td_target`とまったく同じで、`rewards[:, 0] + gamma * (1 - terminated[:, 0]) * max_a next_q`になります。
#
# ヒント: 転倒のあとには数えるものが何もないので、チェックはそのような行の残りを意味のない値 (0 でない報酬、0 と 1 のフラグ) で埋めています。最初の終了で止まらない和や、最後のフラグしか見ないブートストラップでは、これらの行を間違えます。まだ転倒していない行を表すマスクを`n`ステップのループの中で更新していけば、両方を一度に処理できます (代わりに`1 - terminated`の`torch.cumprod`を使う場合は、1 ステップずらしてください。終了したステップ自身の報酬は数えるからです)。最初の報酬の係数は`gamma**0 = 1`、ブートストラップの係数は`gamma**n` (`gamma`ではありません) です。`next_q.max(dim=1)`は値*と*インデックスの両方を返すので、`keepdim=True`は付けずに`.values`をとってください。
#
# チェックでは、`n = 3`、`gamma = 0.5`の固定バッチ (一度も転倒しない行と、最初、2 番目、最後のステップで転倒する行)、上で手計算したバッチを`n = 1`としたもの (ターゲットは 20.8、1、50.5)、さらに`n`が`1`から`5`までのシード付きのランダムなバッチ 6 つを試し、食い違った行を示します。


# %% nbgrader={"grade": false, "grade_id": "ex-04-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def n_step_target(
    rewards: torch.Tensor, terminated: torch.Tensor, next_q: torch.Tensor, gamma: float
) -> torch.Tensor:
    """最初に終了したステップまで (そのステップを含む) の sum_i gamma**i * rewards[:, i] に、
    どのステップも終了していない行では gamma**n * max_a next_q を加える。行ごとに 1 つのターゲット。

    rewards, terminated: (batch, n)。next_q: (batch, n_actions)。(batch,) を返す。
    """
    ### BEGIN SOLUTION
    batch, n = rewards.shape
    target = torch.zeros(batch)  # (batch,)
    alive = torch.ones(batch)  # (batch,) 1.0 while no step so far has terminated
    for i in range(n):
        target = target + alive * gamma**i * rewards[:, i]  # a terminated step's reward counts
        alive = alive * (1.0 - terminated[:, i])  # ... and nothing after it
    return target + alive * gamma**n * next_q.max(dim=1).values  # (batch,)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-04-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_n_step_target

check_n_step_target(n_step_target)

# %% [markdown]
# ## まとめ
#
# - **ε-greedy法**は探索を行い、ネットワークが (まだ) 好んでいない行動についてもエージェントが学べるようにします。行動が 2 つの場合、貪欲でない行動が現れるのは`epsilon / 2`の割合です。ランダムに選んだ行動の半分は、どのみち貪欲な行動になるからです。
# - **ベルマン最適方程式**、`Q*(s, a) = E[r + gamma * max_a' Q*(s', a')]`は、理想的なQ値が満たす関係を表します。`gamma`が 1 より小さいことで、値は有限に保たれます (+1 が永遠に続くときの価値は`1 / (1 - gamma)`)。
# - **TDターゲット**、`reward + gamma * (1 - terminated) * max_a Q(next_observation, a)`は、その右辺を 1 つのサンプルで推定したものです。実際の遷移を 1 つ使い、残りはネットワーク自身の推定で補います。転倒は未来を終わらせるので、そのターゲットは報酬だけです。時間切れは未来を終わらせないので、ブートストラップを続けます。
# - **Huber損失**は、TD誤差が小さいときは二乗誤差、大きいときは線形なので、`d loss / d Q(s, a)`の大きさは最大でも 1 です。予想外の遷移でも、バッチの勾配の中での比重は、TD誤差が 1 の遷移を超えません。各ステップの大きさは Adam が決め、各遷移がそのステップにどれだけ寄与するかは損失が決めます。
# - **1 回の更新**: とった行動の Q(s, a)、`torch.no_grad()`の下で計算するターゲット (合わせにいく対象ではなく、ラベル)、損失、Adam の 1 回のステップ。バッチの損失はわずかに下がり、ターゲットも同じネットワークから計算されるので一緒に動きます。
#
# 原典のノートブックからは、ネットワーク、epsilon 0.2、gamma 0.99、学習率 1e-4 の Adam、Huber損失、遷移ごとに 1 回の更新 (`OnlineAgent`) を引き継ぎました。変更したのは 2 点です。1 つは、ターゲットが終了で止まるようにしたことです (原典はすべての転倒を越えてブートストラップしており、+1 の報酬では転倒が立ち続けるのとほぼ同じ価値になり、原典自身の報酬では -5 より悪い価値になります)。もう 1 つは、エージェントが torch のグローバルな生成器ではなく専用のシード付き生成器から乱数を引くようにし、シードで振る舞いが決まるようにしたことです。
#
# 次はレッスン 5 (`05_reward`) です。エージェントが何に対して報酬を受け取るのか、環境の 1 ステップごとの +1 と、原典の`-|pole angle|` (転倒時は -5) を比べます。
