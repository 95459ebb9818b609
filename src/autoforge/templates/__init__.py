"""Prompt templates: `{{variable}}` content with declared, typed parameters."""
