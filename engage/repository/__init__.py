"""Data access functions, named for what they do. They take a Session and never import Flask."""
