"""The knowledge base (F9) and canned responses (F19).

Texts are in English and Spanish (django-modeltranslation adds ``title_en``, ``title_es``,
…; ``translation.py``). English is required; a missing Spanish text falls back to English,
and :meth:`Article.in_language` says when it did so that pages can tell the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from frontdoor.catalogue.models import Service
from frontdoor.knowledge import formatting, placeholders

DEFAULT_LANGUAGE = "en"
FORMAT_HELP = _(
    "Plain text. A blank line starts a new paragraph; lines starting with “- ” are a "
    "bulleted list, “1. ” a numbered one; [text](https://…) or a bare https:// address is "
    "a link. HTML is shown as typed, never interpreted."
)


def translated(obj: models.Model, field: str, language: str) -> str:
    """The text of ``field`` in ``language`` ('' when missing), without fallback."""
    return (getattr(obj, f"{field}_{language}", None) or "").strip()


def _is_city_staff(user: Any) -> bool:
    from frontdoor.staff.roles import scope_of

    return bool(user.is_staff or scope_of(user).is_staff_member)


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public FAQ (residents and staff)")
    INTERNAL = "internal", _("Agent script (staff only)")


@dataclass(frozen=True)
class ArticleText:
    """An article as shown in one language."""

    article: Article
    language: str
    title: str
    body: str
    # True when the article has no text in ``language`` and is shown in English.
    fallback: bool

    @cached_property
    def html(self) -> SafeString:
        return formatting.to_html(self.body)

    @cached_property
    def snippet(self) -> str:
        return formatting.snippet(self.body)

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "article"

    @property
    def is_internal(self) -> bool:
        return self.article.audience == Audience.INTERNAL


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=FORMAT_HELP)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="articles", verbose_name=_("services")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_articles",
        verbose_name=_("owner"),
        help_text=_("Keeps the article right; told by e-mail when it is due for review."),
    )
    last_reviewed_at = models.DateTimeField(_("last reviewed"), default=timezone.now)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("last reviewed by"),
    )
    review_interval_days = models.PositiveIntegerField(
        _("review every (days)"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    # last_reviewed_at + the interval; past it the article is stale. Computed on save.
    review_due_at = models.DateTimeField(_("review due"), editable=False)
    # Set when the owner was told the article is stale; cleared once it is no longer stale,
    # so the owner is told once per stale period.
    stale_notified_at = models.DateTimeField(
        _("owner told it is stale"), null=True, blank=True, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            models.Index(fields=["audience", "active"], name="article_audience_idx"),
            # The stale sweep reads only active articles whose owner was not yet told.
            models.Index(
                fields=["review_due_at"],
                condition=models.Q(active=True, stale_notified_at__isnull=True),
                name="article_review_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return translated(self, "title", DEFAULT_LANGUAGE) or f"#{self.pk}"

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.owner_id and not _is_city_staff(self.owner):
            errors.setdefault("owner", []).append(
                _(
                    "The owner must be a city employee: an administrator, a call-taker, a "
                    "member of a work group or a supervisor."
                )
            )
        for language, _name in settings.LANGUAGES:
            for target in formatting.unsafe_links(translated(self, "body", language)):
                errors.setdefault(f"body_{language}", []).append(
                    _(
                        "The link “%(target)s” cannot be used: links start with https://, "
                        "http://, mailto:, tel: or / (a page of this site)."
                    )
                    % {"target": target[:80]}
                )
            if language != DEFAULT_LANGUAGE:
                has_title = bool(translated(self, "title", language))
                has_body = bool(translated(self, "body", language))
                if has_title != has_body:
                    missing = "body" if has_title else "title"
                    errors.setdefault(f"{missing}_{language}", []).append(
                        _("Give both the title and the text in this language, or neither.")
                    )
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.review_due_at = self.last_reviewed_at + timedelta(days=self.review_interval_days)
        if self.review_due_at > timezone.now():
            self.stale_notified_at = None  # no longer stale: a later stale period tells again
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "review_due_at", "stale_notified_at"}
        super().save(*args, **kwargs)
        from frontdoor.knowledge.search import reindex

        reindex(self)

    def is_stale(self, now: datetime | None = None) -> bool:
        return self.active and self.review_due_at <= (now or timezone.now())

    def in_language(self, language: str) -> ArticleText:
        """The article in ``language``; in English, flagged, when it has no translation."""
        if language != DEFAULT_LANGUAGE and translated(self, "body", language):
            return ArticleText(
                self,
                language,
                translated(self, "title", language) or translated(self, "title", DEFAULT_LANGUAGE),
                translated(self, "body", language),
                False,
            )
        return ArticleText(
            self,
            language,
            translated(self, "title", DEFAULT_LANGUAGE),
            translated(self, "body", DEFAULT_LANGUAGE),
            language != DEFAULT_LANGUAGE,
        )


class ArticleIndex(models.Model):
    """An article's words in one language, normalised (lower case, no accents, one space
    between words, a space at each end) so that search is one portable ``LIKE`` per term,
    the same on SQLite and PostgreSQL. Written by ``search.reindex``; never edited."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="index_entries")
    language = models.CharField(max_length=8)
    title = models.TextField()
    body = models.TextField()
    services = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="article_index_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}/{self.language}"


class CannedResponse(models.Model):
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {tracking_number}, {resident_name}, {service}, {city}. In a public "
            "reply {resident_name} is a polite “resident”, never the person's name."
        ),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        verbose_name=_("service"),
        help_text=_("Empty: offered for every service."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return translated(self, "title", DEFAULT_LANGUAGE) or f"#{self.pk}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for language, _name in settings.LANGUAGES:
            problems = placeholders.problems(translated(self, "text", language))
            if problems:
                errors[f"text_{language}"] = problems
        if errors:
            raise ValidationError(errors)

    def title_in(self, language: str) -> str:
        return translated(self, "title", language) or translated(self, "title", DEFAULT_LANGUAGE)

    def text_in(self, language: str) -> str:
        return translated(self, "text", language) or translated(self, "text", DEFAULT_LANGUAGE)
