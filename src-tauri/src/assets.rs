//! The bundled UI at `tauri://localhost/ui/`.
//!
//! `ui/` is built for the path `mockbank serve` gives it, `/ui/` (its `index.html` loads
//! `/ui/assets/…`), while Tauri embeds `ui/dist` at the root. Rather than a second build,
//! the window opens `ui/` and this provider maps every `/ui/…` key to the embedded file, so
//! the same `ui/dist` works in both hosts.

use std::borrow::Cow;

use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use tauri::{Assets, Runtime};

/// The path prefix the UI is built for.
const PREFIX: &str = "/ui";

/// The embedded `ui/dist`, also answering at `/ui/…`.
pub struct UiAssets<R: Runtime> {
    inner: Box<dyn Assets<R>>,
}

impl<R: Runtime> UiAssets<R> {
    pub fn new(inner: Box<dyn Assets<R>>) -> Self {
        UiAssets { inner }
    }
}

/// The key of the embedded file behind `key`: `/ui` and `/ui/` are the index page,
/// `/ui/x` is `/x`, anything else is itself.
pub fn dist_key(key: &str) -> Cow<'_, str> {
    match key.strip_prefix(PREFIX) {
        Some("" | "/") => Cow::Borrowed("/index.html"),
        Some(rest) if rest.starts_with('/') => Cow::Borrowed(rest),
        _ => Cow::Borrowed(key),
    }
}

impl<R: Runtime> Assets<R> for UiAssets<R> {
    fn setup(&self, app: &tauri::App<R>) {
        self.inner.setup(app);
    }

    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        self.inner.get(&AssetKey::from(&*dist_key(key.as_ref())))
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        self.inner.iter()
    }

    fn csp_hashes(&self, html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        self.inner
            .csp_hashes(&AssetKey::from(&*dist_key(html_path.as_ref())))
    }
}

/// Holds the place of the embedded assets while they are being wrapped.
pub struct NoAssets;

impl<R: Runtime> Assets<R> for NoAssets {
    fn get(&self, _key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::dist_key;

    #[test]
    fn ui_paths_map_to_the_embedded_dist() {
        assert_eq!(dist_key("/ui"), "/index.html");
        assert_eq!(dist_key("/ui/"), "/index.html");
        assert_eq!(dist_key("/ui/index.html"), "/index.html");
        assert_eq!(dist_key("/ui/assets/index-abc.js"), "/assets/index-abc.js");
        assert_eq!(dist_key("/ui/favicon.svg"), "/favicon.svg");
        // Not under /ui/: unchanged (Tauri's own index fallback still applies).
        assert_eq!(dist_key("/index.html"), "/index.html");
        assert_eq!(dist_key("/uix/a.js"), "/uix/a.js");
    }
}
