"""TalentMap: the application shell (settings and the `talentmap` command line)."""
