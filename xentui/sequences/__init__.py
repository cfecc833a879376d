"""Builders of the Sequences page: the example, the upload's reading, figures and tables."""
