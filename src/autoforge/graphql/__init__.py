"""`/graphql`: prompts, evaluations, datasets and optimizations as one Strawberry schema."""
