"""`launchgate demo`: a small admin app on loopback, a config for it, and the whole gate."""
