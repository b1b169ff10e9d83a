"""Photo intake: only real JPEG/PNG/WebP photos get in, re-encoded without any metadata; the
GPS position is read once (to offer it as the location) and never stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from frontdoor.cases.images import CleanPhoto, PhotoRejected, clean_photo

NOT_A_PHOTO = "This file is not a photo we can read. Please send a JPEG, PNG or WebP image."
TOO_MANY_PIXELS = "The photo has too many pixels to process."
RED, BLUE = (220, 20, 20), (20, 20, 220)


def camera_exif(orientation: int = 1, lat_ref: str = "N", lon_ref: str = "W") -> Image.Exif:
    """What a phone writes: maker, model, orientation and where the photo was taken
    (38° 57' 0" N, 94° 15' 0" W, i.e. 38.95, -94.25)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Acme"
    exif[ExifTags.Base.Model] = "Phone 9 Pro"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: lat_ref,
        ExifTags.GPS.GPSLatitude: (38.0, 57.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: lon_ref,
        ExifTags.GPS.GPSLongitude: (94.0, 15.0, 0.0),
    }
    return exif


def two_tone(size: tuple[int, int] = (100, 50), mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue, so a rotation shows in the pixels."""
    image = Image.new(mode, size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def stored_bytes(photo: CleanPhoto) -> bytes:
    photo.content.seek(0)
    return photo.content.read()


def reopen(photo: CleanPhoto) -> Image.Image:
    stored = Image.open(io.BytesIO(stored_bytes(photo)))
    stored.load()
    return stored


def png_claiming(width: int, height: int) -> bytes:
    """A structurally valid PNG (good CRCs) whose header claims the given size; the pixel
    data is a few bytes, so it costs nothing to send."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def rejected(data: bytes, **kwargs: object) -> str:
    with pytest.raises(PhotoRejected) as excinfo:
        clean_photo(io.BytesIO(data), **kwargs)  # type: ignore[arg-type]
    return str(excinfo.value)


# --- What gets through, and without what -------------------------------------------------


def test_jpeg_from_a_phone_loses_all_exif_but_reports_its_gps():
    original = encode(two_tone(), "JPEG", exif=camera_exif())
    assert Image.open(io.BytesIO(original)).getexif()[ExifTags.Base.Model] == "Phone 9 Pro"

    photo = clean_photo(io.BytesIO(original))

    assert photo.gps == pytest.approx((38.95, -94.25), abs=1e-6)
    assert (photo.content_type, photo.extension) == ("image/jpeg", "jpg")
    stored = reopen(photo)
    assert stored.format == "JPEG"
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info
    assert b"Acme" not in stored_bytes(photo) and b"Phone 9" not in stored_bytes(photo)


def test_jpeg_comment_is_not_kept():
    original = encode(two_tone(), "JPEG", comment=b"Taken at 12 Elm St by Ana Perez")
    assert Image.open(io.BytesIO(original)).info["comment"]

    photo = clean_photo(io.BytesIO(original))

    assert "comment" not in reopen(photo).info
    assert b"Elm St" not in stored_bytes(photo)


def test_southern_and_eastern_gps_is_negative_latitude_positive_longitude():
    original = encode(two_tone(), "JPEG", exif=camera_exif(lat_ref="S", lon_ref="E"))
    assert clean_photo(io.BytesIO(original)).gps == pytest.approx((-38.95, 94.25), abs=1e-6)


def test_photo_without_gps_reports_no_position():
    assert clean_photo(io.BytesIO(encode(two_tone(), "JPEG"))).gps is None


def test_malformed_gps_is_ignored_not_fatal():
    exif = camera_exif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (38.0, 57.0),  # two values instead of three
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (94.0, 15.0, 0.0),
    }
    photo = clean_photo(io.BytesIO(encode(two_tone(), "JPEG", exif=exif)))
    assert photo.gps is None
    assert len(reopen(photo).getexif()) == 0


def test_orientation_is_applied_to_the_pixels_then_dropped():
    # Orientation 6: the camera was turned; viewers rotate 90° clockwise to display it.
    original = encode(two_tone((100, 50)), "JPEG", quality=95, exif=camera_exif(orientation=6))

    photo = clean_photo(io.BytesIO(original))

    stored = reopen(photo)
    assert stored.size == (50, 100) == (photo.width, photo.height)
    assert ExifTags.Base.Orientation not in stored.getexif()
    # The left (red) half is now on top, the right (blue) half below.
    top, bottom = stored.convert("RGB").getpixel((25, 10)), stored.convert("RGB").getpixel((25, 90))
    assert top[0] > 150 and top[2] < 100
    assert bottom[2] > 150 and bottom[0] < 100


def test_png_text_chunks_and_exif_are_dropped_and_transparency_kept():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ana Perez")
    info.add_text("Comment", "my address is 12 Elm St", zip=True)
    info.add_itxt("Location", "12 Elm St", lang="en")
    image = two_tone((40, 30), "RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))
    original = encode(image, "PNG", pnginfo=info, exif=camera_exif())
    assert Image.open(io.BytesIO(original)).text["Author"] == "Ana Perez"

    photo = clean_photo(io.BytesIO(original))

    stored = reopen(photo)
    assert (photo.content_type, photo.extension, stored.format) == ("image/png", "png", "PNG")
    assert stored.text == {}
    assert len(stored.getexif()) == 0
    assert not {"Author", "Comment", "Location", "exif"} & set(stored.info)
    assert b"Elm St" not in stored_bytes(photo)
    assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0
    assert photo.gps == pytest.approx((38.95, -94.25), abs=1e-6)


def test_webp_is_accepted_and_loses_exif_and_xmp():
    original = encode(
        two_tone(), "WEBP", exif=camera_exif(), xmp=b"<x:xmpmeta>12 Elm St</x:xmpmeta>"
    )

    photo = clean_photo(io.BytesIO(original))

    stored = reopen(photo)
    assert (photo.content_type, photo.extension, stored.format) == ("image/webp", "webp", "WEBP")
    assert (stored.width, stored.height) == (100, 50)
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info and "xmp" not in stored.info
    assert b"Elm St" not in stored_bytes(photo)


def test_cmyk_jpeg_is_stored_as_rgb_that_browsers_show():
    photo = clean_photo(io.BytesIO(encode(Image.new("CMYK", (40, 30)), "JPEG")))
    assert reopen(photo).mode == "RGB"


def test_large_photo_is_scaled_down_keeping_its_shape(settings):
    settings.FRONTDOOR_PHOTO_MAX_PIXELS = 256
    original = encode(two_tone((1000, 400)), "PNG")

    photo = clean_photo(io.BytesIO(original))

    stored = reopen(photo)
    assert stored.size == (photo.width, photo.height)
    assert max(stored.size) == 256
    assert stored.width / stored.height == pytest.approx(2.5, rel=0.02)


def test_small_photo_is_not_enlarged(settings):
    settings.FRONTDOOR_PHOTO_MAX_PIXELS = 256
    photo = clean_photo(io.BytesIO(encode(two_tone((120, 80)), "JPEG")))
    assert (photo.width, photo.height) == (120, 80)


# --- What is turned away, and what the person is told -------------------------------------


def test_text_file_named_jpg_is_rejected():
    upload = io.BytesIO(b"Dear city, please fix the pothole on Elm St.\n")
    upload.name = "pothole.jpg"
    with pytest.raises(PhotoRejected, match=NOT_A_PHOTO):
        clean_photo(upload)


def test_truncated_jpeg_is_rejected():
    whole = encode(Image.effect_noise((200, 200), 60).convert("RGB"), "JPEG")
    assert rejected(whole[: len(whole) // 2]) == NOT_A_PHOTO


def test_truncated_png_is_rejected():
    whole = encode(Image.effect_noise((200, 200), 60).convert("RGB"), "PNG")
    assert rejected(whole[: len(whole) // 2]) == NOT_A_PHOTO


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_images_in_other_formats_are_rejected(fmt):
    assert rejected(encode(Image.new("RGB", (40, 30), RED), fmt)) == NOT_A_PHOTO


def test_empty_file_is_rejected():
    assert rejected(b"") == "The file is empty."


def test_file_over_the_size_limit_is_rejected_before_decoding(settings):
    settings.FRONTDOOR_MAX_PHOTO_BYTES = 2 * 1024 * 1024
    # Not even an image: the size is checked first, so nothing is decoded.
    assert (
        rejected(b"\xff" * (2 * 1024 * 1024 + 1))
        == "The photo is too large; the limit is 2.0\N{NO-BREAK SPACE}MB."
    )
    # Exactly at the limit is allowed through to the image checks.
    assert rejected(b"\xff" * (2 * 1024 * 1024)) == NOT_A_PHOTO


def test_declared_size_over_the_limit_is_rejected_without_reading(settings):
    settings.FRONTDOOR_MAX_PHOTO_BYTES = 2 * 1024 * 1024
    upload = io.BytesIO(encode(two_tone(), "JPEG"))  # a fine photo, declared too big
    with pytest.raises(PhotoRejected) as excinfo:
        clean_photo(upload, size=3 * 1024 * 1024)
    assert (
        str(excinfo.value)
        == "The photo is too large (3.0\N{NO-BREAK SPACE}MB); the limit is 2.0\N{NO-BREAK SPACE}MB."
    )
    assert upload.tell() == 0
    settings.FRONTDOOR_MAX_PHOTO_BYTES = 500 * 1024
    assert (
        rejected(b"", size=600 * 1024) == "The photo is too large (600.0\N{NO-BREAK SPACE}KB); "
        "the limit is 500.0\N{NO-BREAK SPACE}KB."
    )


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (100_000, 100_000),  # ten billion pixels: Pillow refuses to open it at all
        (10_000, 10_000),  # over Pillow's warning threshold
        (8_000, 8_000),  # under Pillow's limits, over ours
    ],
)
def test_decompression_bomb_is_rejected_without_decoding(width, height):
    bomb = png_claiming(width, height)
    assert len(bomb) < 200
    assert rejected(bomb) == TOO_MANY_PIXELS


def test_png_colour_profile_and_text_are_not_kept():
    source = Image.new("RGB", (40, 30), RED)
    buffer = io.BytesIO()
    source.save(buffer, "PNG", icc_profile=b"fake-profile-naming-the-camera-owner")
    clean = clean_photo(io.BytesIO(buffer.getvalue()))
    stored = Image.open(io.BytesIO(clean.content.read()))
    assert "icc_profile" not in stored.info
