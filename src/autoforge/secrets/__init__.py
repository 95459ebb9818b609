"""Secrets a project stores (provider API keys), encrypted at rest and never shown again."""
