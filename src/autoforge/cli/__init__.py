"""The `autoforge` command line."""
