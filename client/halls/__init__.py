"""The halls on screen: scene geometry, booths and their content fetcher, kiosks, swapped-in models."""
