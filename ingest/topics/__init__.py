"""Topics for works that come without them (names-only records): a classifier over the
OpenAlex topic taxonomy's own names, keywords and descriptions."""
