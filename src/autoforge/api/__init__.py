"""HTTP plumbing shared by every capability router: dependencies and problem+json errors."""
