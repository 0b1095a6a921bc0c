"""Text: the rule-based extraction pipeline and the job that puts documents into the graph."""
