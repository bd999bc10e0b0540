"""The pages about emails from the service: a person's notification settings, and one-link unsubscribing."""
