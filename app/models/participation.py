"""Sitra's six kinds of participation: the portal's common language for every participatory item."""

import enum
from dataclasses import dataclass

from app.models.types import StrEnumType


class Participation(enum.StrEnum):
    """The kind of say an item gives (Sitra's model of participation in governance)."""

    initiative = "initiative"
    planning = "planning"
    decision = "decision"
    implementation = "implementation"
    evaluation = "evaluation"
    information = "information"


@dataclass(frozen=True)
class ParticipationInfo:
    """Names and definition of one kind, in Finnish, Swedish and English."""

    code: Participation
    fi: str
    sv: str
    en: str
    definition_fi: str
    definition_sv: str
    definition_en: str

    def name(self, lang: str) -> str:
        """The name in a language (fi, sv or en), Finnish if unknown."""
        return str(getattr(self, lang if lang in ("fi", "sv", "en") else "fi"))

    def definition(self, lang: str) -> str:
        """The definition in a language (fi, sv or en), Finnish if unknown."""
        return str(getattr(self, f"definition_{lang if lang in ('fi', 'sv', 'en') else 'fi'}"))


PARTICIPATION: dict[Participation, ParticipationInfo] = {
    p.code: p
    for p in (
        ParticipationInfo(
            Participation.initiative,
            "Aloiteosallisuus",
            "Initiativdelaktighet",
            "Initiative",
            "Omien asioiden nostaminen asialistalle.",
            "Att lyfta egna frågor på dagordningen.",
            "Raising one's own concerns onto the agenda.",
        ),
        ParticipationInfo(
            Participation.planning,
            "Suunnitteluosallisuus",
            "Planeringsdelaktighet",
            "Planning",
            "Keskustelu ja vuorovaikutus asioiden valmistelussa.",
            "Diskussion och växelverkan medan ärenden bereds.",
            "Discussion and interaction while matters are prepared.",
        ),
        ParticipationInfo(
            Participation.decision,
            "Päätösosallisuus",
            "Beslutsdelaktighet",
            "Decision",
            "Suora tai välillinen vaikuttaminen päätöksiin.",
            "Direkt eller indirekt inflytande på beslut.",
            "Direct or indirect influence on decisions.",
        ),
        ParticipationInfo(
            Participation.implementation,
            "Toimintaosallisuus",
            "Verksamhetsdelaktighet",
            "Implementation",
            "Osallistuminen päätösten toteuttamiseen.",
            "Att delta i att genomföra beslut.",
            "Taking part in carrying decisions out.",
        ),
        ParticipationInfo(
            Participation.evaluation,
            "Arviointiosallisuus",
            "Utvärderingsdelaktighet",
            "Evaluation",
            "Päätösten vaikutusten arviointi tulevan valmistelun pohjaksi.",
            "Att bedöma besluts verkningar inför kommande beredning.",
            "Assessing the effects of decisions, for future preparation.",
        ),
        ParticipationInfo(
            Participation.information,
            "Tieto-osallisuus",
            "Informationsdelaktighet",
            "Information",
            "Tiedon saaminen ja tuottaminen oikeaan aikaan.",
            "Att få, och ta fram, information i rätt tid.",
            "Getting, and producing, information at the right time.",
        ),
    )
}


def ParticipationType() -> StrEnumType:  # noqa: N802 - reads like a type in column definitions
    """The one column type for an item's kind of participation."""
    return StrEnumType(Participation, 16)
