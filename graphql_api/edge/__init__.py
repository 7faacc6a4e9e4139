"""What every request meets before a face reads it: bearer auth, the body limit, strict JSON,
the answers to errors of every phase, and the one way handlers call the core."""
