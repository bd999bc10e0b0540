"""Administration: organisations, people, face-to-face sessions and API tokens."""
