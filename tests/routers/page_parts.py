"""Read a rendered page as a person or a screen reader meets it: its step indicator (an ordered
list, app/templates/_stepper.html) and the first action in its main content."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tests.support import fi

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The visible text, spaces normalised."""
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return " ".join(" ".join(parts).split())

    def walk(self) -> "list[Node]":
        """Every element below, in document order."""
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                found.append(child)
                found.extend(child.walk())
        return found

    def find_all(
        self, tag: str | None = None, cls: str | None = None, **attrs: str
    ) -> "list[Node]":
        return [
            node
            for node in self.walk()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> "Node":
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}> in the page"
        return found[0]

    def inside(self, tag: str) -> bool:
        """Whether the element is within an element of the tag."""
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class ShownStep:
    label: str
    classes: set[str]
    current: bool
    text: str
    state: str  # what the step says of itself: done, now, not started, skipped
    overdue: bool


def steps(html: str, list_id: str) -> list[ShownStep]:
    """The steps of the step indicator whose <ol> has the id, in order."""
    ol = parse(html).find("ol", id=list_id)
    return [
        ShownStep(
            label=li.find("span", "stepper__label").text(),
            classes=li.classes,
            current=li.attrs.get("aria-current") == "step",
            text=li.text(),
            state=li.find("span", "stepper__state").text(),
            overdue=bool(li.find_all(cls="overdue-tag")),
        )
        for li in ol.children
        if isinstance(li, Node) and li.tag == "li"
    ]


def says_done(step: ShownStep) -> bool:
    """Whether a step says in words that it is done ("Done", or "Done 1.12.2026")."""
    dated = re.escape(fi("Done %(date)s", date="\x00")).replace("\x00", r"\d{1,2}\.\d{1,2}\.\d{4}")
    return step.state == fi("Done") or re.fullmatch(dated, step.state) is not None


def current_step(html: str, list_id: str) -> ShownStep:
    """The one step marked current."""
    found = [step for step in steps(html, list_id) if step.current]
    assert len(found) == 1, [s.label for s in steps(html, list_id)]
    return found[0]


def first_action(html: str) -> Node:
    """The first button (or link styled as one) in <main>, as Tab order and the eye meet it."""
    main = parse(html).find("main")
    for node in main.walk():
        if node.tag == "button" or (node.tag == "a" and "hds-button" in node.classes):
            return node
    raise AssertionError("no action in main")


def form_of(node: Node) -> Node | None:
    """The form a button belongs to."""
    parent = node.parent
    while parent is not None and parent.tag != "form":
        parent = parent.parent
    return parent
