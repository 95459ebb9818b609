"""Similar prompts: version embeddings in libSQL native vectors, nearest-neighbour search."""
