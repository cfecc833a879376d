"""xent — cross-entropy loss made visible. Start with `streamlit run app.py`."""

import streamlit as st

from xentui.session import frame

st.set_page_config(page_title="xent — cross-entropy, visible", page_icon="🎯", layout="wide")

about = st.Page("pages/about.py", title="About xent", icon="📖", url_path="about")
pages = {
    "Explore": [st.Page("pages/playground.py", title="Playground", icon="🧮", default=True)],
    "Learn": [
        st.Page("pages/step_by_step.py", title="Step by step", icon="🪜", url_path="step-by-step"),
        st.Page(
            "pages/binary_cross_entropy.py",
            title="Binary cross-entropy",
            icon="⚖️",
            url_path="binary-cross-entropy",
        ),
        st.Page(
            "pages/numerical_stability.py",
            title="Numerical stability",
            icon="🧯",
            url_path="numerical-stability",
        ),
        st.Page(
            "pages/k_dimensional.py",
            title="K-dimensional losses",
            icon="🗺️",
            url_path="k-dimensional",
        ),
        st.Page(
            "pages/targets_weights_smoothing.py",
            title="Targets, weights and smoothing",
            icon="🎚️",
            url_path="targets-weights-smoothing",
        ),
        st.Page(
            "pages/gradients_temperature.py",
            title="Gradients and temperature",
            icon="🌡️",
            url_path="gradients-temperature",
        ),
    ],
    "Analyse": [
        st.Page("pages/your_model.py", title="Your model", icon="🔬", url_path="your-model"),
    ],
    "Help": [about],
}
page = st.navigation(pages)

with st.sidebar:
    st.markdown("### xent")
    st.caption("See where a cross-entropy loss comes from: logits → softmax → −log p → the mean.")
    st.page_link(about, label="Read me: what xent is and how to run it", icon="📖")

frame.start()
page.run()
