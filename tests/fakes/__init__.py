"""Fakes of outside services: real HTTP servers on 127.0.0.1 that speak their wire formats."""
