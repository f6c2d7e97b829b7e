"""What a repository itself says about how its app runs: the environment variables its code
and workflows read (`envvars`) and the workflows that deploy it (`workflows`).

These are read-only scans of the working tree for the handover document. They collect names
and file paths, never values: an env file's values are secrets or settings, and neither belongs
in a document that is shared.
"""
