"""Members: the searchable list, the profile, selling and adjusting packages."""
