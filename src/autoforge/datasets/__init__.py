"""Datasets of test cases, versioned so an evaluation knows exactly which items it ran on."""
