"""Evaluation of the matchers and the text pipeline on gold sets: readers and scores."""
