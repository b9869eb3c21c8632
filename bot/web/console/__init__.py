"""The L&D console: a server-rendered web app for the people who run the programme."""

from bot.web.console.app import build_console

__all__ = ["build_console"]
