"""The pages every public-sector service links from its footer: accessibility, privacy, cookies, help, contact."""
