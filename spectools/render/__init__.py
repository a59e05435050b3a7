"""Diagnostics, ChangeSets and summaries -> text, json, markdown, workflow commands, SARIF."""
