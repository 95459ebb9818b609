"""Figures for the dashboard: counts and daily series, aggregated in SQL."""
