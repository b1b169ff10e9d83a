"""Duplicates, merging and followers ("me too")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from frontdoor.accounts.models import ContactPreference, User
from frontdoor.cases.errors import (
    DomainError,
    InvalidInput,
)
from frontdoor.cases.models import (
    Attachment,
    Follower,
    Resolution,
    ServiceRequest,
    Visibility,
)
from frontdoor.cases.workflow.base import (
    A,
    Actor,
    _change,
    _event,
    _status_data,
    _unpause_sla,
    _with_changes,
    _writing,
)


def mark_duplicate(
    request: ServiceRequest | int,
    original: ServiceRequest | int,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Close ``request`` as a duplicate of ``original`` and merge it in: its requester
    becomes a supporter of the original, its followers and photos carry over.
    Writes ``request.marked_duplicate`` on the duplicate and ``request.merged`` on the
    original (both public)."""
    dup_pk = request.pk if isinstance(request, ServiceRequest) else request
    orig_pk = original.pk if isinstance(original, ServiceRequest) else original
    if dup_pk == orig_pk:
        raise InvalidInput({"original": [_("A request cannot be a duplicate of itself.")]})
    with _writing():
        # Lock both rows in a fixed order so two opposite merges cannot deadlock.
        for pk in sorted((dup_pk, orig_pk)):
            if not ServiceRequest.objects.select_for_update().filter(pk=pk).exists():
                raise DomainError(_("That request does not exist."), code="not_found")
        survivor = ServiceRequest.objects.get(pk=orig_pk)
        if survivor.duplicate_of_id is not None:
            raise InvalidInput(
                {
                    "original": [
                        _("%(number)s is itself a duplicate; merge into %(root)s.")
                        % {
                            "number": survivor.display_number,
                            "root": survivor.duplicate_of.display_number,
                        }
                    ]
                }
            )
        with _change(dup_pk, "mark_duplicate", expected_version) as (dup, target, out):
            before = dup.status
            dup.status, dup.resolution, dup.duplicate_of = target, Resolution.DUPLICATE, survivor
            clock = _unpause_sla(dup)
            dup.closed_at, dup.hold_reason = dup.updated_at, ""
            data = _with_changes(_status_data(before, target), clock)
            data["after"] |= {
                "resolution": Resolution.DUPLICATE,
                "duplicate_of": survivor.tracking_number,
            }
            out.events.append(_event(dup, A.MARKED_DUPLICATE, actor, Visibility.PUBLIC, data))
        dup.refresh_from_db()
        with _change(orig_pk, "merge_into", None) as (orig, _t, out):
            added_followers = _carry_followers(dup, orig)
            added_photos = 0
            for attachment in dup.attachments.filter(copied_from__isnull=True):
                Attachment.objects.create(
                    request=orig,
                    file=attachment.file.name,
                    content_type=attachment.content_type,
                    width=attachment.width,
                    height=attachment.height,
                    size=attachment.size,
                    visibility=attachment.visibility,
                    uploaded_by=attachment.uploaded_by,
                    copied_from=attachment,
                )
                added_photos += 1
            supporters_before = orig.supporter_count
            orig.supporter_count += 1 + dup.supporter_count
            out.events.append(
                _event(
                    orig,
                    A.MERGED,
                    actor,
                    Visibility.PUBLIC,
                    {
                        "merged": dup.tracking_number,
                        "followers_added": added_followers,
                        "attachments_added": added_photos,
                        "before": {"supporter_count": supporters_before},
                        "after": {"supporter_count": orig.supporter_count},
                    },
                )
            )
    if isinstance(request, ServiceRequest):
        request.refresh_from_db()
    return dup


def _carry_followers(dup: ServiceRequest, orig: ServiceRequest) -> int:
    wanted: list[tuple[User | None, str, bool]] = []
    if dup.requester_id:
        wanted.append((dup.requester, "", True))
    elif dup.contact_email and dup.contact_preference != ContactPreference.NONE:
        wanted.append((None, dup.contact_email, True))
    for follower in dup.followers.select_related("user"):
        wanted.append((follower.user, follower.email, follower.supporter))
    added = 0
    for user, email, supporter in wanted:
        existing = Follower.objects.filter(request=orig)
        existing = existing.filter(user=user) if user else existing.filter(email=email)
        if existing.exists():
            if supporter:
                existing.update(supporter=True)
            continue
        Follower.objects.create(
            request=orig, user=user, email="" if user else email, supporter=supporter
        )
        added += 1
    return added


def follow(
    request: ServiceRequest | int,
    *,
    actor: Actor,
    user: User | None = None,
    email: str = "",
    supporter: bool = False,
) -> ServiceRequest:
    """Follow a request for updates; a supporter also counts as having reported it."""
    if user is None:
        email = (email or "").strip()
        try:
            EmailValidator()(email)
        except ValidationError:
            raise InvalidInput({"email": [_("Enter a valid e-mail address.")]}) from None
    with _change(request, "follow", None) as (req, _t, out):
        existing = Follower.objects.filter(request=req)
        existing = existing.filter(user=user) if user else existing.filter(email=email)
        follower = existing.first()
        if follower and (follower.supporter or not supporter):
            raise InvalidInput({"__all__": [_("You already follow this request.")]})
        if follower:
            follower.supporter = True
            follower.save(update_fields=["supporter"])
        else:
            Follower.objects.create(
                request=req, user=user, email="" if user else email, supporter=supporter
            )
        if supporter:
            req.supporter_count += 1
        out.events.append(
            _event(
                req,
                A.FOLLOWED,
                actor,
                Visibility.INTERNAL,
                {"supporter": supporter, "user": user.pk if user else None},
            )
        )
        return req
