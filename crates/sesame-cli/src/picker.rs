//! The one fuzzy picker of the CLI (inquire's `Select`, on stderr): `sesame pick` and the
//! commands that open it, and SAML's role picker.

use crate::error::CliError;

/// How many choices the picker shows at once.
const PAGE: usize = 15;

/// Asks the person at the terminal to pick one of `labels` (typing filters them, fuzzily),
/// with `help` under the list (what the keys do) if given; gives its index. Esc or Ctrl-C:
/// exit 130, the picker erased, with `hint`.
pub(crate) fn pick(
    prompt: &str,
    labels: Vec<String>,
    help: Option<&str>,
    hint: &str,
) -> Result<usize, CliError> {
    let shown = labels.len().min(PAGE);
    // Ctrl-C is read as a key (the picker then ends as Esc does), not left to kill sesame with
    // the picker on the screen. Outside a runtime the terminal's default stands.
    #[cfg(unix)]
    let sigint = tokio::runtime::Handle::try_current().ok().and_then(|_| {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()
    });
    let mut select = inquire::Select::new(prompt, labels).with_page_size(PAGE);
    if let Some(help) = help {
        select = select.with_help_message(help);
    }
    let picked = select.raw_prompt();
    // tokio's handler stays installed once there is one and never gives the default action
    // back: from here on Ctrl-C ends sesame with exit 130, as the default would have.
    #[cfg(unix)]
    if let Some(mut sigint) = sigint {
        tokio::spawn(async move {
            if sigint.recv().await.is_some() {
                std::process::exit(130);
            }
        });
    }
    let picked = picked.map_err(|e| {
        let why = match e {
            inquire::InquireError::IO(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                // Left on the screen, unlike after Esc: the prompt, the page and the help
                // line, with the cursor below them.
                eprint!("\x1b[{}A\r\x1b[J", shown + 2);
                "Ctrl-C".to_owned()
            }
            inquire::InquireError::OperationCanceled => "Esc".to_owned(),
            e => e.to_string(),
        };
        CliError::with_code(anyhow::anyhow!("nothing picked ({why})"), 130).hint(hint)
    })?;
    Ok(picked.index)
}
