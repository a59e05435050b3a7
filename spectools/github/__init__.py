"""Everything GitHub: the runner's event, the review of a pull request, the fork hand-off, workflow
commands and outputs, and the REST API client."""
