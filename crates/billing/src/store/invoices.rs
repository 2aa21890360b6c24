//! FatturaPA e-invoices of issued statements. Each XML is validated against the official
//! FPA12 1.2.3 schema before it is stored; its file name carries a progressive never used
//! again, so a resend after a rejection is a new file and the rejected one stays in the
//! history. SdI's receipts (RC, NS, MC, NE, DT), imported by hand from the centre's
//! intermediary or PEC, move each invoice's state.

use chrono::NaiveDate;
use db::{audit, Db};
use fatturapa::{
    Address, ContractRef, Customer, DocumentKind, Invoice as Fpa, Line, Payment, RelatedInvoice,
    Supplier, TaxId, Vat as FpaVat,
};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro};
use serde::Serialize;
use sqlx::Row;

use super::statements::{self, Statement};
use crate::vat::Vat;
use crate::BillingError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceEvent {
    pub kind: String,
    pub detail: serde_json::Value,
    pub received_at: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    pub id: i64,
    pub statement_id: i64,
    pub entity_id: i64,
    pub file_name: String,
    /// TD01 | TD04
    pub document_kind: String,
    /// ready | delivered | rejected | not_delivered | accepted | refused | expired
    pub state: String,
    pub sdi_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub events: Vec<InvoiceEvent>,
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "ready" => "Pronta per l'invio",
        "delivered" => "Consegnata",
        "rejected" => "Scartata dallo SdI",
        "not_delivered" => "Mancata consegna",
        "accepted" => "Accettata dall'ente",
        "refused" => "Rifiutata dall'ente",
        "expired" => "Decorsi i termini",
        "certified" => "Trasmessa, non recapitabile (attestazione)",
        _ => "?",
    }
}

/// What a receipt is, in Italian.
pub fn receipt_label(code: &str) -> &'static str {
    match code {
        "RC" => "ricevuta di consegna",
        "NS" => "notifica di scarto",
        "MC" => "mancata consegna",
        "NE" => "esito dell'ente",
        "DT" => "decorrenza dei termini",
        "AT" => "attestazione di trasmissione",
        _ => "notifica",
    }
}

/// The states after which a statement may be invoiced again (with a new file).
const RESENDABLE: [&str; 2] = ["rejected", "refused"];

const IN_SCOPE: &str = db::entities_in_scope!("s.entity_id", "$1");

const COLS: &str = "i.id, i.statement_id, s.entity_id, i.file_name, i.document_kind, i.state, \
    i.sdi_id, i.created_by, i.created_at";

fn row(r: &sqlx::any::AnyRow) -> Result<Invoice, sqlx::Error> {
    Ok(Invoice {
        id: r.try_get(0)?,
        statement_id: r.try_get(1)?,
        entity_id: r.try_get(2)?,
        file_name: r.try_get(3)?,
        document_kind: r.try_get(4)?,
        state: r.try_get(5)?,
        sdi_id: r.try_get(6)?,
        created_by: r.try_get(7)?,
        created_at: r.try_get(8)?,
        events: vec![],
    })
}

/// One invoice the actor may see (a contact: of their entities), with its SdI history.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Invoice, BillingError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM invoices i JOIN statements s ON s.id = i.statement_id \
         WHERE i.id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(BillingError::InvoiceNotFound)?;
    let mut inv = row(&r)?;
    let rows = sqlx::query(
        "SELECT kind, detail, received_at, created_by FROM invoice_events WHERE invoice_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    for e in &rows {
        let detail: String = e.try_get(1)?;
        inv.events.push(InvoiceEvent {
            kind: e.try_get(0)?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            received_at: e.try_get(2)?,
            created_by: e.try_get(3)?,
        });
    }
    Ok(inv)
}

/// The invoices of a statement, oldest first.
pub async fn of_statement(
    db: &Db,
    actor: &Actor,
    statement_id: i64,
) -> Result<Vec<Invoice>, BillingError> {
    statements::get(db, actor, statement_id).await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM invoices WHERE statement_id = $1 ORDER BY id")
            .bind(statement_id)
            .fetch_all(db.pool())
            .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(get(db, actor, id).await?);
    }
    Ok(out)
}

/// An invoice's XML and file name.
pub async fn xml(db: &Db, actor: &Actor, id: i64) -> Result<(String, String), BillingError> {
    let inv = get(db, actor, id).await?;
    let xml: String = sqlx::query_scalar("SELECT xml FROM invoices WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    Ok((inv.file_name, xml))
}

fn fpa_vat(v: &Vat) -> FpaVat {
    match v {
        Vat::Rate { hundredths } => FpaVat::Rate {
            hundredths: *hundredths,
        },
        Vat::Exempt { natura, reference } => FpaVat::Exempt {
            natura: fatturapa::Natura::parse(natura).unwrap_or(fatturapa::Natura::N2_2),
            reference: reference.clone(),
        },
    }
}

/// The e-invoice of a statement, as a model (validated when written).
pub fn model(
    s: &Statement,
    entity: &members::Entity,
    settings: &crate::settings::BillingSettings,
    progressive: &str,
    today: NaiveDate,
    related: Option<(String, NaiveDate)>,
    contract: Option<String>,
) -> Result<Fpa, BillingError> {
    let e = &entity.data;
    let mut missing = Vec::new();
    let office = e
        .office_code
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    if office.len() != 6 {
        missing
            .push("il codice univoco ufficio dell'ente (6 caratteri, dall'Indice PA)".to_owned());
    }
    if e.tax_code.is_none() {
        missing.push("il codice fiscale dell'ente".to_owned());
    }
    if e.address.trim().is_empty() || e.postal_code.len() != 5 || e.city.trim().is_empty() {
        missing.push("l'indirizzo dell'ente (via, CAP di 5 cifre, comune)".to_owned());
    }
    missing.extend(
        settings
            .missing_for_invoices()
            .into_iter()
            .map(str::to_owned),
    );
    if !missing.is_empty() {
        return Err(BillingError::Conflict(format!(
            "la fattura elettronica non si può fare: manca {}",
            missing.join("; manca ")
        )));
    }
    let credit = s.is_credit();
    let sign = |a: Euro| if credit { Euro::ZERO - a } else { a };
    let c = &settings.centre;
    let lines: Vec<Line> = s
        .lines
        .iter()
        .map(|l| {
            let mut text = format!("{}: {}", l.kind.label(), l.text);
            if text.chars().count() > 1000 {
                text = text.chars().take(997).collect::<String>() + "...";
            }
            Line {
                description: text,
                quantity: None,
                unit: None,
                unit_price_cents: sign(l.amount).cents(),
                total_cents: sign(l.amount).cents(),
                vat: fpa_vat(&l.vat),
            }
        })
        .collect();
    let stamp_duty = fatturapa::stamp_duty_due(&lines);
    let payable = sign(s.payable);
    Ok(Fpa {
        transmitter: TaxId {
            country: "IT".into(),
            code: c.fiscal_code.clone(),
        },
        progressive: progressive.to_owned(),
        recipient_code: office,
        supplier: Supplier {
            vat: TaxId {
                country: "IT".into(),
                code: c.vat_number.clone(),
            },
            fiscal_code: Some(c.fiscal_code.clone()).filter(|f| !f.is_empty()),
            name: c.name.clone(),
            tax_regime: c.tax_regime.clone(),
            address: Address {
                street: c.address.clone(),
                number: None,
                cap: c.postal_code.clone(),
                town: c.town.clone(),
                province: Some(c.province.clone()).filter(|p| !p.is_empty()),
                country: "IT".into(),
            },
            rea: None,
            email: Some(c.email.clone()).filter(|m| !m.is_empty()),
            phone: Some(c.phone.clone()).filter(|p| !p.is_empty()),
        },
        customer: Customer {
            vat: None,
            fiscal_code: e.tax_code.as_ref().map(|t| t.as_str().to_owned()),
            name: e.name.clone(),
            address: Address {
                street: e.address.clone(),
                number: None,
                cap: e.postal_code.clone(),
                town: e.city.clone(),
                province: Some(e.province.clone()).filter(|p| p.len() == 2),
                country: "IT".into(),
            },
        },
        kind: if credit {
            DocumentKind::CreditNote
        } else {
            DocumentKind::Invoice
        },
        date: today,
        number: s.number.clone().unwrap_or_default(),
        causale: vec![format!(
            "{} {} n. {} - servizi del centro servizi territoriale per l'anno {}",
            if credit {
                "Nota di credito sul rendiconto"
            } else {
                "Rendiconto"
            },
            s.year,
            s.number.as_deref().unwrap_or(""),
            s.year
        )],
        contract: (s.cig.is_some() || s.cup.is_some()).then(|| ContractRef {
            id_documento: contract.unwrap_or_else(|| s.number.clone().unwrap_or_default()),
            cig: s.cig.clone(),
            cup: s.cup.clone(),
        }),
        related: related.map(|(number, date)| RelatedInvoice { number, date }),
        lines,
        split_payment: s.split_payment,
        stamp_duty,
        payment: (!credit && payable > Euro::ZERO).then(|| Payment {
            method: "MP05".into(),
            due: s.due_on.unwrap_or(today),
            amount_cents: payable.cents(),
            iban: Some(c.iban.split_whitespace().collect()),
            beneficiary: Some(c.name.clone()),
            notice_code: s.notice_code.clone(),
        }),
    })
}

/// Makes the e-invoice of an issued statement (admins): validated, stored, the statement
/// `invoiced`. Refused with the reason when the entity or the centre lacks what FatturaPA
/// needs, or when a live invoice exists (a new one only after a rejection).
pub async fn create(
    db: &Db,
    actor: &Actor,
    statement_id: i64,
    today: NaiveDate,
) -> Result<Invoice, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::NotFound);
    }
    let s = statements::get(db, actor, statement_id).await?;
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    if s.state == "draft" {
        return Err(BillingError::Conflict(
            "il rendiconto è ancora una bozza: emetterlo prima di fatturarlo".into(),
        ));
    }
    let live: Option<(String, String)> = sqlx::query_as(
        "SELECT file_name, state FROM invoices WHERE statement_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(statement_id)
    .fetch_optional(db.pool())
    .await?;
    if let Some((file, state)) = &live {
        if !RESENDABLE.contains(&state.as_str()) {
            return Err(BillingError::Conflict(format!(
                "il rendiconto ha già la fattura {file} ({}): se ne fa una nuova solo dopo uno scarto o un rifiuto",
                state_label(state)
            )));
        }
    }
    let entity = members::store::get(db, actor, s.entity_id).await?;
    let settings = super::settings(db).await?;
    let related = if s.is_credit() {
        let r: Option<(String, String)> = sqlx::query_as(
            "SELECT s.number, s.issued_on FROM statements s WHERE s.entity_id = $1 AND s.year = $2 \
             AND s.id <> $3 AND s.net_cents > 0 AND s.number IS NOT NULL ORDER BY s.id DESC LIMIT 1",
        )
        .bind(s.entity_id)
        .bind(i64::from(s.year))
        .bind(s.id)
        .fetch_optional(db.pool())
        .await?;
        match r {
            Some((n, d)) => Some((n, super::date(&d)?)),
            None => {
                return Err(BillingError::Conflict(
                    "una nota di credito richiama la fattura che corregge: l'ente non ha rendiconti emessi nell'anno".into(),
                ))
            }
        }
    } else {
        None
    };
    let contract: Option<String> = sqlx::query_scalar(
        "SELECT number FROM agreements WHERE entity_id = $1 AND status <> 'draft' AND number <> '' \
         ORDER BY start_date DESC LIMIT 1",
    )
    .bind(s.entity_id)
    .fetch_optional(db.pool())
    .await?;
    let mut tx = db.write().await?;
    let seq: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(progressive_seq), 0) + 1 AS BIGINT) FROM invoices",
    )
    .fetch_one(tx.conn())
    .await?;
    let progressive = fatturapa::progressive(u64::try_from(seq).unwrap_or(0))
        .ok_or_else(|| BillingError::Conflict("progressivi di invio esauriti".into()))?;
    let doc = model(
        &s,
        &entity,
        &settings,
        &progressive,
        today,
        related,
        contract,
    )?;
    let xml = fatturapa::to_xml(&doc).map_err(|e| {
        BillingError::Conflict(format!("la fattura non rispetta lo schema FatturaPA: {e}"))
    })?;
    let file_name = fatturapa::file_name(&doc.transmitter, &progressive);
    let kind = if s.is_credit() { "TD04" } else { "TD01" };
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (statement_id, progressive_seq, file_name, document_kind, state, xml, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'ready', $5, $6, $7, $7) RETURNING id",
    )
    .bind(statement_id)
    .bind(seq)
    .bind(&file_name)
    .bind(kind)
    .bind(&xml)
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            BillingError::Conflict("un'altra fattura è stata fatta nello stesso momento: riprovare".into())
        } else {
            e.into()
        }
    })?;
    sqlx::query(
        "UPDATE statements SET state = CASE WHEN state = 'paid' THEN 'paid' ELSE 'invoiced' END, \
         version = version + 1, updated_at = $1 WHERE id = $2",
    )
    .bind(&now)
    .bind(statement_id)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "invoice".into(),
            object_id: id.to_string(),
            entity_id: Some(s.entity_id),
            before: None,
            after: Some(
                serde_json::json!({"statement": s.number, "file_name": file_name, "kind": kind})
                    .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Imports an SdI receipt (admins): finds the invoice by its file name, records the event and
/// moves the invoice's state (RC delivered, NS rejected with its errors, MC not delivered,
/// NE accepted or refused, DT expired). A rejected or refused invoice puts its statement back
/// to `issued`, ready for a new file.
pub async fn receipt(db: &Db, actor: &Actor, body: &[u8]) -> Result<Invoice, BillingError> {
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    let r =
        fatturapa::parse_receipt(body).map_err(|e| BillingError::field("file", e.to_string()))?;
    let code = r.kind.code();
    let row: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT id, statement_id, state FROM invoices WHERE file_name = $1")
            .bind(&r.file_name)
            .fetch_optional(db.pool())
            .await?;
    let Some((id, statement_id, before)) = row else {
        return Err(BillingError::field(
            "file",
            format!("nessuna fattura con nome file «{}»", r.file_name),
        ));
    };
    let state = match (code, r.outcome.as_deref()) {
        ("RC", _) => "delivered",
        ("NS", _) => "rejected",
        ("MC", _) => "not_delivered",
        ("NE", Some("EC02")) => "refused",
        ("NE", _) => "accepted",
        ("AT", _) => "certified",
        _ => "expired",
    };
    let detail = serde_json::json!({
        "identificativo_sdi": r.identificativo_sdi, "date_time": r.date_time,
        "errors": r.errors.iter().map(|e| serde_json::json!({"code": e.code, "description": e.description, "suggestion": e.suggestion})).collect::<Vec<_>>(),
        "outcome": r.outcome, "description": r.description, "note": r.note,
        "delivered_at": r.delivered_at,
    });
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE invoices SET state = $1, sdi_id = COALESCE($2, sdi_id), updated_at = $3 WHERE id = $4",
    )
    .bind(state)
    .bind(&r.identificativo_sdi)
    .bind(&now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO invoice_events (invoice_id, kind, detail, received_at, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(code)
    .bind(detail.to_string())
    .bind(&now)
    .bind(&actor.label)
    .execute(tx.conn())
    .await?;
    if RESENDABLE.contains(&state) {
        sqlx::query(
            "UPDATE statements SET state = CASE WHEN state = 'invoiced' THEN 'issued' ELSE state END, \
             version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(&now)
        .bind(statement_id)
        .execute(tx.conn())
        .await?;
    }
    let entity: i64 = sqlx::query_scalar("SELECT entity_id FROM statements WHERE id = $1")
        .bind(statement_id)
        .fetch_one(tx.conn())
        .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "receipt".into(),
            object_type: "invoice".into(),
            object_id: id.to_string(),
            entity_id: Some(entity),
            before: Some(serde_json::json!({ "state": before }).to_string()),
            after: Some(serde_json::json!({"state": state, "receipt": code}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// How many of a year's invoices are ready to send (staff).
pub async fn ready_count(db: &Db, actor: &Actor, year: i32) -> Result<i64, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM invoices i JOIN statements s ON s.id = i.statement_id \
         WHERE s.year = $1 AND i.state = 'ready'",
    )
    .bind(i64::from(year))
    .fetch_one(db.pool())
    .await?)
}

/// The XML files of a year's invoices ready to send, as one ZIP for the centre's
/// intermediary or PEC (staff). `None` when there is none.
pub async fn zip_ready(db: &Db, actor: &Actor, year: i32) -> Result<Option<Vec<u8>>, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.file_name, i.xml FROM invoices i JOIN statements s ON s.id = i.statement_id \
         WHERE s.year = $1 AND i.state = 'ready' ORDER BY i.id",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, xml) in &rows {
            z.start_file(name.as_str(), opts)
                .and_then(|()| {
                    std::io::Write::write_all(&mut z, xml.as_bytes()).map_err(Into::into)
                })
                .map_err(|e| BillingError::Conflict(format!("ZIP: {e}")))?;
        }
        z.finish()
            .map_err(|e| BillingError::Conflict(format!("ZIP: {e}")))?;
    }
    Ok(Some(buf.into_inner()))
}
