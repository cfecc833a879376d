"""Small pure tools every feature uses: number formats, LaTeX, Plotly specs, typed numbers, caching.

No Streamlit here.
"""
