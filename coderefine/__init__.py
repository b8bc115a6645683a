"""coderefine: test-time code refinement with sandboxed tests as the loss."""
__version__ = "0.1.0"
