"""The city's organisation and service catalogue: all the data that makes one city differ
from another (departments, groups, services and their questions, zones, routing, calendars).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontdoor.catalogue import geo

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
    _("Use letters, digits, '-', '_' or '.' only, starting with a letter or digit."),
)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class GeometryMixin(models.Model):
    """A GeoJSON polygon plus its bounding box for SQL pre-filtering."""

    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    min_lat = models.FloatField(null=True, editable=False)
    max_lat = models.FloatField(null=True, editable=False)
    min_lon = models.FloatField(null=True, editable=False)
    max_lon = models.FloatField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def clean_geometry(self) -> None:
        if self.geometry in (None, ""):
            self.geometry = None
            self.min_lat = self.max_lat = self.min_lon = self.max_lon = None
            return
        try:
            shape = geo.parse_polygon(self.geometry)
        except ValidationError as exc:
            raise ValidationError({"geometry": exc.messages}) from None
        self.geometry = geo.to_geojson(shape)
        box = geo.bbox_of(shape)
        self.min_lat, self.max_lat = box.min_lat, box.max_lat
        self.min_lon, self.max_lon = box.min_lon, box.max_lon

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Always recompute the bounding box: a changed polygon with a stale box would make
        # covers() give wrong answers.
        self.clean_geometry()
        super().save(*args, **kwargs)

    def covers(self, lat: float, lon: float) -> bool:
        if self.geometry is None or self.min_lat is None:
            return False
        if not (self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon):
            return False
        stamp = self.updated_at.isoformat() if self.updated_at else ""
        return geo.contains((type(self).__name__, self.pk or 0, stamp), self.geometry, lat, lon)


class BusinessCalendar(models.Model):
    """Working hours per weekday plus holidays; business-time SLAs count only these hours."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # {"mon": [["08:00", "17:00"]], ..., "sun": []}
    hours = models.JSONField(_("working hours"), default=dict)

    class Meta:
        verbose_name = _("business calendar")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from frontdoor.cases.sla import parse_week_hours

        try:
            parse_week_hours(self.hours)
        except ValueError as exc:
            raise ValidationError({"hours": str(exc)}) from None


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class City(GeometryMixin):
    """The installation's identity. There is exactly one row; it is data, not code."""

    name = models.CharField(_("name"), max_length=120)
    jurisdiction_id = models.CharField(_("Open311 jurisdiction id"), max_length=120, blank=True)
    # Bumped by any change to services, questions or categories (Open311 "changeset").
    catalogue_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Chicago")
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triage_group = models.ForeignKey(
        "WorkGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Receives general requests and anything that cannot be routed."),
    )
    general_service = models.ForeignKey(
        "Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The 'something else' service for requests that fit no other."),
    )

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("city")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
        self.clean_geometry()

    @classmethod
    def current(cls) -> City:
        from frontdoor.catalogue.cache import cached

        city = cached(
            "city",
            lambda: cls.objects.select_related("calendar", "triage_group").order_by("pk").first(),
        )
        if city is None:
            raise City.DoesNotExist(
                "No city is configured: run `manage.py demo_city` or create one in the admin."
            )
        return city


class Department(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Working hours for business-time SLAs; the city's calendar when empty."),
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_departments"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class WorkGroup(models.Model):
    """A team that handles requests (a crew, a desk); belongs to a department."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="groups")
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", blank=True, related_name="work_groups"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("work group")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        LEAD = "lead", _("Lead")

    group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class Zone(GeometryMixin):
    class Kind(models.TextChoices):
        WARD = "ward", _("Ward")
        DISTRICT = "district", _("District")
        CREW_AREA = "crew_area", _("Crew area")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("zone")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.geometry in (None, ""):
            raise ValidationError({"geometry": _("A zone needs a polygon.")})
        self.clean_geometry()


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public: residents and staff")
        STAFF = "staff", _("Staff only")

    class SlaUnit(models.TextChoices):
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")

    class SlaClock(models.TextChoices):
        BUSINESS = "business", _("business time")
        CALENDAR = "calendar", _("calendar time")

    class ResponseType(models.TextChoices):
        REALTIME = "realtime", _("Real time: an id at once")
        BATCH = "batch", _("Batch: a token first")

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Comma-separated synonyms.")
    )
    default_group = models.ForeignKey(
        WorkGroup, on_delete=models.PROTECT, related_name="default_services"
    )
    sla_amount = models.PositiveIntegerField(
        _("service level target"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    sla_unit = models.CharField(
        _("target unit"), max_length=8, choices=SlaUnit.choices, default=SlaUnit.DAYS
    )
    sla_clock = models.CharField(
        _("target clock"), max_length=10, choices=SlaClock.choices, default=SlaClock.BUSINESS
    )
    idle_reminder_days = models.PositiveIntegerField(
        _("idle reminder after (business days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A request untouched this many business days reminds its assignee or group; "
            "as many days again, its supervisors. Empty: no reminders."
        ),
    )
    priority = models.CharField(
        _("default priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    private = models.BooleanField(
        _("private"),
        default=False,
        help_text=_("Requests of this service are never shown publicly (map, API, feeds)."),
    )
    response_type = models.CharField(
        _("Open311 type"), max_length=10, choices=ResponseType.choices, default="realtime"
    )
    location_required = models.BooleanField(
        _("location required"),
        default=True,
        help_text=_("Untick for services that are not about a place (e.g. general questions)."),
    )
    public_notice = models.TextField(
        _("notice for residents"),
        blank=True,
        help_text=_(
            "Shown before the form (e.g. “check your collection day first”); for an "
            "information-only service, the answer."
        ),
    )
    info_only = models.BooleanField(
        _("information only"),
        default=False,
        help_text=_("Residents read the notice and where to go; no request can be filed."),
    )
    info_link = models.URLField(
        _("where to go"), blank=True, help_text=_("A web page with more, shown with the notice.")
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order in menu"), default=0)

    class Meta:
        ordering = ["category__order", "order", "code"]
        verbose_name = _("service")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.default_group_id and not self.default_group.active:
            raise ValidationError({"default_group": _("This group is inactive.")})
        if self.info_only and not (self.public_notice or "").strip():
            raise ValidationError(
                {"public_notice": _("An information-only service needs its answer here.")}
            )


class Question(models.Model):
    """One question of a service; maps 1:1 onto an Open311 service-definition attribute."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text (one line)")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLE = "singlevaluelist", _("Pick one")
        MULTI = "multivaluelist", _("Pick any")

    LIST_TYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9_\-]+$", _("Letters, digits, '-' and '_' only."))],
    )
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Untick for an informational notice shown with the form."),
    )
    order = models.PositiveIntegerField(_("order"), validators=[MinValueValidator(1)])
    description = models.TextField(_("question"))
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["service", "order"]
        verbose_name = _("question")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="question_code_unique"),
            models.UniqueConstraint(fields=["service", "order"], name="question_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code}/{self.code}"

    @property
    def is_list(self) -> bool:
        return self.datatype in self.LIST_TYPES

    def clean(self) -> None:
        if not self.variable and self.required:
            raise ValidationError({"required": _("An informational notice cannot be required.")})


class QuestionValue(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(
        _("key"),
        max_length=60,
        validators=[RegexValidator(r"^[^\s,]+$", _("No spaces or commas in a key."))],
    )
    name = models.CharField(_("label"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="question_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.name}"


class RoutingRule(models.Model):
    """Requests of a service (or a whole category) inside a zone go to a group.

    Precedence: a service rule beats a category rule; among equals the lower rank wins;
    with no matching rule the service's default group takes the request.
    """

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="routing_rules")
    group = models.ForeignKey(WorkGroup, on_delete=models.PROTECT, related_name="routing_rules")
    rank = models.PositiveIntegerField(
        _("rank"), default=100, help_text=_("Lower wins when several rules match.")
    )

    class Meta:
        ordering = ["rank", "pk"]
        verbose_name = _("routing rule")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(service__isnull=False, category__isnull=True)
                    | models.Q(service__isnull=True, category__isnull=False)
                ),
                name="routing_rule_service_xor_category",
            )
        ]

    def __str__(self) -> str:
        target = self.service.code if self.service_id else f"category {self.category}"
        return f"{target} in {self.zone.code} → {self.group.code}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if bool(self.service_id) == bool(self.category_id):
            errors["service"] = _("Choose either a service or a category, not both.")
        if self.group_id and not self.group.active:
            errors["group"] = _("This group is inactive; requests routed to it would be lost.")
        if self.zone_id and not self.zone.active:
            errors["zone"] = _("This zone is inactive.")
        if errors:
            raise ValidationError(errors)
