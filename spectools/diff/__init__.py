"""Two versions of a spec -> a ChangeSet: section matching, clauses, examples, wording, retired ids."""
