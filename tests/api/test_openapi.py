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
