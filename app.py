"""xent — cross-entropy loss made visible. Start with `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="xent — cross-entropy, visible", page_icon="🎯", layout="wide")

about = st.Page("pages/about.py", title="About xent", icon="📖", url_path="about")
pages = {
    "Explore": [st.Page("pages/playground.py", title="Playground", icon="🧮", default=True)],
    "Help": [about],
}
page = st.navigation(pages)

with st.sidebar:
    st.markdown("### xent")
    st.caption("See where a cross-entropy loss comes from: logits → softmax → −log p → the mean.")
    st.page_link(about, label="Read me: what xent is and how to run it", icon="📖")

page.run()
