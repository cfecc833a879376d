"""The "Your model" page's Classes tab: the loss and the mistakes class by class."""

from __future__ import annotations

import streamlit as st

from xentui.kit.format import percent
from xentui.session.units import loss_unit
from xentui.session.your_model.drill import select_from_chart
from xentui.your_model.analysis import Analysis
from xentui.your_model.figures import MAX_CLASSES_SHOWN, class_loss_figure, confusion_figure
from xentui.your_model.tables import class_frame

__all__ = ["show_classes"]


def show_classes(analysis: Analysis) -> None:
    """The mean loss per class and the confusion matrix (each clickable), and the class table."""
    unit = loss_unit()
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Mean loss per class** (by target class)")
        st.plotly_chart(
            class_loss_figure(analysis, unit),
            key="ym_class_loss",
            on_select=lambda: select_from_chart("ym_class_loss", "class"),
            selection_mode="points",
        )
    with right:
        st.markdown("**Confusion matrix** (row: target, column: prediction)")
        st.plotly_chart(
            confusion_figure(analysis),
            key="ym_confusion",
            on_select=lambda: select_from_chart("ym_confusion", "cell"),
            selection_mode="points",
        )
    if analysis.num_classes > MAX_CLASSES_SHOWN:
        st.caption(
            f"The charts show {MAX_CLASSES_SHOWN} of the {analysis.num_classes:,} classes: the "
            "highest mean losses, and the most wrong predictions. The table has every class."
        )
    scores = analysis.scores.class_scores()
    macro = scores.macro()
    st.caption(
        f"Macro precision {percent(macro[0])}, recall {percent(macro[1])}, "
        f"F1 {percent(macro[2])} (the "
        "unweighted means over classes; scikit-learn's precision_recall_fscore_support, "
        "zero_division=0)."
    )
    st.dataframe(
        class_frame(analysis, unit).assign(
            precision=lambda f: scores.precision[f.index],
            recall=lambda f: scores.recall[f.index],
            F1=lambda f: scores.f1[f.index],
        ),
        hide_index=True,
        key="ym_classes",
        column_config={
            "accuracy": st.column_config.NumberColumn(format="percent"),
            f"mean loss ({unit})": st.column_config.NumberColumn(format="%.4f"),
            "share of the loss": st.column_config.NumberColumn(format="percent"),
            "precision": st.column_config.NumberColumn(
                format="percent", help="Of the samples predicted as the class, the share right."
            ),
            "recall": st.column_config.NumberColumn(
                format="percent", help="Of the class's samples, the share predicted as it."
            ),
            "F1": st.column_config.NumberColumn(
                format="percent", help="The harmonic mean of precision and recall."
            ),
        },
    )
