//! Uploads and media: types told from bytes, limits, interrupted uploads, byte ranges, who may
//! read what, metadata stripped from covers, covers in the catalog, media in backups.

use std::io::Cursor;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::money::{buy_paid, selling_app_with};

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 { image::Rgb([220, 30, 30]) } else { image::Rgb([30, 30, 220]) }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A JPEG (left half red, right half blue) with an EXIF segment: orientation 6 (shown rotated
/// 90° clockwise) and a description standing in for GPS coordinates.
fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 { image::Rgb([220, 30, 30]) } else { image::Rgb([30, 30, 220]) }
    });
    let mut plain = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg)
        .unwrap();
    let secret = b"SECRET-GPS-48.8584N-2.2945E\0";
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 2]);
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    tiff.extend_from_slice(&[0x01, 0x0E, 0, 2]);
    tiff.extend_from_slice(&(secret.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&38u32.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(secret);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub async fn upload(app: &TestApp, who: &Actor, purpose: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
    let path = format!("/api/v1/uploads?purpose={purpose}&filename=notes.bin");
    let mut req = app.client.post(app.url(&path)).header("content-type", content_type).body(bytes);
    if let Some(t) = &who.access {
        req = req.bearer_auth(t);
    }
    Reply::read(format!("POST {path}"), req.send().await.unwrap()).await
}

async fn get_media(app: &TestApp, who: &Actor, url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.client.get(app.url(url));
    if let Some(t) = &who.access {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

fn uploads_recorded(app: &TestApp) -> u64 {
    let store = app.state().store.clone();
    store.read_now(|rtx| Ok(lectern::schema::UPLOADS.len(rtx)?)).unwrap()
}

fn temp_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("media/tmp")).map(|d| d.count()).unwrap_or(0)
}

#[tokio::test]
async fn the_bytes_decide_the_type_not_the_name_or_the_declared_type() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;

    let ok = upload(&app, &teacher, "attachment", "application/pdf", PDF.to_vec())
        .await
        .assert_status(StatusCode::CREATED);
    assert_eq!(ok["content_type"], "application/pdf");
    assert_eq!(ok["size"], PDF.len());
    assert_eq!(ok["purpose"], "attachment");
    assert_eq!(ok["filename"], "notes.bin");

    // PNG bytes claimed to be a video; a page and a Windows executable claimed to be a PNG.
    let spoofs: [(&str, &str, Vec<u8>); 4] = [
        ("lesson_video", "video/mp4", png(8, 8)),
        ("cover", "image/png", b"<!doctype html><html><script>alert(1)</script></html>".to_vec()),
        ("cover", "image/png", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".repeat(8)),
        // A real PDF declared as an image: the families disagree.
        ("attachment", "image/png", PDF.to_vec()),
    ];
    for (purpose, declared, bytes) in spoofs {
        let r = upload(&app, &teacher, purpose, declared, bytes)
            .await
            .assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.problem_code(), Some("unsupported_media_type"));
    }
    assert_eq!(uploads_recorded(&app), 1, "refused files leave no record");
    assert_eq!(temp_files(&app), 0, "nor a temporary file");

    // Multipart with one `file` part works the same.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec())
            .file_name("Конспект.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let res = app
        .client
        .post(app.url("/api/v1/uploads?purpose=attachment"))
        .bearer_auth(teacher.access())
        .multipart(form)
        .send()
        .await
        .unwrap();
    let r = Reply::read("POST multipart".into(), res).await.assert_status(StatusCode::CREATED);
    assert_eq!(r["filename"], "Конспект.pdf");
    let student = app.sign_up_student("s@school.test").await;
    upload(&app, &student, "cover", "image/png", png(8, 8)).await.assert_status(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn files_over_their_limit_are_refused_without_reading_them_all() {
    let app = spawn_with(|c| {
        c.uploads.document_bytes = 4096;
        c.uploads.video_bytes = 8192;
    })
    .await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let mut big = PDF.to_vec();
    big.resize(4097, b' ');
    let r = upload(&app, &teacher, "attachment", "application/pdf", big)
        .await
        .assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.problem_code(), Some("payload_too_large"));
    // Streamed without a length: refused once the limit is passed.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..64).map(|_| Ok(vec![0u8; 1024])).collect();
    let res = app
        .client
        .post(app.url("/api/v1/uploads?purpose=lesson_video"))
        .bearer_auth(teacher.access())
        .header("content-type", "video/mp4")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await;
    // The server may answer 413 before the client has sent everything (or reset the stream).
    if let Ok(res) = res {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    let mut fits = PDF.to_vec();
    fits.resize(4096, b' ');
    upload(&app, &teacher, "attachment", "application/pdf", fits).await.assert_status(StatusCode::CREATED);
    assert_eq!(uploads_recorded(&app), 1);
    assert_eq!(temp_files(&app), 0);
}

#[tokio::test]
async fn an_interrupted_upload_leaves_no_record_and_no_temporary_file() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let mut first = PDF.to_vec();
    first.resize(100_000, b' ');
    let stream = futures_util::stream::iter(vec![
        Ok(first),
        Ok(vec![b' '; 100_000]),
        Err(std::io::Error::other("the cable was pulled")),
    ]);
    let res = app
        .client
        .post(app.url("/api/v1/uploads?purpose=attachment"))
        .bearer_auth(teacher.access())
        .header("content-type", "application/pdf")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    assert!(res.is_err() || res.unwrap().status().is_client_error());
    // The server notices the broken body and drops what it had.
    for _ in 0..50 {
        if temp_files(&app) == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(temp_files(&app), 0, "no temporary file left");
    assert_eq!(uploads_recorded(&app), 0, "no record");
}

#[tokio::test]
async fn media_are_served_with_ranges_etags_and_the_right_headers() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let mut bytes = PDF.to_vec();
    bytes.extend((0..10_000u32).map(|i| (i % 251) as u8));
    let up = upload(&app, &teacher, "attachment", "application/pdf", bytes.clone())
        .await
        .assert_status(StatusCode::CREATED);
    let url = up.str("url").to_owned();

    let whole = get_media(&app, &teacher, &url, &[]).await;
    assert_eq!(whole.status(), StatusCode::OK);
    let h = whole.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-disposition"], "attachment; filename*=UTF-8''notes.bin");
    assert_eq!(h["cache-control"], "private, no-cache", "not attached to anything yet: private");
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "a strong ETag: {etag}");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &bytes[..]);

    let part = get_media(&app, &teacher, &url, &[("range", "bytes=100-199")]).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 100-199/{}", bytes.len()));
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[100..200]);

    let past = get_media(&app, &teacher, &url, &[("range", &format!("bytes={}-", bytes.len() + 10))]).await;
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    let again = get_media(&app, &teacher, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn covers_lose_their_metadata_stand_upright_and_show_in_the_catalog() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let original = jpeg_with_exif(320, 160);
    assert!(contains(&original, b"SECRET-GPS"));
    let up = upload(&app, &teacher, "cover", "image/jpeg", original).await.assert_status(StatusCode::CREATED);
    assert_eq!(up["content_type"], "image/jpeg");
    assert_eq!(up["cover"]["width"], 1280);
    assert_eq!(up["cover"]["height_small"], 270);

    let big = get_media(&app, &ANONYMOUS, up.str("url"), &[]).await;
    assert_eq!(big.status(), StatusCode::OK, "covers are public");
    assert_eq!(big.headers()["cache-control"], "public, max-age=31536000, immutable");
    let served = big.bytes().await.unwrap();
    assert!(!contains(&served, b"SECRET-GPS") && !contains(&served, b"Exif"), "metadata stripped");
    let img = image::load_from_memory(&served).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (1280, 720));
    // Orientation 6 turns the red left half to the top and the blue right half to the bottom.
    let (top, bottom) = (img.get_pixel(640, 40), img.get_pixel(640, 680));
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is blue: {bottom:?}");

    let course = app.course(&teacher, "Watercolour basics", json!({}), 2, true).await;
    let patched = app
        .courses(&teacher)
        .update(&course.id, json!({"cover_upload_id": up.str("id")}))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(patched["cover"]["url"], up["cover"]["url"]);
    let public = app.courses(&ANONYMOUS).get(&course.slug).await.assert_status(StatusCode::OK);
    assert_eq!(public["cover"]["url_small"], up["cover"]["url_small"]);
    app.indexed().await;
    let listed = app.list("").await;
    let card = listed["items"].as_array().unwrap().iter().find(|c| c["id"] == course.id.as_str()).unwrap();
    assert_eq!(card["cover"]["url_small"], up["cover"]["url_small"]);
    let (status, page) = Browser::default().page(&app, "/courses").await;
    assert_eq!(status, StatusCode::OK);
    let small = up["cover"]["url_small"].as_str().unwrap();
    assert!(page.contains(&format!("src=\"{small}\"")), "the card shows the cover");
    assert!(page.contains("loading=\"lazy\""));

    // Someone else's cover cannot be attached; null removes the cover.
    let other = app.sign_up_teacher("o@school.test").await;
    let theirs =
        upload(&app, &other, "cover", "image/png", png(64, 36)).await.assert_status(StatusCode::CREATED);
    app.courses(&teacher)
        .update(&course.id, json!({"cover_upload_id": theirs.str("id")}))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let removed = app
        .courses(&teacher)
        .update(&course.id, json!({"cover_upload_id": null}))
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(removed["cover"], Value::Null);
    let (_, page) = Browser::default().page(&app, &format!("/courses/{}", course.slug)).await;
    assert!(!page.contains(small), "a removed cover is gone from the page");
}

/// A paid course whose second lesson (not a preview) has an attachment and an uploaded video,
/// and whose first lesson (a preview) has an attachment; the cast's enrolled student bought it.
async fn media_vars(app: &TestApp, cast: &Cast) -> Vars {
    let course =
        app.course(&cast.owner, "Paid course with files", json!({"price_minor": 1900}), 2, true).await;
    let private = upload(app, &cast.owner, "attachment", "application/pdf", PDF.to_vec())
        .await
        .assert_status(StatusCode::CREATED);
    let mut mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    mp4.extend_from_slice(&[0u8; 512]);
    let video =
        upload(app, &cast.owner, "lesson_video", "video/mp4", mp4).await.assert_status(StatusCode::CREATED);
    let preview = upload(app, &cast.owner, "attachment", "application/pdf", PDF.to_vec())
        .await
        .assert_status(StatusCode::CREATED);
    let lesson = app
        .lessons(&cast.owner)
        .update(
            &course.lessons[1],
            json!({"video_upload_id": video.str("id"), "attachment_upload_ids": [private.str("id")]}),
        )
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(lesson["video"]["url"], video["url"]);
    assert_eq!(lesson["attachments"][0]["id"], private["id"]);
    app.lessons(&cast.owner)
        .update(&course.lessons[0], json!({"attachment_upload_ids": [preview.str("id")]}))
        .await
        .assert_status(StatusCode::OK);
    buy_paid(app, &cast.enrolled, &course.id).await;
    let unattached = upload(app, &cast.owner, "attachment", "application/pdf", PDF.to_vec())
        .await
        .assert_status(StatusCode::CREATED);
    let verification = upload(app, &cast.owner, "verification_document", "application/pdf", PDF.to_vec())
        .await
        .assert_status(StatusCode::CREATED);
    let cover =
        upload(app, &cast.owner, "cover", "image/png", png(64, 36)).await.assert_status(StatusCode::CREATED);
    Vars::from([
        ("private", private.str("url").to_owned()),
        ("video", video.str("url").to_owned()),
        ("preview", preview.str("url").to_owned()),
        ("unattached", unattached.str("url").to_owned()),
        ("verification", verification.str("url").to_owned()),
        ("cover", cover.str("url").to_owned()),
        ("lesson", course.lessons[1].clone()),
    ])
}

#[tokio::test]
async fn who_may_read_and_upload_what() {
    let app = selling_app_with(|_| {}).await;
    let cast = Cast::sign_up(&app).await;
    let vars = media_vars(&app, &cast).await;
    // [anonymous, student, enrolled, other teacher, owner, admin]; refused files are 404 for
    // everyone, so nobody learns they exist.
    let table = [
        row("paid lesson's attachment", Method::GET, "{private}", NO_BODY, [404, 404, 200, 404, 200, 200]),
        row("paid lesson's video", Method::GET, "{video}", NO_BODY, [404, 404, 200, 404, 200, 200]),
        row("preview lesson's attachment", Method::GET, "{preview}", NO_BODY, [200; 6]),
        row("cover", Method::GET, "{cover}", NO_BODY, [200; 6]),
        row("unattached upload", Method::GET, "{unattached}", NO_BODY, [404, 404, 404, 404, 200, 200]),
        row("verification document", Method::GET, "{verification}", NO_BODY, [404, 404, 404, 404, 200, 200]),
        row(
            "lesson with its files",
            Method::GET,
            "/api/v1/lessons/{lesson}",
            NO_BODY,
            [401, 403, 200, 403, 200, 200],
        ),
        // A JSON body is no file of any kind: who may upload gets 415, the others 401/403 first.
        row(
            "upload a cover",
            Method::POST,
            "/api/v1/uploads?purpose=cover",
            json!({}),
            [401, 403, 403, 415, 415, 415],
        ),
        row(
            "upload a verification doc",
            Method::POST,
            "/api/v1/uploads?purpose=verification_document",
            json!({}),
            [401, 403, 403, 415, 415, 403],
        ),
    ];
    check_table(&app, &cast, &table, async |_| vars.clone()).await;

    // The private video is served to the enrolled student with private caching, the preview's
    // attachment to anyone with public caching.
    let v = get_media(&app, &cast.enrolled, &vars["video"], &[]).await;
    assert_eq!(v.headers()["content-type"], "video/mp4");
    assert_eq!(v.headers()["cache-control"], "private, no-cache");
    assert_eq!(v.headers()["content-disposition"], "inline; filename*=UTF-8''notes.bin");
    let p = get_media(&app, &ANONYMOUS, &vars["preview"], &[]).await;
    assert_eq!(p.headers()["cache-control"], "public, max-age=31536000, immutable");
}

#[tokio::test]
async fn uploaded_media_survive_a_backup_and_restore() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    let doc = upload(&app, &teacher, "attachment", "application/pdf", PDF.to_vec())
        .await
        .assert_status(StatusCode::CREATED);
    let cover =
        upload(&app, &teacher, "cover", "image/png", png(64, 36)).await.assert_status(StatusCode::CREATED);
    let cover_bytes = get_media(&app, &teacher, cover.str("url"), &[]).await.bytes().await.unwrap();
    let admin = app.sign_in_admin().await;
    let info = app.admin(&admin).create_backup().await.assert_status(StatusCode::CREATED);
    let file = app.dir.path().join("backups").join(info.str("name"));

    let restored = std::sync::Arc::new(tempfile::tempdir().unwrap());
    lectern::backup::restore(&file, restored.path()).unwrap();
    let back = spawn_data_dir(restored).await;
    let teacher = back.sign_in("t@school.test", PASSWORD).await;
    let got = get_media(&back, &teacher, doc.str("url"), &[]).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().as_ref(), PDF);
    let got = get_media(&back, &ANONYMOUS, cover.str("url"), &[]).await;
    assert_eq!(got.bytes().await.unwrap(), cover_bytes);
}

#[tokio::test]
async fn images_too_large_to_decode_are_refused_before_they_are_allocated() {
    let app = spawn_app().await;
    let teacher = app.sign_up_teacher("t@school.test").await;
    // A few kilobytes on the wire, wider than any cover may be decoded.
    let r = upload(&app, &teacher, "cover", "image/png", png(13_000, 1))
        .await
        .assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.json["detail"].as_str().unwrap().contains("pixels"), "{r}");
    // Bytes that start like a PNG but are not one.
    let mut broken = png(16, 16);
    broken.truncate(40);
    upload(&app, &teacher, "cover", "image/png", broken)
        .await
        .assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(uploads_recorded(&app), 0);
    assert_eq!(temp_files(&app), 0);
}
