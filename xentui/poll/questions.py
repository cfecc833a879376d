"""Questions drawn from the app's scenarios: a sample's classes shown, its logits kept hidden.

"Which class, and how sure?" — the right answer is the sample's target class; the model's
softmax and loss are what the reveal shows beside the class's answers.
"""

from __future__ import annotations

from xentui.domain.scenario import Scenario
from xentui.poll.limits import MAX_OPTIONS
from xentui.poll.validation import Question, check_question

__all__ = ["scenario_questions"]


def scenario_questions(scenario: Scenario, title: str = "") -> list[Question]:
    """One question per sample of `scenario` with a class-index target and at most MAX_OPTIONS
    classes; samples it ignores, or that have probability targets, have no one right answer.

    >>> from xentui.domain.presets import DEFAULT_SCENARIO
    >>> [(q.prompt, q.answer) for q in scenario_questions(DEFAULT_SCENARIO, "Walkthrough")]
    [('Walkthrough, sample 1: which class?', 0), ('Walkthrough, sample 2: which class?', 2)]
    """
    if scenario.soft_targets is not None or scenario.num_classes > MAX_OPTIONS:
        return []
    name = title or scenario.title or "Scenario"
    return [
        check_question(
            {
                "q": f"{name}, sample {i + 1}: which class?",
                "o": list(scenario.classes),
                "a": target,
                "z": [float(z) for z in scenario.scaled_logits()[i]],
            }
        )
        for i, target in enumerate(scenario.targets)
        if not scenario.ignored[i]
    ]
