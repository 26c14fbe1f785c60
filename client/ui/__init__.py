"""Screen panels and text: HUD, kiosk panel, directory, minimap, quit dialog, zh/en texts, line wrapping."""
