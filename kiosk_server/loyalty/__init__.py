"""Loyalty at the till: purchases, points and tiers."""
