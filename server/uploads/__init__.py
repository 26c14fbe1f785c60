"""The exhibitor uploads feature: login, resumable uploads (desk.py), processing jobs, booth versions."""
