"""The one ASGI (Starlette) application `badger serve --http` serves: Slack, health, metrics, badges, console."""
