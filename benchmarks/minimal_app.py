"""The peer xent's pages are timed against: the least a Streamlit app can do for the same job.

One data editor of logits, one metric (the mean cross-entropy) and one Plotly chart (the softmax
of sample 1), computed with NumPy. benchmarks/browser.py serves it beside xent and times both.
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.title("Minimal cross-entropy")
edited = st.data_editor(
    pd.DataFrame({"c0": [1.0, 2.0], "c1": [2.0, 4.0], "c2": [3.0, 6.0]}),
    key="logits",
    hide_index=True,
)
z = edited.to_numpy(dtype=np.float64)
log_p = z - z.max(axis=1, keepdims=True)
log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
st.metric("Mean loss", f"{-log_p[[0, 1], [0, 2]].mean():.4f}")
st.plotly_chart(go.Figure(go.Bar(x=list(edited.columns), y=np.exp(log_p[0]))))
