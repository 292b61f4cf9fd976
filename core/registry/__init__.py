"""The customer registry: archives every plugin hangs off."""
