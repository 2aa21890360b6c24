//! Send lists: named groups of recipients of an entity (a phone for SMS, an e-mail, or both),
//! each taken from the address book or typed in. A member keeps its own copy of the name and
//! numbers, so a list still works when the entry changes or goes.

use db::Db;
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{audit_event, create_named, entity_in_scope, entry, user, Named};
use crate::card::{msisdn, phone};
use crate::AddressBookError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactList {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    pub members: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub list_id: i64,
    /// The address-book entry it was taken from (none: typed in, or the entry was deleted).
    pub entry_id: Option<i64>,
    pub name: String,
    pub phone: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListDetail {
    #[serde(flatten)]
    pub list: ContactList,
    pub items: Vec<Member>,
}

#[derive(Debug, Clone, Default)]
pub struct MemberDraft {
    pub name: String,
    pub phone: String,
    pub email: String,
    /// Taken from this entry of the entity's address books (its mobile, else its phone).
    pub entry_id: Option<i64>,
}

const COLS: &str = "l.id, l.entity_id, l.name, l.created_at, \
    (SELECT COUNT(*) FROM contact_list_members m WHERE m.list_id = l.id)";

fn row(r: &sqlx::any::AnyRow) -> Result<ContactList, sqlx::Error> {
    Ok(ContactList {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        created_at: r.try_get(3)?,
        members: r.try_get(4)?,
    })
}

/// Creates a send list of an entity; two lists of one entity never share a name.
pub async fn create(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    name: &str,
) -> Result<ContactList, AddressBookError> {
    const LIST: Named = Named {
        table: "contact_lists",
        noun: "lista",
        of: "della lista",
        object: "contact_list",
    };
    let id = create_named(db, actor, entity_id, name, &LIST).await?;
    get(db, actor, id).await
}

/// An entity's send lists, by name.
pub async fn of_entity(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<ContactList>, AddressBookError> {
    let mut conn = db.pool().acquire().await?;
    entity_in_scope(&mut conn, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM contact_lists l WHERE l.entity_id = $1 ORDER BY l.name, l.id"
    )))
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// One list the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<ContactList, AddressBookError> {
    user(actor).map_err(|_| AddressBookError::ListNotFound)?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM contact_lists l WHERE l.id = $2 AND {}",
        db::entities_in_scope!("l.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AddressBookError::ListNotFound)?;
    Ok(row(&r)?)
}

/// A list with its members, by name.
pub async fn detail(db: &Db, actor: &Actor, id: i64) -> Result<ListDetail, AddressBookError> {
    let list = get(db, actor, id).await?;
    let rows = sqlx::query(
        "SELECT id, list_id, entry_id, name, phone, email FROM contact_list_members \
         WHERE list_id = $1 ORDER BY name, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(Member {
                id: r.try_get(0)?,
                list_id: r.try_get(1)?,
                entry_id: r.try_get(2)?,
                name: r.try_get(3)?,
                phone: r.try_get(4)?,
                email: r.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(ListDetail { list, items })
}

/// Adds a recipient: typed in, or taken from an entry of the same entity. The same phone or
/// address twice in a list is refused.
pub async fn add(
    db: &Db,
    actor: &Actor,
    list_id: i64,
    d: &MemberDraft,
) -> Result<Member, AddressBookError> {
    let list = get(db, actor, list_id).await?;
    let (name, ph, email) = match d.entry_id {
        Some(e) => {
            let e = entry(db, actor, e).await?;
            let entity: i64 =
                sqlx::query_scalar("SELECT entity_id FROM address_entries WHERE id = $1")
                    .bind(e.id)
                    .fetch_one(db.pool())
                    .await?;
            if entity != list.entity_id {
                return Err(AddressBookError::EntryNotFound);
            }
            let ph = if e.card.mobile.is_empty() {
                e.card.phone.clone()
            } else {
                e.card.mobile.clone()
            };
            (e.card.label().to_owned(), ph, e.card.email.clone())
        }
        None => {
            let mut wrong = vec![];
            let name = d.name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 200 {
                wrong.push(FieldError::new(
                    "name",
                    "scrivere il nome (al massimo 200 caratteri)",
                ));
            }
            let ph = match phone(&d.phone) {
                Ok(p) => p,
                Err(m) => {
                    wrong.push(FieldError::new("phone", m));
                    String::new()
                }
            };
            let email = d.email.trim().to_lowercase();
            if !email.is_empty() && !mail::is_address(&email) {
                wrong.push(FieldError::new(
                    "email",
                    "indirizzo e-mail non valido (nome@dominio.it)",
                ));
            }
            if wrong.is_empty() && ph.is_empty() && email.is_empty() {
                wrong.push(FieldError::new(
                    "phone",
                    "indicare un cellulare o un indirizzo e-mail",
                ));
            }
            if !wrong.is_empty() {
                return Err(AddressBookError::Invalid(wrong));
            }
            (
                kernel::text::strip_forbidden(&name, kernel::text::Lines::Single),
                ph,
                email,
            )
        }
    };
    if ph.is_empty() && email.is_empty() {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            "entry_id",
            "il contatto non ha né un numero né un indirizzo e-mail",
        )]));
    }
    let mut tx = db.write().await?;
    let rows =
        sqlx::query("SELECT name, phone, email FROM contact_list_members WHERE list_id = $1")
            .bind(list_id)
            .fetch_all(tx.conn())
            .await?;
    for r in &rows {
        let (n, p, e): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        if (!ph.is_empty() && !p.is_empty() && msisdn(&p) == msisdn(&ph))
            || (!email.is_empty() && e == email)
        {
            return Err(AddressBookError::Conflict(format!(
                "«{n}» è già nella lista con lo stesso numero o indirizzo"
            )));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_list_members (list_id, entry_id, name, phone, email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(list_id)
    .bind(d.entry_id)
    .bind(&name)
    .bind(&ph)
    .bind(&email)
    .bind(kernel::time::now())
    .fetch_one(tx.conn())
    .await?;
    audit_event(
        &mut tx,
        actor,
        "add_member",
        "contact_list",
        list_id,
        list.entity_id,
        json!({"name": list.name, "member": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(Member {
        id,
        list_id,
        entry_id: d.entry_id,
        name,
        phone: ph,
        email,
    })
}

/// Takes a recipient off its list.
pub async fn remove(db: &Db, actor: &Actor, member_id: i64) -> Result<(), AddressBookError> {
    user(actor).map_err(|_| AddressBookError::MemberNotFound)?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT m.list_id, m.name, l.entity_id, l.name FROM contact_list_members m \
         JOIN contact_lists l ON l.id = m.list_id WHERE m.id = $2 AND {}",
        db::entities_in_scope!("l.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(member_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AddressBookError::MemberNotFound)?;
    let (list_id, name, entity_id, list): (i64, String, i64, String) =
        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM contact_list_members WHERE id = $1")
        .bind(member_id)
        .execute(tx.conn())
        .await?;
    audit_event(
        &mut tx,
        actor,
        "remove_member",
        "contact_list",
        list_id,
        entity_id,
        json!({"name": list, "member": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
