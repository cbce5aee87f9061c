//! Images the app reads and makes: previews decoded under one memory budget (a small file can
//! claim to be a huge image), upright as the camera said, and the square pictures avatars and
//! community icons are — cropped to the centre, kept at two sizes in the object store under an
//! id of their own, and served to anyone at `/api/pictures/<id>` (`?size=small` for lists).
//!
//! Every decode reserves, before it starts, the memory it will hold from one budget for the
//! whole process ([`DECODE_BUDGET_BYTES`]); decodes that do not fit wait their turn, and an image
//! that alone would not fit is not decoded (it is kept as a file). A PNG (not interlaced) is read
//! row by row into a copy at most [`WORK_SIDE`] a side, never holding its whole frame; other
//! formats are decoded whole and reduced at once.

use std::{
    io::Cursor,
    sync::{Arc, LazyLock},
};

use bytes::Bytes;
use image::{metadata::Orientation, DynamicImage, ImageDecoder, ImageFormat};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{
    error::AppError,
    files::{FileStore, StoreError},
};
use crate::kit::sentences::says;

/// The image types the app decodes.
pub const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];
/// An image is not decoded beyond this many pixels a side.
const DECODE_SIDE: u32 = 12_000;
/// The memory all decodes at once may hold: an 8000×8000 photo decodes whole (183 MiB), one at
/// a time; previews of PNGs, which hold a few MiB each, many at once.
pub const DECODE_BUDGET_BYTES: u64 = 256 * 1024 * 1024;
/// The budget's unit: a permit is a KiB.
const PERMIT_BYTES: u64 = 1024;
/// The largest side of a preview: what thumbnails and pictures are made from.
pub const WORK_SIDE: u32 = 1280;
/// A picture's sides, in pixels: the picture, and its copy for lists.
const PICTURE_SIDE: u32 = 256;
const SMALL_SIDE: u32 = 64;

static BUDGET: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(
        (DECODE_BUDGET_BYTES / PERMIT_BYTES) as usize,
    ))
});

/// An image read for showing: its size upright, and an upright copy at most [`WORK_SIDE`] a
/// side.
pub struct Preview {
    pub width: u32,
    pub height: u32,
    pub picture: DynamicImage,
}

/// How an image is decoded, and the memory it holds meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Row by row (a PNG that is not interlaced), else whole.
    pub rows: bool,
    pub holds_bytes: u64,
}

/// The sides of a preview of a `width`×`height` image, and the factor it is reduced by when
/// read row by row (each preview pixel is the mean of `factor`×`factor` pixels).
fn reduced(width: u32, height: u32) -> (u32, u32, u32) {
    let factor = width.max(height).div_ceil(WORK_SIDE).max(1);
    (width.div_ceil(factor), height.div_ceil(factor), factor)
}

/// How `bytes` would be decoded, from its header alone; `None` if it is no image of
/// [`IMAGE_TYPES`] within [`DECODE_SIDE`].
pub fn plan(bytes: &[u8]) -> Option<Plan> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    if reader.format() == Some(ImageFormat::Png) {
        let png = png::Decoder::new(Cursor::new(bytes)).read_info().ok()?;
        let info = png.info();
        let (width, height) = (info.width, info.height);
        if width > DECODE_SIDE || height > DECODE_SIDE || width == 0 || height == 0 {
            return None;
        }
        if !info.interlaced {
            let (w, h, _) = reduced(width, height);
            // The preview, its row of sums, and the decoder's own two rows (at most 8 bytes a
            // pixel, 16-bit RGBA).
            let holds = u64::from(w) * u64::from(h) * 4 + u64::from(w) * 16 + u64::from(width) * 16;
            return Some(Plan {
                rows: true,
                holds_bytes: holds,
            });
        }
    }
    let mut reader = reader;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(DECODE_SIDE);
    limits.max_image_height = Some(DECODE_SIDE);
    reader.limits(limits);
    let decoder = reader.into_decoder().ok()?;
    let (width, height) = decoder.dimensions();
    let (w, h, _) = reduced(width, height);
    Some(Plan {
        rows: false,
        holds_bytes: decoder.total_bytes() + u64::from(w) * u64::from(h) * 4,
    })
}

/// A preview of an image of one of [`IMAGE_TYPES`], decoded within the budget (waiting for room
/// in it); `None` if the bytes are no such image or it alone is larger than the budget.
pub async fn preview(bytes: Bytes) -> Option<Preview> {
    let plan = plan(&bytes)?;
    if plan.holds_bytes > DECODE_BUDGET_BYTES {
        return None;
    }
    let permits = plan.holds_bytes.div_ceil(PERMIT_BYTES).max(1) as u32;
    let held = Arc::clone(&BUDGET).acquire_many_owned(permits).await.ok()?;
    tokio::task::spawn_blocking(move || {
        // Given back when the decode ends, whether or not anyone still waits for it.
        let _held = held;
        if plan.rows {
            preview_by_rows(&bytes)
        } else {
            preview_whole(&bytes, plan.holds_bytes)
        }
    })
    .await
    .ok()?
}

/// Width and height as shown, turned as `orientation` says.
fn upright(width: u32, height: u32, orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// Decodes the whole frame (at most `holds` bytes), reduces it and lets the frame go.
fn preview_whole(bytes: &[u8], holds: u64) -> Option<Preview> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(DECODE_SIDE);
    limits.max_image_height = Some(DECODE_SIDE);
    limits.max_alloc = Some(holds);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().ok()?;
    let whole = DynamicImage::from_decoder(decoder).ok()?;
    let (width, height) = upright(whole.width(), whole.height(), orientation);
    let mut picture = if whole.width() > WORK_SIDE || whole.height() > WORK_SIDE {
        whole.thumbnail(WORK_SIDE, WORK_SIDE)
    } else {
        whole
    };
    picture.apply_orientation(orientation);
    Some(Preview {
        width,
        height,
        picture,
    })
}

/// Reads a PNG row by row into a reduced copy: each pixel of the copy is the mean of a square
/// of the image's, so the whole frame is never held.
fn preview_by_rows(bytes: &[u8]) -> Option<Preview> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let (width, height) = (reader.info().width, reader.info().height);
    let orientation = reader
        .info()
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let channels = match reader.output_color_type().0 {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return None,
    };
    let alpha = channels % 2 == 0;
    let (w, h, factor) = reduced(width, height);
    let (out_channels, factor) = (if alpha { 4 } else { 3 }, factor as usize);
    let mut out = vec![0u8; w as usize * h as usize * out_channels];
    // Per preview pixel of the band being read: the sums of its channels, and its pixel count.
    let mut sums = vec![0u32; w as usize * 4];
    let mut counts = vec![0u32; w as usize];
    let mut y = 0usize;
    while let Some(row) = reader.next_row().ok()? {
        let data = row.data();
        for (x, pixel) in data.chunks_exact(channels).take(width as usize).enumerate() {
            let (r, g, b, a) = match pixel {
                [v] => (*v, *v, *v, 255),
                [v, a] => (*v, *v, *v, *a),
                [r, g, b] => (*r, *g, *b, 255),
                [r, g, b, a] => (*r, *g, *b, *a),
                _ => return None,
            };
            let at = x / factor;
            for (sum, value) in sums[at * 4..at * 4 + 4].iter_mut().zip([r, g, b, a]) {
                *sum += u32::from(value);
            }
            counts[at] += 1;
        }
        y += 1;
        if y.is_multiple_of(factor) || y == height as usize {
            let band = (y - 1) / factor;
            let line = &mut out[band * w as usize * out_channels..][..w as usize * out_channels];
            for (at, pixel) in line.chunks_exact_mut(out_channels).enumerate() {
                let count = counts[at].max(1);
                for (c, value) in pixel.iter_mut().enumerate() {
                    *value = (sums[at * 4 + c] / count) as u8;
                }
            }
            sums.iter_mut().for_each(|s| *s = 0);
            counts.iter_mut().for_each(|c| *c = 0);
        }
    }
    if y != height as usize {
        return None;
    }
    let mut picture = if alpha {
        DynamicImage::ImageRgba8(image::RgbaImage::from_raw(w, h, out)?)
    } else {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, out)?)
    };
    picture.apply_orientation(orientation);
    let (width, height) = upright(width, height, orientation);
    Some(Preview {
        width,
        height,
        picture,
    })
}

/// An image encoded small: PNG when it has transparency, JPEG (far smaller for photos) when not.
pub fn encode(picture: &DynamicImage) -> Option<Bytes> {
    let mut out = Cursor::new(Vec::new());
    let written = if picture.color().has_alpha() {
        picture.write_to(&mut out, image::ImageFormat::Png)
    } else {
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&picture.to_rgb8())
    };
    written.ok().map(|()| Bytes::from(out.into_inner()))
}

/// The centre square of an image, at `side` pixels.
fn square(picture: &DynamicImage, side: u32) -> DynamicImage {
    let edge = picture.width().min(picture.height());
    let (x, y) = ((picture.width() - edge) / 2, (picture.height() - edge) / 2);
    picture.crop_imm(x, y, edge, edge).resize_exact(
        side,
        side,
        image::imageops::FilterType::Lanczos3,
    )
}

fn key(id: Uuid, small: bool) -> String {
    if small {
        format!("pictures/{id}-small")
    } else {
        format!("pictures/{id}")
    }
}

/// Where a picture is read.
pub fn url(id: Uuid, small: bool) -> String {
    if small {
        format!("/api/pictures/{id}?size=small")
    } else {
        format!("/api/pictures/{id}")
    }
}

fn unavailable(error: StoreError) -> AppError {
    tracing::warn!(error = %error, "the file store failed");
    AppError::Unavailable
}

/// Makes a square picture of an uploaded image and stores both sizes: its id.
pub async fn store_square(files: &FileStore, bytes: Bytes) -> Result<Uuid, AppError> {
    let not_image = || AppError::Validation(says!("server.pictures.not_image"));
    let sniffed = infer::get(&bytes).map(|t| t.mime_type());
    if !sniffed.is_some_and(|t| IMAGE_TYPES.contains(&t)) {
        return Err(not_image());
    }
    let picture = preview(bytes).await.ok_or_else(not_image)?.picture;
    let (large, small) = tokio::task::spawn_blocking(move || {
        Some((
            encode(&square(&picture, PICTURE_SIDE))?,
            encode(&square(&picture, SMALL_SIDE))?,
        ))
    })
    .await
    .map_err(|_| AppError::Internal)?
    .ok_or_else(not_image)?;
    let id = Uuid::now_v7();
    files
        .put(&key(id, false), large)
        .await
        .map_err(unavailable)?;
    if let Err(error) = files.put(&key(id, true), small).await {
        remove(files, id).await;
        return Err(unavailable(error));
    }
    Ok(id)
}

/// Deletes a picture (both sizes); a failure is logged, and leaves only bytes nobody links to.
pub async fn remove(files: &FileStore, id: Uuid) {
    for small in [false, true] {
        if let Err(error) = files.delete(&key(id, small)).await {
            tracing::warn!(error = %error, picture = %id, "could not remove a picture");
        }
    }
}

/// A picture's bytes and type, for anyone (avatars and icons are shown wherever their person
/// or community is).
pub async fn read(
    files: &FileStore,
    id: &str,
    small: bool,
) -> Result<(Bytes, &'static str), AppError> {
    let not_found = || AppError::NotFound(says!("server.files.not_found"));
    let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    let bytes = match files.get(&key(id, small)).await {
        Ok(bytes) => bytes,
        Err(StoreError::Missing) => return Err(not_found()),
        Err(other) => return Err(unavailable(other)),
    };
    let kind = infer::get(&bytes)
        .map(|t| t.mime_type())
        .filter(|t| IMAGE_TYPES.contains(t))
        .unwrap_or("application/octet-stream");
    Ok((bytes, kind))
}

/// `GET /api/pictures/<id>[?size=small]`.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
    super::rest::PathArgs(id): super::rest::PathArgs<String>,
    super::rest::QueryArgs(size): super::rest::QueryArgs<Size>,
) -> axum::response::Response {
    use axum::{
        http::{header, HeaderValue},
        response::IntoResponse,
    };
    match read(&state.files, &id, size.size.as_deref() == Some("small")).await {
        Ok((bytes, kind)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            // A picture never changes under its id: a new one gets a new id.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            );
            response
        }
        Err(error) => error.into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct Size {
    size: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_the_centre_square() {
        // A wide image: red on the left third, blue in the middle, green on the right.
        let mut wide = image::RgbImage::new(300, 100);
        for (x, _, pixel) in wide.enumerate_pixels_mut() {
            *pixel = match x {
                0..=99 => image::Rgb([255, 0, 0]),
                100..=199 => image::Rgb([0, 0, 255]),
                _ => image::Rgb([0, 255, 0]),
            };
        }
        let picture = square(&DynamicImage::ImageRgb8(wide), 64);
        assert_eq!((picture.width(), picture.height()), (64, 64));
        let centre = picture.to_rgb8().get_pixel(32, 32).0;
        assert!(centre[2] > 200 && centre[0] < 50, "{centre:?}");
    }

    #[tokio::test]
    async fn bytes_that_are_no_image_do_not_decode() {
        for bytes in [&b"GIF89a but not really"[..], b""] {
            assert!(plan(bytes).is_none());
            assert!(preview(Bytes::from_static(bytes)).await.is_none());
        }
    }

    /// A 4000×4000 PNG, red on the left half and blue on the right (59 KB; 48 MB decoded).
    const RED_BLUE: &[u8] = include_bytes!("../../tests/fixtures/red-blue-4000.png");

    #[tokio::test]
    async fn a_large_png_is_previewed_row_by_row_without_its_whole_frame() {
        let planned = plan(RED_BLUE).unwrap();
        assert!(planned.rows);
        // The preview (1000×1000 RGBA, a mean of 4×4 pixels each) and a few rows, not the 48 MB
        // frame.
        assert!(planned.holds_bytes < 8 * 1024 * 1024, "{planned:?}");
        let seen = preview(Bytes::from_static(RED_BLUE)).await.unwrap();
        assert_eq!((seen.width, seen.height), (4000, 4000));
        let picture = seen.picture.to_rgb8();
        assert_eq!(picture.dimensions(), (1000, 1000));
        assert_eq!(picture.get_pixel(10, 500).0, [255, 0, 0]);
        assert_eq!(picture.get_pixel(990, 500).0, [0, 0, 255]);
    }

    #[tokio::test]
    async fn an_image_that_alone_exceeds_the_budget_is_not_decoded() {
        // A GIF that says it is 12000×12000 (576 MB as RGBA): its header is all that is read.
        let mut gif = b"GIF89a".to_vec();
        gif.extend_from_slice(&12_000u16.to_le_bytes());
        gif.extend_from_slice(&12_000u16.to_le_bytes());
        gif.extend_from_slice(&[0x00, 0x00, 0x00]);
        gif.extend_from_slice(&[
            0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00,
        ]);
        gif.push(0x3b);
        let planned = plan(&gif).unwrap();
        assert!(!planned.rows);
        assert!(planned.holds_bytes > DECODE_BUDGET_BYTES, "{planned:?}");
        assert!(preview(Bytes::from(gif)).await.is_none());
    }

    #[tokio::test]
    async fn a_small_photo_is_previewed_whole_and_upright() {
        let mut tall = image::RgbImage::new(40, 80);
        for (_, y, pixel) in tall.enumerate_pixels_mut() {
            *pixel = if y < 40 {
                image::Rgb([255, 0, 0])
            } else {
                image::Rgb([0, 0, 255])
            };
        }
        let jpeg = encode(&DynamicImage::ImageRgb8(tall)).unwrap();
        assert!(!plan(&jpeg).unwrap().rows);
        let seen = preview(jpeg).await.unwrap();
        assert_eq!((seen.width, seen.height), (40, 80));
        assert_eq!((seen.picture.width(), seen.picture.height()), (40, 80));
    }
}
