"""Run a stored prompt: render its template with variables, call a model, keep the trace."""
