"""A survey's results: respondents, each question's answers counted (scales as distributions and
averages, free text listed), and the CSV."""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from app.i18n import _
from app.models.surveys import (
    QuestionKind,
    Survey,
    SurveyParticipation,
    SurveyQuestion,
)
from app.services.ballots.surveys import SCALE, answers, questions
from app.services.platform import charts
from app.services.platform.csv_writing import safe_cell


@dataclass
class QuestionResult:
    """One question's results: counts per choice (with a chart) or the free texts."""

    question: SurveyQuestion
    labels: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    chart: charts.BarChart | None = None


def respondents(session: Session, survey: Survey) -> int:
    """How many people have answered."""
    return session.exec(
        select(func.count())
        .select_from(SurveyParticipation)
        .where(SurveyParticipation.survey_id == survey.id)
    ).one()


def results(session: Session, survey: Survey) -> list[QuestionResult]:
    """Counts per choice for each question, free texts in a stable, non-identifying order."""
    given = answers(session, survey)
    out = []
    for question in questions(session, survey):
        result = QuestionResult(question=question)
        mine = [(value, text) for q, value, text in given if q == question.id]
        if question.kind == QuestionKind.text:
            result.texts = sorted(text for _value, text in mine if text)
        else:
            tally = Counter(value for value, _text in mine if value is not None)
            keys = SCALE if question.kind == QuestionKind.scale else range(len(question.options))
            result.labels = (
                [str(k) for k in keys]
                if question.kind == QuestionKind.scale
                else list(question.options)
            )
            result.counts = [int(tally.get(k, 0)) for k in keys]
            result.chart = charts.horizontal_bar_chart(
                f"q{question.id}",
                question.text,
                _("Number of answers per choice"),
                result.labels,
                [charts.Series(name=_("Answers"), values=result.counts)],
                category_header=_("Choice"),
            )
        out.append(result)
    return out


def to_csv(session: Session, survey: Survey) -> str:
    """The results as CSV: question, choice, answers; free texts one per row. BOM and ;."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in (_("Question"), _("Choice"), _("Answers"))])
    for result in results(session, survey):
        if result.question.kind == QuestionKind.text:
            for text in result.texts:
                writer.writerow([safe_cell(result.question.text), "", safe_cell(text)])
        else:
            for label, n in zip(result.labels, result.counts, strict=True):
                writer.writerow([safe_cell(c) for c in (result.question.text, label, n)])
    return "\ufeff" + buffer.getvalue()
