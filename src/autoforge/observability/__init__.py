"""Watching the system in production: Prometheus metrics, slow queries, structured logs
and request ids, spans."""
