"""Read query families, one module per `api/queries/` module of the same name."""
