"""Renderers: findings and forms in, text out. Nothing here decides what is wrong."""
