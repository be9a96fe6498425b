"""The directory database: models, loading from data/directory/, and the queries the actions use."""
