use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn access_tokens_are_short_lived_and_well_formed() {
    let app = spawn_app().await;
    let v = app.register_student("jwt@school.test").await;
    let c = claims_of(&access(&v));
    assert_eq!(c["iss"], "http://school.test");
    assert_eq!(c["aud"], "lectern-api");
    assert_eq!(c["sub"], v["user"]["id"]);
    let lifetime = c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap();
    assert!(lifetime <= 15 * 60);
}

#[tokio::test]
async fn forged_and_misused_tokens_are_rejected() {
    let app = spawn_app().await;
    let v = app.register_student("victim@school.test").await;
    let good = access(&v);
    let base = claims_of(&good);
    let keys = &app.state().identity.keys;
    let with = |k: &str, val: Value| {
        let mut c = base.clone();
        c[k] = val;
        c
    };

    let none_alg = {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&base).unwrap());
        format!("{header}.{payload}.")
    };
    let wrong_key = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &base,
        &EncodingKey::from_secret(b"guessed secret of 32+ bytes!!!!!"),
    )
    .unwrap();
    // Signed with the real key, but with another algorithm: only HS256 is accepted.
    let hs384 = keys.sign_raw_with(Algorithm::HS384, &base);
    let expired = keys.sign_raw(&with("exp", json!(now() - 120)));
    let wrong_aud = keys.sign_raw(&with("aud", json!("another-api")));
    let wrong_iss = keys.sign_raw(&with("iss", json!("http://evil.test")));
    let no_exp = {
        let mut c = base.clone();
        c.as_object_mut().unwrap().remove("exp");
        keys.sign_raw(&c)
    };
    let unknown_user = keys.sign_raw(&with("sub", json!("01J0000000000000000000000A")));
    let tampered = {
        let parts: Vec<&str> = good.split('.').collect();
        let admin = with("role", json!("admin"));
        format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(serde_json::to_vec(&admin).unwrap()), parts[2])
    };
    let refresh_as_access = refresh(&v);

    let cases = [
        ("alg none", none_alg),
        ("wrong key", wrong_key),
        ("other algorithm, real key", hs384),
        ("expired", expired),
        ("wrong audience", wrong_aud),
        ("wrong issuer", wrong_iss),
        ("no expiry", no_exp),
        ("unknown user", unknown_user),
        ("tampered payload", tampered),
        ("refresh token as access token", refresh_as_access),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, token) in cases {
        let res = app.me(&Actor::bearer(token)).get().await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{what} was accepted");
        let body = res.assert_problem(StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "invalid_token", "{what}");
    }
    let basic = app.visitor().header("authorization", format!("Basic {good}")).get("/api/v1/me").await;
    basic.assert_status(StatusCode::UNAUTHORIZED);
    let genuine = app.me(&Actor::bearer(&good)).get().await;
    assert_eq!(genuine.status, StatusCode::OK, "the genuine token still works: {genuine}");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_ends_the_family() {
    let app = spawn_app().await;
    let auth = app.auth();
    let first = app.sign_up_student("rotate@school.test").await;
    let other_login = app.sign_in("rotate@school.test", PASSWORD).await;

    let second = Actor::from_tokens(&auth.refresh(first.refresh()).await.assert_status(StatusCode::OK).json);
    assert_ne!(second.refresh(), first.refresh());
    app.me(&second).get().await.assert_status(StatusCode::OK);

    // The spent token comes back (stolen?): 401 and the whole family is revoked at once.
    auth.refresh(first.refresh()).await.assert_code(StatusCode::UNAUTHORIZED, "token_reused");
    let r = auth.refresh(second.refresh()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "the successor died with its family: {r}");
    app.me(&second).get().await.assert_status(StatusCode::UNAUTHORIZED);

    // Another sign-in of the same person is a different family and lives on.
    auth.refresh(other_login.refresh()).await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn two_concurrent_refreshes_yield_at_most_one_successor() {
    let app = spawn_app().await;
    for round in 0..5 {
        let v = app.register_student(&format!("race{round}@school.test")).await;
        let token = refresh(&v);
        let send = || {
            let (client, url, token) = (app.client.clone(), app.url("/api/v1/auth/refresh"), token.clone());
            tokio::spawn(async move {
                let res = client.post(url).json(&json!({"refresh_token": token})).send().await.unwrap();
                let status = res.status();
                (status, res.json::<Value>().await.unwrap())
            })
        };
        let (a, b) = (send(), send());
        let results = [a.await.unwrap(), b.await.unwrap()];
        let winners: Vec<&Value> =
            results.iter().filter(|(s, _)| *s == StatusCode::OK).map(|(_, v)| v).collect();
        assert_eq!(winners.len(), 1, "exactly one refresh wins");
        assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::UNAUTHORIZED).count(), 1);
        // The loser presented a spent token: the family, winner included, is over.
        for w in winners {
            app.auth().refresh(&refresh(w)).await.assert_status(StatusCode::UNAUTHORIZED);
        }
    }
}

#[tokio::test]
async fn a_sign_in_lasts_thirty_days_at_most_however_often_it_is_refreshed() {
    let app = spawn_app().await;
    let auth = app.auth();
    let mut v = app.sign_up_student("longlived@school.test").await;
    for _ in 0..3 {
        app.state().clock.advance(Duration::from_secs(9 * 86_400));
        v = Actor::from_tokens(&auth.refresh(v.refresh()).await.assert_status(StatusCode::OK).json);
    }
    app.state().clock.advance(Duration::from_secs(3 * 86_400 + 60));
    auth.refresh(v.refresh()).await.assert_code(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn logout_ends_that_sign_in_only() {
    let app = spawn_app().await;
    let auth = app.auth();
    let a = app.sign_up_student("bye@school.test").await;
    let b = app.sign_in("bye@school.test", PASSWORD).await;
    auth.logout(a.refresh()).await.assert_status(StatusCode::NO_CONTENT);
    let again = auth.logout(a.refresh()).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "idempotent: {again}");
    auth.refresh(a.refresh()).await.assert_status(StatusCode::UNAUTHORIZED);
    app.me(&a).get().await.assert_status(StatusCode::UNAUTHORIZED);
    app.me(&b).get().await.assert_status(StatusCode::OK);
}

#[tokio::test]
async fn ended_sessions_are_purged_from_the_store() {
    let app = spawn_app().await;
    let v = app.sign_up_student("purge@school.test").await;
    app.auth().logout(v.refresh()).await.assert_status(StatusCode::NO_CONTENT);
    app.state().clock.advance(Duration::from_secs(2 * 86_400));
    let count = |state: lectern::app::AppState| async move {
        state
            .store
            .read(|rtx| {
                use lectern::schema::{EMAIL_TOKENS, FAMILIES, REFRESH_TOKENS};
                Ok((FAMILIES.len(rtx)?, REFRESH_TOKENS.len(rtx)?, EMAIL_TOKENS.len(rtx)?))
            })
            .await
            .unwrap()
    };
    assert_eq!(count(app.state().clone()).await, (1, 1, 1), "one sign-in, its token, the verification link");
    let purged = app.state().identity.purge_ended_sessions().await.unwrap();
    assert_eq!(purged, 2, "the ended sign-in and the expired verification link");
    assert_eq!(count(app.state().clone()).await, (0, 0, 0));
}
