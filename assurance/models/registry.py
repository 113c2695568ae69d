"""The registry of NHS organisations (domain brief §1)."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


class SHA(models.Model):
    """A strategic health authority: one of the 10 regional bodies over the PCTs."""

    code = models.CharField("ODS code", max_length=3, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = "SHA"
        verbose_name_plural = "SHAs"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:sha_detail", args=[self.code])


class PCT(models.Model):
    """A primary care trust. Population is unknown for the WCC years: never invent it."""

    code = models.CharField("ODS code", max_length=3, unique=True)
    name = models.CharField(max_length=150)
    sha = models.ForeignKey(SHA, on_delete=models.PROTECT, related_name="pcts", verbose_name="SHA")
    population = models.PositiveIntegerField(null=True, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "PCT"
        verbose_name_plural = "PCTs"
        indexes = [models.Index(fields=["sha", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:pct_detail", args=[self.code])


class Cluster(models.Model):
    """From June 2011 PCTs were grouped into 52 clusters under one executive team each."""

    name = models.CharField(max_length=150, unique=True)
    formed_on = models.DateField(null=True, blank=True)
    pcts = models.ManyToManyField(PCT, related_name="clusters", blank=True, verbose_name="PCTs")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
