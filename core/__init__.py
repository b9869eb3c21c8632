"""Settings, database engine and logging: the layer everything else stands on."""
