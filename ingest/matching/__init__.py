"""Entity resolution: affiliation strings to institutions, authorships to them, names to people."""
