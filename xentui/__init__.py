"""The app's building blocks, grouped by what they are.

- ``domain``: the Scenario, its limits and validation, presets, share links and results — no
  Streamlit, pandas or Plotly.
- ``kit``: small pure tools (number formats, LaTeX, Plotly specs, typed numbers, caching).
- ``playground``, ``lessons``, ``your_model``: one package per feature; features never import
  each other.
- ``session``: the only code besides ``pages/`` that imports Streamlit.
"""
