"""Evaluations of prompt versions on datasets."""
