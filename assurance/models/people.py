"""People and their roles (domain brief §6). Email is the login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    PCT_STAFF = "pct_staff", "PCT staff"
    PCT_APPROVER = "pct_approver", "PCT approver"
    SHA_ASSESSOR = "sha_assessor", "SHA assessor"
    SHA_LEAD = "sha_lead", "SHA lead"
    PEER_EXPERT = "peer_expert", "External peer expert"
    DH_STAFF = "dh_staff", "DH staff"


PCT_ROLES = frozenset({Role.PCT_STAFF, Role.PCT_APPROVER})
SHA_ROLES = frozenset({Role.SHA_ASSESSOR, Role.SHA_LEAD, Role.PEER_EXPERT})
#: The SHA's own staff see their whole region; an external peer expert only the PCTs of the
#: panels they sit on, and never freedoms records (domain brief §6; issue 13).
SHA_STAFF_ROLES = frozenset({Role.SHA_ASSESSOR, Role.SHA_LEAD})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", Role.DH_STAFF)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person using the service, tied to their PCT (PCT roles) or SHA (SHA roles)."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PCT_STAFF)
    pct = models.ForeignKey(
        "assurance.PCT",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="PCT",
    )
    sha = models.ForeignKey(
        "assurance.SHA",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name="SHA",
    )

    reminder_emails = models.BooleanField(
        "email me reminders",
        default=True,
        help_text="Reminders of deadlines by email. They always appear in the product.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                name="user_pct_role_has_pct",
                # A list in a fixed order (a frozenset's order changes between runs, which
                # made makemigrations see a new constraint now and then).
                condition=~Q(role__in=[Role.PCT_STAFF.value, Role.PCT_APPROVER.value])
                | Q(pct__isnull=False),
            ),
            models.CheckConstraint(
                name="user_sha_role_has_sha",
                condition=~Q(
                    role__in=[Role.SHA_ASSESSOR.value, Role.SHA_LEAD.value, Role.PEER_EXPERT.value]
                )
                | Q(sha__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Questions about this person's own row; access rules live in assurance/access/self_assessment.py.
    @property
    def is_pct_user(self) -> bool:
        return self.role in PCT_ROLES

    @property
    def is_pct_approver(self) -> bool:
        return self.role == Role.PCT_APPROVER

    @property
    def is_sha_user(self) -> bool:
        return self.role in SHA_ROLES

    @property
    def is_sha_staff(self) -> bool:
        return self.role in SHA_STAFF_ROLES

    @property
    def is_peer_expert(self) -> bool:
        return self.role == Role.PEER_EXPERT

    @property
    def is_sha_lead(self) -> bool:
        return self.role == Role.SHA_LEAD

    @property
    def is_dh(self) -> bool:
        return self.role == Role.DH_STAFF or self.is_superuser

    @property
    def organisation(self) -> Any:
        if self.is_pct_user:
            return self.pct
        if self.is_sha_user:
            return self.sha
        return None

    @property
    def organisation_name(self) -> str:
        org = self.organisation
        return str(org) if org else "Department of Health"
