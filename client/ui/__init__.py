"""client.ui."""
