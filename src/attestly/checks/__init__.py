"""The check engine: check metadata, discovery, evaluation, results as intervals, roll-ups."""
