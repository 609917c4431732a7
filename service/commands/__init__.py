"""One module per CLI command; each registers itself on `service.commands.app.app`. Heavy imports stay inside
the command."""
