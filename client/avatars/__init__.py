"""client.avatars."""
