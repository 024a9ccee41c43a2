"""deconflict: a deconfliction mechanism as software."""
