"""The L&D console's data and authorisation: sessions, scopes, reports, uploads (web-free)."""
