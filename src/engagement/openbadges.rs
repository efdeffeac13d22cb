//! Open Badges 3.0: a certificate as an `AchievementCredential` (the unsigned payload; it is
//! signed as a VC-JWT by [`super::badge::BadgeKey::sign_jws`]).
//!
//! The JWT claims follow the OB 3.0 VC-JWT binding: the credential's own members plus `iss`
//! (the issuer's id), `jti` (the credential's id), `nbf` and `iat` (issuance, in seconds).

use serde_json::{Value, json};

use super::certificates::CertificateRecord;

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

pub fn achievement_credential(c: &CertificateRecord, public_url: &str) -> Value {
    let id = format!("{public_url}/certificates/{}", c.code);
    let issued = c.issued_at.to_rfc3339();
    let description = if c.course_subtitle.is_empty() {
        format!("Completed the course “{}” at {}.", c.course_title, c.school_name)
    } else {
        c.course_subtitle.clone()
    };
    json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": c.course_title,
        "issuer": {
            "id": public_url,
            "type": ["Profile"],
            "name": c.school_name,
            "url": public_url,
        },
        "validFrom": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": false,
                "identityHash": c.student_name,
            }],
            "activityEndDate": c.completed_at.to_rfc3339(),
            "achievement": {
                "id": format!("{public_url}/courses/{}#achievement", c.course_id),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": c.course_title,
                "description": description,
                "criteria": {
                    "narrative": format!(
                        "Complete every lesson of the course “{}”{}.",
                        c.course_title,
                        if c.teacher_name.is_empty() { String::new() } else { format!(", taught by {}", c.teacher_name) }
                    ),
                },
                "creator": { "id": public_url, "type": ["Profile"], "name": c.school_name },
            },
        },
        "iss": public_url,
        "jti": id,
        "nbf": c.issued_at.millis() / 1000,
        "iat": c.issued_at.millis() / 1000,
    })
}
