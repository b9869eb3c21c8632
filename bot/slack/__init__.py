"""The Slack app: Bolt listeners, Block Kit rendering, App Home, the outbox deliverer and the HTTP server."""
