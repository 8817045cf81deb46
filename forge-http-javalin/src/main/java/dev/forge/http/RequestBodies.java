package dev.forge.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.analysis.AnalysisRequest;
import dev.forge.builds.BuildRequest;
import dev.forge.validation.ValidationFailure.FieldError;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies and checks their JSON shape: media type (415), size (413), well-formed
 * JSON (400), then types, required and unknown fields (422, one error per field). Whether the
 * values are acceptable (name pattern, injection, allowed analysis types) is the core
 * validator's call, not this layer's.
 */
final class RequestBodies {

    private static final Set<String> ANALYSIS_FIELDS = Set.of("project_name", "analysis_types", "build_id");
    /** The field errors every body reader gives, in one wording. */
    private static final String REQUIRED = "is required";
    private static final String NOT_A_STRING = "must be a string";
    private static final String UNKNOWN = "is not a known field";

    private RequestBodies() {
    }

    /** The body as JSON, after the media type and size checks. */
    static JsonNode json(Context ctx, long limit) {
        // The raw header: Jetty's getContentType() throws on a malformed charset (charset="").
        requireJson(ctx.req().getHeader("Content-Type"));
        return Json.parse(read(ctx, limit));
    }

    /**
     * The body as a build request, read from the parser's tokens into the request's fields:
     * creating a build is the API's busiest write, and a tree of the body cost as much again as
     * reading it. The checks, their messages and their order are those of the tree the other
     * bodies are read into: 400 for a body that is not one well-formed JSON value, then 422 with
     * the unknown fields (in the body's order), {@code project_name}, {@code goal} and the
     * parameters (in their order).
     */
    static BuildRequest buildRequest(Context ctx, long limit) {
        requireJson(ctx.req().getHeader("Content-Type"));
        BuildBody body = Json.read(read(ctx, limit), BuildBody::read);
        if (!body.object) {
            throw notAnObject();
        }
        List<FieldError> errors = body.unknown;
        required("project_name", body.project, body.projectError, errors);
        required("goal", body.goal, body.goalError, errors);
        errors.addAll(body.parameterErrors);
        throwIfAny(errors);
        return new BuildRequest(body.project, body.goal, body.parameters);
    }

    /** A required string field's error, if any: its type error, or that it is missing. */
    private static void required(String field, String value, String typeError, List<FieldError> errors) {
        if (typeError != null) {
            errors.add(new FieldError(field, typeError));
        } else if (value == null) {
            errors.add(new FieldError(field, REQUIRED));
        }
    }

    /**
     * A build body's fields as the parser met them: a string field the body leaves out or sets
     * to null stays null, one of another type gets its type error. Values that are not read as
     * strings are still read, as a tree, so that they meet the same limits as in any other body.
     */
    private static final class BuildBody {

        private boolean object;
        private String project;
        private String projectError;
        private String goal;
        private String goalError;
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private final List<FieldError> unknown = new ArrayList<>();
        private final List<FieldError> parameterErrors = new ArrayList<>();

        static BuildBody read(JsonParser parser) throws IOException {
            BuildBody body = new BuildBody();
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                Json.tree(parser);
                return body;
            }
            body.object = true;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "project_name" -> {
                        body.projectError = typeError(parser, value);
                        body.project = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "goal" -> {
                        body.goalError = typeError(parser, value);
                        body.goal = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    }
                    case "parameters" -> body.parameters(parser, value);
                    default -> {
                        body.unknown.add(new FieldError(printable(name), UNKNOWN));
                        Json.tree(parser);
                    }
                }
            }
            return body;
        }

        private void parameters(JsonParser parser, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NULL) {
                return;
            }
            if (value != JsonToken.START_OBJECT) {
                parameterErrors.add(new FieldError("parameters", "must be an object of string values"));
                Json.tree(parser);
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                if (parser.nextToken() == JsonToken.VALUE_STRING) {
                    parameters.put(key, parser.getText());
                } else {
                    parameterErrors.add(new FieldError("parameters." + printable(key), NOT_A_STRING));
                    Json.tree(parser);
                }
            }
        }

        /** Null for a string or null value; else the value is read (and dropped) and its error returned. */
        private static String typeError(JsonParser parser, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL) {
                return null;
            }
            Json.tree(parser);
            return NOT_A_STRING;
        }
    }

    static AnalysisRequest analysisRequest(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        requireObject(body);
        unknownFields(body, ANALYSIS_FIELDS, errors);
        String buildId = optionalString(body, "build_id", errors);
        // with a build id the project is the build's; without one it is required
        String project = buildId == null && !body.hasNonNull("project_name")
                ? requiredString(body, "project_name", errors)
                : optionalString(body, "project_name", errors);
        List<String> types = new ArrayList<>();
        JsonNode array = body.get("analysis_types");
        if (array == null || array.isNull()) {
            errors.add(new FieldError("analysis_types", REQUIRED));
        } else if (!array.isArray()) {
            errors.add(new FieldError("analysis_types", "must be an array of strings"));
        } else {
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (item.isTextual()) {
                    types.add(item.textValue());
                } else {
                    errors.add(new FieldError("analysis_types[" + i + "]", NOT_A_STRING));
                }
            }
        }
        throwIfAny(errors);
        // type names become AnalysisType values here; unknown names are a 422 naming analysis_types
        return ErrorMapper.valueOrThrow(AnalysisRequest.fromWire(project, types, buildId));
    }

    /**
     * An optional integer query parameter.
     *
     * @throws ProblemException 422 naming the parameter when it is not a 32-bit integer
     */
    static Integer intQuery(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!value.matches("[+-]?[0-9]{1,10}")) {
            throw new ProblemException(Problem.schema(List.of(new FieldError(name, "must be an integer"))));
        }
        long parsed = Long.parseLong(value);
        if (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE) {
            throw new ProblemException(Problem.schema(List.of(new FieldError(name, "is out of range"))));
        }
        return (int) parsed;
    }

    /**
     * An optional boolean query parameter: absent or empty is false.
     *
     * @throws ProblemException 422 naming the parameter when it is not {@code true} or {@code false}
     */
    static boolean boolQuery(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty() || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new ProblemException(Problem.schema(List.of(new FieldError(name, "must be true or false"))));
    }

    private static void requireJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new ProblemException(Problem.unsupportedMediaType(
                    "Send the body as application/json (the Content-Type header is missing)."));
        }
        String[] parts = contentType.split(";", -1); // -1: ";;;" keeps its empty media type
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            throw new ProblemException(Problem.unsupportedMediaType("Send the body as application/json."));
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            if (param[0].trim().equalsIgnoreCase("charset") && param.length == 2) {
                String charset = param[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (!charset.equals("utf-8") && !charset.equals("utf8")) {
                    throw new ProblemException(Problem.unsupportedMediaType("JSON bodies must be UTF-8."));
                }
            }
        }
    }

    private static byte[] read(Context ctx, long limit) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw new ProblemException(Problem.tooLarge(limit));
        }
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared >= 0) {
                // Jetty delivers exactly Content-Length bytes (fewer is an error it raises), so
                // read them into their array: no copy buffer, no growing, no read for the end
                byte[] body = new byte[(int) declared];
                if (in.readNBytes(body, 0, body.length) < body.length) {
                    throw new ProblemException(Problem.malformed("The request body could not be read."));
                }
                return body;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(256, limit));
            byte[] chunk = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(chunk)) != -1) {
                total += n;
                if (total > limit) {
                    throw new ProblemException(Problem.tooLarge(limit));
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ProblemException(Problem.malformed("The request body could not be read."));
        }
    }

    private static void requireObject(JsonNode body) {
        if (!body.isObject()) {
            throw notAnObject();
        }
    }

    private static ProblemException notAnObject() {
        return new ProblemException(Problem.schema(List.of(new FieldError("body", "must be a JSON object"))));
    }

    private static void unknownFields(JsonNode body, Set<String> known, List<FieldError> errors) {
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                errors.add(new FieldError(printable(name), UNKNOWN));
            }
        }
    }

    private static String requiredString(JsonNode body, String field, List<FieldError> errors) {
        JsonNode node = body.get(field);
        boolean absent = node == null || node.isNull();
        String value = absent || !node.isTextual() ? null : node.textValue();
        required(field, value, absent || node.isTextual() ? null : NOT_A_STRING, errors);
        return value;
    }

    private static String optionalString(JsonNode body, String field, List<FieldError> errors) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : requiredString(body, field, errors);
    }

    private static void throwIfAny(List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.schema(errors.size() > 50 ? errors.subList(0, 50) : errors));
        }
    }

    /** A caller-chosen name, cut and reduced to safe characters before it is echoed back. */
    private static String printable(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9_.-]", "?");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) + "..." : cleaned;
    }
}
