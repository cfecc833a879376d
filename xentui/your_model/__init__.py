"""The Your model page: reading uploads, shaping the core's analysis for display."""
