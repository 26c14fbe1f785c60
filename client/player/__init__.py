"""The visitor's own body: walking (client-side prediction), controls, the chase camera."""
