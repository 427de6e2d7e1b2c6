"""Winning drifting customers back: the call list, calls and their outcomes, the reasons
customers give for leaving, the exit survey, and the hold-out that proves what worked."""
