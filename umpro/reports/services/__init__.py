"""Patient-list growth services: figures from history, daily snapshots, targets, worklists."""
