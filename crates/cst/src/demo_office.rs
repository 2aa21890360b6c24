//! The demo's address book and send list: Padova's suppliers and offices, and the civil
//! protection volunteers reached by SMS.

use addressbook::store::{self, lists};
use addressbook::Card;
use anyhow::Result;
use db::Db;
use kernel::Actor;

pub async fn load(db: &Db, actor: &Actor, padova: i64) -> Result<()> {
    let book = store::create_book(db, actor, padova, "Fornitori e uffici").await?;
    let mut ids = vec![];
    for (name, org, role, mobile, phone, email) in [
        (
            "Giovanni Bettin",
            "Reti Venete Srl",
            "Tecnico di rete",
            "+39 347 5550101",
            "049 8800101",
            "g.bettin@retivenete.example.it",
        ),
        (
            "Silvia Marcato",
            "Comune di Padova",
            "Ufficio protocollo",
            "",
            "049 8205555",
            "protocollo@comune.padova.it",
        ),
        (
            "Andrea Fontana",
            "Protezione civile comunale",
            "Coordinatore",
            "+39 348 5550202",
            "",
            "a.fontana@example.org",
        ),
        (
            "Marta Sartori",
            "Protezione civile comunale",
            "Volontaria",
            "+39 349 5550303",
            "",
            "",
        ),
        (
            "Luigi Cavallin",
            "Protezione civile comunale",
            "Volontario",
            "+39 340 5550404",
            "",
            "l.cavallin@example.org",
        ),
        (
            "",
            "Biblioteca civica",
            "",
            "",
            "049 8204811",
            "biblioteca@comune.padova.it",
        ),
    ] {
        let e = store::add(
            db,
            actor,
            book.id,
            &Card {
                name: name.into(),
                organisation: org.into(),
                role: role.into(),
                mobile: mobile.into(),
                phone: phone.into(),
                email: email.into(),
                ..Default::default()
            },
        )
        .await?;
        ids.push(e.id);
    }
    let list = lists::create(db, actor, padova, "Protezione civile").await?;
    for id in &ids[2..5] {
        lists::add(
            db,
            actor,
            list.id,
            &lists::MemberDraft {
                entry_id: Some(*id),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}
