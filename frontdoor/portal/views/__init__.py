"""The resident portal's pages: one module per step of a resident's visit."""
