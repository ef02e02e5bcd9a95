"""Every non-trivial read of the learning system, one module per part."""
