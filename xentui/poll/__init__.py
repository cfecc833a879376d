"""The Class poll: students answer with probabilities and are scored by cross-entropy.

`limits` holds every bound, `validation` the one door every answer, nickname and question goes
through, `questions` builds questions from the app's scenarios, `store` keeps polls and answers
in SQLite or PostgreSQL, `scoring` and `aggregate` turn answers into losses, tables and figures.
No Streamlit here.
"""
