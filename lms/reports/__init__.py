"""The reporting dashboard, its exports, and the read-only counts API."""
