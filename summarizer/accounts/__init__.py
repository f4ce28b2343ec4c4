"""Accounts, roles and sessions of a project office (team mode)."""
