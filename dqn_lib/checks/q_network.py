"""Exercise checks of notebooks/03_q_network.py: the Q-network, and the greedy action."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from dqn_lib.checks.harness import (
    Check,
    cartpole_observations,
    fmt,
    is_int,
    parameter_count,
    type_name,
)
from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network


def _layer_description(network: nn.Module) -> str:
    layers = [m for m in network.modules() if isinstance(m, nn.Linear)]
    if not layers:
        return tr(
            "no nn.Linear layers that PyTorch can see (layers kept in a Python list are not "
            "registered: make each an attribute, self.name = nn.Linear(...), or use nn.ModuleList)"
        )
    return tr("layers {sizes}").format(
        sizes=", ".join(f"{m.in_features}->{m.out_features}" for m in layers)
    )


def _q_shape(
    check: Check, network: nn.Module, inputs: torch.Tensor, expected: tuple
) -> torch.Tensor:
    shape = tuple(inputs.shape)
    with torch.no_grad():
        output = check.call(
            network, inputs, case=tr("for an input of shape {shape}").format(shape=shape)
        )
    message = tr(
        "for an input of shape {shape} your network returned {type}; expected a tensor of shape "
        "{expected}."
    )
    check.expect(output, torch.Tensor, message, shape=shape, expected=expected)
    if tuple(output.shape) != expected:
        raise check.fail(
            tr(
                "for an input of shape {shape} your network returned shape "
                "{got}; expected {expected} (one Q-value per action)."
            ).format(shape=shape, got=tuple(output.shape), expected=expected)
        )
    if not torch.isfinite(output).all():
        raise check.fail(
            tr(
                "for an input of shape {shape} your network returned NaN or infinite "
                "Q-values ({values} first); expected "
                "finite numbers. Likely mistake: weights set to NaN or infinity, or a division by "
                "zero in forward."
            ).format(shape=shape, values=[round(v, 4) for v in output.flatten()[:4].tolist()])
        )
    check.count()
    return output


class _LinearOutputs(TorchFunctionMode):
    """Records the output of every linear layer a forward pass computes, whether through an
    ``nn.Linear`` module or ``torch.nn.functional.linear`` directly (as ``dqn_lib.QNet`` does)."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: list[torch.Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if func is torch.nn.functional.linear:
            self.outputs.append(result)
        return result


def _ends_with_linear(network: nn.Module, inputs: torch.Tensor) -> bool:
    """Whether the network's output is exactly the output of the last linear layer it ran."""
    with torch.no_grad(), _LinearOutputs() as recorded:
        result = network(inputs)
    outputs = recorded.outputs
    return bool(outputs) and outputs[-1].shape == result.shape and torch.equal(outputs[-1], result)


def _check_bends(check: Check, midpoint_gap: torch.Tensor) -> None:
    if midpoint_gap.abs().max() < 1e-4:
        raise check.fail(
            tr(
                "your network is linear in its input: for 200 random pairs of inputs, the output "
                "at their midpoint is the midpoint of their outputs (largest gap "
                "{gap}; a network with ReLUs bends, so the gap is "
                "expected to be clearly above 0). Likely mistake: no ReLU (torch.relu or "
                "nn.ReLU()) between the layers."
            ).format(gap=fmt(midpoint_gap.abs().max()))
        )


def _check_final_activation(
    check: Check, moderate: torch.Tensor, large: torch.Tensor, midpoint_gap: torch.Tensor
) -> None:
    """Something comes after the last nn.Linear: name it from what the outputs look like."""
    # First, because a final ReLU can also look linear or bounded: when every output it sees is
    # cut to exactly 0, the output is the same constant everywhere.
    if (large >= 0).all() and (moderate >= 0).all() and (moderate == 0).any():
        raise check.fail(
            tr(
                "your network's output is never negative and often exactly 0 (for 200 random "
                "inputs, {zeros} of the {total} Q-values are 0, "
                "none below): a ReLU after the last layer cuts off negative Q-values. Expected "
                "Q-values of either sign. End with nn.Linear, no activation."
            ).format(zeros=int((moderate == 0).sum()), total=moderate.numel())
        )
    _check_bends(check, midpoint_gap)
    if torch.allclose(large.sum(dim=1), torch.ones(len(large)), atol=1e-4):
        raise check.fail(
            tr(
                "every row of your network's output sums to 1 (the first row is "
                "{row}): a softmax at the end turns Q-values "
                "into probabilities. Q-values are returns, any real number: end with nn.Linear."
            ).format(row=[round(v, 3) for v in moderate[0].tolist()])
        )
    if large.abs().max() <= 1.0 + 1e-6:
        raise check.fail(
            tr(
                "your network's output stays within [-1, 1] even for huge inputs (for 500 inputs "
                "100 times an observation's size, from {low} to {high}; "
                "expected values far outside it): a tanh or sigmoid at the end bounds it. Q-values "
                "are returns, any real number: end with nn.Linear."
            ).format(low=fmt(large.min()), high=fmt(large.max()))
        )
    if (large >= 0).all():
        raise check.fail(
            tr(
                "your network's output is never negative (for 500 large inputs, the smallest "
                "Q-value is {low}; expected some below 0): an activation after the last "
                "layer (a ReLU, Softplus, abs or exp) cuts off negative Q-values. End with "
                "nn.Linear, no activation."
            ).format(low=fmt(large.min()))
        )


def check_q_network(network_class_or_instance: type[nn.Module] | nn.Module) -> None:
    """Check the 4-32-32-2 Q-network: a class built as ``QNet(4, 2)``, or a built network.

    Taught in notebooks/03_q_network.py. It must map ``(batch, 4) -> (batch, 2)`` and
    ``(4,) -> (2,)``, have 1282 weights and biases, take its sizes from its arguments (a class is
    also built as ``QNet(6, 3)``), a ReLU between its layers (a network without
    one is linear in its input), and an unbounded output (no softmax, tanh or final ReLU).
    """
    check = Check("check_q_network")
    network = network_class_or_instance
    if isinstance(network, type):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            network = check.call(
                network, 4, 2, case=tr("building {name}(4, 2)").format(name=network.__name__)
            )
    message = tr("expected your QNet class or a network built from it, got {type}.")
    check.expect(network, nn.Module, message)
    generator = torch.Generator().manual_seed(0)
    _q_shape(check, network, torch.randn(5, 4, generator=generator), (5, 2))
    _q_shape(check, network, torch.randn(4, generator=generator), (2,))
    _check_parameter_count(check, network, 4, 2, tr("your network"))
    check.count()
    x = torch.randn(200, 4, generator=generator) * 2
    y = torch.randn(200, 4, generator=generator) * 2
    large_inputs = torch.randn(500, 4, generator=generator) * 100
    with torch.no_grad():
        outputs = {
            label: check.call(network, inputs, case=tr("for {where}").format(where=label))
            for label, inputs in check.each(
                [
                    (tr("200 random inputs of shape (200, 4)"), x),
                    (tr("200 other random inputs"), y),
                    (tr("their 200 midpoints"), (x + y) / 2),
                    (tr("500 inputs 100 times an observation's size"), large_inputs),
                ]
            )
        }
    moderate, other, midpoints, large = outputs.values()
    midpoint_gap = midpoints - (moderate + other) / 2
    if _ends_with_linear(network, large_inputs):
        # The output is the last nn.Linear's own: no activation after it, so only the ReLUs
        # between the layers are left to check. (The output tests below are heuristics: a
        # correct network's outputs can, rarely, all be positive on the inputs tried.)
        _check_bends(check, midpoint_gap)
    else:
        _check_final_activation(check, moderate, large, midpoint_gap)
    if isinstance(network_class_or_instance, type):
        _check_sizes_from_arguments(check, network_class_or_instance)
    check.passed()


def _check_parameter_count(
    check: Check, network: nn.Module, n_in: int, n_out: int, subject: str, why: str = ""
) -> None:
    """The 4-32-32-2 shape, or its n_in-32-32-n_out twin, counted in weights and biases."""
    expected = n_in * 32 + 32 + 32 * 32 + 32 + 32 * n_out + n_out
    count = parameter_count(network)
    if count != expected:
        raise check.fail(
            tr(
                "{subject} has {count} weights and biases; the {n_in}-32-32-{n_out} network has "
                "{expected} ({n_in}*32+32 + 32*32+32 + 32*{n_out}+{n_out}). Yours has "
                "{layers}; expected {n_in}->32, 32->32, 32->{n_out}{why}."
            ).format(
                subject=subject,
                count=count,
                n_in=n_in,
                n_out=n_out,
                expected=expected,
                layers=_layer_description(network),
                why=why,
            )
        )


def _check_sizes_from_arguments(check: Check, network_class: type[nn.Module]) -> None:
    """``network_class(6, 3)`` must map (batch, 6) to (batch, 3): the sizes come from the
    arguments, not from CartPole's 4 and 2."""
    fix = tr(
        "take the sizes from the arguments n_observations and n_actions, not the numbers 4 and 2"
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        network = check.call(
            network_class,
            6,
            3,
            case=tr("building {name}(6, 3)").format(name=network_class.__name__),
        )
    inputs = torch.randn(7, 6, generator=torch.Generator().manual_seed(1))
    case = tr("{name}(6, 3) for an input of shape (7, 6)").format(name=network_class.__name__)
    with torch.no_grad():
        output = check.call(network, inputs, case=case, hint=lambda _error: fix)
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
    if shape != (7, 3):
        got = tr("shape {shape}").format(shape=shape) if shape is not None else type_name(output)
        raise check.fail(
            tr(
                "{case}: your network returned {got}; expected (7, 3), 3 Q-values for each of the "
                "7 observations of 6 numbers. Likely mistake: {fix}."
            ).format(case=case, got=got, fix=fix)
        )
    _check_parameter_count(
        check,
        network,
        6,
        3,
        f"{network_class.__name__}(6, 3)",
        tr(
            ": the hidden layers stay 32 wide, the first and last take their sizes from the "
            "arguments"
        ),
    )
    check.count()


def _greedy_cases() -> list[tuple[str, nn.Module, np.ndarray]]:
    """Networks and observations for check_greedy_action: real CartPole observations, four for
    each action of each network (so no single answer fits them all), one given as float64."""
    observations = cartpole_observations(200, seed=11)
    steer = nn.Linear(4, 2)  # Q-values that prefer pushing where the pole is falling
    with torch.no_grad():
        steer.weight.copy_(torch.tensor([[0.0, 0.0, -1.0, -0.5], [0.0, 0.0, 1.0, 0.5]]))
        steer.bias.zero_()
    networks = [
        (tr("a 4-32-32-2 network"), new_q_network(4, 2, seed=48)),
        (tr("another 4-32-32-2 network"), new_q_network(4, 2, seed=50)),
        (tr("a linear network"), steer),
        (tr("a network with 3 actions"), new_q_network(4, 3, seed=46)),
    ]
    cases = []
    for label, network in networks:
        with torch.no_grad():
            q_values = network(torch.as_tensor(observations))  # (200, n_actions)
        best = q_values.argmax(dim=1).numpy()
        picked = [i for a in range(q_values.shape[1]) for i in np.flatnonzero(best == a)[:4]]
        cases += [
            (tr("observation {i}, {label}").format(i=i, label=label), network, observations[i])
            for i in sorted(picked)
        ]
    float64 = observations[0].astype(np.float64)
    cases.append((tr("observation 0 as a float64 array"), networks[0][1], float64))
    return cases


def _dtype_hint(error: Exception) -> str | None:
    if isinstance(error, RuntimeError) and ("dtype" in str(error) or "Double" in str(error)):
        return tr(
            "the network's weights are float32; convert the observation with "
            "torch.as_tensor(observation, dtype=torch.float32)"
        )
    return None


def check_greedy_action(greedy_action: Callable) -> None:
    """Check ``greedy_action(q_network, observation) -> int``: the action with the largest
    Q-value for one observation, as a Python int.

    Taught in notebooks/03_q_network.py. Tries 37 real CartPole observations on four networks
    (one with three actions), four for each action, and one observation given as a float64
    array, against the argmax of the network's Q-values.
    """
    check = Check("check_greedy_action")
    answers = []
    for description, network, observation in check.each(_greedy_cases()):
        with torch.no_grad():
            q_values = network(torch.as_tensor(observation, dtype=torch.float32))
        where = tr("for {description} (Q-values {q_values})").format(
            description=description, q_values=[round(float(v), 4) for v in q_values]
        )
        action = check.call(greedy_action, network, observation, case=where, hint=_dtype_hint)
        if isinstance(action, torch.Tensor):
            extra = (
                tr(
                    " with {elements} elements: take the argmax over the actions only "
                    "(q_values.argmax() for one observation, argmax(dim=1) for a batch)"
                ).format(elements=action.numel())
                if action.numel() != 1
                else tr(": wrap it in int(...)")
            )
            raise check.fail(
                tr(
                    "{where} your function returned a tensor ({action!r}){extra}; expected a "
                    "Python int."
                ).format(where=where, action=action, extra=extra)
            )
        message = tr(
            "{where} your function returned {action!r} of type {type}; expected a Python int, the "
            "index of the largest Q-value."
        )
        check.expect(action, is_int, message, where=where, action=action)
        answers.append((where, int(q_values.argmax()), int(q_values.argmin()), int(action)))
    wrong = [(where, best, action) for where, best, _, action in answers if action != best]
    if wrong:
        where, best, action = wrong[0]
        if all(action == worst for _, _, worst, action in answers):
            mistake = tr("it picks the smallest Q-value: use argmax, not argmin")
        elif len({action for *_, action in answers}) == 1:
            mistake = tr(
                "it always returns {action}, whatever the Q-values: take their argmax"
            ).format(action=action)
        else:
            mistake = tr("the greedy action is the index of the largest Q-value")
        raise check.fail(
            tr(
                "{where} expected action {best}, got {action} ({wrong} of {cases} "
                "cases wrong). Likely mistake: {mistake}."
            ).format(
                where=where,
                best=best,
                action=action,
                wrong=len(wrong),
                cases=len(answers),
                mistake=mistake,
            )
        )
    check.passed()
