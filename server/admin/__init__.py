"""Organizer commands (main.py admin): puzzle checks, exhibitor tokens, booth versions and rollbacks."""
