"""Every write of the learning system, one module per part, each service authorising `by`."""
