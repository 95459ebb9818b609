"""Who calls: organizations, projects, members, API keys and sign-in."""
