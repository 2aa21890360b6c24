//! The address books and send lists in the database, each belonging to an entity: the
//! entity's users (contacts) and the staff see and change them; anyone else finds nothing.

use std::collections::HashMap;

use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, FieldError, Role};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::card::Card;
use crate::csvfile::Read;
use crate::AddressBookError;

pub mod lists;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Book {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// How many entries it holds.
    pub entries: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub id: i64,
    pub book_id: i64,
    #[serde(flatten)]
    pub card: Card,
    pub updated_at: String,
    pub version: i64,
}

/// A book with its entries, by name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BookDetail {
    #[serde(flatten)]
    pub book: Book,
    pub items: Vec<Entry>,
}

/// What an import did (or would do, on a dry run).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Entries added.
    pub added: usize,
    /// Lines left out because the person is already there (the same mobile, phone or
    /// e-mail): in the book, or earlier in the file.
    pub duplicates: Vec<Duplicate>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub line: usize,
    pub name: String,
    /// Who it matches: an entry's name, or "riga N" of the same file.
    pub matches: String,
}

/// Suppliers keep no address books: for them every entity is "not found".
pub(crate) fn user(actor: &Actor) -> Result<(), AddressBookError> {
    if actor.role == Role::Supplier {
        return Err(AddressBookError::NotForSuppliers);
    }
    Ok(())
}

pub(crate) async fn entity_in_scope(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    entity_id: i64,
) -> Result<(), AddressBookError> {
    user(actor)?;
    if db::scope::sees_entity(conn, actor, entity_id).await? {
        Ok(())
    } else {
        Err(AddressBookError::EntityNotFound)
    }
}

pub(crate) fn name_of(v: &str, what: &str) -> Result<String, AddressBookError> {
    let n = kernel::text::strip_forbidden(v.trim(), kernel::text::Lines::Single);
    if n.is_empty() || n.chars().count() > 100 {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            "name",
            format!("scrivere il nome {what} (al massimo 100 caratteri)"),
        )]));
    }
    Ok(n)
}

pub(crate) async fn audit_event(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    object: &str,
    id: i64,
    entity_id: i64,
    after: serde_json::Value,
) -> Result<(), AddressBookError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: object.into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(after.to_string()),
        },
    )
    .await?;
    Ok(())
}

const BOOK_COLS: &str = "b.id, b.entity_id, b.name, b.created_at, \
    (SELECT COUNT(*) FROM address_entries x WHERE x.book_id = b.id)";

fn book_row(r: &sqlx::any::AnyRow) -> Result<Book, sqlx::Error> {
    Ok(Book {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        created_at: r.try_get(3)?,
        entries: r.try_get(4)?,
    })
}

/// A kind of named thing an entity keeps: its table, its name in a sentence, its audit type.
pub(crate) struct Named {
    pub(crate) table: &'static str,
    /// "rubrica", "lista".
    pub(crate) noun: &'static str,
    /// "della rubrica", "della lista".
    pub(crate) of: &'static str,
    pub(crate) object: &'static str,
}

const BOOK: Named = Named {
    table: "address_books",
    noun: "rubrica",
    of: "della rubrica",
    object: "address_book",
};

/// Creates a named thing of an entity (a book, a send list); two of one entity never share a
/// name. Returns its id.
pub(crate) async fn create_named(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    name: &str,
    k: &Named,
) -> Result<i64, AddressBookError> {
    let mut tx = db.write().await?;
    entity_in_scope(tx.conn(), actor, entity_id).await?;
    let name = name_of(name, k.of)?;
    let taken: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {} WHERE entity_id = $1 AND name = $2",
        k.table
    )))
    .bind(entity_id)
    .bind(&name)
    .fetch_optional(tx.conn())
    .await?;
    if taken.is_some() {
        return Err(AddressBookError::Conflict(format!(
            "l'ente ha già una {} «{name}»",
            k.noun
        )));
    }
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {} (entity_id, name, created_by, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
        k.table
    )))
    .bind(entity_id)
    .bind(&name)
    .bind(&actor.label)
    .bind(kernel::time::now())
    .fetch_one(tx.conn())
    .await?;
    audit_event(
        &mut tx,
        actor,
        "create",
        k.object,
        id,
        entity_id,
        json!({"name": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates an address book of an entity; two books of one entity never share a name.
pub async fn create_book(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    name: &str,
) -> Result<Book, AddressBookError> {
    let id = create_named(db, actor, entity_id, name, &BOOK).await?;
    book(db, actor, id).await
}

/// An entity's address books, by name.
pub async fn books(db: &Db, actor: &Actor, entity_id: i64) -> Result<Vec<Book>, AddressBookError> {
    let mut conn = db.pool().acquire().await?;
    entity_in_scope(&mut conn, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOK_COLS} FROM address_books b WHERE b.entity_id = $1 ORDER BY b.name, b.id"
    )))
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(book_row).collect::<Result<_, _>>()?)
}

/// One book the actor may see.
pub async fn book(db: &Db, actor: &Actor, id: i64) -> Result<Book, AddressBookError> {
    user(actor).map_err(|_| AddressBookError::BookNotFound)?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOK_COLS} FROM address_books b WHERE b.id = $2 AND {}",
        db::entities_in_scope!("b.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AddressBookError::BookNotFound)?;
    Ok(book_row(&r)?)
}

const ENTRY_COLS: &str = "id, book_id, name, organisation, role, mobile, phone, fax, email, \
    email2, notes, updated_at, version";

fn entry_row(r: &sqlx::any::AnyRow) -> Result<Entry, sqlx::Error> {
    Ok(Entry {
        id: r.try_get(0)?,
        book_id: r.try_get(1)?,
        card: Card {
            name: r.try_get(2)?,
            organisation: r.try_get(3)?,
            role: r.try_get(4)?,
            mobile: r.try_get(5)?,
            phone: r.try_get(6)?,
            fax: r.try_get(7)?,
            email: r.try_get(8)?,
            email2: r.try_get(9)?,
            notes: r.try_get(10)?,
        },
        updated_at: r.try_get(11)?,
        version: r.try_get(12)?,
    })
}

async fn entries_of(
    conn: &mut sqlx::AnyConnection,
    book_id: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM address_entries WHERE book_id = $1 \
         ORDER BY CASE WHEN name = '' THEN organisation ELSE name END, organisation, id"
    )))
    .bind(book_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(entry_row).collect()
}

/// A book with its entries.
pub async fn book_detail(db: &Db, actor: &Actor, id: i64) -> Result<BookDetail, AddressBookError> {
    let book = book(db, actor, id).await?;
    let mut conn = db.pool().acquire().await?;
    let items = entries_of(&mut conn, id).await?;
    Ok(BookDetail { book, items })
}

async fn insert(tx: &mut WriteTx, book: &Book, c: &Card) -> Result<i64, sqlx::Error> {
    let now = kernel::time::now();
    sqlx::query_scalar(
        "INSERT INTO address_entries (book_id, entity_id, name, organisation, role, mobile, \
         phone, fax, email, email2, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(book.id)
    .bind(book.entity_id)
    .bind(&c.name)
    .bind(&c.organisation)
    .bind(&c.role)
    .bind(&c.mobile)
    .bind(&c.phone)
    .bind(&c.fax)
    .bind(&c.email)
    .bind(&c.email2)
    .bind(&c.notes)
    .bind(&now)
    .fetch_one(tx.conn())
    .await
}

fn invalid(errs: Vec<FieldError>) -> AddressBookError {
    AddressBookError::Invalid(errs)
}

/// Refuses `c` when someone in `existing` shares a number or an address with it.
fn refuse_twin(existing: &[Entry], c: &Card) -> Result<(), AddressBookError> {
    let keys = c.keys();
    match existing
        .iter()
        .find(|e| e.card.keys().iter().any(|k| keys.contains(k)))
    {
        Some(t) => Err(AddressBookError::Conflict(format!(
            "«{}» è già in rubrica con lo stesso numero o indirizzo",
            t.card.label()
        ))),
        None => Ok(()),
    }
}

/// Adds an entry; the same person twice (a shared mobile, phone or e-mail) is refused.
pub async fn add(
    db: &Db,
    actor: &Actor,
    book_id: i64,
    c: &Card,
) -> Result<Entry, AddressBookError> {
    let b = book(db, actor, book_id).await?;
    let c = c.checked().map_err(invalid)?;
    let mut tx = db.write().await?;
    let existing = entries_of(tx.conn(), book_id).await?;
    refuse_twin(&existing, &c)?;
    let id = insert(&mut tx, &b, &c).await?;
    audit_event(
        &mut tx,
        actor,
        "create",
        "address_entry",
        id,
        b.entity_id,
        json!({"name": c.label()}),
    )
    .await?;
    tx.commit().await?;
    entry(db, actor, id).await
}

/// One entry the actor may see.
pub async fn entry(db: &Db, actor: &Actor, id: i64) -> Result<Entry, AddressBookError> {
    user(actor).map_err(|_| AddressBookError::EntryNotFound)?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ENTRY_COLS} FROM address_entries WHERE id = $2 AND {}",
        db::entities_in_scope!("entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AddressBookError::EntryNotFound)?;
    Ok(entry_row(&r)?)
}

/// Changes an entry.
pub async fn update(db: &Db, actor: &Actor, id: i64, c: &Card) -> Result<Entry, AddressBookError> {
    let before = entry(db, actor, id).await?;
    let c = c.checked().map_err(invalid)?;
    let mut tx = db.write().await?;
    let others: Vec<Entry> = entries_of(tx.conn(), before.book_id)
        .await?
        .into_iter()
        .filter(|e| e.id != id)
        .collect();
    refuse_twin(&others, &c)?;
    sqlx::query(
        "UPDATE address_entries SET name = $2, organisation = $3, role = $4, mobile = $5, \
         phone = $6, fax = $7, email = $8, email2 = $9, notes = $10, updated_at = $11, \
         version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&c.name)
    .bind(&c.organisation)
    .bind(&c.role)
    .bind(&c.mobile)
    .bind(&c.phone)
    .bind(&c.fax)
    .bind(&c.email)
    .bind(&c.email2)
    .bind(&c.notes)
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    let entity_id: i64 = sqlx::query_scalar("SELECT entity_id FROM address_entries WHERE id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    audit_event(
        &mut tx,
        actor,
        "update",
        "address_entry",
        id,
        entity_id,
        json!({"name": c.label()}),
    )
    .await?;
    tx.commit().await?;
    entry(db, actor, id).await
}

/// Deletes an entry (the send lists keep their own copy of its name and numbers).
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<(), AddressBookError> {
    let e = entry(db, actor, id).await?;
    let mut tx = db.write().await?;
    let entity_id: i64 = sqlx::query_scalar("SELECT entity_id FROM address_entries WHERE id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    sqlx::query("UPDATE contact_list_members SET entry_id = NULL WHERE entry_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM address_entries WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    audit_event(
        &mut tx,
        actor,
        "delete",
        "address_entry",
        id,
        entity_id,
        json!({"name": e.card.label()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The file formats an address book is read from and written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    VCard,
}

/// Imports a file into a book: any wrong line refuses the whole file (each line named, nothing
/// stored); people already in the book, or twice in the file, are left out and listed.
/// `dry_run` says what would happen without storing anything.
pub async fn import(
    db: &Db,
    actor: &Actor,
    book_id: i64,
    format: Format,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, AddressBookError> {
    let b = book(db, actor, book_id).await?;
    let Read { cards, errors } = match format {
        Format::Csv => crate::csvfile::read(bytes),
        Format::VCard => crate::vcard::read(bytes),
    };
    if !errors.is_empty() {
        return Err(AddressBookError::Import(errors));
    }
    if cards.is_empty() {
        return Err(AddressBookError::Import(vec![FieldError::new(
            "file",
            "il file non contiene contatti",
        )
        .at_line(1)]));
    }
    let mut tx = db.write().await?;
    let existing = entries_of(tx.conn(), book_id).await?;
    let mut seen: HashMap<String, String> = HashMap::new();
    for e in &existing {
        for k in e.card.keys() {
            seen.insert(k, e.card.label().to_owned());
        }
    }
    let mut report = ImportReport {
        dry_run,
        ..Default::default()
    };
    for (line, c) in &cards {
        let keys = c.keys();
        if let Some(m) = keys.iter().find_map(|k| seen.get(k)) {
            report.duplicates.push(Duplicate {
                line: *line,
                name: c.label().to_owned(),
                matches: m.clone(),
            });
            continue;
        }
        for k in keys {
            seen.insert(k, format!("riga {line}"));
        }
        if !dry_run {
            insert(&mut tx, &b, c).await?;
        }
        report.added += 1;
    }
    if dry_run {
        return Ok(report);
    }
    audit_event(
        &mut tx,
        actor,
        "import",
        "address_book",
        book_id,
        b.entity_id,
        json!({"name": b.name, "added": report.added, "duplicates": report.duplicates.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// A book as a file: (file name, content type, bytes).
pub async fn export(
    db: &Db,
    actor: &Actor,
    book_id: i64,
    format: Format,
) -> Result<(String, &'static str, String), AddressBookError> {
    let d = book_detail(db, actor, book_id).await?;
    let cards: Vec<Card> = d.items.into_iter().map(|e| e.card).collect();
    let stem: String = d
        .book
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = if stem.is_empty() {
        "rubrica".to_owned()
    } else {
        stem
    };
    Ok(match format {
        Format::Csv => (
            format!("{stem}.csv"),
            "text/csv; charset=utf-8",
            crate::csvfile::write(&cards),
        ),
        Format::VCard => (
            format!("{stem}.vcf"),
            "text/vcard; charset=utf-8",
            crate::vcard::write(&cards),
        ),
    })
}
