"""Prompt SLOs: per-prompt targets over a rolling window, checked on a schedule, alerting."""
