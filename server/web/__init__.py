"""Plain HTTP on the server's own port: the web client's page, bundle, models and font (see router.py)."""
