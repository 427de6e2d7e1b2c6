"""Retention: who is drifting away and why, the call list, and what wins them back."""
