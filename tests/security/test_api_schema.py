"""schemathesis against /openapi.json: every API operation, with a bounded number of generated
requests, as a logged-in person of several roles on the demo data. No answer may be a server
error, and every answer must be one the schema documents (status code, content type, body)."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from app.demo import load as demo
from app.models.people import Person
from tests.support import api_headers

# Examples per operation, each sent as a person of a role drawn with the example.
MAX_EXAMPLES = 15
ROLES = {
    "resident": "erik.lindholm@demo.example",
    "chair": "aino.virtanen@demo.example",
    "property manager": "juha.makinen@demo.example",
    "management": "markku.salonen@demo.example",
    "admin": "sanna.lehtonen@demo.example",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture()
def role_headers(session) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Bearer headers of a person of each role in the demo data."""
    demo.load(session)
    session.commit()
    headers = {}
    for role, email in ROLES.items():
        person = session.exec(select(Person).where(Person.email == email)).one()
        headers[role] = api_headers(session, person)
    return headers


def test_every_api_operation_answers_as_its_schema_says(app, role_headers):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(), role=st.sampled_from(sorted(role_headers)))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any, role: str) -> None:
            try:
                case.call_and_validate(headers=role_headers[role], checks=CHECKS)
            except AssertionError as exc:
                raise AssertionError(f"as {role}: {exc}") from exc

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{operation.label}: {exc}")
    assert operations > 40, "the schema lost its operations"
    assert not failures, "\n\n".join(failures)
