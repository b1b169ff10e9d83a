"""Photos a resident chose, kept between the form's rounds.

A report can come back to the resident (a missing answer, nearby reports to look at, the
photo's position to confirm). Browsers cannot refill a file input, so each accepted photo
is cleaned at once (checked, resized, metadata stripped: ``cases.images.clean_photo``) and
kept under ``pending/<day>/`` in the media storage; the form carries a signed token for it.
On submission the kept photos go to the workflow as ``CleanPhoto``s and are deleted;
abandoned ones are deleted by the ``pending_photos`` sweep after a day. The position read
from the photo's GPS data before stripping travels only in the signed token, back to the
resident who sent it, and is never stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from frontdoor.cases.images import CleanPhoto, clean_photo

SALT = "frontdoor.portal.pending-photo"
MAX_AGE = timedelta(days=1)
FOLDER = "pending"


@dataclass(frozen=True)
class KeptPhoto:
    token: str
    name: str  # storage name
    content_type: str
    width: int
    height: int
    gps: tuple[float, float] | None

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1]


def keep(upload: object) -> KeptPhoto:
    """Clean an upload and keep it. Raises ``PhotoRejected`` (with the reason to show)."""
    photo = clean_photo(upload, size=getattr(upload, "size", None))  # type: ignore[arg-type]
    day = timezone.now().strftime("%Y%m%d")
    name = default_storage.save(
        f"{FOLDER}/{day}/{uuid.uuid4().hex}.{photo.extension}", photo.content
    )
    data = {
        "n": name,
        "t": photo.content_type,
        "w": photo.width,
        "h": photo.height,
        "g": list(photo.gps) if photo.gps else None,
    }
    token = signing.dumps(data, salt=SALT, compress=True)
    return KeptPhoto(token, name, photo.content_type, photo.width, photo.height, photo.gps)


def restore(token: str) -> KeptPhoto | None:
    """The kept photo behind a token, or None if the token is forged, old or its file gone."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    name = str(data.get("n", ""))
    if not name.startswith(f"{FOLDER}/") or not default_storage.exists(name):
        return None
    gps = data.get("g")
    return KeptPhoto(
        token,
        name,
        str(data["t"]),
        int(data["w"]),
        int(data["h"]),
        (float(gps[0]), float(gps[1])) if gps else None,
    )


def as_clean_photo(kept: KeptPhoto) -> CleanPhoto:
    with default_storage.open(kept.name, "rb") as handle:
        content = ContentFile(handle.read())
    return CleanPhoto(content, kept.content_type, kept.extension, kept.width, kept.height, None)


def discard(kept: list[KeptPhoto]) -> None:
    for photo in kept:
        default_storage.delete(photo.name)


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete kept photos of forms abandoned more than a day ago (whole day folders)."""
    cutoff = ((now or timezone.now()) - MAX_AGE).strftime("%Y%m%d")
    deleted = 0
    try:
        days, _files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return {"deleted": 0}
    for day in days:
        if day >= cutoff:
            continue
        _dirs, files = default_storage.listdir(f"{FOLDER}/{day}")
        for name in files:
            default_storage.delete(f"{FOLDER}/{day}/{name}")
            deleted += 1
    return {"deleted": deleted}
