//! One statement as a page: its lines, each linked to what it bills, the totals, the payments
//! and the e-invoices with what SdI said; an administrator issues it, makes its e-invoice and
//! records payments, each after a confirmation or with the form's errors next to it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use billing::store::payments;
use billing::store::statements::{self, Statement};
use billing::vat::{self, Vat};
use kernel::Euro;

use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::form_reader::italian_amount;
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

/// A line as the page shows it.
pub struct LineView {
    pub kind: &'static str,
    pub text: String,
    pub href: String,
    pub vat: String,
    pub amount: String,
    pub adjusts: bool,
}

/// Where a line's source is read on a page (the API path names it).
pub fn page_of_source(source: &str, entity_id: i64) -> String {
    let rest = source.strip_prefix("/api/v1").unwrap_or(source);
    if rest.starts_with("/packages/")
        || rest.starts_with("/projects/")
        || rest.starts_with("/work-reports/")
    {
        rest.to_owned()
    } else if rest.starts_with("/active-services/") {
        format!("/entities/{entity_id}#servizi")
    } else if rest.starts_with("/readings/") {
        format!("/entities/{entity_id}#rendiconti")
    } else {
        String::new()
    }
}

fn vat_label(v: &Vat) -> String {
    v.label()
}

/// An e-invoice as the page shows it.
pub struct InvoiceView {
    pub id: i64,
    pub file_name: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub when: String,
    /// What SdI said, one line per receipt.
    pub events: Vec<String>,
}

fn invoice_view(i: billing::store::invoices::Invoice) -> InvoiceView {
    InvoiceView {
        id: i.id,
        kind: if i.document_kind == "TD04" {
            "Nota di credito (TD04)"
        } else {
            "Fattura (TD01)"
        },
        state: billing::store::invoices::state_label(&i.state),
        when: kernel::time::display_rome(&i.created_at),
        events: i
            .events
            .iter()
            .map(|e| {
                let errors: Vec<String> = e.detail["errors"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| {
                                format!(
                                    "{} {}",
                                    x["code"].as_str().unwrap_or(""),
                                    x["description"].as_str().unwrap_or("")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let mut line = format!(
                    "{} {}: {}",
                    kernel::time::display_rome(&e.received_at),
                    e.kind,
                    billing::store::invoices::receipt_label(&e.kind)
                );
                if !errors.is_empty() {
                    line.push_str(&format!(" ({})", errors.join("; ")));
                }
                if let Some(d) = e.detail["description"].as_str() {
                    line.push_str(&format!(" – {d}"));
                }
                line
            })
            .collect(),
        file_name: i.file_name,
    }
}

#[derive(Template)]
#[template(path = "statements/detail.html")]
struct DetailPage {
    layout: Layout,
    st: Statement,
    title: String,
    lines: Vec<LineView>,
    summary: Vec<(String, String)>,
    payments: Vec<(String, String, String)>,
    invoices: Vec<InvoiceView>,
    can_invoice: bool,
    left: String,
    overdue: bool,
    is_admin: bool,
    flash: Flash,
    today: String,
    issued: String,
    due: String,
    cig: String,
    cup: String,
    notice: String,
}

/// The title of a statement: "Rendiconto n. 2026/0001" or "Bozza di rendiconto 2026".
pub fn title(st: &Statement) -> String {
    match &st.number {
        Some(n) if st.is_credit() => format!("Nota di credito n. {n}"),
        Some(n) => format!("Rendiconto n. {n}"),
        None => format!("Bozza di rendiconto {}", st.year),
    }
}

/// The totals block: taxable by VAT group, VAT, total and what the entity pays.
pub fn summary(st: &Statement) -> Vec<(String, String)> {
    let t = vat::totals(
        st.lines.iter().map(|l| (l.amount, &l.vat)),
        st.split_payment,
    );
    let mut out = Vec::new();
    for g in &t.groups {
        match &g.vat {
            Vat::Rate { .. } => {
                out.push((
                    format!("Imponibile IVA {}", g.vat.label()),
                    g.taxable.to_string(),
                ));
                out.push((format!("IVA {}", g.vat.label()), g.tax.to_string()));
            }
            Vat::Exempt { reference, .. } => out.push((
                format!("{} – {reference}", crate::pages::sentence(&g.vat.label())),
                g.taxable.to_string(),
            )),
        }
    }
    out.push(("Totale documento".into(), st.total.to_string()));
    if st.split_payment && st.vat != Euro::ZERO {
        out.push((
            "Da versare al centro (IVA in scissione dei pagamenti, art. 17-ter DPR 633/1972)"
                .into(),
            st.payable.to_string(),
        ));
    }
    out
}

/// `/statements/{id}`.
pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let st = statements::get(&s.db, &actor, id).await?;
    let flash = crate::pages::notice(&s, &sess).await?;
    let today = s.clock.today();
    let left = st.payable - st.paid;
    let payments = payments::of_statement(&s.db, &actor, id)
        .await?
        .into_iter()
        .map(|p| {
            (
                kernel::time::display_date(p.paid_on),
                p.amount.to_string(),
                p.reference,
            )
        })
        .collect();
    let invoices = billing::store::invoices::of_statement(&s.db, &actor, id).await?;
    // The latest invoice lives unless SdI or the entity turned it down.
    let live = invoices
        .last()
        .is_some_and(|i| !matches!(i.state.as_str(), "rejected" | "refused"));
    let invoices: Vec<InvoiceView> = invoices.into_iter().map(invoice_view).collect();
    Ok(ok(&DetailPage {
        can_invoice: actor.is_admin() && st.state != "draft" && !live,
        invoices,
        layout: Layout::new(&s, Some(&sess), title(&st), "statements"),
        title: title(&st),
        lines: st
            .lines
            .iter()
            .map(|l| LineView {
                kind: l.kind.label(),
                text: l.text.clone(),
                href: page_of_source(&l.source, st.entity_id),
                vat: vat_label(&l.vat),
                amount: l.amount.to_string(),
                adjusts: l.adjusts,
            })
            .collect(),
        summary: summary(&st),
        payments,
        left: if st.state == "draft" || left <= Euro::ZERO {
            String::new()
        } else {
            left.to_string()
        },
        overdue: st.state != "draft" && left > Euro::ZERO && st.due_on.is_some_and(|d| d < today),
        is_admin: actor.is_admin(),
        flash,
        today: today.to_string(),
        issued: st
            .issued_on
            .map(kernel::time::display_date)
            .unwrap_or_default(),
        due: st
            .due_on
            .map(kernel::time::display_date)
            .unwrap_or_default(),
        cig: st.cig.clone().unwrap_or_default(),
        cup: st.cup.clone().unwrap_or_default(),
        notice: st.notice_code.clone().unwrap_or_default(),
        st,
    }))
}

/// `/statements/{id}/{action}`: `emetti` (after a confirmation) and `pagamento`.
pub async fn act(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(t): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let back = format!("/statements/{id}");
    let field = |k: &str| crate::pages::form_reader::field(&t, k);
    let today = s.clock.today();
    let st = statements::get(&s.db, &actor, id).await?;
    if !actor.is_staff() {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "Operazione riservata agli amministratori del centro servizi.",
        ));
    }
    let done: Result<String, billing::BillingError> = match action.as_str() {
        "emetti" if !crate::pages::confirm::confirmed(&field("confermato")) => {
            return Ok(crate::pages::confirm::page(
                &s,
                &sess,
                "statements",
                crate::pages::confirm::Confirm {
                    question: format!("Emettere questo rendiconto del {}?", st.year),
                    consequences: vec![
                        format!("Ente: {}.", st.entity_name),
                        format!("Totale {}, {} righe.", st.total, st.lines.len()),
                        "Prende il numero successivo dell'anno e non si potrà più modificare: una correzione diventa un conguaglio o una nota di credito.".into(),
                        "L'ente lo vede nel portale da subito.".into(),
                    ],
                    action: back.clone() + "/emetti",
                    fields: vec![],
                    note: None,
                    confirm_label: "Emetti il rendiconto".into(),
                    cancel: back.clone(),
                },
            ));
        }
        "emetti" => statements::issue(&s.db, &actor, id, today).await.map(|x| {
            format!(
                "Rendiconto emesso con il numero {}.",
                x.number.unwrap_or_default()
            )
        }),
        "fattura" if !crate::pages::confirm::confirmed(&field("confermato")) => {
            return Ok(crate::pages::confirm::page(
                &s,
                &sess,
                "statements",
                crate::pages::confirm::Confirm {
                    question: format!(
                        "Creare la fattura elettronica di questo rendiconto ({})?",
                        st.number.clone().unwrap_or_default()
                    ),
                    consequences: vec![
                        format!(
                            "{} intestata a: {}; totale {}.",
                            if st.is_credit() { "Nota di credito (TD04)" } else { "Fattura (TD01)" },
                            st.entity_name,
                            st.total
                        ),
                        "Il file XML, controllato sullo schema FatturaPA, prende un progressivo di invio che non sarà più usato: dopo uno scarto se ne crea uno nuovo.".into(),
                        "Da inviare allo SdI con l'intermediario o la PEC del centro (il file ZIP dell'anno li raccoglie).".into(),
                    ],
                    action: back.clone() + "/fattura",
                    fields: vec![],
                    note: None,
                    confirm_label: "Crea la fattura".into(),
                    cancel: back.clone(),
                },
            ));
        }
        "fattura" => billing::store::invoices::create(&s.db, &actor, id, today)
            .await
            .map(|i| format!("Fattura elettronica creata: {}.", i.file_name)),
        "riferimenti" => statements::set_references(
            &s.db,
            &actor,
            id,
            &statements::References {
                cig: Some(field("cig")),
                cup: Some(field("cup")),
                notice_code: Some(field("avviso")),
            },
        )
        .await
        .map(|_| "CIG, CUP e codice avviso salvati.".to_owned()),
        "pagamento" => {
            let amount = Euro::parse(&italian_amount(&field("importo")));
            let day = field("data").parse::<chrono::NaiveDate>();
            match (amount, day) {
                (Err(_), _) => Err(billing::BillingError::field(
                    "amount",
                    "l'importo va scritto come numero, ad esempio 1.250,00",
                )),
                (_, Err(_)) => Err(billing::BillingError::field(
                    "paid_on",
                    "indicare la data del pagamento",
                )),
                (Ok(a), Ok(d)) => {
                    payments::record(&s.db, &actor, id, d, a, &field("riferimento"), today)
                        .await
                        .map(|x| {
                            if x.state == "paid" {
                                format!("Pagamento di {a} registrato: il rendiconto è pagato.")
                            } else {
                                format!(
                                    "Pagamento di {a} registrato: restano {}.",
                                    x.payable - x.paid
                                )
                            }
                        })
                }
            }
        }
        _ => return Err(PageError::new(StatusCode::NOT_FOUND, "Azione sconosciuta.")),
    };
    // A refusal is shown next to its form: the page opens there.
    let anchor = match action.as_str() {
        "pagamento" => "#pagamenti",
        "fattura" => "#fatture",
        "riferimenti" => "#references",
        _ => "",
    };
    let (flash, to) = match done {
        Ok(said) => (Flash::saved(said), back.clone()),
        Err(e) => (
            Flash {
                error: refusal(e)?,
                values: t.iter().filter(|(k, _)| k != "_csrf").cloned().collect(),
                place: action.clone(),
                ..Default::default()
            },
            format!("{back}{anchor}"),
        ),
    };
    back_with(&s, &sess, &to, flash).await
}
