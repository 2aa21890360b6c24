//! `cst user …` and `cst token …`: accounts and API tokens.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use kernel::Actor;

use super::open;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Creates an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin | operator | supplier | contact
        #[arg(long)]
        role: String,
        /// An entity the account may see (contacts and suppliers); repeatable.
        #[arg(long = "entity")]
        entities: Vec<i64>,
        #[arg(long, default_value = "")]
        full_name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Deactivates an account: its sessions end and its API tokens are revoked for good.
    Deactivate {
        #[arg(long)]
        username: String,
    },
    /// Reactivates an account (its old tokens stay revoked: issue new ones).
    Activate {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issues an API token for a user and prints it alone on standard output.
    Issue {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until the token expires (1 to 3650).
        #[arg(long, default_value_t = accounts::store::DEFAULT_TOKEN_DAYS)]
        days: u32,
    },
    /// Revokes a user's tokens with a label, or all of them.
    Revoke {
        #[arg(long)]
        username: String,
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        label: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Lists a user's tokens with their expiry and last use.
    List {
        #[arg(long)]
        username: String,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

async fn account(db: &db::Db, username: &str) -> Result<accounts::User> {
    accounts::store::by_username(db, username)
        .await
        .with_context(|| format!("user {username}"))
}

pub async fn user(url: &str, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            username,
            role,
            entities,
            full_name,
            email,
            password_stdin: _,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let db = open(url).await?;
            let u = accounts::store::create(
                &db,
                &cli(),
                &accounts::NewUser {
                    username,
                    full_name,
                    email,
                    role,
                    password,
                    entity_ids: entities,
                },
            )
            .await?;
            println!(
                "user {} created (id {}, role {})",
                u.username,
                u.id,
                u.role.code()
            );
            Ok(())
        }
        UserCommand::Deactivate { username } => set_active(url, &username, false).await,
        UserCommand::Activate { username } => set_active(url, &username, true).await,
    }
}

async fn set_active(url: &str, username: &str, active: bool) -> Result<()> {
    let db = open(url).await?;
    let u = account(&db, username).await?;
    let u = accounts::store::set_active(&db, &cli(), &u, active).await?;
    if u.active {
        println!("user {} active (earlier tokens stay revoked)", u.username);
    } else {
        println!(
            "user {} deactivated: sessions ended, API tokens revoked",
            u.username
        );
    }
    Ok(())
}

pub async fn token(url: &str, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Issue {
            username,
            label,
            days,
        } => {
            let db = open(url).await?;
            let user = account(&db, &username).await?;
            let token =
                accounts::store::issue_token(&db, &cli(), &user, &label, days, chrono::Utc::now())
                    .await?;
            println!("{token}");
            Ok(())
        }
        TokenCommand::Revoke {
            username,
            label,
            all,
        } => {
            let db = open(url).await?;
            let user = account(&db, &username).await?;
            if !all && label.is_none() {
                bail!("give --label LABEL or --all");
            }
            let which = match &label {
                Some(l) => accounts::store::Tokens::Labelled(l),
                None => accounts::store::Tokens::All,
            };
            let n = accounts::store::revoke_tokens(&db, &cli(), &user, which).await?;
            println!("{n} token(s) of {} revoked", user.username);
            Ok(())
        }
        TokenCommand::List { username } => {
            let db = open(url).await?;
            let user = account(&db, &username).await?;
            let now = kernel::time::now();
            for t in accounts::store::tokens_of(&db, user.id).await? {
                let state = match (&t.revoked_at, t.live(&now)) {
                    (Some(r), _) => format!("revoked {r}"),
                    (None, true) => "live".to_owned(),
                    (None, false) => "expired".to_owned(),
                };
                println!(
                    "{}\t{}\tcreated {}\texpires {}\tlast used {}\t{state}",
                    t.id,
                    t.label,
                    t.created_at,
                    t.expires_at.as_deref().unwrap_or("never"),
                    t.last_used_at.as_deref().unwrap_or("never"),
                );
            }
            Ok(())
        }
    }
}
