"""AutoForgeNexus: keep, version, evaluate and optimize prompts."""

__version__ = "0.1.0"
