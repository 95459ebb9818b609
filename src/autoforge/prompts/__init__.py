"""Prompt management: prompts, versions, labels, tags."""
