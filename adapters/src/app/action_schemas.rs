//! The JSON Schema of each action request, from the same table the server reads them by
//! ([`hoso_engine::case::BUILT_IN`]): the API document's `oneOf`, and each procedure's own
//! actions in `GET /api/v1/procedures/{code}`.

use hoso_engine::case::{BUILT_IN, BuiltIn};
use hoso_engine::procedure::Procedure;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// A procedure's own action, as a client offers it: who takes it from where, and what it takes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureAction {
    /// The id sent as `action`.
    pub id: String,
    /// Its name on the button, e.g. "Trình ký".
    pub name: String,
    /// The step it is taken from.
    pub from: String,
    /// The step it leads to, if it moves the dossier.
    pub to: Option<String>,
    /// The decision it takes, if it ends processing: approved, refused or transferred.
    pub outcome: Option<String>,
    /// The roles that may take it.
    pub roles: Vec<String>,
    /// The request is refused without a `reason` (refusing to resolve, transferring).
    pub reason_required: bool,
    /// The JSON Schema of its whole action request.
    #[schema(value_type = Object)]
    pub request_schema: Value,
}

/// The actions `procedure` declares, each with the schema of its request.
pub fn procedure_actions(procedure: &Procedure) -> Vec<ProcedureAction> {
    procedure
        .definition()
        .actions
        .iter()
        .map(|action| {
            let outcome = action.outcome.map(|outcome| {
                serde_json::to_value(outcome)
                    .ok()
                    .and_then(|value| value.as_str().map(str::to_owned))
                    .unwrap_or_default()
            });
            let reason_required = matches!(outcome.as_deref(), Some("refused" | "transferred"));
            ProcedureAction {
                id: action.id.clone(),
                name: action.name.clone(),
                from: action.from.clone(),
                to: action.to.clone(),
                outcome,
                roles: action.roles.clone(),
                reason_required,
                request_schema: own_action_schema(json!({ "const": action.id }), reason_required),
            }
        })
        .collect()
}

/// Every action request: one schema per built-in command, and one for the procedures' own
/// actions (any other name), exactly one of which a request matches.
pub fn action_request_schema() -> Value {
    let mut variants: Vec<Value> = BUILT_IN.iter().map(built_in_schema).collect();
    let built_in_names: Vec<&str> = BUILT_IN.iter().map(|built_in| built_in.name).collect();
    // `submit` and `raise_deadline` have their own ways in and are refused here.
    let mut reserved = built_in_names.clone();
    reserved.extend(["submit", "raise_deadline"]);
    variants.push(own_action_schema(
        json!({ "type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$", "not": { "enum": reserved } }),
        false,
    ));
    json!({
        "description": "An action on a dossier: a built-in command by name, with its fields in `data`, or a procedure's own action by its id (GET /api/v1/procedures/{code} lists them).",
        "oneOf": variants,
    })
}

/// The fields every action request may carry beside `action` and `data`.
fn common_properties(action: Value, data: Value) -> serde_json::Map<String, Value> {
    let mut properties = serde_json::Map::new();
    properties.insert("action".to_owned(), action);
    properties.insert(
        "expected_version".to_owned(),
        json!({ "type": ["integer", "null"], "minimum": 0, "description": "The version the caller saw; 409 if the dossier changed since." }),
    );
    properties.insert(
        "reason".to_owned(),
        json!({ "type": ["string", "null"], "description": "A reason or note." }),
    );
    properties.insert("data".to_owned(), data);
    properties
}

/// A procedure's own action: free data (at most 50 keys), a reason where the decision needs one.
fn own_action_schema(action: Value, reason_required: bool) -> Value {
    let data = json!({ "type": "object", "maxProperties": 50 });
    let mut schema = json!({
        "type": "object",
        "required": ["action"],
        "additionalProperties": false,
        "properties": common_properties(action, data),
    });
    if reason_required {
        schema["required"] = json!(["action", "reason"]);
        schema["properties"]["reason"] = json!({ "type": "string", "minLength": 1 });
    }
    schema
}

/// One built-in command's request: its name, and its data's fields with their kinds. A reason
/// may stand beside `data` or inside it.
fn built_in_schema(built_in: &BuiltIn) -> Value {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    let mut needs_reason = false;
    for field in built_in.data {
        let mut schema = field_schema(field.kind).unwrap_or_else(|| json!({}));
        schema["description"] = json!(field.meaning);
        properties.insert(field.name.to_owned(), schema);
        match (field.required, field.name) {
            (true, "reason") => needs_reason = true,
            (true, name) => required.push(name),
            _ => {}
        }
    }
    let data = json!({
        "type": "object",
        "required": required,
        "properties": properties,
    });
    let mut schema = json!({
        "title": built_in.name,
        "description": format!("{} ({})", built_in.vietnamese, built_in.english),
        "type": "object",
        "required": if required.is_empty() && !needs_reason { json!(["action"]) } else { json!(["action", "data"]) },
        "additionalProperties": false,
        "properties": common_properties(json!({ "const": built_in.name }), data),
    });
    if needs_reason {
        schema["anyOf"] = json!([
            { "required": ["reason"], "properties": { "reason": { "type": "string" } } },
            { "properties": { "data": { "required": ["reason"] } } },
        ]);
        if required.is_empty() {
            schema["required"] = json!(["action"]);
        }
    }
    schema
}

/// The schema of a data field by the kind its table names; `None` for a kind not known here.
fn field_schema(kind: &str) -> Option<Value> {
    Some(match kind {
        "text" => json!({ "type": "string" }),
        "RFC 3339 instant" => json!({ "type": "string", "format": "date-time" }),
        "list of `{document, note}`" => json!({
            "type": "array",
            "items": {
                "type": "object",
                "required": ["document", "note"],
                "properties": { "document": { "type": "string" }, "note": { "type": "string" } },
            },
        }),
        "list of document references" => json!({ "type": "array", "items": { "type": "object" } }),
        "object" => json!({ "type": "object" }),
        "unit code" => {
            json!({ "type": "string", "pattern": "^[A-Za-z0-9]([A-Za-z0-9.]{0,38}[A-Za-z0-9])?$" })
        }
        "whole number of đồng" | "whole number" => json!({ "type": "integer", "minimum": 0 }),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_has_a_variant_and_each_field_kind_a_schema() {
        let schema = action_request_schema();
        let variants = schema["oneOf"].as_array().expect("oneOf");
        assert_eq!(variants.len(), BUILT_IN.len() + 1);
        for built_in in BUILT_IN {
            for field in built_in.data {
                assert!(
                    field_schema(field.kind).is_some(),
                    "{}.{}: the kind `{}` has no schema",
                    built_in.name,
                    field.name,
                    field.kind
                );
            }
        }
        let request_supplement = variants
            .iter()
            .find(|variant| variant["title"] == "request_supplement")
            .expect("request_supplement");
        assert_eq!(
            request_supplement["properties"]["data"]["required"],
            json!(["missing"])
        );
        assert!(
            request_supplement["anyOf"].is_array(),
            "a reason, beside or in data"
        );
    }
}
