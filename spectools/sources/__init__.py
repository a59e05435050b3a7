"""Where the spec's bytes come from: the working tree, a git commit or the index, behind one protocol
(base.Source); the only code that runs git (git.py); spectools.yaml (config.py)."""
