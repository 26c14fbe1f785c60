"""The exhibitor's side: the F4 panel, its link to the server, the uploader (main.py upload)."""
