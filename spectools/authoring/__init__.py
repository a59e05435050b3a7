"""Writing a spec: a new repository from a template, fresh clause ids, new challenge files, header fixes."""
