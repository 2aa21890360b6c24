use reqwest::Method;
use serde_json::json;
use testkit::{backends, spawn_app, Backend};

backends!(
    membership_fee_by_preset_and_year,
    bad_membership_rules_change_nothing,
    a_unique_violation_is_a_conflict_on_its_field
);

async fn membership_fee_by_preset_and_year(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let (_, e) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Mezzo", "population": 7500, "population_date": "2023-01-01", "workstations": 30}),
        )
        .await;
    let id = e["id"].as_i64().unwrap();
    let (_, other) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune Grande", "workstations": 10}),
        )
        .await;
    let fee_path = |y: i32| format!("/api/v1/entities/{id}/membership-fee?year={y}");

    let (s, p) = api.get(&fee_path(2026)).await;
    assert_eq!(s, 404, "no rule yet: {p}");
    assert!(p["detail"].as_str().unwrap().contains("nessuna regola"));

    let (s, r) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "padova", "valid_from_year": 2025}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, f) = api.get(&fee_path(2026)).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["amount"], "1250.00");
    assert_eq!(f["currency"], "EUR");
    assert_eq!(f["lines"][0]["text"], "5.000 ab. × € 0,20 = € 1.000,00");
    assert_eq!(f["lines"][1]["amount"], "250.00");
    assert_eq!(f["rule"]["preset"], "padova");

    // A new rule from 2027 leaves 2026 as it was.
    let (s, _) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "pesaro-urbino", "valid_from_year": 2027}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(api.get(&fee_path(2026)).await.1["amount"], "1250.00");
    assert_eq!(api.get(&fee_path(2027)).await.1["amount"], "3300.00");
    assert_eq!(api.get(&fee_path(2024)).await.0, 404);

    // Lecco: fixed costs shared by workstations (30 of 40).
    let (s, _) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "lecco", "fixed_costs": "100000.00", "valid_from_year": 2028}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(api.get(&fee_path(2028)).await.1["amount"], "75000.00");
    let oid = other["id"].as_i64().unwrap();
    let (_, f) = api
        .get(&format!("/api/v1/entities/{oid}/membership-fee?year=2028"))
        .await;
    assert_eq!(f["amount"], "25000.00");
    // Without a population, a per-inhabitant fee cannot be computed: said so.
    let (s, p) = api
        .get(&format!("/api/v1/entities/{oid}/membership-fee?year=2027"))
        .await;
    assert_eq!(s, 422);
    assert!(p["detail"].as_str().unwrap().contains("popolazione"), "{p}");

    // A full rule document works as well as a preset.
    let (s, r) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"valid_from_year": 2029, "model": "bands", "bands": [
                {"from": 0, "to": 5000, "amount": "500.00"}, {"from": 5001, "to": null, "amount": "900.00"}]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(api.get(&fee_path(2029)).await.1["amount"], "900.00");
    let (_, rule) = api.get("/api/v1/membership-fee-rule?year=2029").await;
    assert_eq!(rule["rule"]["model"], "bands");

    // A contact of the entity reads its fee; cannot change the rule.
    let contact = app.user("referente", "contact", &[id]).await;
    let capi = app.api(&contact).await;
    assert_eq!(capi.get(&fee_path(2026)).await.1["amount"], "1250.00");
    let (s, _) = capi
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "macerata"}),
        )
        .await;
    assert_eq!(s, 403);
}

async fn bad_membership_rules_change_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let (s, _) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "padova", "valid_from_year": 2026}),
        )
        .await;
    assert_eq!(s, 200);
    for (body, needle) in [
        (
            json!({"preset": "verona", "valid_from_year": 2026}),
            "sconosciuto",
        ),
        (
            json!({"preset": "lecco", "valid_from_year": 2026}),
            "costi fissi",
        ),
        (
            json!({"preset": "lecco", "fixed_costs": "tanti", "valid_from_year": 2026}),
            "fixed_costs",
        ),
        (
            json!({"preset": "padova", "colour": "red", "valid_from_year": 2026}),
            "colour",
        ),
        (
            json!({"valid_from_year": 2026, "model": "bands", "bands": [
            {"from": 0, "to": 499, "amount": "150.00"}, {"from": 501, "to": null, "amount": "960.00"}]}),
            "manca la fascia per 500 abitanti",
        ),
        (
            json!({"valid_from_year": 2026, "model": "pyramid"}),
            "valore «pyramid» non ammesso",
        ),
        (
            json!({"preset": "padova", "valid_from_year": 1850}),
            "anno 1850",
        ),
    ] {
        let (s, p) = api
            .send_json(Method::PUT, "/api/v1/membership-fee-rule", body.clone())
            .await;
        assert!(s == 422 || s == 400, "{body}: {s} {p}");
        assert!(
            p["detail"].as_str().unwrap().contains(needle),
            "{body}: {p}"
        );
    }
    let (_, rule) = api.get("/api/v1/membership-fee-rule?year=2026").await;
    assert_eq!(rule["preset"], "padova", "nothing changed");
    assert_eq!(api.get("/api/v1/membership-fee-rule?year=abc").await.0, 400);
}

/// A unique violation that slipped past the checks (two admins at once) is a conflict naming
/// the field, in Italian, never a 500 with the database's English.
async fn a_unique_violation_is_a_conflict_on_its_field(b: Backend) {
    let app = spawn_app(b).await;
    let insert = || {
        sqlx::query(
            "INSERT INTO membership_fee_rules (valid_from_year, rule_json, created_at, updated_at) \
             VALUES (2031, '{}', 'x', 'x')",
        )
        .execute(app.db.pool())
    };
    insert().await.unwrap();
    let e = insert().await.unwrap_err();
    let api = web::error::ApiError::from(catalog::CatalogError::Db(e));
    assert_eq!((api.status.as_u16(), api.code), (409, "already_exists"));
    assert_eq!(api.errors[0].field, "valid_from_year");
    assert!(api.detail.starts_with("esiste già"), "{}", api.detail);
}
