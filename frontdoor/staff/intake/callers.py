"""Who is calling? Find a caller by phone number or e-mail address among accounts and the
contact details of past requests, and their recent requests.

Phone numbers are compared on their digits (``accounts.phones``), e-mail addresses without
regard to case; both through the partial expression indexes on requests and accounts, so a
lookup reads a handful of rows however many requests there are. Nothing here matches on a
part of a number or address: a lookup never shows another caller's requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from frontdoor.accounts import phones
from frontdoor.accounts.models import User
from frontdoor.cases import tracking
from frontdoor.cases.models import ServiceRequest

# Bounded reads: a caller who phoned a thousand times still costs a page of rows.
MAX_REQUESTS = 10
MAX_CALLERS = 6
MAX_ACCOUNTS = 5
# How many of the newest matching requests are read to find distinct callers in them.
SCAN_REQUESTS = 50
MAX_LOOKUP = 254


@dataclass(frozen=True)
class Query:
    """A parsed lookup: ``value`` is the normalised phone digits or the lower-case e-mail."""

    kind: Literal["phone", "email"]
    value: str
    text: str


@dataclass(frozen=True)
class Caller:
    """A person to file a request for: an account, or the contact details someone gave on
    an earlier request. ``key`` picks them again (``account:<id>`` / ``request:<number>``)."""

    key: str
    name: str
    email: str
    phone: str
    preference: str
    language: str
    account: User | None = None
    last_seen: datetime | None = None

    @property
    def is_account(self) -> bool:
        return self.account is not None

    @property
    def language_name(self) -> str:
        return str(dict(settings.LANGUAGES).get(self.language, ""))


@dataclass(frozen=True)
class Lookup:
    query: Query
    callers: list[Caller]
    requests: list[ServiceRequest]


def parse(text: str) -> Query:
    """Read what the agent typed as a phone number or an e-mail address, or raise
    ``ValueError`` with a message for the agent."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError(_("Type the caller's phone number or e-mail address."))
    if "@" in text:
        try:
            if len(text) > MAX_LOOKUP:
                raise ValidationError("too long")
            EmailValidator()(text)
        except ValidationError:
            raise ValueError(
                _("“%(text)s” is not a complete e-mail address.") % {"text": text[:60]}
            ) from None
        return Query("email", text.lower(), text)
    digits = phones.normalise(text)
    if digits is None:
        raise ValueError(
            _("“%(text)s” is neither a phone number (7 to 15 digits) nor an e-mail address.")
            % {"text": text[:60]}
        )
    return Query("phone", digits, text)


def _accounts(query: Query) -> list[User]:
    users = User.objects.filter(is_active=True)
    if query.kind == "phone":
        users = (
            users.alias(phone_digits=phones.digits_only("phone"))
            .filter(phone_digits__in=phones.stored_forms(query.value))
            .exclude(phone="")
        )
    else:
        users = users.alias(email_lower=Lower("email")).filter(email_lower=query.value)
        users = users.exclude(email="")
    return list(users.order_by("-last_login", "pk")[:MAX_ACCOUNTS])


def _matching_requests(query: Query) -> QuerySet[ServiceRequest]:
    requests = ServiceRequest.objects.all()
    if query.kind == "phone":
        # The WHERE repeats the indexes' conditions so the partial indexes apply.
        return (
            requests.alias(phone_digits=phones.digits_only("contact_phone"))
            .filter(phone_digits__in=phones.stored_forms(query.value))
            .exclude(contact_phone="")
        )
    return (
        requests.alias(email_lower=Lower("contact_email"))
        .filter(email_lower=query.value)
        .exclude(contact_email="")
    )


def _newest(requests: QuerySet[ServiceRequest], limit: int) -> list[ServiceRequest]:
    return list(requests.select_related("service").order_by("-requested_at", "-pk")[:limit])


def _caller_from_account(user: User) -> Caller:
    return Caller(
        key=f"account:{user.pk}",
        name=user.get_full_name(),
        email=user.email,
        phone=user.phone,
        preference=user.contact_preference,
        language=user.language,
        account=user,
        last_seen=user.last_login,
    )


def _caller_from_request(request: ServiceRequest) -> Caller:
    return Caller(
        key=f"request:{request.tracking_number}",
        name=request.contact_name,
        email=request.contact_email,
        phone=request.contact_phone,
        preference=request.contact_preference,
        language=request.language,
        last_seen=request.requested_at,
    )


def _same_person(caller: Caller) -> tuple[str, str, str]:
    return (
        " ".join(caller.name.casefold().split()),
        caller.email.lower(),
        phones.normalise(caller.phone) or "",
    )


def lookup(text: str) -> Lookup:
    """Callers and recent requests for a phone number or e-mail address (raises
    ``ValueError`` for input that is neither). At most four queries."""
    query = parse(text)
    accounts = _accounts(query)
    scanned = _newest(_matching_requests(query), SCAN_REQUESTS)
    requests = {row.pk: row for row in scanned[:MAX_REQUESTS]}
    if accounts:
        # Requests filed from those accounts, whatever contact details they carried.
        owned = ServiceRequest.objects.filter(requester__in=accounts)
        for row in _newest(owned, MAX_REQUESTS):
            requests.setdefault(row.pk, row)
    newest = sorted(requests.values(), key=lambda row: (row.requested_at, row.pk), reverse=True)

    callers = [_caller_from_account(user) for user in accounts]
    account_ids = {user.pk for user in accounts}
    seen = {_same_person(caller) for caller in callers}
    for row in scanned:
        if row.requester_id in account_ids:
            continue
        caller = _caller_from_request(row)
        person = _same_person(caller)
        if person in seen:
            continue
        seen.add(person)
        callers.append(caller)
    return Lookup(query=query, callers=callers[:MAX_CALLERS], requests=newest[:MAX_REQUESTS])


def resolve(key: str) -> Caller | None:
    """The caller a ``Caller.key`` names, or None when it names nobody (any more)."""
    kind, _sep, ident = (key or "").partition(":")
    if kind == "account" and ident.isascii() and ident.isdigit():
        user = User.objects.filter(pk=int(ident), is_active=True).first()
        return _caller_from_account(user) if user else None
    if kind == "request" and tracking.is_valid(ident):
        row = (
            ServiceRequest.objects.filter(tracking_number=ident)
            .filter(~Q(contact_name="") | ~Q(contact_email="") | ~Q(contact_phone=""))
            .first()
        )
        return _caller_from_request(row) if row else None
    return None
