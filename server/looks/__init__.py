"""Appearance: the look a visitor chose (colour, outfit, hat) and the role badge the server gives them."""
