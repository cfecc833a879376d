"""The app's pure building blocks: scenarios, links, editor parsing, results, figures and tables.

Nothing here imports Streamlit: every function takes plain data and returns plain data, a pandas
DataFrame or a Plotly figure, so all of it is tested without a server.
"""
