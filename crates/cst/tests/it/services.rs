//! The service catalogue, price lists, agreements and quotes, through the API.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, TestApp};

backends!(
    catalogue_cards_and_quotes,
    price_lists_are_versioned_and_frozen_once_used,
    agreements_from_draft_to_renewal,
    service_cards_are_checked_and_versioned
);

async fn setup(app: &TestApp) -> (Api, i64) {
    catalog::store::load_padova_catalogue(&app.db, &kernel::Actor::system("t"))
        .await
        .unwrap();
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let (s, e) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Mezzo", "population": 7500, "population_date": "2023-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    (api, e["id"].as_i64().unwrap())
}

async fn sign(api: &Api, id: i64, start: &str, years: u32) -> Value {
    let (s, a) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/agreements"),
            json!({"start_date": start, "term_years": years, "number": "7/2024", "signed": true}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    a
}

fn quote(service: &str, entity: i64, quantity: u32, activation: &str, year: i32) -> Value {
    json!({"service": service, "entity_id": entity, "quantity": quantity,
           "activation_date": activation, "year": year})
}

async fn catalogue_cards_and_quotes(b: Backend) {
    let app = spawn_app(b).await;
    let (api, id) = setup(&app).await;

    let (s, list) = api.get("/api/v1/services").await;
    assert_eq!(s, 200);
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=20).map(|n| format!("PD{n:02}")).collect();
    assert_eq!(codes, expected);

    let (s, card) = api.get("/api/v1/services/PD09").await;
    assert_eq!(s, 200, "{card}");
    assert_eq!(card["name"], "Sistema informativo bibliotecario");
    assert_eq!(card["category"], "intermediate");
    assert!(card["description"].as_str().unwrap().contains("Clavis NG"));
    assert_eq!(card["fees"][0]["code"], "postazione");
    assert_eq!(
        card["fees"][0]["components"][0]["price"]["amount"],
        "265.00"
    );
    let (_, pd03) = api.get("/api/v1/services/PD03").await;
    assert_eq!(pd03["delivery_time"], json!({"days": 7, "kind": "working"}));
    let (s, p) = api.get("/api/v1/services/PD99").await;
    assert_eq!(s, 404);
    assert!(p["detail"].as_str().unwrap().contains("PD99"));

    // No agreement: the entity cannot be charged, so no quote.
    let (s, p) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD09", id, 3, "2026-03-01", 2027),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("convenzione"), "{p}");

    sign(&api, id, "2024-01-01", 5).await;
    // The issue's example: PD09, 3 users from 1 March 2026, the 2027 amount.
    let (s, q) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD09", id, 3, "2026-03-01", 2027),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    assert_eq!(q["amount"], "600.00");
    assert_eq!(q["currency"], "EUR");
    assert_eq!(q["service_year"], 2);
    assert_eq!(q["pricing_date"], "2027-01-01");
    assert_eq!(q["lines"][0]["amount"], "0.00");
    assert_eq!(
        q["lines"][1]["text"],
        "Gestione: manutenzione, assistenza e aggiornamento (annuo dal 2° anno): 3 utenti × € 200,00 = € 600,00"
    );
    let (_, q1) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD09", id, 3, "2026-03-01", 2026),
        )
        .await;
    assert_eq!(q1["amount"], "795.00");

    // Other shapes, end to end.
    for (body, amount) in [
        (
            json!({"service": "PD05", "entity_id": id, "activation_date": "2026-11-30"}),
            "100.00",
        ),
        (
            json!({"service": "PD11", "item": "pec-dominio", "entity_id": id, "quantity": 11, "activation_date": "2026-02-01"}),
            "180.00",
        ),
        (
            json!({"service": "PD19", "entity_id": id, "activation_date": "2026-02-01", "year": 2028}),
            "576.00",
        ),
        (
            json!({"service": "PD16", "entity_id": id, "activation_date": "2026-02-01", "year": 2027}),
            "500.00",
        ),
        (
            json!({"service": "PD01", "entity_id": id, "activation_date": "2026-02-01"}),
            "0.00",
        ),
    ] {
        let (s, q) = api
            .send_json(Method::POST, "/api/v1/price-quotes", body.clone())
            .await;
        assert_eq!(s, 201, "{body}: {q}");
        assert_eq!(q["amount"], amount, "{body}: {q}");
    }
    let (_, hosting) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            json!({"service": "PD10", "entity_id": id, "activation_date": "2026-02-01"}),
        )
        .await;
    assert_eq!(hosting["on_quotation"], true);

    // Wrong requests: each says what is wrong, and nothing is stored.
    let stored = count(&app, "price_quotes").await;
    for (body, status, needle) in [
        (
            quote("PD09", id, 3, "2027-03-01", 2026),
            422,
            "non è ancora attivo",
        ),
        (
            json!({"service": "PD09", "item": "oro", "entity_id": id, "activation_date": "2026-03-01"}),
            422,
            "«oro»",
        ),
        (quote("PD99", id, 1, "2026-03-01", 2026), 404, "PD99"),
        (
            json!({"service": "PD09", "entity_id": id}),
            422,
            "activation_date",
        ),
        (
            json!({"service": "PD09", "entity_id": id, "activation_date": "1 marzo"}),
            422,
            "dati non validi",
        ),
        (quote("PD09", id, 1, "2026-03-01", 2200), 400, "anno"),
        (quote("PD09", id + 1000, 1, "2026-03-01", 2026), 404, ""),
        // Before the agreement started.
        (quote("PD09", id, 1, "2023-06-01", 2023), 422, "convenzione"),
    ] {
        let (s, p) = api
            .send_json(Method::POST, "/api/v1/price-quotes", body.clone())
            .await;
        assert_eq!(s, status, "{body}: {p}");
        assert!(
            p["detail"].as_str().unwrap_or("").contains(needle),
            "{body}: {p}"
        );
    }
    assert_eq!(count(&app, "price_quotes").await, stored);

    // A contact quotes for their own entity only.
    let other = app.entity("Comune Altro", None).await;
    let contact = app.user("referente", "contact", &[id]).await;
    let capi = app.api(&contact).await;
    // Their quote is a preview: figures, but nothing kept and the list not frozen by it.
    let kept = count(&app, "price_quotes").await;
    let (s, q) = capi
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD13", id, 10, "2026-05-01", 2026),
        )
        .await;
    assert_eq!(s, 200, "{q}");
    assert_eq!(q["amount"], "150.00");
    assert_eq!(
        (q["id"].is_null(), q["kept"].as_bool()),
        (true, Some(false))
    );
    assert_eq!(count(&app, "price_quotes").await, kept);
    // Quantities are bounded, for everybody; a date that does not exist is named.
    for (body, field, needle) in [
        (
            quote("PD13", id, 0, "2026-05-01", 2026),
            "quantity",
            "da 1 a 1.000.000",
        ),
        (
            quote("PD13", id, 4_294_967_295, "2026-05-01", 2026),
            "quantity",
            "da 1 a 1.000.000",
        ),
        (
            json!({"service": "PD13", "entity_id": id, "quantity": 1, "activation_date": "2026-02-30"}),
            "activation_date",
            "data non valida",
        ),
        (
            json!({"service": "PD13", "entity_id": id, "quantity": -1, "activation_date": "2026-02-01"}),
            "quantity",
            "fuori dall'intervallo",
        ),
    ] {
        for who in [&capi, &api] {
            let (s, p) = who
                .send_json(Method::POST, "/api/v1/price-quotes", body.clone())
                .await;
            assert_eq!(s, 422, "{p}");
            assert_eq!(p["errors"][0]["field"], field, "{p}");
            assert!(p["detail"].as_str().unwrap().contains(needle), "{p}");
        }
    }
    assert_eq!(count(&app, "price_quotes").await, kept);
    let (s, _) = capi
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD13", other.id, 10, "2026-05-01", 2026),
        )
        .await;
    assert_eq!(s, 404);
    let supplier = app.user("fornitore", "supplier", &[id]).await;
    let (s, _) = app
        .api(&supplier)
        .await
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD13", id, 10, "2026-05-01", 2026),
        )
        .await;
    assert_eq!(s, 403);
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn price_lists_are_versioned_and_frozen_once_used(b: Backend) {
    let app = spawn_app(b).await;
    let (api, id) = setup(&app).await;
    sign(&api, id, "2024-01-01", 5).await;
    let (_, lists) = api.get("/api/v1/price-lists").await;
    let old_id = lists["items"][0]["id"].as_i64().unwrap();
    let (s, old) = api.get(&format!("/api/v1/price-lists/{old_id}")).await;
    assert_eq!(s, 200);
    assert_eq!(old["uses"], 0);
    assert_eq!(old["valid_to"], Value::Null);

    // Unused: it can still be edited (here, a name change).
    let mut edit = old.clone();
    edit["name"] = json!("Listino 2020, rivisto");
    for k in ["id", "uses"] {
        edit.as_object_mut().unwrap().remove(k);
    }
    let (s, e) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/price-lists/{old_id}"),
            edit.clone(),
        )
        .await;
    assert_eq!(s, 200, "{e}");

    // A quote uses it: from now on it is frozen.
    let (s, q) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD09", id, 3, "2026-03-01", 2026),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    assert_eq!(q["price_list_id"], old_id);
    edit["version"] = e["version"].clone();
    edit["name"] = json!("Ritocco");
    let (s, p) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/price-lists/{old_id}"),
            edit.clone(),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("nuovo listino"),
        "{p}"
    );

    // The way forward: a new list from 2027 with PD09 at € 220 a year.
    let mut new = old.clone();
    new["name"] = json!("Listino 2027");
    new["valid_from"] = json!("2027-01-01");
    for item in new["items"].as_array_mut().unwrap() {
        if item["service"] == "PD09" && item["code"] == "postazione" {
            item["components"][1]["price"]["amount"] = json!("220.00");
        }
    }
    for k in ["id", "uses", "version"] {
        new.as_object_mut().unwrap().remove(k);
    }
    let (s, created) = api
        .send_json(Method::POST, "/api/v1/price-lists", new.clone())
        .await;
    assert_eq!(s, 201, "{created}");
    let (_, old_now) = api.get(&format!("/api/v1/price-lists/{old_id}")).await;
    assert_eq!(old_now["valid_to"], "2026-12-31");
    assert_eq!(
        old_now["items"], old["items"],
        "the used list's prices are untouched"
    );

    let (_, q27) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD09", id, 3, "2026-03-01", 2027),
        )
        .await;
    assert_eq!(q27["amount"], "660.00");
    assert_eq!(q27["price_list_id"], created["id"]);
    let (_, q26) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD09", id, 3, "2026-03-01", 2026),
        )
        .await;
    assert_eq!(q26["amount"], "795.00", "last year's figure does not move");
    assert_eq!(q26["price_list_id"], old_id);

    // Refused lists change nothing.
    let before = count(&app, "price_lists").await;
    let mut bad_date = new.clone();
    bad_date["valid_from"] = json!("2027-02-30");
    let (s, p) = api
        .send_json(Method::POST, "/api/v1/price-lists", bad_date)
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("valid_from")),
        "{p}"
    );
    let mut overlap = new.clone();
    overlap["valid_from"] = json!("2026-06-01");
    overlap["valid_to"] = json!("2027-06-01");
    let (s, p) = api
        .send_json(Method::POST, "/api/v1/price-lists", overlap)
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("si sovrappone"),
        "{p}"
    );
    let mut gap = new.clone();
    gap["valid_from"] = json!("2030-01-01");
    gap["items"] = json!([{"service": "PD06", "code": "sito", "label": "Sito per fascia",
        "components": [{"label": "Canone", "when": "yearly", "price": {"kind": "bands", "unit": "inhabitant",
        "bands": [{"from": 0, "to": 3000, "amount": "900.00"}, {"from": 3500, "to": null, "amount": "2000.00"}]}}]}]);
    let (s, p) = api
        .send_json(Method::POST, "/api/v1/price-lists", gap.clone())
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("manca la fascia da 3001 a 3499"),
        "{p}"
    );
    gap["items"][0]["service"] = json!("ZZ9");
    gap["items"][0]["components"][0]["price"]["bands"][1]["from"] = json!(3001);
    let (s, p) = api
        .send_json(Method::POST, "/api/v1/price-lists", gap)
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(p.to_string().contains("ZZ9 non è nel catalogo"), "{p}");
    let (s, _) = api
        .send_json(
            Method::POST,
            "/api/v1/price-lists",
            json!({"name": "x", "valid_from": "ieri", "items": []}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(count(&app, "price_lists").await, before);

    // Only admins write price lists.
    let op = app.user("operatore", "operator", &[]).await;
    let (s, _) = app
        .api(&op)
        .await
        .send_json(Method::POST, "/api/v1/price-lists", new)
        .await;
    assert_eq!(s, 403);
}

async fn agreements_from_draft_to_renewal(b: Backend) {
    let app = spawn_app(b).await;
    let (api, id) = setup(&app).await;
    let path = format!("/api/v1/entities/{id}/agreements");
    // A date that does not exist is named, in Italian (serde said "input is out of range").
    for bad in ["2024-02-30", "2024-13-01", "01/02/2024"] {
        let (s, p) = api
            .send_json(
                Method::POST,
                &path,
                json!({"start_date": bad, "term_years": 3}),
            )
            .await;
        assert_eq!(
            (s, p["errors"][0]["field"].as_str()),
            (422, Some("start_date")),
            "{p}"
        );
        assert!(
            p["detail"].as_str().unwrap().contains("data non valida"),
            "{p}"
        );
    }
    let (s, d) = api
        .send_json(
            Method::POST,
            &path,
            json!({"start_date": "2024-01-01", "term_years": 3}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["state"], "draft");
    assert_eq!(d["end_date"], "2026-12-31");
    assert_eq!(d["in_force"], false);
    let aid = d["id"].as_i64().unwrap();
    // A draft gives no access.
    let (s, _) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD07", id, 1, "2025-03-01", 2025),
        )
        .await;
    assert_eq!(s, 422);

    // Field errors all at once.
    let (s, p) = api
        .send_json(Method::POST, &path, json!({"term_years": 40}))
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["start_date", "term_years"]);

    // Sign it: in force, and quotes work.
    let (s, a) = api
        .send_json(
            Method::PATCH,
            &format!("{path}/{aid}"),
            json!({"status": "signed", "signed_on": "2023-12-20", "version": d["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(a["signed_on"], "2023-12-20");
    assert!(["active", "expiring", "expired"].contains(&a["state"].as_str().unwrap()));
    let (s, _) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD07", id, 1, "2025-03-01", 2025),
        )
        .await;
    assert_eq!(s, 201);
    // A signed agreement's terms do not change; a stale version is refused.
    let (s, p) = api
        .send_json(
            Method::PATCH,
            &format!("{path}/{aid}"),
            json!({"term_years": 5}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    let (s, _) = api
        .send_json(
            Method::PATCH,
            &format!("{path}/{aid}"),
            json!({"notes": "x", "version": 1}),
        )
        .await;
    assert_eq!(s, 409);
    // No second signed agreement over the same days.
    let (s, p) = api
        .send_json(
            Method::POST,
            &path,
            json!({"start_date": "2026-01-01", "term_years": 5, "signed": true}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("si sovrappone"),
        "{p}"
    );

    // Renewal: a draft from the day after the end, same term; only once.
    let (s, r) = api
        .send_json(Method::POST, &format!("{path}/{aid}/renew"), json!({}))
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["start_date"], "2027-01-01");
    assert_eq!(r["end_date"], "2029-12-31");
    assert_eq!(r["renews_id"], aid);
    assert_eq!(r["state"], "draft");
    let (s, _) = api
        .send_json(Method::POST, &format!("{path}/{aid}/renew"), json!({}))
        .await;
    assert_eq!(s, 409);

    // Termination: in force up to its last day, not after.
    let (s, t) = api
        .send_json(Method::PATCH, &format!("{path}/{aid}"), json!({"status": "terminated", "terminated_on": "2025-06-30", "termination_reason": "recesso"}))
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["state"], "terminated");
    let (s, _) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD07", id, 1, "2025-06-30", 2025),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            quote("PD07", id, 1, "2025-07-01", 2025),
        )
        .await;
    assert_eq!(s, 422);

    let (s, list) = api.get(&path).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let (s, one) = api.get(&format!("{path}/{aid}")).await;
    assert_eq!(s, 200);
    assert_eq!(one["termination_reason"], "recesso");

    // The entity's contact reads them but does not write them.
    let contact = app.user("referente", "contact", &[id]).await;
    let capi = app.api(&contact).await;
    assert_eq!(capi.get(&path).await.0, 200);
    let (s, _) = capi
        .send_json(
            Method::POST,
            &path,
            json!({"start_date": "2030-01-01", "term_years": 3}),
        )
        .await;
    assert_eq!(s, 403);
    // Every change is in the audit chain.
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE object_type = 'agreement'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(audited, 4);
}

async fn service_cards_are_checked_and_versioned(b: Backend) {
    let app = spawn_app(b).await;
    let (api, _) = setup(&app).await;
    let card = json!({"name": "Sito web per fascia", "category": "intermediate",
        "description": "Sito istituzionale, canone per dimensione dell'ente.",
        "delivery_time": {"days": 30, "kind": "calendar"}});
    let (s, c) = api
        .send_json(Method::PUT, "/api/v1/services/LC-WEB", card.clone())
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["active"], true);
    assert_eq!(c["version"], 1);
    let mut off = card.clone();
    off["active"] = json!(false);
    off["version"] = json!(1);
    let (s, c) = api
        .send_json(Method::PUT, "/api/v1/services/LC-WEB", off.clone())
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["active"], false);
    let (s, _) = api
        .send_json(Method::PUT, "/api/v1/services/LC-WEB", off)
        .await;
    assert_eq!(s, 409, "stale version");
    // Inactive services leave the default listing.
    let (_, list) = api.get("/api/v1/services").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 20);
    let (_, all) = api.get("/api/v1/services?include_inactive=true").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 21);

    let (s, p) = api
        .send_json(
            Method::PUT,
            "/api/v1/services/pd-bad!",
            json!({"name": "", "category": "base", "description": ""}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "name", "description"]);
    let (s, p) = api
        .send_json(
            Method::PUT,
            "/api/v1/services/PD01",
            json!({"name": "x", "category": "premium", "description": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (_, pd01) = api.get("/api/v1/services/PD01").await;
    assert_eq!(pd01["name"], "Helpdesk");
}

backends!(typed_bodies_refuse_what_they_could_not_store_faithfully);

/// Found by attacking the typed bodies: each of these was accepted and stored wrongly, or
/// refused with the wrong words.
async fn typed_bodies_refuse_what_they_could_not_store_faithfully(b: Backend) {
    let app = spawn_app(b).await;
    let (api, id) = setup(&app).await;
    let field = |p: &Value| p["errors"][0]["field"].as_str().unwrap_or("").to_owned();
    // A population of 1.5 read as 15 (the dot groups thousands in the form parser).
    let (s, p) = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{id}"),
            json!({"population": 1.5}),
        )
        .await;
    assert_eq!((s, field(&p).as_str()), (422, "population"), "{p}");
    let (_, e) = api.get(&format!("/api/v1/entities/{id}")).await;
    assert_eq!(e["population"], 7500);
    // A name or a kind cannot be cleared.
    let (s, p) = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{id}"),
            json!({"kind": null}),
        )
        .await;
    assert_eq!((s, field(&p).as_str()), (422, "kind"), "{p}");
    // A typo in the membership rule replaced this year's rule silently.
    let (s, _) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "padova", "valid_from_year": 2026}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, p) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"model": "per_inhabitant", "rate": "0.15", "valid_from": 2027}),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("valid_from"), "{p}");
    let (s, p) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"model": "bands", "bands": "tutte"}),
        )
        .await;
    // (Inside a rule tagged by `model` serde cannot say the path; the message says what.)
    assert_eq!(s, 422, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("serve un elenco"),
        "{p}"
    );
    let (_, rule) = api.get("/api/v1/membership-fee-rule?year=2026").await;
    assert_eq!(rule["preset"], "padova", "nothing changed");
    // An unknown key inside a price (`capp` for `cap`) was dropped.
    let (_, lists) = api.get("/api/v1/price-lists").await;
    let list_id = lists["items"][0]["id"].as_i64().unwrap();
    let (_, list) = api.get(&format!("/api/v1/price-lists/{list_id}")).await;
    let mut body = json!({"name": list["name"], "valid_from": list["valid_from"],
        "valid_to": list["valid_to"], "items": list["items"], "version": list["version"]});
    let (i, c) = (0..body["items"].as_array().unwrap().len())
        .find_map(|i| {
            (0..body["items"][i]["components"].as_array().unwrap().len())
                .find(|c| body["items"][i]["components"][*c]["price"].is_object())
                .map(|c| (i, c))
        })
        .unwrap();
    body["items"][i]["components"][c]["price"]["capp"] = json!("50.00");
    let (s, p) = api
        .send_json(Method::PUT, &format!("/api/v1/price-lists/{list_id}"), body)
        .await;
    assert_eq!(s, 422, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("capp"), "{p}");
    // A number for an enum is a wrong field (422 naming it), not broken JSON.
    let (s, p) = api
        .send_json(
            Method::PUT,
            "/api/v1/services/PD01",
            json!({"name": "x", "category": 3, "description": "y"}),
        )
        .await;
    assert_eq!((s, field(&p).as_str()), (422, "category"), "{p}");
    // A repeated field and a wrong query parameter are said in Italian, naming them.
    let r = api
        .request(Method::POST, "/api/v1/tickets")
        .header("content-type", "application/json")
        .body(r#"{"entity_id": 1, "entity_id": 2}"#)
        .send()
        .await
        .unwrap();
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("campo «entity_id» ripetuto"),
        "{p}"
    );
    let (s, p) = api.get("/api/v1/tickets?limit=abc").await;
    assert_eq!(s, 400);
    assert_eq!(
        p["detail"], "parametro «limit» non valido: serve un numero intero",
        "{p}"
    );
    // A media type that only starts like JSON is not JSON.
    let r = api
        .request(Method::POST, "/api/v1/tickets")
        .header("content-type", "application/jsonx")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
}
