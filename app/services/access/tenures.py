"""What a tenure gives: who votes and who may stand, by the right-of-occupancy act.

The one place that decides it (ohjeet.aso.fi, "Päätöksenteko" and "Asukaskokous"): the holder,
a co-holder and the holder's spouse or cohabiting partner living in the apartment vote and may
stand once they are 18; other household members and renters may take part in the resident
meeting but neither vote nor stand. Every entitled person has a vote of their own: co-holders do
not share one. At most one person per apartment sits on a body; that rule is the committee's
(services/bodies/committees), as it depends on who already sits.
"""

from datetime import date

from app.models.houses import Tenure

ADULT_AGE = 18

# Those who count as a holder for voting and standing (the spouse or partner by the act).
ENTITLED = frozenset({Tenure.holder, Tenure.co_holder, Tenure.spouse})


def age_on(born: date | None, on: date) -> int | None:
    """Full years of age on a day; None when the birth date is not known."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_entitled(tenure: Tenure | str) -> bool:
    """Whether a tenure counts as a holder's, whatever the person's age."""
    return Tenure(tenure) in ENTITLED


def votes(tenure: Tenure | str, age: int | None) -> bool:
    """Whether a resident of this tenure and age has a vote (one of their own) in the house."""
    return is_entitled(tenure) and age is not None and age >= ADULT_AGE


def may_stand(tenure: Tenure | str, age: int | None) -> bool:
    """Whether a resident of this tenure and age may stand for the house's bodies."""
    return is_entitled(tenure) and age is not None and age >= ADULT_AGE


def standing_tenures() -> frozenset[Tenure]:
    """The tenures whose adults may stand: for filtering residencies in a query."""
    return frozenset(t for t in Tenure if may_stand(t, ADULT_AGE))


def voting_tenures() -> frozenset[Tenure]:
    """The tenures whose adults vote: for filtering residencies in a query."""
    return frozenset(t for t in Tenure if votes(t, ADULT_AGE))
