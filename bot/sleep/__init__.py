"""The sleep diary's domain: entries, validation, metrics, statistics and charts.

Plain Python (matplotlib for pictures), no Discord: cogs turn user input into calls here and the
results into replies.
"""
