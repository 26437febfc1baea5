//! Makes the OpenAPI document say exactly what the server answers. The route annotations name
//! each operation's own outcomes; the layers every request passes (sign-in, body limits, rate
//! limits, the timeout, the database) answer the same way everywhere, so they are added here once
//! rather than repeated on 28 annotations, and every error is declared as the
//! `application/problem+json` the server sends.

use serde_json::{Map, Value, json};

/// Operations anyone may call without a token; every other operation requires
/// `Authorization: Bearer` and answers 401 without it.
const PUBLIC_OPERATIONS: [&str; 8] = [
    "list_procedures",
    "get_procedure",
    "lookup",
    "ipn",
    "return_page",
    "sms_report",
    "list",
    "oidc_nonce",
];

/// The media type of every error body (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The document as served: `openapi` with the shared outcomes and problem+json errors.
pub fn complete(openapi: &utoipa::openapi::OpenApi) -> Value {
    let mut document = serde_json::to_value(openapi).unwrap_or_default();
    // Which data each action takes, from the table the server reads actions by.
    if let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        && schemas.contains_key("ActionRequest")
    {
        schemas.insert(
            "ActionRequest".to_owned(),
            crate::app::action_schemas::action_request_schema(),
        );
    }
    open_free_objects(&mut document);
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for operations in paths.values_mut().filter_map(Value::as_object_mut) {
            for (method, operation) in operations.iter_mut() {
                if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete")
                    && let Some(operation) = operation.as_object_mut()
                {
                    complete_operation(operation);
                }
            }
        }
    }
    document
}

fn complete_operation(operation: &mut Map<String, Value>) {
    let id = operation
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(body) = multipart_body(&id) {
        let content = operation
            .entry("requestBody")
            .or_insert_with(|| json!({ "required": true, "content": {} }))
            .get_mut("content")
            .and_then(Value::as_object_mut);
        if let Some(content) = content {
            if id != "submit_dossier" {
                content.clear();
            }
            content.insert("multipart/form-data".to_owned(), body);
        }
    }
    if let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    {
        for parameter in parameters {
            if parameter["in"] == "header" && parameter["name"] == "Idempotency-Key" {
                // As the server checks it: 1–200 visible ASCII characters.
                parameter["schema"] = json!({ "type": "string", "pattern": "^[!-~]{1,200}$" });
            }
        }
    }
    let takes_input = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|parameters| !parameters.is_empty());
    let has_body = operation.contains_key("requestBody");
    let signed_in = !PUBLIC_OPERATIONS.contains(&id.as_str());
    if signed_in {
        operation.insert("security".to_owned(), json!([{ "bearer": [] }]));
    }
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else { return };
    let mut shared: Vec<(&str, &str)> = vec![
        (
            "408",
            "The request took longer than the server's limit; retry",
        ),
        (
            "429",
            "Too many requests from this caller; retry after Retry-After seconds",
        ),
        ("500", "A fault in hoso; it is logged, never detailed"),
        (
            "503",
            "The database is unavailable; retry after Retry-After seconds",
        ),
    ];
    if takes_input || has_body {
        shared.push(("400", "The request cannot be read: a parameter, header or body that does not match this document"));
        shared.push(("422", "Readable but invalid: each problem names its field"));
    }
    if has_body {
        shared.push((
            "413",
            "The body or an upload is larger than the server takes",
        ));
        shared.push((
            "415",
            "The body is not of a media type this operation takes",
        ));
    }
    if signed_in {
        shared.push(("401", "No valid token: send Authorization: Bearer <token>"));
        shared.push(("403", "The caller may not do this"));
    }
    if id == "submit_dossier"
        && let Some(created) = responses.get_mut("201").and_then(Value::as_object_mut)
    {
        created.insert("links".to_owned(), dossier_links());
    }
    for (status, description) in shared {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| json!({ "description": description }));
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, Some(response)) = (is_error, response.as_object_mut()) {
            response.insert(
                "content".to_owned(),
                json!({ PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } } }),
            );
        }
    }
}

/// An object schema that names no properties (e-form values, action data) takes any keys with
/// any values: said outright, since generators read a bare `{"type": "object"}` as an object
/// that can hold nothing.
fn open_free_objects(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let free = map.get("type") == Some(&json!("object"))
                && !map.contains_key("properties")
                && !map.contains_key("additionalProperties");
            if free {
                map.insert("additionalProperties".to_owned(), json!(true));
            }
            map.values_mut().for_each(open_free_objects);
        }
        Value::Array(items) => items.iter_mut().for_each(open_free_objects),
        _ => {}
    }
}

/// Where a new dossier's code leads: reading it, acting on it, its timeline and its picture
/// (OpenAPI links, which a client or a stateful fuzzer follows).
fn dossier_links() -> Value {
    let by_code = json!({ "code": "$response.body#/code" });
    let mut links = Map::new();
    for (name, operation) in [
        ("GetDossier", "get_dossier"),
        ("TakeAction", "take_action"),
        ("Timeline", "timeline"),
        ("TimelinePicture", "timeline_svg"),
        ("AnswerSupplement", "answer_supplement"),
        ("IssueResult", "issue_result"),
        ("Rate", "rate"),
    ] {
        links.insert(
            name.to_owned(),
            json!({ "operationId": operation, "parameters": by_code }),
        );
    }
    Value::Object(links)
}

/// The multipart body an operation takes, as the server reads it: JSON parts travel as
/// `application/json`, files as binary parts named by what they are.
fn multipart_body(operation: &str) -> Option<Value> {
    let file = json!({ "type": "string", "format": "binary" });
    // File parts are named by a dossier component's id, as procedure files write it.
    let (schema, json_part) = match operation {
        // One file part per dossier component, named by its id, beside the submission.
        "submit_dossier" => (
            json!({
                "type": "object",
                "required": ["submission"],
                "properties": { "submission": { "$ref": "#/components/schemas/SubmitRequest" } },
                "propertyNames": { "pattern": "^[a-z][a-z0-9_]{0,63}$" },
                "additionalProperties": file,
            }),
            Some("submission"),
        ),
        // One file part per component asked for, named by its id.
        "answer_supplement" => (
            json!({
                "type": "object",
                "minProperties": 1,
                "propertyNames": { "pattern": "^[a-z][a-z0-9_]{0,63}$" },
                "additionalProperties": file,
            }),
            None,
        ),
        // The action as JSON, and one `result` part per PDF.
        "issue_result" => (
            json!({
                "type": "object",
                "required": ["request"],
                "properties": {
                    "request": { "$ref": "#/components/schemas/ActionRequest" },
                    "result": { "type": "array", "items": file },
                },
                "additionalProperties": false,
            }),
            Some("request"),
        ),
        _ => return None,
    };
    let mut body = json!({ "schema": schema });
    if let Some(part) = json_part {
        body["encoding"] = json!({ part: { "contentType": "application/json" } });
    }
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_problem_json_and_protected_operations_say_so() {
        let mut openapi = utoipa::openapi::OpenApi::default();
        let public = utoipa::openapi::path::OperationBuilder::new()
            .operation_id(Some("get_procedure"))
            .response("404", utoipa::openapi::Response::new("no such procedure"))
            .build();
        let private = utoipa::openapi::path::OperationBuilder::new()
            .operation_id(Some("get_dossier"))
            .response("200", utoipa::openapi::Response::new("the dossier"))
            .build();
        openapi
            .paths
            .add_path_operation("/public", vec![utoipa::openapi::HttpMethod::Get], public);
        openapi.paths.add_path_operation(
            "/private",
            vec![utoipa::openapi::HttpMethod::Get],
            private,
        );
        let document = complete(&openapi);
        let public = &document["paths"]["/public"]["get"];
        assert!(public.get("security").is_none(), "{public}");
        assert!(public["responses"].get("401").is_none(), "{public}");
        assert!(
            public["responses"]["404"]["content"][PROBLEM_JSON].is_object(),
            "{public}"
        );
        assert!(public["responses"].get("400").is_none(), "no input, no 400");
        let private = &document["paths"]["/private"]["get"];
        assert_eq!(private["security"], json!([{ "bearer": [] }]));
        for status in ["401", "403", "408", "429", "500", "503"] {
            assert!(
                private["responses"][status]["content"][PROBLEM_JSON].is_object(),
                "{status}: {private}"
            );
        }
        assert!(
            private["responses"]["200"].get("content").is_none(),
            "success bodies stay as declared"
        );
    }
}
