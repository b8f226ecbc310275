"""The request-handling base every domain's views and API handlers build on: the API blueprint with its error format,
request validation and @doc, WTForms helpers, pagination, file downloads. Assembling the app (blueprints, the OpenAPI
document, the route policy, error pages) is `app.web`'s, the layer above the domains."""
