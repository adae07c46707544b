"""People API: administrators find, add and change people; anyone reads their own details."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from app import policies
from app.deps import ApiUser, SessionDep, require_api
from app.models.people import Person, PersonCreate, PersonPrivate, PersonUpdate
from app.services.access.roles import Principal
from app.services.bodies import people as people_service

router = APIRouter(prefix="/api/v1", tags=["people"])

AdminReader = Annotated[Principal, require_api("can_administer", "read")]
AdminWriter = Annotated[Principal, require_api("can_administer", "write")]


class PersonPatch(PersonUpdate):
    """Changes to a person and the version they were read at; omitted fields stay."""

    version: int


def private(person: Person) -> PersonPrivate:
    """A person with their contact details."""
    return PersonPrivate.model_validate(person, from_attributes=True)


def get_readable_person(person_id: int, user: ApiUser, session: SessionDep) -> Person:
    """The person themself or an administrator: 403 for anyone else, 404 when there is none."""
    if not policies.has_scope(user, "read") or not policies.can_read_person(user, person_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return people_service.get(session, person_id)


def get_editable_person(person_id: int, user: AdminWriter, session: SessionDep) -> Person:
    """A person an administrator may change: 403 for others, 404 when there is none."""
    return people_service.get(session, person_id)


@router.get("/people", response_model=list[PersonPrivate])
def list_people(
    response: Response,
    session: SessionDep,
    user: AdminReader,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PersonPrivate]:
    """People whose name or email contains q, by name; X-Total-Count tells how many in all."""
    found = people_service.search(session, q, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(people_service.count(session, q))
    return [private(p) for p in found]


@router.get("/people/{person_id}", response_model=PersonPrivate)
def read_person(person: Annotated[Person, Depends(get_readable_person)]) -> PersonPrivate:
    """One person's details."""
    return private(person)


@router.post("/people", response_model=PersonPrivate, status_code=201)
def create_person(session: SessionDep, user: AdminWriter, data: PersonCreate) -> PersonPrivate:
    """Add a person; the email must be unused (compared case-insensitively)."""
    return private(people_service.create(session, data, user.id))


@router.patch("/people/{person_id}", response_model=PersonPrivate)
def update_person(
    session: SessionDep,
    user: AdminWriter,
    person: Annotated[Person, Depends(get_editable_person)],
    data: PersonPatch,
) -> PersonPrivate:
    """Change a person; 409 when the version is no longer current."""
    changes = PersonUpdate.model_validate(data.model_dump(exclude_unset=True, exclude={"version"}))
    return private(people_service.update(session, person, changes, user.id, data.version))
