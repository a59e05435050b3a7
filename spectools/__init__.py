"""spectools: a Git-native toolkit for behaviour-spec repositories."""

__version__ = "0.1.0"
