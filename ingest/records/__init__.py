"""Names-only paper records (`talentmap ingest records PATH... --format F`): titles, years,
DOIs, author names in order and institution names, without person or institution ids.

One module per format reads the published files into `PaperRecord`s (`csmetrics.py`);
`resolve.py` turns a batch of them into graph rows (institutions through the affiliation
matcher, people through the disambiguator) and `graph/write/record.py` writes them.
"""
