"""Scheduled jobs: the registry, the job functions, the digest chart and the elected scheduler."""
