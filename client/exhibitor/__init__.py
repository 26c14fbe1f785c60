"""client.exhibitor."""
