"""Exercise checks of notebooks/08_target_network.py: the weights of a soft-updated target
network, and a target network that is really a copy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from dqn_lib.checks.harness import Check, flat_weights, fmt, known_mistake, parameter_count
from dqn_lib.dqn import soft_update as reference_soft_update
from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network


def _simulated_soft_target_weights(tau: float, n_updates: int) -> np.ndarray:
    """The weights, found by running ``dqn_lib.soft_update`` itself: a one-weight target network
    starts at 0, and the one-weight Q-network holds a 1 in a different slot after each update, so
    that every slot of the target ends up holding the weight of one snapshot."""
    size = n_updates + 1
    target = nn.Linear(size, 1, bias=False, dtype=torch.float64)
    online = nn.Linear(size, 1, bias=False, dtype=torch.float64)
    with torch.no_grad():
        target.weight.zero_()
        target.weight[0, 0] = 1.0  # the target's own starting weights
        for k in range(1, size):
            online.weight.zero_()
            online.weight[0, k] = 1.0  # the Q-network right after update k
            reference_soft_update(target, online, tau)
    return target.weight.detach().numpy()[0].copy()


def _soft_weight_variants(tau: float, n: int) -> dict[str, np.ndarray]:
    """The usual wrong answers, each with what the message says about it."""
    k = np.arange(1, n + 1)
    variants = {
        tr(
            "the order is reversed: element k belongs to update k, and the latest update weighs "
            "most, tau; update n - 1 weighs tau * (1 - tau), and so on back"
        ): np.concatenate([[(1 - tau) ** n], tau * (1 - tau) ** (k - 1)]),
        tr(
            "tau and 1 - tau are swapped: each soft update keeps 1 - tau of the target and adds "
            "tau of the Q-network"
        ): np.concatenate([[tau**n], (1 - tau) * tau ** (n - k)]),
        tr("the exponents are one too high: the latest update weighs tau, not tau * (1 - tau)"): (
            np.concatenate([[(1 - tau) ** (n + 1)], tau * (1 - tau) ** (n - k + 1)])
        ),
        tr(
            "the exponents are one too low: update n, the latest, weighs tau, and each update "
            "before it one factor (1 - tau) less"
        ): np.concatenate([[(1 - tau) ** (n - 1.0)], tau * (1 - tau) ** (n - k - 1.0)]),
        tr(
            "element 0 is the target's starting weights, still held with weight (1 - tau) ** n; "
            "without it the weights do not sum to 1"
        ): np.concatenate([[0.0], tau * (1 - tau) ** (n - k)]),
    }
    return variants


def _sum_remark(weights: np.ndarray) -> str:
    """Said only when the weights do not sum to 1, which every correct answer's do."""
    total = float(weights.sum())
    if abs(total - 1) < 1e-6:
        return ""
    return tr(" (your weights sum to {total}, not 1)").format(total=fmt(total))


def check_soft_target_weights(soft_target_weights: Callable) -> None:
    """Check ``soft_target_weights(tau, n_updates) -> np.ndarray`` of shape ``(n_updates + 1,)``.

    Taught in notebooks/08_target_network.py. After ``n_updates`` soft updates, the target network
    is a weighted sum of its starting weights (element 0) and of the Q-network's weights right
    after each update k (element k). The expected weights are found by running
    ``dqn_lib.soft_update`` on one-weight networks; fixed cases (tau 0.5, 0.1, 1, no update,
    2,000 updates of tau 0.01) then seeded random ones.
    """
    check = Check("check_soft_target_weights")
    generator = np.random.default_rng(0)
    cases = [(0.5, 3), (0.1, 10), (1.0, 4), (0.3, 0), (0.01, 2_000)]
    cases += [
        (round(float(generator.uniform(0.02, 0.9)), 3), int(generator.integers(1, 30)))
        for _ in range(3)
    ]
    for tau, n in check.each(cases):
        case = f"tau={tau}, n_updates={n}"
        got = check.call(soft_target_weights, tau, n, case=case)
        message = tr(
            "{case}: your function returned {type}; expected a NumPy array of {size} floats "
            "(np.array(...) around a list, or build it with NumPy)."
        )
        check.expect(got, np.ndarray, message, case=case, size=n + 1)
        if got.shape != (n + 1,):
            hint = (
                tr(" Element 0 is the target's starting weights: n_updates + 1 elements in all.")
                if got.shape == (n,)
                else ""
            )
            raise check.fail(
                tr(
                    "{case}: your array has shape {shape}; expected ({size},), one weight for "
                    "the starting weights and one for each of the {n} updates.{hint}"
                ).format(case=case, shape=got.shape, size=n + 1, n=n, hint=hint)
            )
        if not np.issubdtype(got.dtype, np.floating):
            raise check.fail(
                tr(
                    "{case}: your array has dtype {dtype}; expected floats (weights between 0 "
                    "and 1)."
                ).format(case=case, dtype=got.dtype)
            )
        expected = _simulated_soft_target_weights(tau, n)
        if np.allclose(got, expected, rtol=1e-6, atol=1e-12):
            continue
        mistake = known_mistake(
            got,
            _soft_weight_variants(tau, n),
            functools.partial(np.allclose, rtol=1e-6, atol=1e-12),
            tr(
                "unroll target = (1 - tau) * target + tau * online over the n updates: element k "
                "(k >= 1) is tau * (1 - tau) ** (n - k), element 0 is (1 - tau) ** n"
            ),
        )
        i = int(np.argmax(np.abs(got - expected)))
        raise check.fail(
            tr(
                "{case}: element {i} should be {expected}, got {got}"
                "{remark}. Likely mistake: {mistake}."
            ).format(
                case=case,
                i=i,
                expected=fmt(expected[i]),
                got=fmt(got[i]),
                remark=_sum_remark(got),
                mistake=mistake,
            )
        )
    check.passed()
    weights = check.call(soft_target_weights, 0.01, 2_000, case="tau=0.01, n_updates=2000")
    age = float(np.sum(weights * (2_000 - np.arange(2_001))))
    print(
        tr(
            "With tau = 0.01 (the course's DQN), your weights say the target network is on "
            "average {age:.1f} updates behind the Q-network."
        ).format(age=age)
    )


def _network_cases() -> list[nn.Module]:
    return [
        new_q_network(4, 2, seed=0, hidden=(32, 32)),
        new_q_network(4, 2, seed=1, hidden=(64, 64)),
        new_q_network(4, 3, seed=2, hidden=(8,)),
    ]


def check_target_network_copy(make_target_network: Callable) -> None:
    """Check ``make_target_network(q_network) -> nn.Module``: an independent copy with the same
    weights, which no gradient step of the Q-network can move.

    Taught in notebooks/08_target_network.py. The bugs it catches: returning the Q-network itself,
    a shallow copy that shares its parameters, a fresh network with other weights, a copy that
    still asks for gradients, and a change to the Q-network.
    """
    check = Check("check_target_network_copy")
    inputs = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    for k, q_network in check.each(enumerate(_network_cases())):
        case = tr("network {k} ({parameters} parameters)").format(
            k=k, parameters=parameter_count(q_network)
        )
        before = flat_weights(q_network)
        target = check.call(make_target_network, q_network, case=case)
        check.expect(target, nn.Module, tr("{case}: expected an nn.Module, got {type}."), case=case)
        if target is q_network:
            raise check.fail(
                tr(
                    "{case}: you returned the Q-network itself: every update would move the "
                    "'target' too, which is no target network at all. Return a copy "
                    "(copy.deepcopy)."
                ).format(case=case)
            )
        if not torch.equal(before, flat_weights(q_network)):
            raise check.fail(
                tr("{case}: your function changed the Q-network's weights.").format(case=case)
            )
        with torch.no_grad():
            same = torch.equal(target(inputs), q_network(inputs))
        if not same:
            raise check.fail(
                tr(
                    "{case}: the target network's Q-values differ from the Q-network's: a target "
                    "network starts as an exact copy (same weights), not a new network."
                ).format(case=case)
            )
        shared = {p.data_ptr() for p in q_network.parameters()} & {
            p.data_ptr() for p in target.parameters()
        }
        if shared:
            raise check.fail(
                tr(
                    "{case}: the target network shares {shared} weight tensors with the "
                    "Q-network (a shallow copy, copy.copy, or the same layers in a new "
                    "container): a gradient step on the Q-network moves the target too. Use "
                    "copy.deepcopy."
                ).format(case=case, shared=len(shared))
            )
        if any(p.requires_grad for p in target.parameters()):
            raise check.fail(
                tr(
                    "{case}: the target network's weights still require gradients. It is never "
                    "trained: call .requires_grad_(False) on it, so no optimizer or loss can move "
                    "it by mistake."
                ).format(case=case)
            )
        if not all(p.requires_grad for p in q_network.parameters()):
            raise check.fail(
                tr(
                    "{case}: your function turned off the Q-network's gradients: the Q-network "
                    "must keep learning. Turn them off on the copy only."
                ).format(case=case)
            )
        optimizer = torch.optim.SGD(q_network.parameters(), lr=0.1)
        q_network(inputs).sum().backward()
        optimizer.step()
        with torch.no_grad():
            if torch.equal(target(inputs), q_network(inputs)):
                raise check.fail(
                    tr("{case}: a gradient step on the Q-network moved the target.").format(
                        case=case
                    )
                )
    check.passed()
