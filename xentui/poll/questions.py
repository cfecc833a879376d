"""Questions drawn from the app's scenarios: a sample's classes shown, its logits kept hidden.

"Which class, and how sure?" — the right answer is the sample's target class; the model's
softmax and loss are what the reveal shows beside the class's answers.
"""

from __future__ import annotations

from dataclasses import replace

from xentui.domain.scenario import Scenario
from xentui.poll.limits import MAX_OPTIONS
from xentui.poll.validation import PollInputError, Question, check_question, refusal

__all__ = ["scenario_questions"]


def scenario_questions(scenario: Scenario, title: str = "") -> list[Question]:
    """One question per sample of `scenario` that has a class-index target and is not ignored.

    Raises PollInputError, labelled by the title, when the scenario gives no question: it has
    probability targets (no one right answer), more than MAX_OPTIONS classes, every sample
    ignored, or a class name no poll option may have.

    >>> from xentui.domain.presets import DEFAULT_SCENARIO
    >>> [(q.prompt, q.answer) for q in scenario_questions(DEFAULT_SCENARIO, "Walkthrough")]
    [('Walkthrough, sample 1: which class?', 0), ('Walkthrough, sample 2: which class?', 2)]
    """
    name = title or scenario.title or "Scenario"
    if scenario.soft_targets is not None:
        raise refusal(name, "probability targets", "class-index targets: one right answer a sample")
    if scenario.num_classes > MAX_OPTIONS:
        raise refusal(
            name, f"{scenario.num_classes} classes", f"2 to {MAX_OPTIONS} classes, one option each"
        )
    kept = [i for i in range(len(scenario.targets)) if not scenario.ignored[i]]
    if not kept:
        raise refusal(name, "every sample ignored", "at least one sample that is not ignored")
    try:
        return [
            check_question(
                {
                    "q": f"{name}, sample {i + 1}: which class?",
                    "o": list(scenario.classes),
                    "a": scenario.targets[i],
                    "z": [float(z) for z in scenario.scaled_logits()[i]],
                }
            )
            for i in kept
        ]
    except PollInputError as refused:  # options are the class names: say so
        label = f"{name}, {refused.problem.label.lower().replace('option', 'class name')}"
        raise PollInputError(replace(refused.problem, input=label, label=label)) from None
