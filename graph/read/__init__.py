"""Entity reads for the API's types: one module per entity, batched by key for DataLoaders."""
