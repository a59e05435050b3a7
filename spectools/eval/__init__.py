"""`spectools eval`: the spec's challenges run against a model, graded against their clauses."""
