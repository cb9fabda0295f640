//! The browser UI's HTTP side: the ready line's one-time sign-in link, the session cookie
//! it sets, signing in with the admin token, and the embedded files. `ui/e2e` drives the
//! same in a real browser.

use crate::common::{Bank, Request};

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn the_ready_lines_link_sets_the_admin_cookie_once() {
    let bank = Bank::start();
    let link = bank.ready["ui_url"].as_str().unwrap().to_owned();
    assert_eq!(
        bank.get("/admin/traces").await.status,
        401,
        "nothing without it"
    );

    let r = bank.get(&link).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location").as_deref(), Some("/ui/"));
    assert_eq!(
        r.header("set-cookie").as_deref(),
        Some(
            format!(
                "mockbank_admin={}; HttpOnly; Secure; SameSite=Strict; Path=/",
                bank.admin_token
            )
            .as_str()
        )
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));

    let with_cookie =
        |value: String| Request::new("GET", "/admin/traces?limit=1").header("cookie", value);
    let r = bank
        .send(with_cookie(format!("mockbank_admin={}", bank.admin_token)))
        .await;
    assert_eq!(r.status, 200, "the cookie opens the admin API");
    let r = bank.send(with_cookie("mockbank_admin=guess".into())).await;
    assert_eq!(r.status, 401);

    // Used up: the page says so and sets nothing.
    let again = bank.get(&link).await;
    assert_eq!(again.status, 200);
    assert!(again.header("set-cookie").is_none());
    assert!(String::from_utf8_lossy(&again.body).contains("already used"));
    let made_up = bank.get("/ui/?login=made-up").await;
    assert_eq!(made_up.status, 200);
    assert!(made_up.header("set-cookie").is_none());
    assert!(bank.stop().success());
}

#[tokio::test]
async fn the_admin_token_signs_in_from_mockbanks_own_origin_only() {
    let bank = Bank::start();
    let login = |token: &str, origin: &str| {
        Request::new("POST", "/ui/login")
            .raw(FORM, format!("token={token}"))
            .header("origin", origin.to_owned())
    };
    let r = bank.send(login("wrong", &bank.base_url)).await;
    r.assert_error(401, "invalid_token");
    assert!(r.header("set-cookie").is_none());

    let r = bank
        .send(login(&bank.admin_token, "https://tpp.example"))
        .await;
    r.assert_error(403, "access_denied");
    assert!(r.header("set-cookie").is_none());

    let r = bank.send(login(&bank.admin_token, &bank.base_url)).await;
    assert_eq!(r.status, 204);
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("mockbank_admin={};", bank.admin_token))
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let r = bank
        .send(Request::new("POST", "/ui/logout").header("origin", bank.base_url.clone()))
        .await;
    assert_eq!(r.status, 204);
    let cleared = r.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with("mockbank_admin=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
}

#[tokio::test]
async fn the_ui_files_are_served_with_their_types_and_cache_rules() {
    let bank = Bank::start();
    let page = bank.get("/ui/").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(
        !html.contains(&bank.admin_token),
        "no admin token in the page"
    );
    assert!(
        html.contains(&format!("{}/generic/register", bank.base_url)),
        "the page knows each registration endpoint before signing in"
    );

    let assets: Vec<&str> = html
        .match_indices("\"/ui/assets/")
        .map(|(at, _)| {
            let rest = &html[at + 1..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    if assets.is_empty() {
        // Built without ui/dist: the first-run page instead, saying how to build the UI.
        assert!(html.contains("npm run build"), "{html}");
    } else {
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        for asset in assets {
            let r = bank.get(asset).await;
            assert_eq!(r.status, 200, "{asset}");
            let media = r.header("content-type").unwrap();
            let expected = if asset.ends_with(".js") {
                "text/javascript; charset=utf-8"
            } else if asset.ends_with(".css") {
                "text/css; charset=utf-8"
            } else {
                media.as_str()
            };
            assert_eq!(media, expected, "{asset}");
            assert_eq!(
                r.header("cache-control").as_deref(),
                Some("public, max-age=31536000, immutable"),
                "{asset}"
            );
            assert_eq!(
                r.header("x-content-type-options").as_deref(),
                Some("nosniff")
            );
        }
    }
    bank.get("/ui/assets/missing.js")
        .await
        .assert_error(404, "not_found");
    let r = bank.get("/ui").await;
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location").as_deref(), Some("/ui/"));
}
