"""Langfuse's public prompt API (`/api/public/...`), served from our prompts."""
