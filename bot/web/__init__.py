"""Badger's web surfaces (ASGI)."""
