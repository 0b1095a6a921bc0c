"""OpenAlex: works, authors, institutions, the catalog (sources, funders, taxonomy records)
and the API job."""
