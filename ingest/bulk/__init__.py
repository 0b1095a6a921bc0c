"""The bulk first load of OpenAlex works (`talentmap import openalex`): parse the records with
the incremental path's own mapping, choose with DuckDB what the graph keeps, write the CSV files
`neo4j-admin database import full` reads."""
