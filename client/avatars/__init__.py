"""Other visitors' avatars: bodies, name tags, crowd level of detail, snapshot interpolation."""
