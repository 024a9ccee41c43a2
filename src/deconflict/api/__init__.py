"""The HTTP API (``deconflict serve``)."""
