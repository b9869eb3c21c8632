"""The domain exception family: messages are safe to show to users."""

from __future__ import annotations


class BadgerError(Exception):
    """Base of every error whose message may be shown to a user as is."""


class ConfigurationError(BadgerError):
    """The deployment is misconfigured (settings, index built by another model, ...)."""


class NotFoundError(BadgerError):
    """A thing the user named does not exist."""
