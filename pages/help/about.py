"""The README, inside the app: what xent is, how to run it, how the code is laid out."""

from pathlib import Path

import streamlit as st

readme = Path(__file__).resolve().parents[2] / "README.md"
st.markdown(readme.read_text(encoding="utf-8") if readme.exists() else "README.md is missing.")
