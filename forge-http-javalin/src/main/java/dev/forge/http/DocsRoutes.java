package dev.forge.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code /openapi.json} and {@code /docs}: the hand-written OpenAPI 3.1 document, and a page
 * rendered from it on the server - plain HTML and one inline style sheet, allowed by its hash,
 * so nothing is fetched from anywhere and no script runs.
 */
final class DocsRoutes {

    static final String OPENAPI_PATH = "/openapi.json";
    static final String DOCS_PATH = "/docs";
    static final String RESOURCE = "openapi.json";

    private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;"
            + "padding:0 1rem;color:#222;line-height:1.45}code,pre{font-family:ui-monospace,monospace}"
            + "h2{border-bottom:1px solid #ddd;padding-bottom:.3rem;margin-top:2.5rem}"
            + ".op{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}"
            + ".m{display:inline-block;min-width:4.5rem;font-weight:bold;text-transform:uppercase}"
            + ".get{color:#1565c0}.post{color:#2e7d32}.delete{color:#c62828}"
            + "table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #e0e0e0;padding:.2rem .5rem;"
            + "text-align:left;vertical-align:top}th{background:#f6f6f6}.muted{color:#666}";

    private final String openApi;
    private final String page;
    private final String pageCsp;

    DocsRoutes(String version) {
        JsonNode doc = Json.readResource(RESOURCE);
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("info")).put("version", version);
        this.openApi = Json.write(doc);
        this.page = render(doc);
        this.pageCsp = "default-src 'none'; style-src '" + sha256(STYLE) + "'; frame-ancestors 'none'; "
                + "base-uri 'none'; form-action 'none'";
    }

    void openApi(Context ctx) {
        ctx.contentType("application/json").result(openApi);
    }

    void docs(Context ctx) {
        ctx.header("Content-Security-Policy", pageCsp);
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private static String render(JsonNode doc) {
        StringBuilder html = new StringBuilder(32_768);
        JsonNode info = doc.path("info");
        html.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>").append(esc(info.path("title").asText())).append(" API</title>")
                .append("<style>").append(STYLE).append("</style></head><body>")
                .append("<h1>").append(esc(info.path("title").asText())).append(" <span class=\"muted\">")
                .append(esc(info.path("version").asText())).append("</span></h1>")
                .append("<p>").append(esc(info.path("description").asText())).append("</p>")
                .append("<p>Machine-readable: <a href=\"openapi.json\">openapi.json</a> (OpenAPI ")
                .append(esc(doc.path("openapi").asText())).append(").</p>");

        html.append("<h2>Operations</h2>");
        Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields();
            while (ops.hasNext()) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!op.getValue().isObject() || !op.getValue().has("responses")) {
                    continue;
                }
                operation(html, doc, op.getKey(), path.getKey(), op.getValue());
            }
        }

        html.append("<h2>Schemas</h2>");
        Iterator<Map.Entry<String, JsonNode>> schemas = doc.path("components").path("schemas").fields();
        while (schemas.hasNext()) {
            Map.Entry<String, JsonNode> schema = schemas.next();
            schema(html, schema.getKey(), schema.getValue());
        }

        JsonNode problems = doc.path("x-problem-types");
        if (problems.isArray()) {
            html.append("<h2 id=\"problems\">Problem types</h2><p>Every error is ")
                    .append("<code>application/problem+json</code> (RFC 9457) with one of these types.</p>")
                    .append("<table><tr><th>type</th><th>status</th><th>title</th></tr>");
            for (JsonNode problem : problems) {
                html.append("<tr><td><code>").append(esc(problem.path("type").asText()))
                        .append("</code></td><td>").append(esc(problem.path("status").asText()))
                        .append("</td><td>").append(esc(problem.path("title").asText())).append("</td></tr>");
            }
            html.append("</table>");
        }
        return html.append("</body></html>").toString();
    }

    private static void operation(StringBuilder html, JsonNode doc, String method, String path, JsonNode op) {
        html.append("<div class=\"op\"><div><span class=\"m ").append(esc(method)).append("\">")
                .append(esc(method)).append("</span> <code>").append(esc(path)).append("</code></div>")
                .append("<p><strong>").append(esc(op.path("summary").asText())).append("</strong>");
        if (op.has("description")) {
            html.append("<br>").append(esc(op.path("description").asText()));
        }
        JsonNode security = op.path("security");
        boolean open = security.isArray() && security.size() == 0;
        boolean optional = false;
        for (JsonNode requirement : security) {
            optional |= requirement.isObject() && requirement.size() == 0;
        }
        html.append("<br><span class=\"muted\">")
                .append(open ? "No token needed." : optional ? "Token optional." : "Bearer token required.")
                .append("</span></p>");
        JsonNode params = op.path("parameters");
        if (params.isArray() && params.size() > 0) {
            html.append("<table><tr><th>parameter</th><th>in</th><th>description</th></tr>");
            for (JsonNode param : params) {
                html.append("<tr><td><code>").append(esc(param.path("name").asText())).append("</code></td><td>")
                        .append(esc(param.path("in").asText())).append("</td><td>")
                        .append(esc(param.path("description").asText())).append("</td></tr>");
            }
            html.append("</table>");
        }
        JsonNode body = op.path("requestBody").path("content");
        if (body.isObject()) {
            body.fields().forEachRemaining(content -> html.append("<p>Body: <code>")
                    .append(esc(content.getKey())).append("</code> ")
                    .append(esc(refName(content.getValue().path("schema")))).append("</p>"));
        }
        html.append("<table><tr><th>status</th><th>meaning</th><th>body</th></tr>");
        op.path("responses").fields().forEachRemaining(entry -> {
            JsonNode response = entry.getValue().has("$ref")
                    ? doc.at(entry.getValue().get("$ref").asText().substring(1))
                    : entry.getValue();
            StringBuilder types = new StringBuilder();
            response.path("content").fields().forEachRemaining(content -> types
                    .append(content.getKey()).append(' ').append(refName(content.getValue().path("schema"))));
            html.append("<tr><td>").append(esc(entry.getKey())).append("</td><td>")
                    .append(esc(response.path("description").asText())).append("</td><td><code>")
                    .append(esc(types.toString().trim())).append("</code></td></tr>");
        });
        html.append("</table></div>");
    }

    private static void schema(StringBuilder html, String name, JsonNode schema) {
        html.append("<h3 id=\"schema-").append(esc(name)).append("\">").append(esc(name)).append("</h3>");
        if (schema.has("description")) {
            html.append("<p>").append(esc(schema.path("description").asText())).append("</p>");
        }
        JsonNode properties = schema.path("properties");
        if (!properties.isObject()) {
            return;
        }
        html.append("<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>");
        properties.fields().forEachRemaining(property -> {
            boolean required = false;
            for (JsonNode r : schema.path("required")) {
                required |= r.asText().equals(property.getKey());
            }
            html.append("<tr><td><code>").append(esc(property.getKey())).append("</code></td><td>")
                    .append(esc(typeOf(property.getValue()))).append("</td><td>").append(required ? "yes" : "")
                    .append("</td><td>").append(esc(property.getValue().path("description").asText()))
                    .append("</td></tr>");
        });
        html.append("</table>");
    }

    private static String typeOf(JsonNode schema) {
        if (schema.has("$ref")) {
            return refName(schema);
        }
        if (schema.has("oneOf")) {
            StringBuilder alternatives = new StringBuilder();
            for (JsonNode alternative : schema.path("oneOf")) {
                alternatives.append(alternatives.length() == 0 ? "" : " | ").append(typeOf(alternative));
            }
            return alternatives.toString();
        }
        JsonNode type = schema.path("type");
        String text = type.isArray() ? joined(type) : type.asText("any");
        if (schema.has("items")) {
            text += " of " + typeOf(schema.path("items"));
        }
        if (schema.has("enum")) {
            text += " (" + joined(schema.path("enum")) + ")";
        }
        return text;
    }

    private static String joined(JsonNode array) {
        StringBuilder text = new StringBuilder();
        for (JsonNode item : array) {
            text.append(text.length() == 0 ? "" : " | ").append(item.asText());
        }
        return text.toString();
    }

    private static String refName(JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        if (ref.isEmpty()) {
            return schema.has("type") ? typeOf(schema) : "";
        }
        return ref.substring(ref.lastIndexOf('/') + 1);
    }

    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<': out.append("&lt;"); break;
                case '>': out.append("&gt;"); break;
                case '&': out.append("&amp;"); break;
                case '"': out.append("&quot;"); break;
                case '\'': out.append("&#39;"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }

    private static String sha256(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
