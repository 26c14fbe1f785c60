"""client.net."""
