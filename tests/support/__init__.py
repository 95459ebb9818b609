"""Test helpers: real servers started and stopped by the suite itself."""
