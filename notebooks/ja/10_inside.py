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
# # レッスン 10: エージェントの内側
#
# 学習済みの DQN エージェント (レッスン 9 で扱った、このコースの DQN) の中を開いて見ていきます。状態空間のいくつかのスライス (断面) 上での Q値、各ステップでエージェントが何を考えていたかとともに 1 ステップずつたどれるエピソード、そして評価では決して使わない初期状態から始めたときの成績を、4 つの数だけでできた方策と比べて調べます。そのうえで「なぜそうなるのか」を問います。エージェントはどの状態で学習するのか、そして何がそれを変えるのか、です。ネットワークが何を学んだのか、そしてどこを訪れたことがないのかを知ることは、1 本の良い学習曲線よりも重要です。

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display
from rliable import library as rly
from rliable import metrics

import dqn_lib
from dqn_lib import (
    ACTION_NAMES,
    FALL_PENALTY,
    MAX_EPISODE_STEPS,
    POSITION_LIMIT,
    POSITION_PENALTY,
)
from dqn_lib.checks import check_q_value_grid, check_terminal_share
from dqn_lib.inspection import (
    EpisodeScrubber,
    greedy_action_map,
    inspect_episode,
    mean_max_q,
    plot_diagnostics,
    plot_episode_steps,
    plot_q_maps,
    q_value_grid,
    train_diagnosed,
)
from dqn_lib.presets import get_preset, load_results
from dqn_lib.starts import (
    LINEAR_POLICY_GAINS,
    PERTURBED_STARTS,
    TRAINING_STARTS,
    WIDE_PERTURBED_STARTS,
    ExploringStarts,
    linear_policy,
    set_start,
)

SEED = 0
# Networks this small run fastest on one thread, and on one thread a seeded run repeats exactly
# (with more threads, float sums can come out in a different order and differ slightly).
torch.set_num_threads(1)

CHECKPOINT = Path("data") / "cartpole_dqn.ckpt"  # next to this notebook
EVAL_SEED = 10_000  # the benchmark's evaluation starts, as in lessons 6 to 9
PERTURBED_SEED, WIDE_SEED = 30_000, 40_000  # the benchmark's perturbed and wide starts
SOLVED = 475
POSITION, VELOCITY, ANGLE, ANGULAR_VELOCITY = range(4)  # places in an observation
PUSH_LEFT, PUSH_RIGHT = ACTION_NAMES.index("push left"), ACTION_NAMES.index("push right")
dqn_lib.set_language("ja")  # 日本語のメッセージと図

# %% [markdown]
# ## 1. チェックポイントから読み込んだ学習済みエージェント
#
# 学習には時間がかかるので、このレッスンはリポジトリに保存してあるチェックポイント`notebooks/data/cartpole_dqn.ckpt`から始めます。これを作ったのはスクリプト`tools/make_checkpoint.py`です。中身はこのコースの DQN (レッスン 9 の`double`プリセット: `DQNConfig()`の設定で、報酬は CartPole 本来の 1 ステップあたり +1) に 1 点だけ変更を加えたもので、その理由は 5 節から 7 節で説明します。プリセットでは学習エピソードの半分をレール上の任意の位置 (中心から 2 m 以内) から抽出した状態で始めますが、このチェックポイントでは*すべての*学習エピソードをそこから始めました。シードは 0、学習は 30,000 ステップで、ファイルを小さく保つためにリプレイバッファを除いて`dqn_lib.save_checkpoint`で保存しています。読み込めること、解けていること、乱した初期状態からも持ちこたえることは、テストで確認しています。まずは、今でもバランスを取れるでしょうか。

# %%
checkpoint = dqn_lib.load_checkpoint(CHECKPOINT)
agent = checkpoint.agent
config = agent.config
print(
    f"{CHECKPOINT} ({CHECKPOINT.stat().st_size / 1e3:.0f} KB): "
    f"{agent.steps:,} ステップ ({agent.updates:,} 勾配ステップ) 学習した "
    f"{checkpoint.metadata['agent_type']}。double プリセットの設定と同じか: "
    f"{config == get_preset('double').config}"
)
returns = dqn_lib.evaluate(agent, episodes=20, seed=EVAL_SEED)
print(f"貪欲方策での評価、20 エピソード: 平均収益 {returns.mean():.1f}")
assert config == get_preset("double").config, "チェックポイントにはこのコースの DQN が入っているはずです"
assert returns.mean() >= SOLVED, f"チェックポイントのエージェントが解けていません: {returns.mean():.1f}"

# %% [markdown]
# ## 2. Q値マップ
#
# CartPole の状態は 4 つの数からなり、一度に描くには多すぎます。そこで 2 つ (カートの位置とカートの速度) を固定し、残りの 2 つ (ポールの角度とポールの角速度) をグリッド上で動かします。これが状態空間の 2 次元の*スライス*です。スライスの各点で、ネットワークは行動ごとに 1 つずつ Q値を返します。`q_value_grid`はグリッドの点ごとに観測`(cart position, cart velocity, angle, angular velocity)`を 1 つずつ作り、それらをまとめて 1 つのバッチとしてネットワークに通します。この関数は演習 10.2 で自分で書きます。結果の行`i`は角速度`i`に、列`j`は角度`j`に対応します。こうしておくと、`imshow`が角度を x 軸に置きます。
#
# チェックの内容: 小さなグリッドのいくつかの点が、その観測 1 つだけにネットワークを適用した結果と一致すること。

# %%
angles = np.radians(np.linspace(-12, 12, 5))  # radians, as in an observation
angular_velocities = np.radians([-60.0, 0.0, 60.0])  # radians per second
grid = q_value_grid(
    agent.q_network, angles, angular_velocities, cart_position=0.5, cart_velocity=-0.2
)
print(f"グリッドの形状 {grid.shape}: (角速度, 角度, 行動)")
for i, j in ((0, 0), (2, 1), (1, 4)):
    observation = np.array([0.5, -0.2, angles[j], angular_velocities[i]], dtype=np.float32)
    direct = agent.q_values(observation).numpy()  # (n_actions,)
    assert np.allclose(grid[i, j], direct, atol=1e-6), (
        f"grid[{i}, {j}] = {grid[i, j]} ですが、ネットワークは {observation} に対して {direct} を返します"
    )
print("確認済み: グリッドの点は、それぞれの観測に対するネットワークの Q値と一致します")

# %% [markdown]
# では実際のマップを見ましょう。3 つのスライスで、それぞれカートが別の状態にあります。左は各状態の価値`max_a Q`、つまりエージェントがその状態から見込む割引報酬和です。報酬はすべて +1 なので、状態の価値は最大でも`1 + gamma + gamma**2 + ...` = `1 / (1 - gamma)` = 100 (gamma 0.99 のとき) で、次のステップでポールが倒れる状態の価値は 1 です。右は各状態での貪欲な (greedy) 行動です。両方に引いた黒い線は、2 つの行動の Q値が等しくなる場所です。左の白い点は、貪欲方策による評価エピソード 1 本で訪れた状態、つまりエージェントが実際に過ごしている場所です。

# %%
SLICES = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]  # (cart position m, cart velocity m/s)
visited = inspect_episode(agent, seed=EVAL_SEED).observations  # (steps + 1, 4)
fig = plot_q_maps(agent.q_network, SLICES, visited=visited)
fig.suptitle("学習済みエージェントの Qネットワークが示す値: 状態空間の 3 つのスライス")
plt.show()

# %% [markdown]
# 形を読む前に、カラースケールの数値を見てください。ほとんどが、どんな状態でも取りうる価値の上限である 100 を超えています。次のチェックでは、評価で使う 20 個の初期状態についてネットワークが予測する価値と、そこから貪欲方策が実際に得る割引した収益 (リターン) を並べます (`dqn_lib.value_estimates`、レッスン 9)。さらに、エージェントが何をしてもポールが 2 ステップ以内に倒れる 2 つの状態について、ネットワークに価値を尋ねます。

# %%
predicted, obtained = dqn_lib.value_estimates(agent, config.gamma, episodes=20, seed=EVAL_SEED)
CEILING = 1 / (1 - config.gamma)  # the value of +1 forever
print(
    f"評価の初期状態: 予測した max_a Q は平均 {predicted.mean():.1f}、実際に得たのは "
    f"{obtained.mean():.1f}。どの状態の価値も {CEILING:.0f} を超えません"
)
doomed_values = {}
for angle_deg, velocity_deg in ((10.0, 100.0), (-10.0, -100.0)):
    state = [0.0, 0.0, np.radians(angle_deg), np.radians(velocity_deg)]
    steps_left = inspect_episode(agent, seed=EVAL_SEED, start_state=state).length
    value = float(agent.q_values(np.array(state, dtype=np.float32)).max())
    worth = sum(config.gamma**k for k in range(steps_left))
    doomed_values[angle_deg] = (value, worth)
    print(
        f"ポール {angle_deg:+.0f} 度、{velocity_deg:+.0f} 度/s で回転: ネットワークの値は "
        f"{value:.1f}。ポールは {steps_left} ステップ後に倒れた (価値にして {worth:.2f})"
    )
overestimate = predicted.mean() / obtained.mean() - 1
print(f"予測は、方策が実際に得る値より {overestimate:.0%} 高い")
assert predicted.mean() > CEILING > obtained.mean(), "本文では、ネットワークは過大評価すると述べています"
assert 0.3 < overestimate < 0.5, f"本文では 40% 近く高すぎると述べています: {overestimate:.0%}"
assert all(value > 10 * worth for value, worth in doomed_values.values()), doomed_values

# %% [markdown]
# ネットワークは過大評価しています。評価の初期状態について、方策が実際に得る値より 40% 近く高い値を予測しており、どんな方策でも得られない値になっています。このネットワークは Double DQN で学習しました。レッスン 9 では、Double DQN は 10,000 ステップの時点で過小評価していました。このチェックポイントは 30,000 ステップ、しかもすべてのエピソードを探索的スタート (exploring starts) で学習しています。なぜ価値がここまで高くなったのかは、どのレッスンでも測っていません (レッスン 9 では、素の`max`を使うエージェントをこれほど長く学習させていません)。白い点から遠く離れた 2 つの助からない状態では、本来の価値の 10 倍を超えてずれています。貪欲な行動に必要なのは、ある状態での 2 つの Q値の*順序*だけで、2 つの数値がどちらも間違っていても順序は正しいことがあります。ですから、マップは形に注目して読みましょう。
#
# - **価値マップは対角線に沿った尾根になっています。** ネットワークが最も高く評価する状態は「ポールが直立している」状態だけではなく、「ポールが一方に傾きながら、逆向きに回転して戻ろうとしている」状態 (左上、右下) です。左に傾いて右に回転しているポールは、直立に戻る途中だからです。(これらの隅は白い点から遠く、価値が最も信頼できない場所です。実際には、100 を超える価値を持つ状態はありません。) 最も悪い隅は、ポールが一方に傾き、さらに同じ向きに回転している状態 (左下、右上) です。そこからは、エージェントが何をしてもポールは倒れます。
# - **貪欲な行動のマップは 1 本の線で分かれています。** 線より上ではエージェントは右に押し、下では左に押します。押す力は常に最大です。つまり貪欲方策は*バンバン制御* (bang-bang) で、*切り替え線*を持ちます。線は左上から右下へ走っています。エージェントはポールが倒れていく側へ押し、「倒れていく」かどうかを、ポールが今どこにあるかとどこへ向かっているかを混ぜ合わせて判断しています。これは比例微分 (PD) 則`angle + k * angular velocity`から、大きさを捨てて符号だけを取り出したものです。PD 制御器ならポールのずれが大きいほど強く押しますが、このエージェントにできるのは押す向きを選ぶことだけです。レッスン 1 の手で書いた方策`angle + angular velocity > 0`も同じ形で、4 節で出会う`dqn_lib.starts.linear_policy`も同じ形です。
# - **カートの状態が線を動かします。** カートが中心から右に 1 m の位置にあると (2 行目) 線は下へ移動し、カートが右へ 1 m/s で動いていると (3 行目) さらに下へ移動します。このとき、直立して静止しているポールに対して、エージェントは右に押します。つまり、中心から*離れる*向き、しかもカートの動きと*同じ*向きに押すのです。逆に見えますが、そうではありません。CartPole は*非最小位相* (non-minimum-phase) の系です。カートを左へ動かすには、あるいは右へ動いているカートを減速させるには、まずポールが左に傾かなければなりません。そしてポールを左に傾けられるのは右への押しだけです。その後に続くバランスを取るための押しが、カートを左へ運びます。中心へ向かって押すと、ポールは逆向きに傾いてしまいます。チェックの後の表で、この線の移動を測ります。
# - **白い点は中心付近の小さな塊です。** 良いエージェントはマップの大部分を一度も訪れません。そこでのネットワークの価値は、学習初期の不器用なエピソードと、ネットワークの補間がたまたま出した値に由来します。
#
# 次のチェックでは、カートが中心に静止しているスライス上で切り替え線を測ります。ポールが傾いている向きと回転している向きが同じところ (明らかにその向きへ倒れていく) では、エージェントはその向きに押さなければなりません。また、切り替え点を通る直線`angle + k * angular velocity = 0`から、エージェントが先を読んでいる時間`k`が得られます。エージェントは、約`k`秒後にポールがあるはずの側へ押しているのです。続いて、5 つのスライスについて、線が角速度 0 (回転していないポール) を横切る角度を、4 節の線形方策での同じ交点と並べて示します。交点の角度が 0 より小さければ、直立して静止しているポールは右に押され、0 より大きければ左に押されます。

# %%
angles_deg = np.linspace(-6, 6, 61)  # the part of the slice the pole can recover from
velocities_deg = np.linspace(-30, 30, 61)
actions = greedy_action_map(
    q_value_grid(agent.q_network, np.radians(angles_deg), np.radians(velocities_deg))
)  # (61, 61): rows angular velocity, columns angle
angle, velocity = np.meshgrid(angles_deg, velocities_deg)
falling_right = (angle > 0) & (velocity > 0)
falling_left = (angle < 0) & (velocity < 0)
right_share = np.mean(actions[falling_right] == PUSH_RIGHT)
left_share = np.mean(actions[falling_left] == PUSH_LEFT)
print(f"ポールが右に倒れていく: {right_share:.0%} の点で右に押す")
print(f"ポールが左に倒れていく: {left_share:.0%} の点で左に押す")

switch_points = []  # (angular velocity, angle) where the action changes along a row
for row, velocity_value in zip(actions, velocities_deg, strict=True):
    changes = np.flatnonzero(np.diff(row))
    if len(changes) == 1:
        switch_points.append((velocity_value, angles_deg[changes[0]]))
switch_points = np.array(switch_points)
look_ahead = -np.linalg.lstsq(switch_points[:, :1], switch_points[:, 1], rcond=None)[0][0]
print(
    f"切り替え線: 角度 + {look_ahead:.2f} s * 角速度 = 0 "
    f"({len(velocities_deg)} 行のうち {len(switch_points)} 行で当てはめ)"
)
assert right_share >= 0.95 and left_share >= 0.95, (
    f"エージェントが倒れる側へ押していません: 右 {right_share:.0%}、左 {left_share:.0%}"
)
assert 0.02 < look_ahead < 0.5, f"線の先読み時間 {look_ahead:.2f} s は PD 則のものではありません"


def switching_angle(q_network, cart_position, cart_velocity):
    """ポールが回転していないとき、貪欲な行動が右に押すに切り替わるポールの角度 (度)。"""
    fine = np.linspace(-12, 12, 2_401)  # degrees, a 0.01-degree grid
    row = greedy_action_map(
        q_value_grid(q_network, np.radians(fine), [0.0], cart_position, cart_velocity)
    )[0]  # (angles,): the actions along the line of zero angular velocity
    return float(fine[np.argmax(row == PUSH_RIGHT)])


def linear_switching_angle(cart_position, cart_velocity):
    """線形方策について同じもの: gains @ (x, v, angle, 0) の符号が変わる角度。"""
    gains = LINEAR_POLICY_GAINS
    cart_term = gains[POSITION] * cart_position + gains[VELOCITY] * cart_velocity
    return float(np.degrees(-cart_term / gains[ANGLE])) + 0.0  # + 0.0: no "-0.00"


print(
    f"{'カートの位置、速度':<16}{'DQN':>8}{'線形方策':>11}   (切り替え角度、度)"
)
crossings = {}
for cart_state in ((0.0, 0.0), (1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)):
    crossings[cart_state] = (
        switching_angle(agent.q_network, *cart_state),
        linear_switching_angle(*cart_state),
    )
    print(
        f"{f'{cart_state[0]:+.0f} m, {cart_state[1]:+.0f} m/s':<25}"
        f"{crossings[cart_state][0]:>+8.2f}{crossings[cart_state][1]:>+15.2f}"
    )
centre = crossings[(0.0, 0.0)][0]
for cart_state, (dqn, linear) in crossings.items():
    if cart_state != (0.0, 0.0):
        assert np.sign(dqn - centre) == np.sign(linear), (
            f"本文では、カートはエージェントの線を線形方策の線と同じ向きに動かすと述べています: "
            f"{cart_state}: {dqn:+.2f} 度 (中心 {centre:+.2f})、線形方策 {linear:+.2f}"
        )
assert crossings[(0.0, 1.0)][0] < crossings[(1.0, 0.0)][0] < 0, (
    "本文では、カートが +1 m にあると直立静止したポールは右に押され、"
    "カートが右に動いているとさらに早く右に押されると述べています"
)
velocity_shift = crossings[(0.0, 1.0)][0] - centre
assert abs(velocity_shift) < abs(crossings[(0.0, 1.0)][1]) / 2 and abs(centre) > 0.5, (
    "4 節では、速度がエージェントの線を動かす量は線形方策の線よりはるかに小さく、"
    f"中心では線が 0 を通らないと述べています: {crossings}"
)

# %% [markdown]
# ## 3. エピソードを 1 ステップずつ
#
# マップは、エージェントがどこにいたら何をするかを示します。エピソードは、エージェントが実際に何を、どの順番で行うかを示します。エピソードを面白くするため、評価では決して使わない状態から始めます。ポールが右に 10 度傾いて静止している状態です。(`inspect_episode`は環境をリセットしてから、その状態を設定します。) 各ステップでフレーム、Q値、貪欲な行動、報酬 (CartPole 本来の +1。このエージェントが学習に使った報酬です) を記録するので、エージェントが見込んでいたものと実際に得たものを比べられます。

# %%
START_STATE = [0.0, 0.0, np.radians(10.0), 0.0]  # cart position, velocity, pole angle, turning
episode = inspect_episode(agent, seed=EVAL_SEED, start_state=START_STATE)
pole_angles = np.degrees(episode.observations[:, ANGLE])  # (steps + 1,)
cart_positions = episode.observations[:, POSITION]  # (steps + 1,)
upright = int(np.argmax(np.abs(pole_angles) < 1.0))  # the first step with the pole within 1 degree
farthest = int(np.argmax(np.abs(cart_positions)))  # the step with the cart farthest out
ending = "失敗 (ポールが倒れたか、カートがレールの端を越えた)" if episode.terminated else "時間制限"
print(
    f"{episode.length} ステップ、{ending}で終了。ポールが直立した (1 度以内) のはステップ "
    f"{upright}。カートは中心から最大 {np.abs(cart_positions).max():.2f} m まで離れた "
    f"(ステップ {farthest})。"
    f"収益 {episode.rewards.sum():.0f}"
)
chosen = dqn_lib.display_name(ACTION_NAMES[episode.actions[0]])  # in the lesson's language
print(f"ステップ 0: Q = {episode.q_values[0].round(1)}、選んだ行動 {chosen}")
print(
    f"エピソード全体の Q値: {episode.q_values.min():.1f} から "
    f"{episode.q_values.max():.1f} まで。ステップ {upright} 以降、2 つの差は平均 "
    f"{np.abs(np.diff(episode.q_values[upright:], axis=1)).mean():.2f}"
)
after_rescue = episode.q_values[upright : upright + 20].max(axis=1).mean()
last_100 = episode.q_values[-100:].max(axis=1).mean()
print(
    f"max Q: 立て直し後の 20 ステップの平均 {after_rescue:.1f}、"
    f"最後の 100 ステップの平均 {last_100:.1f}"
)
assert episode.actions[0] == PUSH_RIGHT, "ポールが傾いている側へ押すはずです"
assert upright < 30, f"ポールが直立するまでに {upright} ステップかかりました"
assert farthest > 100 and np.abs(cart_positions).max() < 1.0, (farthest, cart_positions)
assert cart_positions[-1] < cart_positions.max()
assert after_rescue > last_100 > CEILING, (after_rescue, last_100)
assert episode.truncated and episode.q_values.min() > CEILING, (
    "本文では、エピソードは 500 ステップ続き、すべての Q値が 1 / (1 - gamma) を超えると述べています"
)

# %% [markdown]
# スライダーを動かして、エピソードをたどってみましょう。スライダーでステップを選ぶと、それに合わせてフレーム、Q値、選んだ行動、そこまでの収益 (そのステップより前に得た報酬の和) が切り替わります。再生ボタンを押すと、ステップが順に進みます。GitHub 上や、カーネルが動いていないノートブックビューアでは、ウィジェットは 1 行のテキストにしか見えません。その次の図で、4 つのステップを同じ形式で示します。

# %%
scrubber = EpisodeScrubber(episode)
display(scrubber)

# %%
steps_to_show = [0, upright, episode.length // 2, episode.length - 3]
fig = plot_episode_steps(
    episode,
    steps_to_show,
    title="エピソードの 4 つのステップ: フレームと、エージェントが行動を選んだ Q値",
)
plt.show()

# %% [markdown]
# エピソード全体での Q値と、その下に、Q値が反応しているポールの角度とカートの位置を示します。破線は`1 / (1 - gamma)` = 100、どんな状態でも取りうる価値の上限です。

# %%
steps = np.arange(episode.length)
fig, (ax_q, ax_angle, ax_cart) = plt.subplots(3, 1, figsize=(9, 7.5), sharex=True)
for action, name in enumerate(ACTION_NAMES):
    name = dqn_lib.display_name(name)  # in the lesson's language
    ax_q.plot(steps, episode.q_values[:, action], label=f"Q({name})", linewidth=1)
ax_q.axhline(
    CEILING, color="black", linestyle="--", linewidth=1, label="1 / (1 - gamma): 永遠に +1"
)
ax_q.set(
    ylabel="Q値", title="エージェントが見込んだ値を 1 ステップずつ (開始: ポール 10 度)"
)
ax_q.set_ylim(bottom=CEILING - 25)  # room under the dashed line for the legend
ax_q.legend(loc="lower left", fontsize="small", ncol=3)
ax_angle.plot(np.arange(episode.length + 1), pole_angles, color="C2")
ax_angle.set(ylabel="ポールの角度 (度)")
ax_cart.plot(np.arange(episode.length + 1), cart_positions, color="C3")
ax_cart.set(ylabel="カートの位置 (m)", xlabel="ステップ")
for ax in (ax_q, ax_angle, ax_cart):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# このエピソードからわかること (数値は上の出力にあります):
#
# - ステップ 0 では、ポールは右に 10 度傾いて静止しています。マップではこの状態は線より上、右に押す側にあり、エージェントは右に、つまりポールの下へカートを押します。Q(右に押す) は Q(左に押す) より明らかに大きく、選択が大きく効いてくる数少ない場面の 1 つです。
# - 数ステップのうちにポールは直立し、それ以降 2 つの Q値はほとんど重なります。直立に近ければ 1 ステップだけならどちらに押しても問題なく、エージェントは左右の押しを交互に繰り返します。
# - 立て直しの際にカートは右へ押され、ステップ 305 まで右へ流れ続けて 0.71 m に達し、その後わずかに戻ります。その間に Q値は下がっていき、立て直し直後の平均 136.6 から、最後の 100 ステップの平均 131.0 になります。どのステップでも得られる報酬は同じ +1 なのに、エージェントは中心から外れたカートの価値を少し低く見積もっています。エピソードは失敗ではなく、時間制限で終わります。
# - すべての Q値が、すべてのステップで 100 を超えています。2 節で見た過大評価が、エピソード全体にわたって現れています。エージェントの推定値はどこでも高すぎますが、エージェントはその順序に基づいて行動しています。

# %% [markdown]
# ## 4. 乱した初期状態から: 線形方策との比較
#
# 評価では、どのエピソードも CartPole の`reset`と同じところから始めます。状態変数はすべて 0 から 0.05 以内、つまりカートは中心にあり、ポールは直立してほぼ静止しています。そこで 500 を出すエージェントも、ほかの場所では一度も試されていないかもしれません。そこでベンチマークでは、シード付きのリセットの後に状態を設定して (`dqn_lib.starts.set_start`)、*乱した初期状態*からも 100 エピソードを始めます。
#
# - `PERTURBED_STARTS`: カートは中心から 1 m 以内の任意の位置で、速度は最大 0.5 m/s。ポールは直立から最大 0.1 rad (5.7 度) 傾き、最大 0.5 rad/s で回転している。
# - `WIDE_PERTURBED_STARTS`: 同じ条件で、カートは 1.8 m 以内の任意の位置 (レールの端は 2.4 m)。
#
# 比較の基準は`dqn_lib.starts.linear_policy`です。4 つの数だけでできていて、学習はしません。`0.03 * position + 0.2 * velocity + 1.0 * angle + 0.3 * angular velocity > 0`のとき右に押します。位置と速度のゲインは、2 節で説明したとおり正です。カートが中心より右にある、あるいは右へ動いていると、まず右に押されます。
#
# `perturbed_episodes`は、`dqn_lib.evaluate(..., start_box=...)`と同じように初期状態ごとに貪欲方策でエピソードを 1 本ずつ実行し、収益に加えて、初期状態とエピソードの終わり方を記録します。チェックでは、最初の 10 個の初期状態について、その収益をライブラリの収益と比べます。
#
# 数値を見る前に、注意を 1 つ。`tools/make_checkpoint.py`は、まさにこの 100 + 100 個の初期状態からの成績でこのチェックポイントを選んでいます (1 m の範囲の 100 個の初期状態からの成績が 450 未満のものは採用しません)。したがって、以下の DQN の成績は、それらの初期状態で選ばれた実行のもので、少し楽観的です。線形方策は、それらの初期状態で選ばれたものではありません。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-10-1-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 10.1: 予想してから実行: それぞれの方策はどれくらい持ちこたえるか (ウォームアップ、約 5 分)
#
# チェックポイントのエージェントは CartPole 本来の初期状態からは 500 を出し、すべてのエピソードをレール上の任意の位置から始めて学習しています。線形方策は、4 つの固定された数だけでできています。次のセルでこれらを実行する前に予想してください。広い範囲の 100 個の初期状態 (カートは中心から最大 1.8 m) のうち、それぞれの方策が 500 ステップすべてにわたってポールを立てたまま、カートをレール上に保てるのは何エピソードでしょうか。`my_prediction()`から`((dqn_count, linear_count), why)`を返してください。理由 (why) は文で書きます。セルの後のチェックが比較します (それぞれ差が 10 以内なら近いとみなします)。予想が外れても不合格にはなりませんが、予想がないと不合格になります。(「すべて実行」(Run All) を使った場合、下のセルはすでに実行されています。出力までスクロールする前に、予想を書いてください。)


# %% nbgrader={"grade": false, "grade_id": "ex-10-1-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def my_prediction():
    """次のセルの前に: ((DQN が持ちこたえるエピソード数, 線形方策が持ちこたえるエピソード数), 理由)。"""
    ### BEGIN SOLUTION
    return (95, 100), "DQN はそうした初期状態で学習した。線形方策はカートを中心に連れ戻す"
    ### END SOLUTION


# %%
def perturbed_episodes(policy, box, episodes, seed):
    """初期状態 (episodes, 4)、収益、終わり方 ("time limit", "cart left", "pole fell")、
    最後の状態 (episodes, 4)。box が None なら、評価と同じく、CartPole の reset が置く
    状態からエピソードを始める。"""
    env = dqn_lib.make_env()
    starts, returns, endings = np.zeros((episodes, 4)), np.zeros(episodes), []
    last_states = np.zeros((episodes, 4))
    for i in range(episodes):
        observation, _ = env.reset(seed=seed + i)
        if box is not None:
            observation = set_start(env, box)  # a state drawn from the box, after the reset
        starts[i] = observation
        terminated = truncated = False
        while not (terminated or truncated):
            observation, reward, terminated, truncated, _ = env.step(policy(observation))
            returns[i] += reward
        last_states[i] = observation
        if not terminated:
            endings.append("時間切れ")
        elif abs(observation[POSITION]) > POSITION_LIMIT:
            endings.append("カートが端を越えた")
        else:
            endings.append("ポールが倒れた")
    env.close()
    return starts, returns, np.array(endings), last_states


def greedy(observation):
    return agent.act(observation, greedy=True)


POLICIES = {"DQN (チェックポイント)": greedy, "線形方策": linear_policy}
for name, box in (
    ("PERTURBED_STARTS", PERTURBED_STARTS),
    ("WIDE_PERTURBED_STARTS", WIDE_PERTURBED_STARTS),
):
    print(
        f"{name}: カートは {box[POSITION]} m 以内 (レールの端は {POSITION_LIMIT} m)、速度は"
        f"最大 {box[VELOCITY]} m/s。ポールは {box[ANGLE]} rad ({np.degrees(box[ANGLE]):.1f} "
        f"度) 以内、角速度は最大 {box[ANGULAR_VELOCITY]} rad/s"
    )
BOXES = {
    "カートが 1 m 以内": (PERTURBED_STARTS, PERTURBED_SEED),
    "1.8 m 以内": (WIDE_PERTURBED_STARTS, WIDE_SEED),
}
perturbed = {
    (policy_name, box_name): perturbed_episodes(policy, box, 100, seed)
    for policy_name, policy in POLICIES.items()
    for box_name, (box, seed) in BOXES.items()
}
library_returns = dqn_lib.evaluate(
    agent, episodes=10, seed=PERTURBED_SEED, start_box=PERTURBED_STARTS
)
assert np.array_equal(perturbed["DQN (チェックポイント)", "カートが 1 m 以内"][1][:10], library_returns)

print(
    f"{'':<22}{'初期状態':<12}{'平均収益':>8}{'500 に到達':>10}\n{'カートが端を越えた':>63}{'ポールが倒れた':>8}"
)
for (policy_name, box_name), (_, returns, endings, _) in perturbed.items():
    print(
        f"{policy_name:<22}{box_name:<16}{returns.mean():>12.1f}{np.mean(returns == 500):>13.0%}"
        f"{np.sum(endings == 'カートが端を越えた'):>11}{np.sum(endings == 'ポールが倒れた'):>11}"
    )
dqn_near = perturbed["DQN (チェックポイント)", "カートが 1 m 以内"][1].mean()
dqn_wide = perturbed["DQN (チェックポイント)", "1.8 m 以内"][1].mean()
dqn_endings = np.concatenate([perturbed["DQN (チェックポイント)", box][2] for box in BOXES])
assert dqn_near >= 450, f"チェックポイントは乱した初期状態からも持ちこたえるはずです: 平均 {dqn_near:.1f}"
assert dqn_wide < 500 and not np.any(dqn_endings == "ポールが倒れた"), (
    "本文では、DQN は広い範囲の初期状態のいくつかで失敗し、それは常にカートを失うことによると述べています"
)
assert all(
    returns.min() == MAX_EPISODE_STEPS
    for (policy_name, _), (_, returns, _, _) in perturbed.items()
    if policy_name == "線形方策"
), "線形方策は、乱したどの初期状態からも 500 に達するはずです"

# %% nbgrader={"grade": true, "grade_id": "ex-10-1-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
from dqn_lib.checks import check_wide_starts_prediction

check_wide_starts_prediction(
    my_prediction,
    perturbed["DQN (チェックポイント)", "1.8 m 以内"][1],
    perturbed["線形方策", "1.8 m 以内"][1],
)

# %% [markdown]
# DQN の失敗は、どこから始まっているのでしょうか。下の図の点 1 つが、広い範囲の 100 個の初期状態の 1 つです。横軸はカートの初期位置、縦軸はそのエピソードで得た収益です。

# %%
fig, ax = plt.subplots(figsize=(9, 4.8))
ax.axvspan(-1.0, 1.0, color="grey", alpha=0.12, label="1 m の範囲 (PERTURBED_STARTS)")
for (policy_name, box_name), (starts, returns, _, _) in perturbed.items():
    if box_name != "1.8 m 以内":
        continue
    starts = starts[:, POSITION]
    is_dqn = policy_name.startswith("DQN")
    ax.scatter(
        starts,
        returns + (0 if is_dqn else 14),  # the linear policy's squares lifted, so both show
        s=22 if is_dqn else 14,
        marker="o" if is_dqn else "s",
        color="C0" if is_dqn else "C1",
        alpha=0.8,
        label=f"{policy_name}: 平均 {returns.mean():.1f}"
        + ("" if is_dqn else " (四角は値より少し上に描画)"),
    )
ax.axhline(MAX_EPISODE_STEPS, color="black", linestyle="--", linewidth=1)
ax.text(-1.78, MAX_EPISODE_STEPS - 22, "500: 時間制限、完璧なエピソード", fontsize="small")
for edge in (-POSITION_LIMIT, POSITION_LIMIT):
    ax.axvline(edge, color="C3", linewidth=1)
ax.text(POSITION_LIMIT - 0.05, 20, "レールの端", color="C3", ha="right", fontsize="small")
ax.set(
    xlim=(-2.5, 2.5),
    ylim=(0, 540),
    xlabel="開始時のカートの位置 (m)",
    ylabel="収益 (エピソードが続いたステップ数)",
    title="広い範囲で乱した 100 個の初期状態: カートの初期位置と収益",
)
ax.legend(loc="lower center", fontsize="small")
ax.grid(alpha=0.3)
plt.show()
wide_starts, wide_returns, _, _ = perturbed["DQN (チェックポイント)", "1.8 m 以内"]
failed = wide_returns < MAX_EPISODE_STEPS
print(
    f"広い範囲の初期状態からの DQN の失敗 {failed.sum()} 件 (開始時のカート: 収益):"
)
for start, value in sorted(zip(wide_starts[failed].tolist(), wide_returns[failed], strict=True)):
    print(f"  位置 {start[POSITION]:+.2f} m、速度 {start[VELOCITY]:+.2f} m/s: {value:.0f} ステップ")
failed_starts = wide_starts[failed]
assert np.sum(failed_starts[:, POSITION] < 0) == 1, "本文では、1 つを除いてすべてレールの右端の側だと述べています"
assert np.all(np.abs(failed_starts[:, POSITION]) > 1.4), "本文では、失敗は中心から遠い初期状態から始まると述べています"
assert np.all(failed_starts[:, POSITION] * failed_starts[:, VELOCITY] > 0), (
    "本文では、どの失敗もカートが外向きに動いている状態から始まると述べています"
)

# %% [markdown]
# - DQN が 500 に達したのは、1 m の範囲では 100 個中 99 個の初期状態から、1.8 m の範囲では 92 個からです。線形方策は、どちらの範囲でもすべての初期状態から 500 に達します。
# - DQN の失敗はすべてカートがレールの端を越えたもので、ポールは一度も倒れていません。1.8 m の範囲での失敗は、どれも中心から 1.4 m より遠く、カートがすでに外向きに動いている状態から始まっており、1 つを除いてすべてレールの右端の側です。
#
# 線形方策はなぜカートを失わないのでしょうか。カートを中心に連れ戻すからです。以下に、静止した 5 つの初期状態 (ポールは直立、何も動いていない) から、両方の方策について、エピソード全体でのカートの位置を示します。カートの初期位置は -1.8、-1、0、1、1.8 m です。


# %%
def cart_path(policy, cart_position):
    """cart_position (m) に静止した状態から始めた 1 エピソードでのカートの位置。"""
    env = dqn_lib.make_env()
    env.reset(seed=EVAL_SEED)
    env.unwrapped.state = np.array([cart_position, 0.0, 0.0, 0.0])
    observation = np.array(env.unwrapped.state, dtype=np.float32)
    positions, terminated, truncated = [cart_position], False, False
    while not (terminated or truncated):
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        positions.append(float(observation[POSITION]))
    env.close()
    return np.array(positions)


STILL_STARTS = (-1.8, -1.0, 0.0, 1.0, 1.8)
paths = {name: {x: cart_path(policy, x) for x in STILL_STARTS} for name, policy in POLICIES.items()}
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, (name, by_start) in zip(axes, paths.items(), strict=True):
    for i, (x, path) in enumerate(by_start.items()):
        ax.plot(path, color=f"C{i}", label=f"開始位置 {x:+.1f} m")
    for edge in (-POSITION_LIMIT, POSITION_LIMIT):
        ax.axhline(edge, color="C3", linewidth=1)
    ax.set(title=name, xlabel="ステップ", ylim=(-2.6, 2.6))
    ax.grid(alpha=0.3)
axes[0].set_ylabel("カートの位置 (m)、赤線: レールの端")
axes[1].legend(loc="center right", fontsize="small")
fig.suptitle("静止状態 (ポールは直立) から始めたときのカートの行き先")
plt.show()
print(
    f"{'開始':>4}"
    + "".join(f"{name:>24}" for name in paths)
    + "   (500 ステップ後のカートの位置)"
)
for x in STILL_STARTS:
    print(f"{x:>+6.1f}" + "".join(f"{paths[name][x][-1]:>+24.2f}" for name in paths))

assert all(abs(paths["線形方策"][x][-1]) < 0.25 for x in STILL_STARTS)
assert all(0.5 < paths["DQN (チェックポイント)"][x][-1] < 1.4 for x in STILL_STARTS)

# %% [markdown]
# - 線形方策は、どの初期状態からも、ゆっくりと着実にカートを中心のほうへ戻します。500 ステップ後には、カートは中心から 0.25 m 以内にあります。
# - DQN も、これらのどの初期状態からもポールを立て続けますが、カートを中心に連れ戻しはしません。-1.8 m からはカートを右へ動かして中心を通り過ぎ、中心からは右へ流れていき、+1.8 m からは数百ステップにわたってレールの端の近くをじわじわと進みます。どこから始めても、エピソードの終わりにはカートは中心から右に 0.5 m から 1.4 m の間にあります。このエージェントにはお気に入りの場所があり、それは中心ではないのです。右端の近くでカートがすでに外向きに動いていると、ゆっくりした修正では間に合わないことがあります。上で見た失敗が始まっていたのは、そういう場所でした。
#
# 2 節の切り替え線も、同じことを小さなスケールで示していました。カートの位置と速度は、線形方策の線と同じ向きにエージェントの線を動かしますが、速度による移動ははるかに小さく、カートが中心に静止していても線は 0 を通っていません。エージェントが学んだのは修正の向きであって、その大きさではないのです。これはどこから来るのでしょうか。

# %% [markdown]
# ## 5. エージェントは何で学習したか
#
# エージェントは自分が訪れた状態について学びます。そして、どこを訪れるかは、まずエピソードをどこから始めるかで決まります。このコースの DQN (`double`プリセット) は、学習エピソードの半分を CartPole 本来の`reset`から、残りの半分を`TRAINING_STARTS`の範囲内の任意の位置から始めます。この範囲は、レールの両端 0.4 m ずつを除いたレール全体です。これが*探索的スタート* (Sutton & Barto、5.3 節) で、`dqn_lib.starts.ExploringStarts`で実装されています。`reset_starts`プリセットは同じ DQN で、CartPole 本来の初期状態だけを使います。チェックポイントは、すべてのエピソードを広い範囲から始めました。以下は、それぞれの設定での学習用の初期状態 2,000 個で、学習用の環境そのものに抽出させたものです。

# %%
start_setups = {
    "CartPole 自身の reset (reset_starts)": get_preset("reset_starts").make_env(SEED),
    "半分を探索的スタートから (double)": get_preset("double").make_env(SEED),
    "すべてのエピソード (チェックポイント)": ExploringStarts(dqn_lib.make_env(SEED), TRAINING_STARTS, 1.0),
}
start_positions = {}
for name, env in start_setups.items():
    start_positions[name] = np.array(
        [env.reset(seed=SEED + i)[0][POSITION] for i in range(2_000)]
    )  # (2000,) cart positions at the start of an episode
    env.close()
bins = np.linspace(-2.45, 2.45, 50)  # 0.1 m wide, one centred on 0: CartPole's own starts
fig, ax = plt.subplots(figsize=(9, 4))
for name, positions in start_positions.items():
    ax.hist(
        positions,
        bins=bins,
        weights=np.full(len(positions), 1 / len(positions)),
        histtype="step",
        linewidth=1.8,
        label=name,
    )
ax.set(
    yscale="log",
    xlabel="学習エピソード開始時のカートの位置 (m)",
    ylabel="エピソードの割合 (対数目盛)",
    title="学習エピソードの開始位置: 各設定 2,000 回分",
)
ax.legend(fontsize="small", loc="upper right")
ax.grid(alpha=0.3)
plt.show()
for name, positions in start_positions.items():
    print(
        f"{name:<38} 最も遠い開始位置 {np.abs(positions).max():.2f} m。"
        f"中心から 0.05 m を超えて離れた開始位置は {np.mean(np.abs(positions) > 0.05):.0%}"
    )
assert np.abs(start_positions["CartPole 自身の reset (reset_starts)"]).max() <= 0.05

# %% [markdown]
# CartPole 本来の初期状態だけで学習するエージェントがレールの端を見るのは、自分でそこまで走っていったときだけで、それもエピソードの最後の数ステップ、レールから外れていく途中です。端から戻ってくる練習は、ほとんどできません。探索的スタートを使えば、一部のエピソードは端の近くから始まり、そこで何をすべきかを最大 500 ステップかけて学べます。6 節では、これを実際の 2 回の学習で確かめます。
#
# ## 6. 探索的スタートあり・なしの学習を内側から観察する
#
# この違いが学習中に何を変えるのかを見るため、`double`と`reset_starts`の 2 つのプリセットを同じシードでそれぞれ 10,000 ステップ (時間を節約するため、ベンチマークの予算の半分) 学習させます。それぞれ専用のプロセスで実行し、学習を進めながら次の 4 つを測ります。
#
# 1. **貪欲方策での評価**: 2,000 ステップごと (ベンチマークと同じく、CartPole 本来の初期状態から 20 エピソード)。
# 2. **max-Q の平均**: 固定したプローブ状態の集合で測ります。プローブ状態は、チェックポイントのエージェントによる評価エピソード 1 本から 5 状態ごとに取った状態で、バランスを取れるエージェントが目にする状態です。ネットワークによれば、これらの状態の価値はどれくらいでしょうか。(上限は 100 です。決して倒れない状態については、時間制限による打ち切りを越えてブートストラップするエージェントなら 100 と予測するはずです。)
# 3. **TD損失**: 予測が TDターゲットからどれだけ離れているか。前の測定点からの平均です。
# 4. **リプレイバッファ内の終端遷移の割合**: エピソードの終わりに何が起こるかを、バッチがどれくらいの頻度でエージェントに思い出させるか。
#
# `train_diagnosed`は、各プリセットをベンチマークと同じように学習させますが、`train`のコールバックに`DiagnosticsRecorder`を加えます (`Callback`は決まったステップ数ごとに呼ばれ、エージェントを読むだけです。そのため学習の実行はコールバックがない場合とまったく同じです。tests/test_inspection.py で両方の方法で学習させ、同じ重みになることを確かめています)。記録係が 1,000 ステップごとに項目 2 から 4 (`mean_max_q`、損失、`terminal_share`) を測ります。1 回のレッスンで賄えるのは 1 シード分です。7 節では、ベンチマークの 10 シードを見ます。3 つ目の実行として、同じシードで`shaped`プリセットも並行して学習させ、7 節で使います。

# %%
LONG_STEPS, LONG_SEED = 10_000, SEED
probe_observations = inspect_episode(agent, seed=EVAL_SEED).observations[::5]  # (101, 4)
long_runs = train_diagnosed(
    ["double", "reset_starts", "shaped"],
    LONG_SEED,
    LONG_STEPS,
    probe_observations,
    every=1_000,
    workers=2,
)
shaped_run = long_runs.pop("shaped")  # section 7 comes back to it
LABELS = {"double": "探索的スタートあり (double)", "reset_starts": "なし (reset_starts)"}

# %%
fig = plot_diagnostics(
    {LABELS[name]: (run.history, run.diagnostics) for name, run in long_runs.items()},
    solved=SOLVED,
)
ceiling = fig.axes[1].axhline(CEILING, color="black", linestyle=":", linewidth=1)
fig.axes[1].set_ylim(top=CEILING * 1.1)
fig.axes[1].legend(
    [ceiling], ["1 / (1 - gamma) = 100: 永遠に +1"], loc="upper left", fontsize="small"
)
fig.axes[0].set_title(f"内側から見た学習: シード {LONG_SEED}、{LONG_STEPS:,} ステップ")
plt.show()

# %%
double_run, reset_run = long_runs["double"], long_runs["reset_starts"]
print(f"{'step':>6} {'double':>9} {'reset_starts':>13}   (貪欲方策での評価、20 エピソードの平均)")
for step, double_value, reset_value in zip(
    double_run.history.eval_steps,
    double_run.history.eval_returns,
    reset_run.history.eval_returns,
    strict=True,
):
    print(f"{step:>6,} {double_value:>9.1f} {reset_value:>13.1f}")
for name, run in long_runs.items():
    log = run.diagnostics
    print(
        f"{name}: 終了時、プローブ状態での max-Q の平均 {log.mean_max_q[-1]:.1f}、TD損失 "
        f"{log.td_loss[-1]:.1f}、終端遷移はバッファの {log.terminal_share[-1]:.2%}"
    )
checkpoint_probe_value = mean_max_q(agent.q_network, probe_observations)
print(f"チェックポイント (30,000 ステップ): プローブ状態での max-Q の平均 {checkpoint_probe_value:.1f}")
assert all(run.diagnostics.mean_max_q[-1] < CEILING for run in long_runs.values())
assert checkpoint_probe_value > CEILING
assert all(r >= SOLVED for r in double_run.history.eval_returns[1:]), (
    f"本文では、double は 4,000 ステップ以降解けていると述べています: {double_run.history.eval_returns}"
)
assert max(reset_run.history.eval_returns[1:]) < 300 < reset_run.history.eval_returns[0], (
    f"本文では、reset_starts は 2,000 ステップより後は 300 未満と述べています: {reset_run.history.eval_returns}"
)

# %% [markdown]
# パネルを上から順に読みます。
#
# - **貪欲方策での評価。** 探索的スタートありでは、エージェントは 4,000 ステップ以降ずっと解けています。なしでは、2,000 ステップの時点で解ける手前まで近づいた後、その約半分に落ち、そのままです。エピソードを終わらせているのが何かは、次のセルで示します。
# - **max-Q の平均、TD損失、終端遷移。** 2 つの実行はよく似ています。プローブ状態での価値は同じペースで上がり、10,000 ステップの時点でもまだ上昇中で、100 を下回っています。3 倍の長さ学習させたチェックポイントは、同じ状態を 100 を大きく超える価値と評価しています (出力を参照)。2 節の過大評価は、初期状態の与え方も異なる実行の、10,000 ステップから 30,000 ステップの間のどこかで現れたことになります (1 シードで、変更点は 2 つ)。TD損失は価値とともに大きくなり (ターゲットが大きければ誤差も大きい)、探索的スタートありのほうが大きくなっています。終端遷移の割合は、エピソードが長くなるにつれて下がります。2 つのエージェントの一方がカートをレール上に保てないことを示すパネルは、1 つもありません。これらのパネルが測っているのは、ネットワークが手元のデータにどれだけ合っているかであって、手元にどんなデータがあるかではないのです。
#
# エピソードを終わらせているのは何で、そのときカートはどこにあったのでしょうか。どちらのバッファも、その実行のすべての遷移をまだ保持しています (出力によれば、10,000 ステップ分が 50,000 スロットに収まっています)。そこでバッファに尋ねてみます。各ステップでカートがどこにあったか、中心から遠いときにどちらへ動いていたか、そして終端遷移のそれぞれについて、ポールが倒れたのか、カートがレールの端を越えたのか、です。

# %%
BLOCK = 2_000
fig, ax = plt.subplots(figsize=(9, 4))
kinds = {}
for name, run in long_runs.items():
    buffer = run.agent.replay_buffer
    assert buffer.size == LONG_STEPS, "バッファはまだ、その実行のすべての遷移を保持しているはずです"
    print(f"{name}: バッファは {buffer.capacity:,} スロットに {buffer.size:,} 個の遷移を保持")
    states = buffer.observations[: buffer.size]  # (steps, 4), in the order they were visited
    ax.hist(
        states[:, POSITION],
        bins=bins,
        weights=np.full(len(states), 1 / len(states)),
        histtype="step",
        linewidth=1.8,
        label=LABELS[name],
    )
    ended = np.flatnonzero(buffer.terminated[: buffer.size])  # index = step - 1
    cart_left = np.abs(buffer.next_observations[ended, POSITION]) > POSITION_LIMIT
    kinds[name] = (ended, cart_left)
    far = np.abs(states[:, POSITION]) > 1.0
    homeward = np.mean(states[far, POSITION] * states[far, VELOCITY] < 0)
    print(
        f"{name}: カートが 1 m より外側にいたのはステップの {far.mean():.1%}。そのうち中心へ"
        f"戻る向きに動いていたのは {homeward:.1%}"
    )
    kinds[name] += (far.mean(), homeward)
ax.set(
    yscale="log",
    xlabel="カートの位置 (m)",
    ylabel="ステップの割合 (対数目盛)",
    title=f"学習の各ステップでのカートの位置: シード {LONG_SEED}、{LONG_STEPS:,} ステップ",
)
ax.legend(fontsize="small", loc="upper right")
ax.grid(alpha=0.3)
plt.show()

assert kinds["reset_starts"][3] < 0.05 and kinds["double"][3] > 0.2, kinds

print(f"{'ステップ範囲ごとに加わった終端遷移':<19}{'double':>22}{'reset_starts':>22}")
print(f"{'':<36}{'転倒 / 端越え':>18}{'転倒 / 端越え':>17}")
for start in range(0, LONG_STEPS, BLOCK):
    cells = []
    for name in long_runs:
        ended, cart_left = kinds[name][:2]
        in_block = (ended >= start) & (ended < start + BLOCK)
        cells.append(f"{np.sum(in_block & ~cart_left):>5} / {np.sum(in_block & cart_left):<5}")
    print(f"{f'{start + 1:,} ～ {start + BLOCK:,}':<35}{cells[0]:>22}{cells[1]:>22}")

_, reset_returns, reset_endings, reset_last = perturbed_episodes(
    lambda observation: reset_run.agent.act(observation, greedy=True), None, 20, EVAL_SEED
)
print(
    f"\nreset_starts、評価エピソード 20 本: 平均収益 {reset_returns.mean():.1f}。終わり方: "
    + ", ".join(
        f"{np.sum(reset_endings == e)} {e}" for e in ("カートが端を越えた", "ポールが倒れた", "時間切れ")
    )
)
fell = reset_endings == "ポールが倒れた"
if fell.any():
    print(
        "ポールが倒れたときのカートの位置: "
        + ", ".join(f"{x:+.2f} m" for x in sorted(reset_last[fell, POSITION]))
        + f"。レールの端から最大 {POSITION_LIMIT - np.abs(reset_last[fell, POSITION]).min():.2f} m"
    )
assert np.all(np.abs(reset_last[:, POSITION]) > 2.2), "本文では、どのエピソードもレールの端で終わると述べています"
for name, (ended, cart_left, _, _) in kinds.items():
    early, late = ended < 4_000, ended >= 6_000
    assert np.mean(cart_left[early]) < 0.05, f"{name}: 初期のエピソードはポールの転倒で終わるはずです"
    if name == "reset_starts":
        assert np.mean(cart_left[late]) > 0.3, f"{name}: 後期のエピソードの多くはカートがレールの端を越えて終わるはずです"

# %% [markdown]
# - **どちらのエージェントも、レールの端の近くに行ったことがあります。** どちらのバッファでも、カートの位置はレール全体に広がっています (対数目盛であることに注意してください)。探索的スタートなしでは、カートが端の近くにいる頻度は低く、そのほとんどが外へ向かう途中です。1 m より外側では、カートが中心へ戻る向きに動いていたことはほとんどありません (出力を参照)。探索的スタートありでは、かなりの割合で戻る向きに動いていました。エージェントは端からカートが戻ってくるところをほとんど見たことがないので、それを学ぶ材料がなかったのです。
# - **ポールを扱えるようになると、エピソードを終わらせるのはカートがレールの端を越えることになります。** 最初の 4,000 ステップでは、どちらの実行でもほぼすべてのエピソードがポールの転倒で終わります。その後は、どちらの実行でも、終了のうち大きな割合をカートがレールの端を越えたものが占めます (数エピソード単位の件数で、それぞれ 1 シード: 出力を参照)。そして、最後に行った 20 本の評価エピソードは、どれもレールの端で終わります。カートが端を越えるか、カートが端から 0.16 m 以内にある状態でポールが倒れるかのどちらかです。貪欲方策はポールを立てたまま、平均 222.4 ステップでカートを端まで運んでしまいます。
#
# 以下は、探索的スタートなしで学習したエージェントを、評価の最初の初期状態から動かしたものです。

# %%
dqn_lib.animate_episode(
    reset_run.agent,
    seed=EVAL_SEED,
    title=f"reset_starts、シード {LONG_SEED}、{LONG_STEPS:,} ステップ",
)

# %% [markdown]
# ## 7. 10 シードでの比較、そして第 3 の方法: 報酬
#
# 1 シードの結果は逸話にすぎません。解けるかどうかを測るベンチマークは、各プリセットを 10 シードでそれぞれ 20,000 ステップ学習させ (`benchmarks/solve.py --preset NAME --seeds 0-9 --budget 20000 --workers 2`)、最後に、新しい CartPole 本来の初期状態から 100 エピソード、1 m の乱した初期状態から 100 エピソード、広い範囲の乱した初期状態から 100 エピソードを実行します。その記録は、シードごとに 1 つずつ JSON としてコミットしてあります。`double`と`reset_starts`に加えて、もう 1 つのプリセットを比べます。`shaped`は、このコースの DQN (探索的スタートも含む) を、レッスン 5 の整形した報酬、つまり 1 ステップあたり`-|pole angle| - 0.1 * |cart position|`、転倒時に -5 (`angle_and_position_reward`) で学習させるものです。これはレールについてエージェントに教えるもう 1 つの方法で、端を見せるのではなく、毎ステップ中心からの距離に応じて報酬を差し引きます。
#
# プリセットと指標ごとに、10 シードにわたる四分位平均 (IQM: レッスン 9 と同じく、中央の半分の平均) と、その 95% 層化ブートストラップ信頼区間 (rliable) を示し、各シードを点で示します。

# %%
PRESETS_COMPARED = ["reset_starts", "double", "shaped"]
records = {name: load_results(name) for name in PRESETS_COMPARED}  # benchmarks/results/
MEASURES = {
    "final_100": "CartPole 本来の初期状態",
    "perturbed_100": "乱した初期状態、カートは 1 m 以内",
    "wide_perturbed_100": "広い範囲、カートは 1.8 m 以内",
}


def iqm_interval(values):
    """シード全体での IQM と、その 95% 層化ブートストラップ区間 (rliable)。再現できるようシードを固定。"""
    # rliable 1.2.0 draws its resamples from NumPy's global generator (np.random.choice in
    # StratifiedBootstrap.update_indices), whatever its random_state says: seed that generator
    # for this call, then put its state back.
    saved = np.random.get_state()  # noqa: NPY002 (rliable uses the global generator)
    np.random.seed(0)  # noqa: NPY002
    try:
        points, intervals = rly.get_interval_estimates(
            {"run": np.asarray(values, dtype=float).reshape(-1, 1)},  # (seeds, 1 task)
            lambda x: np.array([metrics.aggregate_iqm(x)]),
            reps=2_000,
        )
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    return float(points["run"][0]), intervals["run"][:, 0]


print(f"{'プリセット':<9}{'一度は解けた':>6}" + "".join(f"{label:>30}" for label in MEASURES.values()))
estimates = {}
for name, seed_records in records.items():
    assert [r["seed"] for r in seed_records] == list(range(10)) and all(
        r["budget"] == 20_000 for r in seed_records
    ), f"{name}.json には 20,000 ステップのシード 0-9 が入っているはずです"
    solved = sum(r["solved_step"] is not None for r in seed_records)
    cells = []
    for measure in MEASURES:
        point, (low, high) = iqm_interval([r[measure] for r in seed_records])
        estimates[name, measure] = (point, low, high)
        cells.append(f"{point:.1f} [{low:.1f}, {high:.1f}]")
    print(f"{name:<14}{solved:>9}/10 " + "".join(f"{cell:>30}" for cell in cells))

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), sharey=True, layout="constrained")
for ax, (measure, label) in zip(axes, MEASURES.items(), strict=True):
    for i, name in enumerate(PRESETS_COMPARED):
        values = [r[measure] for r in records[name]]
        jitter = np.linspace(-0.15, 0.15, len(values))
        ax.scatter(i + jitter, values, s=14, color=f"C{i}", alpha=0.7)
        point, low, high = estimates[name, measure]
        ax.errorbar(
            i + 0.3,
            point,
            yerr=[[point - low], [high - point]],
            fmt="D",
            color="black",
            capsize=4,
            markersize=5,
        )
    ax.axhline(MAX_EPISODE_STEPS, color="black", linestyle="--", linewidth=0.8)
    ax.set(
        title=f"開始: {label}",
        xticks=range(len(PRESETS_COMPARED)),
        xticklabels=PRESETS_COMPARED,
        xlim=(-0.5, len(PRESETS_COMPARED) - 0.3),
        ylim=(0, 520),
    )
    ax.grid(alpha=0.3, axis="y")
axes[0].set_ylabel("100 エピソードの平均収益 (点 1 つが 1 シード)")
axes[-1].legend(
    handles=[
        plt.Line2D([], [], marker="o", linestyle="", color="grey", label="1 シード"),
        plt.Line2D([], [], marker="D", linestyle="", color="black", label="IQM、95% 信頼区間"),
        plt.Line2D([], [], linestyle="--", color="black", label="500 (時間制限)"),
    ],
    loc="lower right",
    fontsize="small",
)
fig.suptitle("プリセットごとに 10 シード、各 20,000 ステップ (benchmarks/results/*.json)")
plt.show()

# %%
print(f"シード {SEED}: 乱した初期状態 100 個 (1 m) / 広い範囲の初期状態 100 個 (1.8 m) での平均収益")
for name in PRESETS_COMPARED:
    record = records[name][SEED]
    print(
        f"  {name + '、20,000 ステップ学習':<49}"
        f"{record['perturbed_100']:>6.1f} / {record['wide_perturbed_100']:.1f}"
    )
print(
    f"  {'チェックポイント: 全エピソード探索、30,000 ステップ学習':<33}{dqn_near:>6.1f} / {dqn_wide:.1f}"
)

once_solved = [r for r in records["reset_starts"] if r["solved_step"] is not None]
assert [r["solved_step"] for r in once_solved] == [2_000] and once_solved[0]["final_eval"] < SOLVED
assert max(r["final_100"] for r in records["reset_starts"]) < 300
assert all(r["solved_step"] is not None for r in records["double"])
for measure in MEASURES:  # the intervals of reset_starts and double are apart on every measure
    assert estimates["reset_starts", measure][2] < estimates["double", measure][1], measure
double_wide = [r["wide_perturbed_100"] for r in records["double"]]
assert 300 < min(double_wide) < 350 and max(double_wide) >= 499, double_wide
assert min(r["wide_perturbed_100_full"] for r in records["double"]) < 0.4
assert dqn_near > records["double"][SEED]["perturbed_100"]
assert dqn_wide > records["double"][SEED]["wide_perturbed_100"]
for measure in ("perturbed_100", "wide_perturbed_100"):  # shaped: below double, apart
    assert estimates["shaped", measure][2] < estimates["double", measure][1], measure
shaped_solved_at = [r["solved_step"] for r in records["shaped"]]
assert all(r["final_100"] == MAX_EPISODE_STEPS for r in records["shaped"])
assert sum(step == 2_000 for step in shaped_solved_at) >= 5 and None not in shaped_solved_at

# %% [markdown]
# 10 シードの結果からわかること:
#
# - **+1 の報酬では、探索的スタートが決定的な違いを生みます。** 探索的スタートなし (`reset_starts`) では、10 シード中 1 シードが一度だけ、2,000 ステップの時点で貪欲方策での評価 475 に達しましたが、その後それを失いました。CartPole 本来の初期状態からは、どのシードも最終的に 300 未満で、乱した初期状態からは約 100 (IQM) です。探索的スタートあり (`double`) では、すべてのシードが解けており、2 つのプリセットの信頼区間はどの指標でも大きく離れています。
# - **広い範囲の初期状態からでは、このコースの DQN でさえシードによって成績がばらつきます。** 点は 300 台前半から 500 まで広がり、最も悪いシードでは、広い範囲の初期状態のうち約 3 分の 1 からしか 500 に達しません (記録の`wide_perturbed_100_full`)。
# - **チェックポイント**は、同じシード 0 を、すべてのエピソードを探索的スタートにして 30,000 ステップ学習させたもので、どちらの範囲からも`double`プリセットのシード 0 より良い成績です。4 節での成績は、少し割り引いて見る必要があります。`tools/make_checkpoint.py`は、まさにそれらの初期状態からの成績でこのチェックポイントを選んだからです。しかも、これは 1 シードで 2 つの変更を同時に加えたものです。`tools/make_checkpoint.py`には、このシードでそれぞれがどうだったかを 2,000 ステップごとに測った記録があります。プリセットそのままの実行は、広い範囲の初期状態からの成績が 20,000 ステップ以降は良くならず、その後は悪くなりました。全エピソードを探索的スタートにした実行は、後になってから良くなりました。10 シードのベンチマークで確かめる価値のあるヒントであって、結果ではありません。
# - **整形した報酬は、早く解けますが、成績は悪くなります。** CartPole 本来の初期状態からは、`shaped`のすべてのシードが解けており、その大半は最初の評価 (2,000 ステップ) で解け、すべてが最後に 500 で終わります。しかし、乱した初期状態からは +1 の報酬より*悪く*、広い範囲の初期状態からははるかに悪くなります。信頼区間も離れています。レールについて毎ステップ語りかける報酬は、中心から離れた場所にうまく対処できるエージェントを生みませんでした。
#
# 広い範囲の初期状態から、整形した報酬で学習したエージェントは何をするのでしょうか。6 節の 3 つ目の実行 (`shaped`、シード 0、10,000 ステップ) を、4 節でチェックポイントに使ったのと同じ、広い範囲の 100 個の初期状態から動かします。

# %%
shaped_starts, shaped_returns, shaped_endings, shaped_last = perturbed_episodes(
    lambda observation: shaped_run.agent.act(observation, greedy=True),
    WIDE_PERTURBED_STARTS,
    100,
    WIDE_SEED,
)
shaped_failed = shaped_returns < MAX_EPISODE_STEPS
print(
    f"shaped、シード {LONG_SEED}、{LONG_STEPS:,} ステップ、広い範囲の初期状態 100 個: 平均収益 "
    f"{shaped_returns.mean():.1f}。終わり方: "
    + ", ".join(
        f"{np.sum(shaped_endings == e)} {e}" for e in ("時間切れ", "ポールが倒れた", "カートが端を越えた")
    )
)
print(
    f"  失敗: 平均 {shaped_returns[shaped_failed].mean():.0f} ステップ、初期位置は中心から平均 "
    f"{np.abs(shaped_starts[shaped_failed, POSITION]).mean():.2f} m"
)
print(
    f"  それ以外: 初期位置は中心から平均 "
    f"{np.abs(shaped_starts[~shaped_failed, POSITION]).mean():.2f} m、終了時は中心から最大 "
    f"{np.abs(shaped_last[~shaped_failed, POSITION]).max():.2f} m"
)
with torch.no_grad():
    shaped_values = shaped_run.agent.q_network(torch.as_tensor(shaped_starts, dtype=torch.float32))
shaped_values = shaped_values.max(dim=1).values.numpy()  # (100,): max_a Q at each start
print(
    f"  開始時の max_a Q: 失敗したところでは平均 {shaped_values[shaped_failed].mean():.2f}、"
    f"500 に達したところでは {shaped_values[~shaped_failed].mean():.2f}"
)
break_even = -FALL_PENALTY * (1 - config.gamma) / POSITION_PENALTY  # 0.1 x / (1 - gamma) == 5
print(
    f"gamma {config.gamma} のとき: カートを中心から x m の位置に永遠に保つコストは "
    f"{POSITION_PENALTY} x / (1 - gamma) = {POSITION_PENALTY / (1 - config.gamma):.0f} x。転倒 "
    f"({FALL_PENALTY:+.0f}) のコストは {-FALL_PENALTY:.0f}。両者は x = {break_even:.2f} m で等しい"
)
assert np.all(shaped_endings[shaped_failed] == "ポールが倒れた"), "本文では、ポールが倒れると述べています"
assert shaped_returns[shaped_failed].mean() < 30, "本文では、失敗は早い段階で起こると述べています"
assert np.abs(shaped_starts[shaped_failed, POSITION]).min() > break_even
assert np.abs(shaped_last[~shaped_failed, POSITION]).max() < 0.25
assert (
    -7 < shaped_values[shaped_failed].mean() < FALL_PENALTY < shaped_values[~shaped_failed].mean()
)

# %% [markdown]
# 整形した報酬で学習したエージェントの失敗はすべてポールの転倒で、開始から数ステップ後に起こり、どれも中心から 0.5 m より遠い初期状態から始まっています。持ちこたえた初期状態からは、カートを中心から 0.25 m 以内まで戻しています。失敗した初期状態では、開始時のエージェント自身の Q値は平均で約 -6 です。転倒の -5 と、その前の数ステップ分のコストです。エージェントは転倒を予期しているのです。では、なぜ転倒を選ぶのでしょうか。整形した報酬は、中心から 1 m 離れるごとに 1 ステップあたり 0.1 を差し引き、決して正になりません。カートを中心から`x`メートルの位置に*永遠に*置いておくと、gamma 0.99 のもとでコストは`10 * x`になり、転倒のコストは 5 です。両者は 0.5 m で等しくなります (レッスン 5 の損益分岐の計算を、ここではカートについて行ったものです)。ただし、この比較は損得の上限を示すにすぎません。カートを戻せるエージェントが支払うのは戻る途中のステップの分だけなので、0.5 m 付近ではこの選択に直面することはありません。しかし遠くからでは戻る道のりが長く、その 1 ステップごとにコストがかかり、一方で転倒すればコストはその場で止まります。報酬が決して正にならず、エピソードを終わらせる罰則があるとき、エピソードを早く終わらせることが安上がりな逃げ道になります。このエージェントは、戻る道筋が見えない場所ではその逃げ道を取るように学習したのです。+1 の報酬はそんなことを言いません。+1 の報酬では、カートがどこにあっても、どのステップも得る価値があります。
#
# gamma を下げればこの損益分岐点は動きますが、それはエージェントに最適化させる対象そのものを変えてしまいます。このコースでは試していません。代わりに、報酬整形 (reward shaping) を安全にする方法があります。ポテンシャルに基づく報酬整形は、状態の任意の関数`phi` (ただしエピソードが終わった後は`phi` = 0) について、タスク本来の報酬 (ここでは CartPole の +1) に`gamma * phi(s') - phi(s)`を加えるもので、最適な方策を変えません ([Ng, Harada and Russell](https://people.eecs.berkeley.edu/~pabbeel/cs287-fa09/readings/NgHaradaRussell-shaping-ICML1999.pdf), ICML (1999))。これを上の決して正にならない報酬に加えた場合は、エピソードを早く終わらせることは今と同じように安上がりなままです。
#
# これが報酬設計の教訓です。エージェントが最適化するのはあなたが書いた報酬であって、あなたが意図したタスクではありません。整形した報酬は「カートを中心の近くに保て」と伝えるつもりのものでしたが、「カートが遠くにあるなら、やめてしまえ」とも伝えています。探索的スタートは、端を見せるという別のやり方でエージェントにレールのことを教え、タスクは CartPole の定義どおり「できるだけ長く立っていること」のままにしておきます。

# %% [markdown]
# ## 演習
#
# チェックは、固定したケースであなたの関数とライブラリの実装を実行して比べ、何が違うかを教えてくれます。

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-10-2-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 10.2: Q値のグリッド (基本、約 15 分)
#
# 2 節のマップを描くのに使った関数`q_value_grid(q_network, angles, angular_velocities, cart_position, cart_velocity)`を書いてください。この関数は形状`(len(angular_velocities), len(angles), n_actions)`の NumPy 配列を返します。要素`[i, j, a]`は、観測`(cart_position, cart_velocity, angles[j], angular_velocities[i])`に対する行動`a`の Q値です。角度は、観測と同じくラジアン単位です。すべての観測を、`torch.no_grad()`のもとで 1 つのバッチとしてまとめてネットワークに通してください。
#
# ヒント: `np.meshgrid(angles, angular_velocities)`は形状`(len(angular_velocities), len(angles))`の配列を 2 つ返します。`nn.Linear`は、先頭に任意の数の次元を持つテンソルを受け付けます。チェックでは小さなネットワークで 5 つのグリッドを試します。軸を取り違えると分かるように、角度と角速度の数が等しいグリッドは使いません。そのうち 3 つは、カートが中心から離れた位置にあります。


# %% nbgrader={"grade": false, "grade_id": "ex-10-2-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def q_value_grid(q_network, angles, angular_velocities, cart_position, cart_velocity):
    """すべての (角速度, 角度) の組に対する Q値: (n_velocities, n_angles, n_actions)。"""
    ### BEGIN SOLUTION
    angle, angular_velocity = np.meshgrid(angles, angular_velocities)  # (n_velocities, n_angles)
    observations = np.stack(
        [
            np.full_like(angle, cart_position),
            np.full_like(angle, cart_velocity),
            angle,
            angular_velocity,
        ],
        axis=-1,
    )  # (n_velocities, n_angles, 4)
    with torch.no_grad():
        q_values = q_network(torch.as_tensor(observations, dtype=torch.float32))
    return q_values.numpy()  # (n_velocities, n_angles, n_actions)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-10-2-check", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
check_q_value_grid(q_value_grid)

# %% [markdown] nbgrader={"grade": false, "grade_id": "ex-10-3-text", "locked": true, "schema_version": 3, "solution": false, "task": false}
# ### 演習 10.3: 終端遷移の割合 (ウォームアップ、約 5 分)
#
# 6 節の 4 つ目の診断指標`terminal_share(replay_buffer)`を書いてください。`dqn_lib.ReplayBuffer`に保存された遷移のうち、終了 (termination) である遷移の割合 (0 から 1 の間) を返します。バッファは、あらかじめ確保された配列`terminated`と`truncated` (スロットごとに 1 要素) と、遷移が入っているスロットの数`size`を持っています。
#
# ヒント: いっぱいになっていないバッファには空のスロットがあります。また、時間切れ (打ち切り) は終了ではありません。チェックでは、まず小さなバッファを 5 つ試します。いっぱいになっていないもの、いちばん古い遷移を上書きした後でいっぱいになっているもの、打ち切られた遷移を含むもの、終了した遷移がないものです。続いて、(シードを固定した) ランダムな遷移からなるバッファを 2 つ試します。そのうち 1 つは上書きされています。どのバッファでも、報酬はすべて CartPole 本来の +1 です。


# %% nbgrader={"grade": false, "grade_id": "ex-10-3-solution", "locked": false, "schema_version": 3, "solution": true, "task": false}
def terminal_share(replay_buffer):
    """保存された遷移のうち終了 (termination) であるものの割合。[0, 1] の float。"""
    ### BEGIN SOLUTION
    stored = replay_buffer.terminated[: replay_buffer.size]  # only the filled slots
    return float(stored.mean())
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "ex-10-3-check", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
check_terminal_share(terminal_share)

# %% [markdown]
# ## まとめ
#
# - **Q値マップ。** 状態空間のスライス (カートは静止させたまま、ポールの角度と角速度を動かす) の上で、ネットワークは対角線に沿った尾根の形に状態を評価し、貪欲な行動は 1 本の線を境に切り替わります。ポールが倒れていく側へ押すのですが、その判断はポールの角度と、少しだけ角速度に基づいています。報酬から学習した、切り替え線を持つバンバン制御の規則で、線形方策と同じ形です。価値そのものは高すぎて、方策が実際に得る値より 40% 近く高くなっています。それでも、貪欲方策が使う唯一の情報である 2 つの Q値の順序は、エージェントが実際に過ごす場所では正しくなっています。
# - **エピソードを 1 ステップずつ。** `inspect_episode`は各ステップの Q値を記録し、`EpisodeScrubber`でそれらを順にたどれます。10 度傾いた状態から始めると、エージェントは一方の行動をはっきり選んで、すぐにポールを立て直します。その後、2 つの Q値はほぼ重なったままです。
# - **乱した初期状態。** 評価では使わない初期状態から始めると、チェックポイントは、中心から 1 m 以内の 100 個のうち 99 個、1.8 m 以内の 100 個のうち 92 個から 500 に達します。4 つの数だけの線形方策は、そのすべてから 500 に達します。線形方策はカートを中心に連れ戻します。DQN はポールを立て続けますが、カートを中心より右に落ち着かせてしまい、右端近くのいくつかの初期状態からはカートを失います。
# - **エージェントは何で学習したか。** CartPole 本来の初期状態では、カートは中心から 0.05 m 以内に置かれます。そこからだけ学習した DQN は、流されていくことでしかレールの端にたどり着かず、端から戻ってくる様子はほとんど見られず、カートを失います (シード 0)。10 シードのどれも、最後に解けた状態で終わっていません。エピソードの半分をレール上の任意の位置から始める探索的スタートを使うと、すべてのシードが解けます。よく使う診断指標 (max-Q の平均、TD損失、終端遷移) は両者で似ていました。違いを示したのはリプレイバッファでした。
# - **報酬。** 整形した報酬 (-|angle| - 0.1|x|、転倒時に -5) は、CartPole 本来の初期状態からは早く解けますが、乱した初期状態からは成績が悪くなります。中心から遠いところでは、とどまり続けるより転倒するほうがコストが小さく、エージェントはポールを倒してしまいます。報酬は、あなたが意図した以上のことを語るのです。
#
# 次はレッスン 11 (`11_playground`) です。ウィジェットで設定、報酬、初期状態を変えて学習させ、自分で実行結果を比べます。
