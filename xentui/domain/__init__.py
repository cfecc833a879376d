"""The domain of a scenario: its model, limits, validation, presets, share links and results.

No Streamlit, pandas or Plotly here: every way into the app passes through this layer.
"""
