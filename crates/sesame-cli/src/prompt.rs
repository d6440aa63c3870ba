//! The terminal side of a login: what the user sees on stderr, and the browser.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};

use sesame::sso::LoginPrompt;

use crate::context::Browser;

/// Prints the URL and code on stderr, and opens a browser unless told not to.
pub(crate) struct TerminalPrompt {
    /// Whether to open a browser, and which.
    pub(crate) browser: Browser,
    /// Whether to speak on the controlling terminal (`/dev/tty`) when stderr is not one. An SDK
    /// running `credential_process` captures the child's stderr, so a login started there
    /// (`--auto-login`) would otherwise wait for an approval nobody was asked for.
    pub(crate) to_tty: bool,
}

impl TerminalPrompt {
    /// Prints `text` on stderr, or on the controlling terminal when [`Self::to_tty`] says so and
    /// stderr is not a terminal but there is one.
    fn say(&self, text: &str) {
        if self.to_tty
            && !std::io::stderr().is_terminal()
            && let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty")
            && writeln!(tty, "{text}").is_ok()
        {
            return;
        }
        eprintln!("{text}");
    }

    /// Opens `url` in the browser (`$BROWSER`, else the system's), unless told not to. The URL
    /// (and code) are already on the screen, so a machine without a browser is no news: the
    /// webbrowser crate's "No valid browsers detected ..." goes to `-v` only. A `$BROWSER` the
    /// user set that cannot run is worth a line.
    fn open(&self, url: &str) {
        if !self.browser.open {
            return;
        }
        match (
            open_browser(self.browser.command.as_deref(), url),
            &self.browser.command,
        ) {
            (Ok(()), _) => {}
            (Err(e), Some(_)) => self.say(&format!(
                "(could not run $BROWSER: {e}; open the URL above yourself)"
            )),
            (Err(e), None) => tracing::info!("no browser opened: {e}"),
        }
    }
}

/// Opens `url` with `$BROWSER` (`browser`), else the system's browser.
pub(crate) fn open_browser(browser: Option<&str>, url: &str) -> Result<(), String> {
    match browser {
        Some(cmd) => open_with(cmd, url),
        None => webbrowser::open(url).map_err(|e| e.to_string()),
    }
}

/// Runs `$BROWSER` the way Python's webbrowser does: the first of a `:`-separated list, `%s`
/// replaced by the URL or the URL appended; not through a shell.
fn open_with(browser: &str, url: &str) -> Result<(), String> {
    let first = browser
        .split(':')
        .find(|s| !s.trim().is_empty())
        .unwrap_or(browser);
    let mut words: Vec<String> = first.split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        return Err("BROWSER is empty".into());
    }
    if words.iter().any(|w| w.contains("%s")) {
        for w in &mut words {
            *w = w.replace("%s", url);
        }
    } else {
        words.push(url.to_owned());
    }
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", words[0]))?;
    // Reap it in the background so it never lingers as a zombie.
    std::thread::spawn(move || child.wait());
    Ok(())
}

impl LoginPrompt for TerminalPrompt {
    fn waiting_for_other_login(&self, _lock: &Path) {
        self.say(
            "Another sesame login for this session is in progress; waiting for it to finish...",
        );
    }

    fn device_code(&self, verification_uri: &str, complete: Option<&str>, user_code: &str) {
        self.say(&format!(
            "To sign in, open this URL in a browser:\n\n    {}\n",
            complete.unwrap_or(verification_uri)
        ));
        // AWS no longer puts the code in the complete URI (September 2026): always show it.
        self.say(&format!("and enter (or confirm) the code: {user_code}\n"));
        self.open(complete.unwrap_or(verification_uri));
        self.say("Waiting for approval...");
    }

    fn authorize(&self, url: &str) {
        self.say(&format!(
            "To sign in, open this URL in a browser (it redirects back to sesame on this machine):\n\n    {url}\n"
        ));
        self.open(url);
        self.say("Waiting for approval in the browser...");
    }
}
