"""Interoperability: SCORM packages for trainers to download, and the xAPI command line."""
