"""PyTorch code that reproduces a scenario, ready to paste into a Python session."""

from __future__ import annotations

from xentui.domain.limits import IGNORE_INDEX
from xentui.domain.scenario import Scenario

__all__ = ["torch_code"]


def _rows(rows: tuple[tuple[float, ...], ...], indent: str) -> str:
    lines = [f"{indent}[{', '.join(repr(float(v)) for v in row)}]," for row in rows]
    return "\n".join(lines)


def torch_code(scenario: Scenario) -> str:
    """A self-contained script that prints the loss and the softmax the Playground shows."""
    dtype = f"torch.{scenario.precision}"
    names = ", ".join(repr(c) for c in scenario.classes)
    lines = [
        "import torch",
        "import torch.nn.functional as F",
        "",
        f"classes = [{names}]",
        "logits = torch.tensor([",
        _rows(scenario.logits, "    "),
        f"], dtype={dtype})",
    ]
    if scenario.soft_targets is not None:
        lines += [
            "target = torch.tensor([",
            _rows(scenario.soft_targets, "    "),
            f"], dtype={dtype})",
        ]
    else:
        targets = [
            IGNORE_INDEX if skip else t
            for t, skip in zip(scenario.targets, scenario.ignored, strict=True)
        ]
        comment = f"  # {IGNORE_INDEX} = ignored sample" if any(scenario.ignored) else ""
        lines.append(f"target = torch.tensor({targets}){comment}")
    options = [f"reduction={scenario.reduction!r}"]
    if scenario.weights is not None:
        weights = ", ".join(repr(w) for w in scenario.weights)
        lines.append(f"weight = torch.tensor([{weights}], dtype={dtype})")
        options.append("weight=weight")
    if any(scenario.ignored) and scenario.soft_targets is None:
        options.append(f"ignore_index={IGNORE_INDEX}")
    if scenario.label_smoothing:
        options.append(f"label_smoothing={scenario.label_smoothing!r}")
    scaled = "logits" if scenario.temperature == 1.0 else f"logits / {scenario.temperature!r}"
    lines += [
        "",
        f"loss = F.cross_entropy({scaled}, target, {', '.join(options)})",
        f"probabilities = F.softmax({scaled}, dim=1)",
        "print(loss)",
        "print(probabilities)",
    ]
    return "\n".join(lines)
