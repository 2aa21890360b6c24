//! `/billing/settings`: the centre's billing settings as a form (administrators): its data as
//! the *cedente* of the e-invoices, the payment terms, split payment, VAT by item, the day rate
//! of work and the call-out fee. The whole form is checked; the errors come back by field with
//! what was typed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use billing::settings::{BillingSettings, Centre, DueRule, VatRule};
use kernel::Euro;

use crate::auth::{Flash, PageAdmin};
use crate::error::PageError;
use crate::pages::form_reader::italian_amount;
use crate::pages::{back_with, ok, Field, Layout};
use crate::AppState;

/// A VAT rule's row of the form: its cells (name, label, value, error, column class).
pub struct VatRowView {
    pub n: usize,
    pub cells: Vec<(String, &'static str, String, String, &'static str)>,
}

/// The centre's fields: name, label, kind, help.
const CENTRE: [(&str, &str, &str, &str); 12] = [
    (
        "denominazione",
        "Denominazione",
        "text",
        "Come compare nelle fatture: al più 80 caratteri",
    ),
    ("partita_iva", "Partita IVA", "number", "11 cifre"),
    (
        "codice_fiscale",
        "Codice fiscale",
        "number",
        "11 cifre; identifica anche chi trasmette le fatture",
    ),
    ("indirizzo", "Indirizzo", "text", "Via e numero civico"),
    ("cap", "CAP", "number", "5 cifre"),
    ("comune", "Comune", "text", "La sede del centro"),
    (
        "provincia",
        "Provincia",
        "text",
        "Sigla di due lettere, ad esempio PD",
    ),
    (
        "iban",
        "IBAN per i pagamenti",
        "text",
        "IT e 25 caratteri; gli spazi non contano",
    ),
    ("email", "E-mail", "email", "Facoltativa"),
    ("pec", "PEC", "email", "Facoltativa"),
    ("telefono", "Telefono", "text", "Facoltativo"),
    ("regime", "Regime fiscale", "select", ""),
];

/// VAT rows offered by the form.
const VAT_ROWS: usize = 8;

#[derive(Template)]
#[template(path = "statements/settings.html")]
struct SettingsPage {
    layout: Layout,
    /// The centre's data.
    fields: Vec<Field>,
    v: Vec<(String, String)>,
    vat_rows: Vec<VatRowView>,
    notice: Vec<(String, &'static str)>,
    errors: Vec<(String, String)>,
    flash: Flash,
}

impl SettingsPage {
    fn value(&self, k: &str) -> &str {
        self.v
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    }

    fn error(&self, k: &str) -> &str {
        self.errors
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The form's fields from settings.
fn fields(s: &BillingSettings) -> Vec<(String, String)> {
    let c = &s.centre;
    let mut v: Vec<(String, String)> = [
        ("denominazione", c.name.clone()),
        ("partita_iva", c.vat_number.clone()),
        ("codice_fiscale", c.fiscal_code.clone()),
        ("indirizzo", c.address.clone()),
        ("cap", c.postal_code.clone()),
        ("comune", c.town.clone()),
        ("provincia", c.province.clone()),
        ("email", c.email.clone()),
        ("pec", c.pec.clone()),
        ("telefono", c.phone.clone()),
        ("iban", c.iban.clone()),
        ("regime", c.tax_regime.clone()),
        ("scissione", if s.split_payment { "1" } else { "" }.into()),
        ("lavoro_servizio", s.work_service.clone()),
        ("lavoro_voce", s.work_item.clone()),
        (
            "chiamata",
            s.call_out_fee
                .map(|f| f.to_decimal_string().replace('.', ","))
                .unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for k in billing::deadlines::Kind::ALL {
        v.push((
            format!("preavviso_{}", k.code()),
            s.reminder_days_for(k).to_string(),
        ));
    }
    match s.due {
        DueRule::FixedDate { month, day, days } => {
            v.push(("scadenza_tipo".into(), "data".into()));
            v.push(("scadenza_data".into(), format!("{day:02}/{month:02}")));
            v.push(("scadenza_giorni".into(), days.to_string()));
        }
        DueRule::DaysAfterIssue { days } => {
            v.push(("scadenza_tipo".into(), "giorni".into()));
            v.push(("scadenza_giorni".into(), days.to_string()));
        }
    }
    for (i, r) in s.vat_rules.iter().enumerate() {
        v.push((format!("iva_servizio{i}"), r.service.clone()));
        v.push((format!("iva_voce{i}"), r.item.clone().unwrap_or_default()));
        v.push((
            format!("iva_aliquota{i}"),
            r.rate.clone().unwrap_or_default(),
        ));
        v.push((
            format!("iva_natura{i}"),
            r.natura.clone().unwrap_or_default(),
        ));
        v.push((
            format!("iva_norma{i}"),
            r.reference.clone().unwrap_or_default(),
        ));
    }
    v
}

/// Settings from the form's fields; what cannot be read becomes a field error.
fn read(t: &[(String, String)]) -> (BillingSettings, Vec<(String, String)>) {
    let f = |k: &str| crate::pages::form_reader::field(t, k);
    let mut errors = Vec::new();
    let days = f("scadenza_giorni").parse::<u32>().unwrap_or_else(|_| {
        errors.push((
            "scadenza_giorni".into(),
            "indicare un numero di giorni".into(),
        ));
        30
    });
    let due = if f("scadenza_tipo") == "data" {
        let (d, m) = f("scadenza_data")
            .split_once('/')
            .and_then(|(d, m)| Some((d.trim().parse().ok()?, m.trim().parse().ok()?)))
            .unwrap_or_else(|| {
                errors.push((
                    "scadenza_data".into(),
                    "scrivere giorno e mese, ad esempio 31/01".into(),
                ));
                (31, 1)
            });
        DueRule::FixedDate {
            month: m,
            day: d,
            days,
        }
    } else {
        DueRule::DaysAfterIssue { days }
    };
    let call_out_fee = match f("chiamata") {
        v if v.is_empty() => None,
        v => match Euro::parse(&italian_amount(&v)) {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push((
                    "chiamata".into(),
                    "l'importo va scritto come numero, ad esempio 30,00".into(),
                ));
                None
            }
        },
    };
    let opt = |k: String| Some(f(&k)).filter(|s| !s.is_empty());
    let vat_rules = (0..VAT_ROWS)
        .filter(|i| !f(&format!("iva_servizio{i}")).is_empty())
        .map(|i| VatRule {
            service: f(&format!("iva_servizio{i}")),
            item: opt(format!("iva_voce{i}")),
            rate: opt(format!("iva_aliquota{i}")),
            natura: opt(format!("iva_natura{i}")),
            reference: opt(format!("iva_norma{i}")),
        })
        .collect();
    (
        BillingSettings {
            centre: Centre {
                name: f("denominazione"),
                vat_number: f("partita_iva"),
                fiscal_code: f("codice_fiscale"),
                address: f("indirizzo"),
                postal_code: f("cap"),
                town: f("comune"),
                province: f("provincia").to_uppercase(),
                email: f("email"),
                pec: f("pec"),
                phone: f("telefono"),
                iban: f("iban").to_uppercase(),
                tax_regime: Some(f("regime"))
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| "RF01".into()),
            },
            due,
            split_payment: f("scissione") == "1",
            vat_rules,
            work_service: f("lavoro_servizio"),
            work_item: f("lavoro_voce"),
            call_out_fee,
            renewals: vec![],
            reminder_days: billing::deadlines::Kind::ALL
                .into_iter()
                .filter_map(|k| {
                    let v = f(&format!("preavviso_{}", k.code()));
                    if v.is_empty() {
                        return None;
                    }
                    match v.parse::<u32>() {
                        Ok(d) => Some((k.code().to_owned(), d)),
                        Err(_) => {
                            errors.push((
                                format!("preavviso_{}", k.code()),
                                "un numero di giorni".into(),
                            ));
                            None
                        }
                    }
                })
                .collect(),
        },
        errors,
    )
}

/// The form's name of a settings field (`centre.iban` → `iban`).
fn form_name(field: &str) -> String {
    let simple = match field {
        "centre.name" => "denominazione",
        "centre.vat_number" => "partita_iva",
        "centre.fiscal_code" => "codice_fiscale",
        "centre.postal_code" => "cap",
        "centre.province" => "provincia",
        "centre.iban" => "iban",
        "centre.tax_regime" => "regime",
        "due" => "scadenza_data",
        "due.days" => "scadenza_giorni",
        "work_service" => "lavoro_servizio",
        "call_out_fee" => "chiamata",
        _ => "",
    };
    if !simple.is_empty() {
        return simple.into();
    }
    // vat_rules[2].natura → iva_natura2
    if let Some(rest) = field.strip_prefix("vat_rules[") {
        if let Some((i, name)) = rest.split_once("].") {
            let name = match name {
                "service" => "servizio",
                "rate" => "aliquota",
                "natura" => "natura",
                _ => "norma",
            };
            return format!("iva_{name}{i}");
        }
    }
    field.to_owned()
}

pub async fn form(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    let flash = crate::pages::notice(&s, &sess).await?;
    let (v, errors) = if flash.error.is_empty() {
        (fields(&billing::store::settings(&s.db).await?), vec![])
    } else {
        let errors = flash
            .values
            .iter()
            .filter_map(|(k, m)| k.strip_prefix("!").map(|k| (k.to_owned(), m.clone())))
            .collect();
        (flash.values.clone(), errors)
    };
    let value = |k: &str| {
        v.iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .unwrap_or_default()
    };
    let error = |k: &str| {
        errors
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let fields = CENTRE
        .iter()
        .map(|(name, label, kind, help)| {
            let mut f = Field::new(name, label, kind);
            f.value = value(name);
            f.error = error(name);
            f.help = help;
            f.required = !help.to_lowercase().contains("facoltativ");
            if *name == "regime" {
                f.options = [
                    ("RF01", "RF01 – ordinario"),
                    ("RF02", "RF02 – contribuenti minimi"),
                    ("RF04", "RF04 – agricoltura"),
                    ("RF18", "RF18 – altro"),
                    ("RF19", "RF19 – forfettario"),
                ]
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            }
            f
        })
        .collect();
    let vat_rows = (0..VAT_ROWS)
        .map(|i| VatRowView {
            n: i + 1,
            cells: [
                ("servizio", "Servizio", "col-6 col-md-2"),
                ("voce", "Voce (vuota: tutte)", "col-6 col-md-2"),
                ("aliquota", "Aliquota %", "col-4 col-md-2"),
                ("natura", "oppure natura", "col-8 col-md-2"),
                ("norma", "Norma (con la natura)", "col-12 col-md-4"),
            ]
            .into_iter()
            .map(|(k, label, cls)| {
                let name = format!("iva_{k}{i}");
                (name.clone(), label, value(&name), error(&name), cls)
            })
            .collect(),
        })
        .collect();
    Ok(ok(&SettingsPage {
        layout: Layout::new(
            &s,
            Some(&sess),
            "Impostazioni di fatturazione",
            "billing-settings",
        ),
        fields,
        vat_rows,
        notice: billing::deadlines::Kind::ALL
            .into_iter()
            .map(|k| (format!("preavviso_{}", k.code()), k.label()))
            .collect(),
        v,
        errors,
        flash,
    }))
}

pub async fn save(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(t): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (mut settings, mut errors) = read(&t);
    // The renewal rules are not on the form: kept as stored.
    settings.renewals = billing::store::settings(&s.db).await?.renewals;
    // What the form could not read and what the settings refuse, all at once.
    errors.extend(
        settings
            .check()
            .into_iter()
            .map(|e| (form_name(&e.field), e.message)),
    );
    if errors.is_empty() {
        match billing::store::put_settings(&s.db, &sess.actor(), &settings, None).await {
            Ok(_) => {
                return back_with(
                    &s,
                    &sess,
                    "/billing/settings",
                    Flash::saved("Impostazioni salvate."),
                )
                .await
            }
            Err(billing::BillingError::Invalid(fs)) => {
                errors.extend(fs.into_iter().map(|e| (form_name(&e.field), e.message)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut values: Vec<(String, String)> = t.into_iter().filter(|(k, _)| k != "_csrf").collect();
    values.extend(errors.iter().map(|(k, m)| (format!("!{k}"), m.clone())));
    let flash = Flash {
        error: format!(
            "Impostazioni non salvate: {} da correggere.",
            if errors.len() == 1 {
                "un campo".to_owned()
            } else {
                format!("{} campi", errors.len())
            }
        ),
        values,
        ..Default::default()
    };
    back_with(&s, &sess, "/billing/settings", flash).await
}
