//! The emails Lectern sends, in English and Russian, as plain text and HTML.
//!
//! Every value put into HTML is escaped: a name like `<script>` arrives as text.

use super::Email;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Parts<'a> {
    subject: String,
    greeting: String,
    lines: Vec<String>,
    action: Option<(&'a str, String)>,
    footer: String,
}

fn render(to: &str, p: Parts<'_>) -> Email {
    let mut text = format!("{}\n\n", p.greeting);
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1f2933\"><p>{}</p>",
        escape(&p.greeting)
    );
    for l in &p.lines {
        text.push_str(l);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", escape(l)));
    }
    if let Some((url, label)) = &p.action {
        text.push_str(&format!("{label}: {url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{}\" style=\"background:#1d4ed8;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p><p style=\"font-size:13px\">{}</p>",
            escape(url),
            escape(label),
            escape(url)
        ));
    }
    text.push_str(&p.footer);
    html.push_str(&format!(
        "<p style=\"font-size:13px;color:#52606d\">{}</p></body></html>",
        escape(&p.footer)
    ));
    Email { to: to.to_owned(), subject: p.subject, text, html }
}

pub fn verification(locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    let p = if locale == "ru" {
        Parts {
            subject: format!("Подтвердите адрес почты — {school}"),
            greeting: format!("Здравствуйте, {name}!"),
            lines: vec![format!(
                "Чтобы подтвердить адрес почты для {school}, откройте ссылку ниже. Она действует 24 часа."
            )],
            action: Some((url, "Подтвердить адрес".into())),
            footer: "Если вы не регистрировались, просто проигнорируйте это письмо.".into(),
        }
    } else {
        Parts {
            subject: format!("Confirm your email — {school}"),
            greeting: format!("Hello, {name}!"),
            lines: vec![format!(
                "Please confirm your email address for {school} by opening the link below. It works for 24 hours."
            )],
            action: Some((url, "Confirm email".into())),
            footer: "If you did not sign up, you can ignore this message.".into(),
        }
    };
    render(to, p)
}

pub fn welcome(locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    let p = if locale == "ru" {
        Parts {
            subject: format!("Добро пожаловать в {school}"),
            greeting: format!("Здравствуйте, {name}!"),
            lines: vec!["Ваш адрес подтверждён. Выберите первый курс и начните учиться — прогресс сохранится автоматически.".into()],
            action: Some((url, "Открыть каталог".into())),
            footer: format!("Команда {school}"),
        }
    } else {
        Parts {
            subject: format!("Welcome to {school}"),
            greeting: format!("Hello, {name}!"),
            lines: vec!["Your email is confirmed. Pick your first course and start learning: your progress is saved as you go.".into()],
            action: Some((url, "Browse courses".into())),
            footer: format!("The {school} team"),
        }
    };
    render(to, p)
}

pub fn reset(locale: &str, to: &str, name: &str, school: &str, url: &str) -> Email {
    let p = if locale == "ru" {
        Parts {
            subject: format!("Сброс пароля — {school}"),
            greeting: format!("Здравствуйте, {name}!"),
            lines: vec!["Мы получили запрос на сброс пароля. Ссылка ниже действует 1 час и только один раз; после сброса все ваши сеансы будут завершены.".into()],
            action: Some((url, "Задать новый пароль".into())),
            footer: "Если вы не запрашивали сброс, ничего не делайте: пароль останется прежним.".into(),
        }
    } else {
        Parts {
            subject: format!("Reset your password — {school}"),
            greeting: format!("Hello, {name}!"),
            lines: vec!["We received a request to reset your password. The link below works once, for 1 hour; resetting signs you out everywhere.".into()],
            action: Some((url, "Choose a new password".into())),
            footer: "If you did not ask for this, do nothing: your password stays as it is.".into(),
        }
    };
    render(to, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_in_html_and_links_appear_in_both_parts() {
        let e = verification(
            "en",
            "a@b.org",
            "<script>x</script>",
            "Lectern",
            "https://s.test/verify-email?token=abc",
        );
        assert!(!e.html.contains("<script>"));
        assert!(e.html.contains("&lt;script&gt;"));
        assert!(e.text.contains("https://s.test/verify-email?token=abc"));
        assert!(e.html.contains("https://s.test/verify-email?token=abc"));
    }

    #[test]
    fn russian_emails_are_in_russian() {
        let e = reset("ru", "a@b.org", "Анна", "Лекторий", "https://s.test/r");
        assert!(e.subject.contains("Сброс пароля"));
        assert!(e.text.contains("Здравствуйте, Анна!"));
    }
}
