"""Pure POE rules: no file, clock or settings access. See checks/registry.py for the pipeline."""
