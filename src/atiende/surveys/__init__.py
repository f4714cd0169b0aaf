"""Satisfaction: CSAT on every resolution, NPS, and the agents' own pulse survey (issue 15)."""
