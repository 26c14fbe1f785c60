"""client.halls."""
