"""Storage on libSQL: engine, declarative base, unit of work, health."""
