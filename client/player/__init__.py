"""client.player."""
