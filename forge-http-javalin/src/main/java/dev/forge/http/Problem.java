package dev.forge.http;

import dev.forge.validation.ValidationFailure.FieldError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem: what every error response of the API carries as
 * {@code application/problem+json}. Only safe, fixed or validated text goes into a problem;
 * exception messages never do (see {@link ErrorMapper}).
 *
 * @param status  the HTTP status
 * @param slug    the problem type's short name; the {@code type} member is {@link #TYPE_PREFIX} + slug
 * @param title   a short summary, the same for every occurrence of the type
 * @param detail  what happened this time
 * @param errors  per-field problems (may be empty)
 * @param headers extra response headers, e.g. {@code Retry-After}
 * @param extras  extension members, e.g. {@code error_id}
 */
record Problem(int status, String slug, String title, String detail, List<FieldError> errors,
        Map<String, String> headers, Map<String, Object> extras) {

    /** Prefix of every problem {@code type}; the docs page lists the types. */
    static final String TYPE_PREFIX = "urn:forge:problem:";
    /** The media type of problem bodies. */
    static final String CONTENT_TYPE = "application/problem+json";

    Problem {
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(detail, "detail");
        errors = List.copyOf(errors == null ? List.of() : errors);
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        extras = extras == null ? Map.of() : new LinkedHashMap<>(extras);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a problem needs a 4xx or 5xx status, was " + status);
        }
    }

    static Problem of(int status, String slug, String title, String detail) {
        return new Problem(status, slug, title, detail, List.of(), Map.of(), Map.of());
    }

    Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(status, slug, title, detail, fieldErrors, headers, extras);
    }

    Problem withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Problem(status, slug, title, detail, errors, more, extras);
    }

    Problem withExtra(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extras);
        more.put(name, value);
        return new Problem(status, slug, title, detail, errors, headers, more);
    }

    /** The JSON body, members in the RFC's order. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream()
                    .map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        }
        body.putAll(extras);
        return body;
    }

    // The catalogue: one factory per problem type the API can answer with.

    static Problem malformed(String detail) {
        return of(400, "malformed-request", "Malformed request", detail);
    }

    static Problem unsafeInput(List<FieldError> fieldErrors) {
        return of(400, "unsafe-input", "Unsafe input", "The request contains input that is not allowed.")
                .withErrors(fieldErrors);
    }

    static Problem untrustedHost() {
        return of(400, "untrusted-host", "Untrusted host", "The Host header names a host this server does not serve.");
    }

    static Problem unauthorized(String detail, boolean tokenPresented) {
        String challenge = tokenPresented ? "Bearer realm=\"forge\", error=\"invalid_token\"" : "Bearer realm=\"forge\"";
        return of(401, "unauthorized", "Authentication required", detail)
                .withHeader("WWW-Authenticate", challenge);
    }

    static Problem forbidden(String detail) {
        return of(403, "forbidden", "Forbidden", detail);
    }

    static Problem notFound(String detail) {
        return of(404, "not-found", "Not found", detail);
    }

    static Problem methodNotAllowed(String allow) {
        Problem problem = of(405, "method-not-allowed", "Method not allowed",
                "This resource does not support the request method.");
        return allow.isEmpty() ? problem : problem.withHeader("Allow", allow);
    }

    static Problem notAcceptable(String detail) {
        return of(406, "not-acceptable", "Not acceptable", detail);
    }

    static Problem conflict(String detail) {
        return of(409, "conflict", "Conflict", detail);
    }

    static Problem tooLarge(long limit) {
        return of(413, "payload-too-large", "Request body too large",
                "The request body is larger than " + limit + " bytes.");
    }

    static Problem unsupportedMediaType(String detail) {
        return of(415, "unsupported-media-type", "Unsupported media type", detail);
    }

    static Problem schema(List<FieldError> fieldErrors) {
        return of(422, "validation-failed", "Request does not match the schema",
                "One or more fields are missing or invalid.").withErrors(fieldErrors);
    }

    static Problem rateLimited(long retryAfterSeconds) {
        return of(429, "rate-limited", "Too many requests",
                "Rate limit exceeded; retry after " + retryAfterSeconds + " s.")
                .withHeader("Retry-After", Long.toString(retryAfterSeconds));
    }

    /** 429: the caller's own limit of queued plus running tasks; {@code limit} names it. */
    static Problem tooManyActiveTasks(String limit, long max, long retryAfterSeconds) {
        return of(429, "too-many-active-tasks", "Too many active tasks",
                "You already have " + max + " tasks queued or running, the most allowed; retry after "
                        + retryAfterSeconds + " s or once one has finished.")
                .withHeader("Retry-After", Long.toString(retryAfterSeconds))
                .withExtra("limit", limit).withExtra("max", max);
    }

    /** 503: the queue for this kind of task is full, whoever asks; {@code limit} names the limit. */
    static Problem queueFull(String limit, long max, long retryAfterSeconds) {
        return of(503, "queue-full", "Queue full",
                "The queue already holds " + max + " tasks, the most allowed; retry after "
                        + retryAfterSeconds + " s.")
                .withHeader("Retry-After", Long.toString(retryAfterSeconds))
                .withExtra("limit", limit).withExtra("max", max);
    }

    static Problem internal(String errorId) {
        return of(500, "internal-error", "Internal server error",
                "An unexpected error occurred; quote error id " + errorId + " when reporting it.")
                .withExtra("error_id", errorId);
    }

    static Problem unavailable(String detail) {
        return of(503, "service-unavailable", "Service unavailable", detail)
                .withHeader("Retry-After", "5");
    }

    /** A problem for a status the catalogue has no special type for. */
    static Problem generic(int status, String title) {
        return of(status, "http-" + status, title, title + ".");
    }
}
