"""Release notes between release tags, and the CHANGELOG file they are written into."""
