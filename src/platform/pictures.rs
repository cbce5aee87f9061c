//! Images the app reads and makes: decoding with limits (a small file can claim to be a huge
//! image) and upright as the camera said, and the square pictures avatars and community icons
//! are — cropped to the centre, kept at two sizes in the object store under an id of their own,
//! and served to anyone at `/api/pictures/<id>` (`?size=small` for lists).

use std::io::Cursor;

use bytes::Bytes;
use image::{DynamicImage, ImageDecoder};
use uuid::Uuid;

use super::{
    error::AppError,
    files::{FileStore, StoreError},
};
use crate::kit::sentences::says;

/// The image types the app decodes.
pub const IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];
/// An image is not decoded beyond this many pixels a side, nor allocates more than this.
const DECODE_SIDE: u32 = 12_000;
const DECODE_ALLOC: u64 = 256 * 1024 * 1024;
/// A picture's sides, in pixels: the picture, and its copy for lists.
const PICTURE_SIDE: u32 = 256;
const SMALL_SIDE: u32 = 64;

/// Decodes an image of one of [`IMAGE_TYPES`] within the limits, turned upright; `None` if the
/// bytes are no such image.
pub fn decode(bytes: &[u8]) -> Option<DynamicImage> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(DECODE_SIDE);
    limits.max_image_height = Some(DECODE_SIDE);
    limits.max_alloc = Some(DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().ok()?;
    let mut picture = DynamicImage::from_decoder(decoder).ok()?;
    picture.apply_orientation(orientation);
    Some(picture)
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
    let (large, small) = tokio::task::spawn_blocking(move || {
        let picture = decode(&bytes)?;
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
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(size): axum::extract::Query<Size>,
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

    #[test]
    fn bytes_that_are_no_image_do_not_decode() {
        assert!(decode(b"GIF89a but not really").is_none());
        assert!(decode(b"").is_none());
    }
}
