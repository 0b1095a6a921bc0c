"""`python -m talentmap.cli`, as the `talentmap` script."""

from talentmap.cli import app

app()
