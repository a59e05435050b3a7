"""Model -> Diagnostics, one module per family; every check has a stable code."""
