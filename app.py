"""xent — cross-entropy loss made visible. Start with `streamlit run app.py`.

The router and the frame every page runs in. The page scripts live in pages/<menu section>/.

Why pages/ also holds one small file per address (pages/step-by-step.py, …): while no run of a
server process has called st.navigation yet, Streamlit treats a `pages/` folder beside the entry
script as an old-style multipage app and routes that first run by the file names at its top
(streamlit/runtime/pages_manager.py, `uses_pages_directory`; script_runner.py, `_mpa_v1`). With
no file of that name it answers "Page not found" before this script runs; with a page script of
that name it would run the page without this frame. Each of those files therefore bears one
address of the menu and only runs this script, which then routes as usual. AppTest starts every
run that way, so it too always runs this script.
"""

import streamlit as st

from xentui.session import frame

st.set_page_config(
    page_title="xent — cross-entropy, visible", page_icon=":material/target:", layout="wide"
)

about = st.Page(
    "pages/help/about.py", title="About xent", icon=":material/menu_book:", url_path="about"
)
pages = {
    "Explore": [
        st.Page(
            "pages/explore/playground.py",
            title="Playground",
            icon=":material/calculate:",
            default=True,
        )
    ],
    "Learn": [
        st.Page(
            "pages/learn/step_by_step.py",
            title="Step by step",
            icon=":material/stairs:",
            url_path="step-by-step",
        ),
        st.Page(
            "pages/learn/binary_cross_entropy.py",
            title="Binary cross-entropy",
            icon=":material/balance:",
            url_path="binary-cross-entropy",
        ),
        st.Page(
            "pages/learn/numerical_stability.py",
            title="Numerical stability",
            icon=":material/fire_extinguisher:",
            url_path="numerical-stability",
        ),
        st.Page(
            "pages/learn/k_dimensional.py",
            title="K-dimensional losses",
            icon=":material/grid_on:",
            url_path="k-dimensional",
        ),
        st.Page(
            "pages/learn/targets_weights_smoothing.py",
            title="Targets, weights and smoothing",
            icon=":material/tune:",
            url_path="targets-weights-smoothing",
        ),
        st.Page(
            "pages/learn/gradients_temperature.py",
            title="Gradients and temperature",
            icon=":material/thermostat:",
            url_path="gradients-temperature",
        ),
    ],
    "Analyse": [
        st.Page(
            "pages/analyse/your_model.py",
            title="Your model",
            icon=":material/biotech:",
            url_path="your-model",
        ),
        st.Page(
            "pages/analyse/sequences.py",
            title="Sequences",
            icon=":material/notes:",
            url_path="sequences",
        ),
    ],
    "Help": [about],
}
page = st.navigation(pages)

with st.sidebar:
    st.markdown("### xent")
    st.caption("See where a cross-entropy loss comes from: logits → softmax → −log p → the mean.")
    st.page_link(
        about, label="Read me: what xent is and how to run it", icon=":material/menu_book:"
    )

frame.start()
page.run()
