//! The stop requests a running mockbank answers: SIGINT and SIGTERM on Unix; elsewhere
//! (Windows) Ctrl-C only. One place for the `mockbank` binary (which also passes them on to
//! a child process) and the desktop app.

use std::future::Future;

/// A request to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Interrupt,
    Terminate,
}

/// The installed handlers; install them before announcing readiness, since a script may
/// stop mockbank right away.
pub struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers; call it inside a Tokio runtime.
    pub fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// The next stop request.
    pub async fn next(&mut self) -> Stop {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Stop::Interrupt,
                _ = self.term.recv() => Stop::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Stop::Interrupt
        }
    }
}

/// Resolves at the first stop request. The handlers are installed when this is called,
/// which must be inside a Tokio runtime.
pub fn stop_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    let mut signals = Signals::install()?;
    Ok(async move {
        signals.next().await;
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_signal_resolves_the_stop_future() {
        let mut signals = Signals::install().unwrap();
        // SIGTERM to ourselves: the handler is installed, so the process keeps running.
        let pid = std::process::id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let stop = tokio::time::timeout(std::time::Duration::from_secs(10), signals.next())
            .await
            .expect("the signal arrives");
        assert_eq!(stop, Stop::Terminate);
    }
}
