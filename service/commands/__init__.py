"""One module per CLI command; each registers itself on `service.cli.app`. Heavy imports stay inside the command."""
