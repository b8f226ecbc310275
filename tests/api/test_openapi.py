"""The OpenAPI document covers every endpoint, built from the Marshmallow schemas."""

from openapi_spec_validator import validate

from tests.conftest import bearer


def test_openapi_document_is_valid_and_covers_every_api_rule(app, client):
    doc = client.get("/api/v1/openapi.json").json
    validate(doc)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = "/api/v1" + rule.rule[len("/api/v1") :].replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
            meta = getattr(app.view_functions[rule.endpoint], "_openapi", None)
            assert meta and meta["summary"], rule.endpoint


def test_request_bodies_reference_marshmallow_schemas(client):
    doc = client.get("/api/v1/openapi.json").json
    post = doc["paths"]["/api/v1/applications"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"category", "rows", "contact_name"} <= set(schema["properties"])
    assert schema.get("additionalProperties") is False


def test_every_documented_list_answers_for_an_allowed_role(world, client):
    doc = client.get("/api/v1/openapi.json").json
    for path, ops in doc["paths"].items():
        if "get" in ops and "{" not in path and not path.startswith("/api/v1/channel/"):  # signed by channels
            allowed = [
                u
                for u in (world.operator, world.admin, world.national, world.company_a)
                if client.get(path, headers=bearer(u)).status_code == 200
            ]
            assert allowed, path


def _errors(op) -> dict:
    return {status: set(r.get("x-error-codes", [])) for status, r in op["responses"].items() if status[0] in "45"}


def test_issue16_each_operation_documents_its_error_statuses_and_codes(client):
    """Integrators found `already_decided` or `not_ready` by trying: each operation now lists what it answers with."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    decide = _errors(paths["/api/v1/reviews/steps/{step_id}/decision"]["post"])
    assert "already_decided" in decide["409"] and "C2.3" in decide["422"] and "not_found" in decide["404"]
    go_live = _errors(paths["/api/v1/production-applications/{app_id}/go-live"]["post"])
    assert "not_ready" in go_live["409"] and "too_many_requests" in go_live["429"]
    token = _errors(paths["/api/v1/auth/token"]["post"])
    assert {"login_failed", "otp_invalid", "totp_not_enrolled"} <= token["401"] and "403" not in token
    imports = _errors(paths["/api/v1/channel-imports"]["post"])
    assert "import_refused" in imports["422"]
    for path, operations in paths.items():
        for method, op in operations.items():
            if op.get("security"):
                assert "unauthorized" in _errors(op).get("401", set()), (path, method)


def test_issue16_file_downloads_document_their_content_type(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    form = paths["/api/v1/applications/{app_id}/forms/{kind}"]["get"]["responses"]["200"]
    assert set(form["content"]) == {"application/pdf"}
    export = paths["/api/v1/data-quality/export.csv"]["get"]["responses"]["200"]
    assert set(export["content"]) == {"text/csv"}
