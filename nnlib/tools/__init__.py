"""Maintenance commands for the course repository."""
