"""The app's pure building blocks: scenarios, links, editor parsing, results, figures and tables.

Every module but two takes plain data and returns plain data, a pandas DataFrame or a Plotly
figure, so all of it is tested without a server. The exceptions hold session state and import
Streamlit: st_session (the Playground's scenario and editors) and model_session (uploads, cache).
"""
