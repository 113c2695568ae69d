"""Factories for every model tests need. Reference data (registry, frameworks) comes from
``fixtures/`` through the ``reference_data`` fixture; these build the rest."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from assurance import models as m


class SHAFactory(DjangoModelFactory):
    class Meta:
        model = m.SHA
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"Q{30 + n % 10}")
    ons_code = factory.Sequence(lambda n: f"E180{n:05d}")
    name = factory.Sequence(lambda n: f"Test SHA {n}")


BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# Real PCT codes start with 5 or T: synthetic ones start with any other letter.
SYNTHETIC_FIRST = "YZXWVUSRQPONMLKJIHGFEDCBA"


def synthetic_code(i: int) -> str:
    """A three-character ODS-like code that no real PCT uses: 32,400 of them."""
    return SYNTHETIC_FIRST[i // 1296] + BASE36[(i // 36) % 36] + BASE36[i % 36]


class PCTFactory(DjangoModelFactory):
    class Meta:
        model = m.PCT

    code = factory.Sequence(synthetic_code)
    name = factory.Sequence(lambda n: f"Test PCT {n}")
    sha = factory.SubFactory(SHAFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = m.User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nhs.uk")
    full_name = factory.Sequence(lambda n: f"User {n}")
    role = m.Role.DH_STAFF
    password = factory.django.Password("correct horse battery staple")


def pct_user(pct: m.PCT, role: str = m.Role.PCT_STAFF, **kwargs: object) -> m.User:
    return UserFactory(role=role, pct=pct, **kwargs)


def sha_user(sha: m.SHA, role: str = m.Role.SHA_ASSESSOR, **kwargs: object) -> m.User:
    return UserFactory(role=role, sha=sha, **kwargs)


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = m.Framework

    name = factory.Sequence(lambda n: f"Framework {n}")
    year_label = factory.Sequence(lambda n: f"{2100 + n}/{(n + 1) % 100:02d}")
    version = 1


class CompetencyFactory(DjangoModelFactory):
    class Meta:
        model = m.Competency

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    short_name = factory.Sequence(lambda n: f"Competency {n + 1}")


PHASE_DATES = {
    1: (dt.date(2009, 9, 16), dt.date(2009, 12, 31)),
    2: (dt.date(2010, 1, 1), dt.date(2010, 3, 31)),
    3: (dt.date(2010, 4, 1), dt.date(2010, 5, 21)),
    4: (dt.date(2010, 6, 1), dt.date(2010, 7, 15)),
    5: (dt.date(2010, 7, 16), dt.date(2010, 7, 31)),
}


class CycleFactory(DjangoModelFactory):
    """A cycle with its five phases; ``open_phase=N`` opens phase N (default 1)."""

    class Meta:
        model = m.Cycle
        skip_postgeneration_save = True

    year_label = factory.Sequence(lambda n: f"{2009 + n}/{(10 + n) % 100:02d}")
    framework = factory.LazyFunction(lambda: m.Framework.objects.get(year_label="2009/10"))

    @factory.post_generation
    def open_phase(self, create: bool, extracted: int | None, **kwargs: object) -> None:
        if not create:
            return
        year_shift = int(self.year_label[:4]) - 2009
        for kind, (opens, closes) in PHASE_DATES.items():
            status = m.PhaseStatus.SCHEDULED
            if extracted is not None or kind == 1:
                target = extracted if extracted is not None else 1
                if kind == target:
                    status = m.PhaseStatus.OPEN
                elif kind < target:
                    status = m.PhaseStatus.CLOSED
            m.Phase.objects.create(
                cycle=self,
                kind=kind,
                opens_on=opens.replace(year=opens.year + year_shift),
                closes_on=closes.replace(year=closes.year + year_shift),
                status=status,
                opened_at=None
                if status == m.PhaseStatus.SCHEDULED
                else dt.datetime(2009, 9, 16, tzinfo=dt.UTC),
            )
        self.indicators.set(m.OutcomeIndicator.objects.all())


class SelfAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = m.SelfAssessment

    cycle = factory.SubFactory(CycleFactory)
    pct = factory.SubFactory(PCTFactory)
