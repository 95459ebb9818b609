"""Similar prompts: embeddings of prompt versions in libSQL's native vectors, nearest-neighbour search."""
