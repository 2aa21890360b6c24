//! The demo's FAQ: the Padova centre's page of frequent questions (seed 004), with the
//! questions its answers lacked written for them, by category, some for the entities' contacts
//! only.

use anyhow::Result;
use db::Db;
use kernel::Actor;
use serde::Deserialize;

#[derive(Deserialize)]
struct Item {
    category: String,
    public: bool,
    title: String,
    body: String,
}

pub async fn load(db: &Db, actor: &Actor) -> Result<()> {
    let items: Vec<Item> = serde_json::from_str(include_str!("demo_faq.json"))?;
    for i in items {
        faq::store::create(
            db,
            actor,
            &faq::store::Draft {
                title: i.title,
                body: i.body,
                category: i.category,
                public: i.public,
            },
        )
        .await?;
    }
    Ok(())
}
