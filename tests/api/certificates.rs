//! Certificates: issued exactly once on completion, the public record, the PDF (checked with
//! poppler and zbar, not by eye), the Open Badges 3.0 VC-JWT (verified with ed25519-dalek
//! against the published JWKS, independently of the server's aws-lc-rs signer), revocation.

use std::path::Path;
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, VerifyingKey};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const STUDENT_NAME: &str = "Анна Петрова";
const UNKNOWN: &str = "AAAAAAAAAAAAAAAAAAAAAA";

/// A published two-lesson course by a teacher named Иван Иванов, and a student named Анна
/// Петрова who enrolled and completed it. Returns (teacher, student, course, her certificate code).
async fn completed_course(app: &TestApp) -> (Actor, Actor, CourseFixture, String) {
    let teacher = app.sign_up_teacher("teacher@school.test").await;
    app.me(&teacher).update(json!({"name": "Иван Иванов"})).await.assert_status(StatusCode::OK);
    let course = app.course(&teacher, "Rust from Scratch", json!({}), 2, true).await;
    let student = app.sign_up_student("anna@school.test").await;
    app.me(&student).update(json!({"name": STUDENT_NAME})).await.assert_status(StatusCode::OK);
    app.enrollments(&student).enroll(&course.id).await.assert_status(StatusCode::CREATED);
    let certs = app.certificates(&student);
    app.lessons(&student).complete(&course.lessons[0]).await.assert_status(StatusCode::OK);
    let none = certs.mine().await.assert_status(StatusCode::OK);
    assert_eq!(none["items"], json!([]), "no certificate before the course is complete");
    let p = app.lessons(&student).complete(&course.lessons[1]).await.assert_status(StatusCode::OK);
    assert_eq!(p["status"], "completed");
    let mine = certs.mine().await.assert_status(StatusCode::OK);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    let code = mine["items"][0]["code"].as_str().unwrap().to_owned();
    (teacher, student, course, code)
}

fn public_url(app: &TestApp) -> String {
    app.state().config.public_url.clone()
}

async fn bytes(app: &TestApp, path: &str, lang: &str) -> (StatusCode, String, Vec<u8>) {
    let res = app.client.get(app.url(path)).header("accept-language", lang).send().await.unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, ct, res.bytes().await.unwrap().to_vec())
}

#[track_caller]
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e} (install poppler-utils and zbar-tools)"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn completing_a_course_issues_exactly_one_certificate() {
    let app = spawn_app().await;
    let (teacher, student, course, code) = completed_course(&app).await;
    assert_eq!(code.len(), 22, "128 random bits in base64url: {code}");
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{code}");

    // Un-marking a lesson and marking it again does not issue a second one.
    let lessons = app.lessons(&student);
    lessons.uncomplete(&course.lessons[1]).await.assert_status(StatusCode::OK);
    lessons.complete(&course.lessons[1]).await.assert_status(StatusCode::OK);
    lessons.uncomplete(&course.lessons[0]).await.assert_status(StatusCode::OK);
    lessons.uncomplete(&course.lessons[1]).await.assert_status(StatusCode::OK);
    lessons.complete(&course.lessons[0]).await.assert_status(StatusCode::OK);
    lessons.complete(&course.lessons[1]).await.assert_status(StatusCode::OK);
    let mine = app.certificates(&student).mine().await.assert_status(StatusCode::OK);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["items"][0]["code"], code.as_str());
    assert_eq!(mine["items"][0]["course"], json!({"title": "Rust from Scratch", "slug": course.slug}));
    assert_eq!(mine["items"][0]["url"], format!("{}/certificates/{code}", public_url(&app)));
    assert_eq!(mine["items"][0]["revoked"], false);

    // Deleting a lesson (which completes nobody new here) does not issue another either; a
    // student completed by a shrinking course gets theirs in the catalog's unit of work.
    let late = app.sign_up_student("late@school.test").await;
    app.enrollments(&late).enroll(&course.id).await.assert_status(StatusCode::CREATED);
    app.lessons(&late).complete(&course.lessons[0]).await.assert_status(StatusCode::OK);
    assert_eq!(app.certificates(&late).mine().await.assert_status(StatusCode::OK)["items"], json!([]));
    app.lessons(&teacher).delete(&course.lessons[1]).await.assert_status(StatusCode::NO_CONTENT);
    let late_certs = app.certificates(&late).mine().await.assert_status(StatusCode::OK);
    assert_eq!(late_certs["items"].as_array().unwrap().len(), 1, "completed by the shrink: {late_certs}");
    let mine = app.certificates(&student).mine().await.assert_status(StatusCode::OK);
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");

    // The public record carries the facts as they were at completion.
    let c = app.certificates(&ANONYMOUS).get(&code).await.assert_status(StatusCode::OK);
    assert_eq!(c["student_name"], STUDENT_NAME);
    assert_eq!(c["teacher_name"], "Иван Иванов");
    assert_eq!(c["course"]["title"], "Rust from Scratch");
    assert_eq!(c["school_name"], app.state().config.school_name.as_str());
    assert_eq!(c["revoked"], false);
    assert!(c["completed_at"].as_str().unwrap().ends_with('Z'), "{c}");
    app.certificates(&ANONYMOUS).get(UNKNOWN).await.assert_problem(StatusCode::NOT_FOUND);
    app.certificates(&ANONYMOUS).get("../../etc").await.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_pdf_embeds_its_fonts_names_the_student_and_its_qr_code_leads_to_the_page() {
    let app = spawn_app().await;
    let (_, _, _, code) = completed_course(&app).await;
    let (status, ct, pdf) = bytes(&app, &format!("/certificates/{code}.pdf"), "ru").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    // `CERT_SAMPLES=dir` keeps the two PDFs for a look (docs, review).
    let keep = |name: &str, bytes: &[u8]| {
        if let Ok(d) = std::env::var("CERT_SAMPLES") {
            std::fs::write(Path::new(&d).join(name), bytes).unwrap();
        }
    };
    keep("certificate-ru.pdf", &pdf);

    // A4 landscape.
    let info = run(Command::new("pdfinfo").arg(&file));
    assert!(info.contains("841.89 x 595.28 pts (A4)") || info.contains("842 x 595 pts (A4)"), "{info}");

    // Every font is embedded (a subset).
    let fonts = run(Command::new("pdffonts").arg(&file));
    let rows: Vec<&str> = fonts.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "no fonts: {fonts}");
    for r in &rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        // name type [encoding...] emb sub uni object ID: emb is the 5th column from the end.
        assert_eq!(cols[cols.len() - 5], "yes", "not embedded: {r}\n{fonts}");
        assert_eq!(cols[cols.len() - 4], "yes", "not a subset: {r}\n{fonts}");
    }
    assert!(fonts.contains("NotoSans") && fonts.contains("NotoSerif"), "{fonts}");

    // The text is real text, Cyrillic included, in the reader's language.
    let text = run(Command::new("pdftotext").arg("-layout").arg(&file).arg("-"));
    assert!(text.contains(STUDENT_NAME), "{text}");
    assert!(text.contains("Иван Иванов") && text.contains("Rust from Scratch"), "{text}");
    assert!(text.contains("Сертификат об окончании курса"), "{text}");
    assert!(text.contains(&code), "{text}");

    // The QR code, rendered and decoded, is the verification page's address.
    run(Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(&file)
        .arg(dir.path().join("page")));
    let png = dir.path().join("page.png");
    assert!(Path::new(&png).exists());
    let decoded = run(Command::new("zbarimg").args(["--raw", "-q"]).arg(&png));
    assert_eq!(decoded.trim(), format!("{}/certificates/{code}", public_url(&app)));

    // In English for an English reader; unknown codes are 404.
    let (_, _, en) = bytes(&app, &format!("/certificates/{code}.pdf"), "en").await;
    keep("certificate-en.pdf", &en);
    std::fs::write(&file, &en).unwrap();
    let text = run(Command::new("pdftotext").arg(&file).arg("-"));
    assert!(text.contains("Certificate of completion") && text.contains(STUDENT_NAME), "{text}");
    let (status, ct, _) = bytes(&app, &format!("/certificates/{UNKNOWN}.pdf"), "en").await;
    assert_eq!((status, ct.starts_with("text/html")), (StatusCode::NOT_FOUND, true));
}

/// Verifies a compact JWS against a JWKS with ed25519-dalek; returns (header, payload).
fn verify_jws(jws: &str, jwks: &Value) -> Result<(Value, Value), String> {
    let parts: Vec<&str> = jws.trim().split('.').collect();
    let [h, p, s] = parts[..] else { return Err(format!("not a compact JWS: {jws}")) };
    let header: Value =
        serde_json::from_slice(&B64.decode(h).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    if header["alg"] != "EdDSA" {
        return Err(format!("alg {}", header["alg"]));
    }
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .ok_or_else(|| format!("no key {} in {jwks}", header["kid"]))?;
    if key["kty"] != "OKP" || key["crv"] != "Ed25519" {
        return Err(format!("not an Ed25519 key: {key}"));
    }
    let x: [u8; 32] =
        B64.decode(key["x"].as_str().unwrap()).unwrap().try_into().map_err(|_| "x is not 32 bytes")?;
    let vk = VerifyingKey::from_bytes(&x).map_err(|e| e.to_string())?;
    let sig: [u8; 64] =
        B64.decode(s).map_err(|e| e.to_string())?.try_into().map_err(|_| "signature is not 64 bytes")?;
    vk.verify_strict(format!("{h}.{p}").as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|e| e.to_string())?;
    let payload =
        serde_json::from_slice(&B64.decode(p).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok((header, payload))
}

#[tokio::test]
async fn the_open_badge_verifies_against_the_published_key() {
    let app = spawn_app().await;
    let (_, _, course, code) = completed_course(&app).await;
    let res = app.visitor().get(&format!("/certificates/{code}.json")).await.assert_status(StatusCode::OK);
    assert_eq!(res.headers["content-type"], "application/vc+jwt");
    let jwks = app.certificates(&ANONYMOUS).jwks().await.assert_status(StatusCode::OK).json;
    let (header, vc) = verify_jws(&res.text, &jwks).unwrap();
    assert_eq!(header["typ"], "vc+jwt");
    let url = public_url(&app);
    assert_eq!(
        vc["@context"],
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ])
    );
    assert_eq!(vc["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(vc["id"], format!("{url}/certificates/{code}"));
    assert_eq!(vc["issuer"]["id"], url.as_str());
    assert_eq!(vc["iss"], url.as_str());
    assert!(vc["validFrom"].as_str().unwrap().ends_with('Z'));
    let subject = &vc["credentialSubject"];
    assert_eq!(subject["type"], json!(["AchievementSubject"]));
    assert_eq!(subject["identifier"][0]["identityHash"], STUDENT_NAME);
    let a = &subject["achievement"];
    assert_eq!(a["type"], json!(["Achievement"]));
    assert_eq!(a["name"], "Rust from Scratch");
    assert!(a["id"].as_str().unwrap().contains(&course.id), "{a}");
    assert!(!a["description"].as_str().unwrap().is_empty() && a["criteria"]["narrative"].is_string(), "{a}");

    // A changed payload or signature does not verify.
    let parts: Vec<&str> = res.text.split('.').collect();
    let mut forged = vc.clone();
    forged["credentialSubject"]["identifier"][0]["identityHash"] = json!("Mallory");
    let forged = format!("{}.{}.{}", parts[0], B64.encode(forged.to_string()), parts[2]);
    assert!(verify_jws(&forged, &jwks).is_err());

    // The same key after a restart (it lives in the data dir, mode 0600).
    let kid = header["kid"].clone();
    let app = app.restart().await;
    let jwks = app.certificates(&ANONYMOUS).jwks().await.assert_status(StatusCode::OK).json;
    assert_eq!(jwks["keys"][0]["kid"], kid);
    verify_jws(&res.text, &jwks).unwrap();
    let res = app.visitor().get(&format!("/certificates/{UNKNOWN}.json")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_verification_page_shows_the_facts_and_offers_linkedin_to_the_owner() {
    let app = spawn_app().await;
    let (_, _, course, code) = completed_course(&app).await;
    let page = format!("/certificates/{code}");
    let (status, _, body) = bytes(&app, &page, "en").await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK);
    for fact in [
        STUDENT_NAME,
        "Иван Иванов",
        "Rust from Scratch",
        "Valid certificate",
        &format!("{page}.pdf"),
        &format!("{page}.json"),
    ] {
        assert!(body.contains(fact), "{fact} missing:\n{body}");
    }
    assert!(!body.contains("linkedin.com"), "only the owner is offered LinkedIn");
    let (_, _, ru) = bytes(&app, &page, "ru").await;
    assert!(String::from_utf8(ru).unwrap().contains("Действительный сертификат"));

    // The owner, signed in: LinkedIn's add-to-profile link, and the certificate on "my
    // learning" and on the course page.
    let mut b = Browser::default();
    b.form(&app, "/signin", &[("email", "anna@school.test"), ("password", PASSWORD), ("next", "/learn")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let (_, body) = b.page(&app, &page).await;
    let body = body.replace("&#38;", "&").replace("&amp;", "&");
    let year = time::OffsetDateTime::now_utc().year();
    assert!(
        body.contains(
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Rust%20from%20Scratch&organizationName=Lectern"
        ),
        "{body}"
    );
    assert!(
        body.contains(&format!("issueYear={year}")) && body.contains(&format!("certId={code}")),
        "{body}"
    );
    let (_, learn) = b.page(&app, "/learn").await;
    assert!(learn.contains(&format!("href=\"/certificates/{code}\"")), "{learn}");
    let (_, course_page) = b.page(&app, &format!("/courses/{}", course.slug)).await;
    assert!(course_page.contains(&format!("href=\"/certificates/{code}\"")), "{course_page}");

    // Unknown codes get the friendly 404 page.
    let (status, ct, body) = bytes(&app, &format!("/certificates/{UNKNOWN}"), "en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(String::from_utf8(body).unwrap().contains("<html"));
}

#[tokio::test]
async fn a_revoked_certificate_shows_as_revoked_everywhere() {
    let app = spawn_app().await;
    let (teacher, student, course, code) = completed_course(&app).await;
    app.certificates(&student)
        .revoke(&code, "cheating")
        .await
        .assert_code(StatusCode::FORBIDDEN, "forbidden");
    app.certificates(&teacher).revoke(&code, "cheating").await.assert_status(StatusCode::FORBIDDEN);
    let admin = app.sign_in_admin().await;
    app.certificates(&admin).revoke(&code, " ").await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY);
    app.certificates(&admin).revoke(UNKNOWN, "cheating").await.assert_problem(StatusCode::NOT_FOUND);
    let r = app
        .certificates(&admin)
        .revoke(&code, "Plagiarised final project")
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(
        (r["revoked"].clone(), r["revoked_reason"].clone()),
        (json!(true), json!("Plagiarised final project"))
    );
    // Again: still revoked, the first reason stays.
    let again = app.certificates(&admin).revoke(&code, "another reason").await.assert_status(StatusCode::OK);
    assert_eq!(again["revoked_reason"], "Plagiarised final project");

    let c = app.certificates(&ANONYMOUS).get(&code).await.assert_status(StatusCode::OK);
    assert_eq!(c["revoked"], true);
    assert!(c["revoked_at"].is_string(), "{c}");
    let mine = app.certificates(&student).mine().await.assert_status(StatusCode::OK);
    assert_eq!(mine["items"][0]["revoked"], true);

    let (status, _, page) = bytes(&app, &format!("/certificates/{code}"), "en").await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("This certificate was revoked") && page.contains("Plagiarised final project"),
        "{page}"
    );
    assert!(!page.contains("Valid certificate") && !page.contains(&format!("{code}.json")), "{page}");
    let (_, _, ru) = bytes(&app, &format!("/certificates/{code}"), "ru").await;
    assert!(String::from_utf8(ru).unwrap().contains("Сертификат отозван"));

    // The credential is no longer issued: 410 with the reason.
    let (status, ct, body) = bytes(&app, &format!("/certificates/{code}.json"), "en").await;
    assert_eq!((status, ct.as_str()), (StatusCode::GONE, "application/json"));
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (body["code"].clone(), body["reason"].clone()),
        (json!("certificate_revoked"), json!("Plagiarised final project"))
    );

    // The PDF says so across its top.
    let (_, _, pdf) = bytes(&app, &format!("/certificates/{code}.pdf"), "en").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.pdf"), pdf).unwrap();
    let text = run(Command::new("pdftotext").arg(dir.path().join("c.pdf")).arg("-"));
    assert!(text.contains("REVOKED: Plagiarised final project"), "{text}");

    // The student's "my learning" marks it.
    let mut b = Browser::default();
    b.form(&app, "/signin", &[("email", "anna@school.test"), ("password", PASSWORD), ("next", "/learn")])
        .await;
    let (_, learn) = b.page(&app, "/learn").await;
    assert!(learn.contains("Revoked") && !learn.contains("linkedin.com"), "{learn}");
    let (_, course_page) = b.page(&app, &format!("/courses/{}", course.slug)).await;
    assert!(course_page.contains("Revoked"), "{course_page}");
}

fn certificates_table() -> Vec<Row> {
    use Method as M;
    vec![
        row("my certificates", M::GET, "/api/v1/me/certificates", NO_BODY, [401, 200, 200, 200, 200, 200]),
        row("a certificate", M::GET, "/api/v1/certificates/{certificate}", NO_BODY, [200; 6]),
        row(
            "an unknown certificate",
            M::GET,
            "/api/v1/certificates/AAAAAAAAAAAAAAAAAAAAAA",
            NO_BODY,
            [404; 6],
        ),
        row("the school's keys", M::GET, "/.well-known/jwks.json", NO_BODY, [200; 6]),
        row(
            "revoke an unknown certificate",
            M::POST,
            "/api/v1/admin/certificates/AAAAAAAAAAAAAAAAAAAAAA/revoke",
            json!({"reason": "no such thing"}),
            [401, 403, 403, 403, 403, 404],
        ),
        row(
            "revoke",
            M::POST,
            "/api/v1/admin/certificates/{certificate}/revoke",
            json!({"reason": "revoked by {who}"}),
            [401, 403, 403, 403, 403, 200],
        ),
    ]
}

#[tokio::test]
async fn authorization_table() {
    let app = spawn_app().await;
    let cast = Cast::sign_up(&app).await;
    check_table(&app, &cast, &certificates_table(), async |who| {
        let mut vars = app.course_vars(&cast, who.name()).await;
        // The enrolled student completes the course: the certificate is theirs.
        for lesson in ["preview", "lesson"] {
            app.lessons(&cast.enrolled).complete(&vars[lesson]).await.assert_status(StatusCode::OK);
        }
        let mine = app.certificates(&cast.enrolled).mine().await.assert_status(StatusCode::OK);
        let code = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["course"]["title"] == format!("Course for {}", who.name()))
            .unwrap_or_else(|| panic!("no certificate for {}: {mine}", who.name()))["code"]
            .as_str()
            .unwrap()
            .to_owned();
        vars.insert("certificate", code);
        vars
    })
    .await;
}
