//! The OpenAPI 3.1 document, built from the route table and the types' derived schemas.

use super::{Route, routes};
use alphadome_core::settings::ControlSettings;
use alphadome_core::template::TemplateFields;
use alphadome_core::tenant::{SecretFields, TenantFields};
use alphadome_core::training::TrainingFields;
use alphadome_service::CreatedTenant;
use alphadome_service::views::{TemplateOut, TenantOut, TrainingOut};
use axum::Json;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use utoipa::ToSchema;

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Json<Value> {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    Json(DOCUMENT.get_or_init(document).clone())
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in routes() {
        let item = paths.entry(format!("/api/v1{}", r.path)).or_insert_with(|| json!({}));
        item[r.method] = operation(&r);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Alphadome admin API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Manage tenants, their personas, knowledge and switches. Authenticate with \
                `Authorization: Bearer <key>` or `X-API-Key: <key>`. A tenant key reaches only its own \
                tenant; other tenants answer 404. Errors are `{\"error\": {\"code\", \"message\"}}`."
        },
        "servers": [{ "url": "/" }],
        "paths": paths,
        "components": components(),
        "security": [{ "bearer": [] }, { "apiKey": [] }],
    })
}

fn operation(r: &Route) -> Value {
    let parameters: Vec<Value> = path_params(r.path)
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    let mut op = json!({
        "summary": r.summary,
        "operationId": format!("{}{}", r.method, r.path.replace(['/', '{', '}'], "_")),
        "parameters": parameters,
        "responses": {
            "200": { "description": "Success" },
            "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
    });
    if r.platform_only {
        op["description"] = json!("Needs a platform API key.");
    }
    if let Some(schema) = r.body {
        op["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
        });
    }
    op
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
}

fn components() -> Value {
    let mut schemas = Vec::new();
    collect::<TenantFields>(&mut schemas);
    collect::<SecretFields>(&mut schemas);
    collect::<TrainingFields>(&mut schemas);
    collect::<TemplateFields>(&mut schemas);
    collect::<ControlSettings>(&mut schemas);
    collect::<alphadome_service::engine::SimulateIn>(&mut schemas);
    collect::<TenantOut>(&mut schemas);
    collect::<CreatedTenant>(&mut schemas);
    collect::<TrainingOut>(&mut schemas);
    collect::<TemplateOut>(&mut schemas);
    let mut map: Map<String, Value> = schemas
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).expect("schemas serialise")))
        .collect();
    map.insert(
        "Error".into(),
        json!({ "type": "object", "required": ["error"], "properties": { "error": {
            "type": "object", "required": ["code", "message"],
            "properties": { "code": { "type": "string" }, "message": { "type": "string" } } } } }),
    );
    json!({
        "schemas": map,
        "securitySchemes": {
            "bearer": { "type": "http", "scheme": "bearer" },
            "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key" }
        }
    })
}

type Schemas = Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>;

fn collect<T: ToSchema>(schemas: &mut Schemas) {
    schemas.push((T::name().into_owned(), T::schema()));
    T::schemas(schemas);
}
