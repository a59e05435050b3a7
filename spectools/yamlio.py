"""Safe YAML: no aliases (so no alias bombs), and a line number for every key path."""

from __future__ import annotations

from typing import Any

Path = tuple[Any, ...]


class YamlError(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 1-based, relative to the text given
        self.col = col


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse one YAML document; return the data and {key path: 1-based line}."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                mark = event.start_mark
                raise YamlError(
                    "YAML aliases (*name) are not allowed here; write the value out in full",
                    mark.line + 1,
                    mark.column + 1,
                )
            return super().compose_node(parent, index)

    try:
        loader = Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YamlError(f"YAML cannot hold the character {exc.character!r}; remove it", line, col) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path, int] = {}
        _index(node, (), lines)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"YAML syntax error: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlError(f"YAML cannot hold the character {exc.character!r}; remove it", line, 1) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML error: {exc}", 1, 1) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise YamlError(f"YAML value error: {exc}", 1, 1) from None
    finally:
        loader.dispose()
    return data, lines


def _index(node: Any, path: Path, lines: dict[Path, int]) -> None:
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            sub = (*path, k)
            lines[sub] = key.start_mark.line + 1
            if not isinstance(value, yaml.ScalarNode):
                _index(value, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


def line_of(lines: dict[Path, int], path: Path, default: int = 1) -> int:
    """The line of the deepest known prefix of path."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get((), default)
