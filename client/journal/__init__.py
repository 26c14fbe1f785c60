"""client.journal."""
