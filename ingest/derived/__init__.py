"""The derived step: ties, teams and rankings recomputed from what the last loads changed."""
