"""Style genome: the style profile of a prompt version's outputs, its consistency and drift."""
