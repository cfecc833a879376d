"""What the teacher sees: the class's answers as tables and figures, and the CSV download.

Pure builders: a poll and its answers in, a DataFrame or a Plotly figure out. Losses come from
`scoring` (nats) and are shown in the reader's unit; the reliability diagram is xentcore's
binning (`calibration_bins`) of each answer's top probability against whether it was right.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from xentcore.calibration import Reliability, calibration_bins
from xentui.kit.format import plotly_literal
from xentui.kit.plotly_spec import MARGIN, fast_figure
from xentui.kit.units import in_unit, uniform_loss
from xentui.poll.scoring import FLOOR_LOSS, answer_losses, model_answer
from xentui.poll.store import Answer, Poll

__all__ = [
    "RELIABILITY_BINS",
    "answers_frame",
    "csv_bytes",
    "leaderboard",
    "p_right_figure",
    "question_summary",
    "reliability",
    "reliability_figure",
]

RELIABILITY_BINS = 10
_COLUMNS = [
    "question",
    "session",
    "nickname",
    "p_right",
    "loss_nats",
    "floored",
    "confidence",
    "top_right",
    "probabilities",
    "submitted",
]


def answers_frame(poll: Poll, answers: list[Answer]) -> pd.DataFrame:
    """One row per answer: p(right), its loss in nats (floored at p = 1e-20), top probability."""
    rows = []
    for index, question in enumerate(poll.questions):
        given = [a for a in answers if a.question == index]
        losses = answer_losses(question, [a.probabilities for a in given])
        for answer, loss in zip(given, losses, strict=True):
            probs = np.asarray(answer.probabilities)
            rows.append(
                {
                    "question": index + 1,
                    "session": answer.session,
                    "nickname": answer.nickname,
                    "p_right": float(probs[question.answer]),
                    "loss_nats": float(loss),
                    "floored": bool(loss >= FLOOR_LOSS),
                    "confidence": float(probs.max()),
                    "top_right": int(np.argmax(probs)) == question.answer,
                    "probabilities": json.dumps(
                        dict(zip(question.options, answer.probabilities, strict=True))
                    ),
                    "submitted": answer.submitted,
                }
            )
    return pd.DataFrame(rows, columns=_COLUMNS)


def question_summary(
    poll: Poll, frame: pd.DataFrame, unit: str = "nats", revealed: bool = False
) -> pd.DataFrame:
    """Per question: answers, the class's mean loss, "always uniform" (ln C), the best answer;
    once revealed, the right answer and (scenario questions) the model's loss."""
    rows = []
    for index, question in enumerate(poll.questions):
        part = frame[frame["question"] == index + 1]
        row = {
            "question": index + 1,
            "answers": len(part),
            f"class mean ({unit})": in_unit(part["loss_nats"].mean(), unit) if len(part) else None,
            f"uniform, ln C ({unit})": in_unit(uniform_loss(question.num_options), unit),
            f"best ({unit})": in_unit(part["loss_nats"].min(), unit) if len(part) else None,
            "p = 0 on the right answer": int(part["floored"].sum()),
        }
        if revealed:
            row["right answer"] = question.options[question.answer]
            model = model_answer(question)
            row[f"model ({unit})"] = in_unit(model[1], unit) if model else None
        rows.append(row)
    return pd.DataFrame(rows)


def leaderboard(frame: pd.DataFrame, unit: str = "nats") -> pd.DataFrame:
    """Students by mean loss over the questions they answered (lowest first), ranked."""
    if frame.empty:
        return pd.DataFrame(columns=["rank", "nickname", "answered", f"mean loss ({unit})"])
    per = frame.groupby("session").agg(
        nickname=("nickname", "last"), answered=("question", "count"), mean=("loss_nats", "mean")
    )
    per = per.sort_values(["mean", "answered"], ascending=[True, False]).reset_index(drop=True)
    per.insert(0, "rank", np.arange(1, len(per) + 1))
    per[f"mean loss ({unit})"] = [in_unit(v, unit) for v in per.pop("mean")]
    return per


def p_right_figure(poll: Poll, frame: pd.DataFrame) -> go.Figure:
    """The probabilities the class gave the right answer, one column of points per question."""
    traces = [
        {
            "type": "box",
            "y": frame.loc[frame["question"] == index + 1, "p_right"].tolist(),
            "name": f"Q{index + 1}",
            "boxpoints": "all",
            "jitter": 0.5,
            "pointpos": 0,
            "hovertemplate": "p(right) %{y:.3f}<extra></extra>",
        }
        for index in range(len(poll.questions))
    ]
    layout = {
        "yaxis": {"title": {"text": "probability given to the right answer"},
                  "range": [-0.02, 1.02]},
        "showlegend": False,
        "height": 360,
        "margin": MARGIN,
    }  # fmt: skip
    return fast_figure({"data": traces, "layout": layout})


def reliability(frame: pd.DataFrame) -> Reliability | None:
    """xentcore's reliability bins of every answer: top probability against right or not."""
    if frame.empty:
        return None
    return calibration_bins(
        frame["confidence"].to_numpy(), frame["top_right"].to_numpy(), n_bins=RELIABILITY_BINS
    )


def reliability_figure(bins: Reliability) -> go.Figure:
    """The class's reliability diagram: each bin's share of right answers at its mean
    confidence, marker area by answers; the diagonal is a perfectly calibrated class."""
    kept = bins.counts > 0
    sizes = 8 + 30 * np.sqrt(bins.counts[kept] / bins.counts.max())
    diagonal = {"type": "scatter", "x": [0, 1], "y": [0, 1], "mode": "lines",
                "name": "calibrated", "line": {"color": "#888", "dash": "dot"},
                "hoverinfo": "skip"}  # fmt: skip
    class_bins = {
        "type": "scatter",
        "x": bins.confidence[kept].tolist(),
        "y": bins.accuracy[kept].tolist(),
        "mode": "lines+markers",
        "marker": {"size": sizes.tolist(), "color": "#1f77b4"},
        "name": plotly_literal(f"the class (ECE {bins.ece:.3f})"),
        "customdata": bins.counts[kept].tolist(),
        "hovertemplate": "said %{x:.2f}: right %{y:.2f} (%{customdata} answers)<extra></extra>",
    }
    layout = {
        "xaxis": {"title": {"text": "how sure (top probability)"}, "range": [0, 1.02]},
        "yaxis": {"title": {"text": "share right"}, "range": [-0.02, 1.02]},
        "legend": {"orientation": "h", "y": -0.25},
        "height": 360,
        "margin": MARGIN,
    }
    return fast_figure({"data": [diagonal, class_bins], "layout": layout})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The answers as CSV (UTF-8), one row per answer; the session is left out.

    A nickname that starts like a formula (=, +, -, @) is prefixed with ' so that a
    spreadsheet shows it as text instead of running it.
    """
    out = frame.drop(columns=["session"])
    out["nickname"] = [("'" + n) if n[:1] in "=+-@" and n else n for n in out["nickname"]]
    return out.to_csv(index=False).encode("utf-8")
