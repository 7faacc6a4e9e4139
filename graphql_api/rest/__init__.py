"""The REST face: ``/api/metrics…`` (SPEC §6), its envelope and its input parsing."""
