"""The sandbox network: a built-in platform that accepts posts and simulates their engagement."""
