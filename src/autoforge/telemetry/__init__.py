"""OpenTelemetry: spans other systems send us over OTLP become traced calls (`otlp`,
`mapping`, `service`, `router`), and our own model calls are sent as spans (`emit`)."""
