"""poecheck's I/O side: ingestion, pipeline, payout, store, API, CLI, batch."""
