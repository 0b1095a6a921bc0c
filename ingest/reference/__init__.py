"""The curated reference files: the topic taxonomy, the industrial chains, the home-region
profile."""
