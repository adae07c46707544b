"""Form parsing: errors keyed by the field they belong to."""

import pytest

from app.errors import ValidationFailed
from app.forms import field_name, parse
from app.models.initiatives import CommentInput


def test_a_field_called_body_keeps_its_name():
    with pytest.raises(ValidationFailed) as caught:
        parse(CommentInput, {"body": "   "})
    assert set(caught.value.errors) == {"body"}


def test_request_locations_lose_only_their_prefix():
    assert field_name(("body", "body")) == "body"
    assert field_name(("query", "year")) == "year"
    assert field_name(("body", "items", 0, "title")) == "items.0.title"
