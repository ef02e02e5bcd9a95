"""Pages of quality planning, one module per part of the area."""
