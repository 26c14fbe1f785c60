"""The exhibition feature: booth content manifests, blobs by hash, directory search, teleport."""
