"""Pages of the learning system, one module per part of the area."""
