//! Mail delivery through a real SMTP conversation with a fake server on loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lectern::config::Secret;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::*;

/// A minimal SMTP server that accepts everything and keeps each message's DATA.
pub async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().unwrap().push(data);
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    }
                }
            });
        }
    });
    (port, received)
}

#[tokio::test]
async fn mail_is_delivered_over_smtp_and_marked_sent() {
    let (port, received) = fake_smtp().await;
    let app =
        spawn_with(|c| c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}").into_bytes()))).await;
    app.register_student("smtp@school.test").await;

    let mut delivered = None;
    for _ in 0..100 {
        if let Some(m) = received.lock().unwrap().iter().find(|m| m.contains("smtp@school.test")) {
            delivered = Some(m.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = delivered.expect("the verification email reached the SMTP server");
    assert!(message.contains("multipart/alternative"), "plain text and HTML parts");
    assert!(message.contains("Confirm your email"));

    let mut status = Value::Null;
    for _ in 0..50 {
        status = app.mails_to("smtp@school.test").await[0]["status"].clone();
        if status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "sent");
    let kept = &app.mails_to("smtp@school.test").await[0];
    let text = kept["text"].as_str().unwrap();
    assert!(
        text.contains("verify-email?token=[redacted]"),
        "delivered links are not readable by admins: {text}"
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_leaves_mail_queued_for_retry() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app =
        spawn_with(|c| c.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}").into_bytes()))).await;
    app.register_student("retry@school.test").await;
    let mut mail = Value::Null;
    for _ in 0..100 {
        mail = app.mails_to("retry@school.test").await[0].clone();
        if mail["attempts"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mail["attempts"], 1, "{mail}");
    assert_eq!(mail["status"], "pending", "kept for the next attempt: {mail}");
    assert!(mail["last_error"].is_string());
}
