"""One repository module per aggregate: Cypher as named constants, models in and out."""
