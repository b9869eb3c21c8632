"""The public web: one Starlette app (bot/web/app.py) mounting each area's routes."""
