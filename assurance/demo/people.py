"""Demo users for every role. All share one password, printed by ``seed_demo``."""

from __future__ import annotations

import random
from typing import TextIO

from assurance.models import PCT, SHA, Role, User

DEMO_PASSWORD = "wcc-demo-2009"

# (email, full name, role, PCT code, SHA code). The first of each role is the one to try.
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("dh@wcc.example", "Dana Hughes", Role.DH_STAFF, "", ""),
    ("staff.camden@wcc.example", "Priya Shah", Role.PCT_STAFF, "5K7", ""),
    ("approver.camden@wcc.example", "Tom Okafor", Role.PCT_APPROVER, "5K7", ""),
    ("staff.islington@wcc.example", "Ruth Allen", Role.PCT_STAFF, "5K8", ""),
    ("approver.islington@wcc.example", "Sam Rees", Role.PCT_APPROVER, "5K8", ""),
    ("staff.durham@wcc.example", "Alan Wood", Role.PCT_STAFF, "5ND", ""),
    ("approver.durham@wcc.example", "Beth Carr", Role.PCT_APPROVER, "5ND", ""),
    ("lead.london@wcc.example", "Grace Mensah", Role.SHA_LEAD, "", "Q36"),
    ("assessor1.london@wcc.example", "Imran Patel", Role.SHA_ASSESSOR, "", "Q36"),
    ("assessor2.london@wcc.example", "Helen Frost", Role.SHA_ASSESSOR, "", "Q36"),
    ("peer.london@wcc.example", "Olu Adeyemi", Role.PEER_EXPERT, "", "Q36"),
    ("lead.northeast@wcc.example", "Mark Dodds", Role.SHA_LEAD, "", "Q30"),
    ("assessor1.northeast@wcc.example", "Karen Bell", Role.SHA_ASSESSOR, "", "Q30"),
    ("assessor2.northeast@wcc.example", "Joe Nixon", Role.SHA_ASSESSOR, "", "Q30"),
]


def create_demo_users(rng: random.Random, out: TextIO) -> None:
    pcts = {p.code: p for p in PCT.objects.filter(code__in={u[3] for u in DEMO_USERS if u[3]})}
    shas = {s.code: s for s in SHA.objects.all()}
    for email, name, role, pct_code, sha_code in DEMO_USERS:
        if User.objects.filter(email=email).exists():
            continue
        User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            role=role,
            pct=pcts.get(pct_code),
            sha=shas.get(sha_code),
            is_staff=role == Role.DH_STAFF,
            is_superuser=role == Role.DH_STAFF,
        )
    # Every other SHA gets a lead and two assessors, so each region can run panels.
    for sha in shas.values():
        slug = sha.code.lower()
        for email, role in [
            (f"lead.{slug}@wcc.example", Role.SHA_LEAD),
            (f"assessor1.{slug}@wcc.example", Role.SHA_ASSESSOR),
            (f"assessor2.{slug}@wcc.example", Role.SHA_ASSESSOR),
        ]:
            if User.objects.filter(sha=sha, role=role).count() >= (2 if "assessor" in email else 1):
                continue
            User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": f"{role.label} {sha.name}",
                    "role": role,
                    "sha": sha,
                    "password": _hashed(),
                },
            )


_HASH: list[str] = []


def _hashed() -> str:
    # Hash the shared demo password once: hashing is deliberately slow.
    if not _HASH:
        from django.contrib.auth.hashers import make_password

        _HASH.append(make_password(DEMO_PASSWORD))
    return _HASH[0]
