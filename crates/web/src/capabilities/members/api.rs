//! `/api/v1/entities`: the member registry.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use members::{store, Contact, ContactDraft, Entity, EntityDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{present, ApiJson, PathId, Scalar};
use crate::api::query;
use crate::auth::{ApiAdmin, ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

/// A member entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityOut {
    pub id: i64,
    pub name: String,
    /// comune | unione_comuni | unione_montana | biblioteca | ente_parco | altro
    pub kind: String,
    pub istat_code: Option<String>,
    pub cadastral_code: Option<String>,
    pub tax_code: Option<String>,
    pub ipa_code: Option<String>,
    /// Codice univoco ufficio (FatturaPA).
    pub office_code: Option<String>,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub province: String,
    pub pec: Option<String>,
    pub population: Option<u32>,
    /// The date the population figure refers to (YYYY-MM-DD).
    pub population_date: Option<String>,
    pub workstations: u32,
    pub servers: u32,
    pub notes: String,
    /// Increases at every change; send it back in a PATCH to refuse lost updates.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Entity> for EntityOut {
    fn from(e: Entity) -> Self {
        let d = e.data;
        let s = |v: Option<&str>| v.map(str::to_owned);
        Self {
            id: e.id,
            name: d.name,
            kind: d.kind.code().into(),
            istat_code: s(d.istat_code.as_ref().map(|c| c.as_str())),
            cadastral_code: s(d.cadastral_code.as_ref().map(|c| c.as_str())),
            tax_code: s(d.tax_code.as_ref().map(|c| c.as_str())),
            ipa_code: s(d.ipa_code.as_ref().map(|c| c.as_str())),
            office_code: s(d.office_code.as_ref().map(|c| c.as_str())),
            address: d.address,
            postal_code: d.postal_code,
            city: d.city,
            province: d.province,
            pec: s(d.pec.as_ref().map(|c| c.as_str())),
            population: d.population.map(|p| p.get()),
            population_date: d.population_date.map(|p| p.to_string()),
            workstations: d.workstations,
            servers: d.servers,
            notes: d.notes,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Declares [`EntityIn`] from one list of fields, each with its documented type; every field
/// reaches the model as text, which checks them all at once.
macro_rules! entity_in {
    ($($(#[$doc:meta])* $field:ident: $ty:ty,)*) => {
        /// Fields of an entity to create (name required) or to change (any subset). `null`
        /// clears a field.
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct EntityIn {
            $(
                $(#[$doc])*
                #[serde(default, deserialize_with = "present")]
                #[schema(value_type = Option<$ty>, nullable)]
                $field: Option<Option<Scalar>>,
            )*
            /// In a PATCH: the version read; the change is refused (409) if the entity changed
            /// since.
            version: Option<i64>,
        }

        impl EntityIn {
            /// The fields the body carries, as text (`null`: empty).
            fn fields(self) -> Vec<(String, String)> {
                let mut out = Vec::new();
                $(
                    if let Some(v) = self.$field {
                        out.push((stringify!($field).to_owned(), v.map(|s| s.0).unwrap_or_default()));
                    }
                )*
                out
            }
            #[cfg(test)]
            fn names() -> Vec<&'static str> {
                vec![$(stringify!($field)),*]
            }
        }
    };
}

impl EntityIn {
    /// `null` clears a field, but a name and a kind cannot be cleared.
    fn required_kept(&self) -> Result<(), ApiError> {
        let cleared: Vec<crate::error::ProblemField> = [("name", &self.name), ("kind", &self.kind)]
            .into_iter()
            .filter(|(_, v)| matches!(v, Some(None)))
            .map(|(f, _)| crate::error::ProblemField {
                field: f.into(),
                message: "campo obbligatorio: non può essere cancellato (null)".into(),
                line: None,
            })
            .collect();
        if cleared.is_empty() {
            Ok(())
        } else {
            Err(ApiError::fields(cleared))
        }
    }
}

entity_in! {
    name: String,
    /// comune | unione_comuni | unione_montana | biblioteca | ente_parco | altro
    kind: String,
    /// Six digits, comuni only.
    istat_code: String,
    /// Codice catastale (Belfiore), e.g. G224.
    cadastral_code: String,
    /// Codice fiscale, 11 digits with its check digit.
    tax_code: String,
    /// Code in the Indice PA.
    ipa_code: String,
    /// Codice univoco ufficio (FatturaPA).
    office_code: String,
    address: String,
    postal_code: String,
    city: String,
    /// Two-letter sigla, e.g. PD.
    province: String,
    pec: String,
    population: u32,
    /// The date the population figure refers to (YYYY-MM-DD).
    population_date: String,
    workstations: u32,
    servers: u32,
    notes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityList {
    pub items: Vec<EntityOut>,
    /// How many entities match, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Part of the name, the city or the ISTAT code.
    q: Option<String>,
    /// Only this kind.
    kind: Option<String>,
    /// Page size, 1–1000 (default 100).
    limit: Option<i64>,
    offset: Option<i64>,
}

/// The entities the caller may see.
#[utoipa::path(get, path = "/api/v1/entities", tag = "entities", params(ListParams),
    security(("bearer" = [])),
    responses((status = 200, body = EntityList), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<EntityList>, ApiError> {
    let p: ListParams = query(raw.as_deref())?;
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(
            kernel::EntityKind::parse(k)
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.0))?,
        ),
        None => None,
    };
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let offset = p.offset.unwrap_or(0).max(0);
    let page = store::list(
        &s.db,
        &caller.actor(),
        &store::ListQuery {
            q: p.q.unwrap_or_default(),
            kind,
            limit,
            offset,
            ..Default::default()
        },
    )
    .await?;
    Ok(Json(EntityList {
        items: page.items.into_iter().map(EntityOut::from).collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// One entity.
#[utoipa::path(get, path = "/api/v1/entities/{id}", tag = "entities",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = EntityOut), (status = 404, body = Problem, description = "no such entity, or outside the caller's scope")))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<EntityOut>, ApiError> {
    let e = store::get(&s.db, &caller.actor(), id).await?;
    Ok(Json(e.into()))
}

/// Creates an entity (staff only).
#[utoipa::path(post, path = "/api/v1/entities", tag = "entities", request_body = EntityIn,
    security(("bearer" = [])),
    responses((status = 201, body = EntityOut), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    ApiJson(i): ApiJson<EntityIn>,
) -> Result<Response, ApiError> {
    i.required_kept()?;
    let mut draft = EntityDraft::default();
    for (k, v) in i.fields() {
        if let Some(f) = draft.field_mut(&k) {
            *f = v;
        }
    }
    let input = draft.parse().map_err(members::MembersError::Invalid)?;
    let e = store::create(&s.db, &user.actor(), &input).await?;
    let location = format!("/api/v1/entities/{}", e.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(EntityOut::from(e)),
    )
        .into_response())
}

/// Changes some fields of an entity (staff only; others get 403 on their own entities).
#[utoipa::path(patch, path = "/api/v1/entities/{id}", tag = "entities", request_body = EntityIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = EntityOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(i): ApiJson<EntityIn>,
) -> Result<Json<EntityOut>, ApiError> {
    let actor = caller.actor();
    // Scope before the values: an entity the caller cannot see is "not found" whatever the
    // fields say (a body that is not even well formed is refused first: it names nothing).
    store::get(&s.db, &actor, id).await?;
    i.required_kept()?;
    let version = i.version;
    let e = store::patch(&s.db, &actor, id, version, &i.fields()).await?;
    Ok(Json(e.into()))
}

/// A contact person of an entity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub entity_id: i64,
    pub full_name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub is_primary: bool,
}

impl From<Contact> for ContactOut {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id,
            entity_id: c.entity_id,
            full_name: c.data.full_name,
            role: c.data.role,
            email: c.data.email,
            phone: c.data.phone,
            is_primary: c.data.is_primary,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    full_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    is_primary: bool,
}

/// The contacts of an entity.
#[utoipa::path(get, path = "/api/v1/entities/{id}/contacts", tag = "entities",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = Vec<ContactOut>), (status = 404, body = Problem)))]
pub async fn contacts(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Vec<ContactOut>>, ApiError> {
    let list = store::contacts(&s.db, &caller.actor(), id).await?;
    Ok(Json(list.into_iter().map(ContactOut::from).collect()))
}

/// Adds a contact to an entity (staff only).
#[utoipa::path(post, path = "/api/v1/entities/{id}/contacts", tag = "entities", request_body = ContactIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = ContactOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contact(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(c): ApiJson<ContactIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    store::get(&s.db, &actor, id).await?;
    let draft = ContactDraft {
        full_name: c.full_name,
        role: c.role,
        email: c.email,
        phone: c.phone,
        is_primary: if c.is_primary {
            "1".into()
        } else {
            String::new()
        },
    };
    let c = store::add_contact(&s.db, &actor, id, &draft).await?;
    Ok((StatusCode::CREATED, Json(ContactOut::from(c))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `cst` (our CSV format, see docs/import-format.md) or `istat` (ISTAT's list of comuni,
    /// joined with the population figures shipped with cst).
    format: Option<String>,
    /// With `istat`: only the comuni of this province (two-letter sigla, e.g. PD).
    province: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// Imports entities from a CSV body (admin only): all rows or none; every bad row is
/// reported with its line number.
#[utoipa::path(post, path = "/api/v1/entities/import", tag = "entities", params(ImportParams),
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, body = ImportResult), (status = 422, body = Problem)))]
pub async fn import(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Json<ImportResult>, ApiError> {
    let p: ImportParams = query(raw.as_deref())?;
    let rows = parse_import(p.format.as_deref(), p.province.as_deref(), &body)?;
    let r = store::import(&s.db, &user.actor(), &rows, &|_, _| {}).await?;
    Ok(Json(ImportResult {
        created: r.created,
        updated: r.updated,
        unchanged: r.unchanged,
    }))
}

/// Reads an import file in the named format.
pub fn parse_import(
    format: Option<&str>,
    province: Option<&str>,
    body: &[u8],
) -> Result<Vec<members::import::ImportRow>, members::MembersError> {
    let rows = match format.unwrap_or("cst") {
        "cst" => members::import::parse_cst(body),
        "istat" => {
            members::import::parse_istat(body, Some(members::reference::POPULATION_2023), province)
        }
        other => {
            return Err(members::MembersError::field(
                "format",
                format!("formato «{other}» sconosciuto: cst oppure istat"),
            ))
        }
    };
    rows.map_err(members::MembersError::Import)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_api_takes_every_field_of_the_model() {
        assert_eq!(super::EntityIn::names(), members::model::ENTITY_FIELDS);
    }
}
