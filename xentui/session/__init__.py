"""The only code besides pages/ that imports Streamlit: session state, URL state, uploads."""
