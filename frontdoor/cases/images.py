"""Photo intake: check that an upload really is an image, then re-encode it without
metadata so that EXIF (camera serial, GPS position, time) never reaches storage.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones, when the optional plugin is installed.
    from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

    register_heif_opener()
    HEIF = True
except ImportError:
    HEIF = False

ALLOWED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "MPO": "jpeg"}
if HEIF:
    ALLOWED_FORMATS["HEIF"] = "jpeg"
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
MAX_SOURCE_PIXELS = 50_000_000


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; the message is for the person uploading it."""


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    content_type: str
    extension: str
    width: int
    height: int
    gps: tuple[float, float] | None  # (lat, lon) read before stripping, never stored


def _gps_from_exif(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        return None
    if not gps:
        return None

    def degrees(values: object, ref: object, negative: str) -> float | None:
        try:
            d, m, s = (float(v) for v in values)  # type: ignore[union-attr]
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        result = d + m / 60 + s / 3600
        return -result if str(ref).upper().startswith(negative) else result

    lat = degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
    lon = degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:
        return None
    return (round(lat, 6), round(lon, 6))


def clean_photo(upload: IO[bytes], *, size: int | None = None) -> CleanPhoto:
    """Validate and re-encode an uploaded photo. Raises PhotoRejected with the reason."""
    limit = settings.FRONTDOOR_MAX_PHOTO_BYTES
    if size is not None and size > limit:
        raise PhotoRejected(
            _("The photo is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoRejected(
            _("The photo is too large; the limit is %(limit)s.") % {"limit": filesizeformat(limit)}
        )
    if not data:
        raise PhotoRejected(_("The file is empty."))
    not_an_image = PhotoRejected(
        _("This file is not a photo we can read. Please send a JPEG, PNG or WebP image.")
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            probe.verify()  # checks structure without decoding; the object is unusable after
            image = Image.open(io.BytesIO(data))
            source_format = image.format
            if source_format not in ALLOWED_FORMATS:
                raise not_an_image
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise PhotoRejected(_("The photo has too many pixels to process."))
            gps = _gps_from_exif(image)
            image = ImageOps.exif_transpose(image)
            image.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_an_image from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(_("The photo has too many pixels to process.")) from None

    fmt = ALLOWED_FORMATS[source_format]
    if fmt == "jpeg" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt in ("png", "webp") and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    max_side = settings.FRONTDOOR_PHOTO_MAX_PIXELS
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)

    image.info.clear()  # PNG and WebP saves would otherwise copy e.g. the ICC profile
    out = io.BytesIO()
    # A fresh save without exif=/pnginfo=/icc_profile= writes pixels only: no metadata.
    # Except that Pillow copies a JPEG comment (COM) from the source unless told not to.
    if fmt == "jpeg":
        image.save(out, "JPEG", quality=85, optimize=True, comment=b"")
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return CleanPhoto(
        content=ContentFile(out.getvalue()),
        content_type=CONTENT_TYPES[fmt],
        extension="jpg" if fmt == "jpeg" else fmt,
        width=image.width,
        height=image.height,
        gps=gps,
    )
