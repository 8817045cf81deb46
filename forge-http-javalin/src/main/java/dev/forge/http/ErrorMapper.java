package dev.forge.http;

import dev.forge.InfrastructureException;
import dev.forge.Outcome;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.validation.ValidationFailure;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.InternalServerErrorResponse;
import io.javalin.router.EndpointNotFound;
import io.javalin.router.exception.HttpResponseExceptionMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses: refused service outcomes, problems thrown by
 * filters, Javalin's own HTTP exceptions and unexpected exceptions all end up as
 * {@code application/problem+json}. Unexpected exceptions are logged with an error id that
 * the 500 body repeats; their class and message reach the body only in debug mode.
 *
 * <p>Only on forge's own paths (see {@link ForgePaths}): exceptions on a host application's
 * routes get what Javalin would give them without forge, so embedding forge does not turn the
 * host's errors into problems.
 */
final class ErrorMapper {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How much of a request body nobody read is still read, and dropped, before an error answer. */
    static final long DRAIN_LIMIT = 1024 * 1024;

    private final HttpConfig config;
    private final ForgePaths paths;

    ErrorMapper(HttpConfig config, ForgePaths paths) {
        this.config = config;
        this.paths = paths;
    }

    /** The problem for a refused service outcome. */
    static Problem problemFor(Outcome<?> refusal) {
        if (refusal instanceof Outcome.Invalid<?> invalid) {
            ValidationFailure failure = invalid.failure();
            return failure.kind() == ValidationFailure.Kind.SECURITY
                    ? Problem.unsafeInput(failure.errors())
                    : Problem.schema(failure.errors());
        }
        if (refusal instanceof Outcome.NotFound<?> notFound) {
            return Problem.notFound("No " + notFound.what() + " with that name or id is visible to you.");
        }
        if (refusal instanceof Outcome.Forbidden<?>) {
            return Problem.forbidden("This task belongs to another user.");
        }
        if (refusal instanceof Outcome.Conflict<?> conflict) {
            return Problem.conflict(conflict.message());
        }
        if (refusal instanceof Outcome.RateLimited<?> limited) {
            return rateLimited(limited.decision());
        }
        if (refusal instanceof Outcome.Refused<?> refused) {
            return admissionRefused(refused);
        }
        throw new IllegalArgumentException("not a refusal: " + refusal);
    }

    /** 429 with {@code Retry-After} and the denying bucket's {@code RateLimit-*} headers. */
    static Problem rateLimited(RateLimitDecision decision) {
        Problem problem = Problem.rateLimited(RateLimitHeaders.seconds(decision.retryAfter()));
        for (Map.Entry<String, String> header : RateLimitHeaders.of(decision).entrySet()) {
            problem = problem.withHeader(header.getKey(), header.getValue());
        }
        return problem;
    }

    /** 429 for the caller's own limit, 503 for a full queue; both name the limit and say when to retry. */
    static Problem admissionRefused(Outcome.Refused<?> refused) {
        long seconds = RateLimitHeaders.seconds(refused.retryAfter());
        String limit = refused.limit().wireName();
        return switch (refused.limit()) {
            case ACTIVE_TASKS_PER_USER -> Problem.tooManyActiveTasks(limit, refused.max(), seconds);
            case QUEUED_TASKS -> Problem.queueFull(limit, refused.max(), seconds);
        };
    }

    /** Throws the problem for a refusal, or returns the value of an {@code Ok}. */
    static <T> T valueOrThrow(Outcome<T> outcome) {
        if (outcome instanceof Outcome.Ok<T> ok) {
            return ok.value();
        }
        throw new ProblemException(problemFor(outcome));
    }

    /** Javalin exception handler: every exception a route or filter throws comes here. */
    void handle(Exception exception, Context ctx) {
        if (!paths.owns(ctx)) {
            javalinDefault(exception, ctx);
            return;
        }
        write(ctx, problemFor(exception, ctx));
    }

    /**
     * What Javalin 7 does when no handler matches: its own rendering of HTTP exceptions, and for
     * anything else a warning and its plain 500 (as its {@code ExceptionMapper.uncaughtException}).
     */
    private static void javalinDefault(Exception exception, Context ctx) {
        if (exception instanceof HttpResponseException http) {
            HttpResponseExceptionMapper.INSTANCE.handle(http, ctx);
            return;
        }
        LOG.warn("Uncaught exception", exception);
        HttpResponseExceptionMapper.INSTANCE.handle(new InternalServerErrorResponse(), ctx);
    }

    /** Handler for {@link Error}s Javalin catches; answers 500 without touching the body twice. */
    void handleError(HttpServletResponse response, Error error) {
        String errorId = newErrorId();
        LOG.error("unexpected error, error_id={}", errorId, error);
        if (!response.isCommitted()) {
            response.setStatus(500);
            response.setContentType(Problem.CONTENT_TYPE);
            try {
                response.getOutputStream().write(
                        Json.write(Problem.internal(errorId).body()).getBytes(StandardCharsets.UTF_8));
            } catch (IOException | IllegalStateException e) {
                LOG.debug("could not write the 500 body", e);
            }
        }
    }

    private Problem problemFor(Exception exception, Context ctx) {
        if (exception instanceof ProblemException problem) {
            return problem.problem();
        }
        if (exception instanceof HttpResponseException http) {
            return fromJavalin(http, ctx);
        }
        if (exception instanceof InfrastructureException) {
            String errorId = newErrorId();
            LOG.warn("dependency unavailable, error_id={}", errorId, exception);
            return Problem.unavailable("A service this request needs is unavailable; try again shortly.")
                    .withExtra("error_id", errorId);
        }
        String errorId = newErrorId();
        LOG.error("unexpected exception, error_id={}", errorId, exception);
        Problem problem = Problem.internal(errorId);
        return config.debug() ? problem.withExtra("debug", debugDetails(exception)) : problem;
    }

    private Problem fromJavalin(HttpResponseException http, Context ctx) {
        int status = http.getStatus();
        switch (status) {
            case 400:
                return Problem.malformed("The request could not be read.");
            case 404:
                SortedSet<String> methods = http instanceof EndpointNotFound ? paths.methodsAt(ctx) : new TreeSet<>();
                return methods.isEmpty()
                        ? Problem.notFound("No resource at " + safePath(ctx) + ".")
                        : Problem.methodNotAllowed(String.join(", ", methods));
            case 405:
                return Problem.methodNotAllowed(allowed(http.getDetails()));
            case 413:
                return Problem.tooLarge(config.bodyLimitBytes());
            default:
                if (status < 400 || status > 599) {
                    status = 500;
                }
                return Problem.generic(status, HttpStatus.forStatus(status).getMessage());
        }
    }

    /** Javalin lists the allowed methods in the exception's details; keep method names only. */
    private static String allowed(Map<String, String> details) {
        TreeSet<String> methods = new TreeSet<>();
        for (String value : details.values()) {
            for (String part : value.split("[,\\s\\[\\]]+")) {
                if (part.matches("[A-Z]{3,7}")) {
                    methods.add(part);
                }
            }
        }
        return String.join(", ", methods);
    }

    /** The request path, shortened and stripped to safe characters before it is echoed. */
    static String safePath(Context ctx) {
        return safePath(ctx.path());
    }

    /** As {@link #safePath(Context)}: more than 100 characters end in {@code ...}, unsafe code points become {@code ?}. */
    static String safePath(String path) {
        String cleaned = path;
        for (int i = 0; i < path.length(); i++) {
            if (!safePathChar(path.charAt(i))) {
                cleaned = replaceUnsafe(path, i);
                break;
            }
        }
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }

    /** Each code point outside the safe set, from {@code first} on, becomes one {@code ?}. */
    private static String replaceUnsafe(String path, int first) {
        StringBuilder out = new StringBuilder(path.length());
        out.append(path, 0, first);
        for (int i = first; i < path.length(); ) {
            int codePoint = path.codePointAt(i);
            out.append(codePoint < 128 && safePathChar((char) codePoint) ? (char) codePoint : '?');
            i += Character.charCount(codePoint);
        }
        return out.toString();
    }

    /** {@code [A-Za-z0-9/_.~-]}: checked char by char, as this runs on every request. */
    private static boolean safePathChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '/' || c == '_' || c == '.' || c == '~' || c == '-';
    }

    /** Writes a problem response, unless the response has already gone out (e.g. a stream). */
    static void write(Context ctx, Problem problem) {
        if (ctx.res().isCommitted()) {
            LOG.debug("response already committed; dropping problem {}", problem.slug());
            return;
        }
        dropUnreadBody(ctx);
        ctx.status(problem.status());
        problem.headers().forEach(ctx::header);
        ctx.contentType(Problem.CONTENT_TYPE);
        ctx.result(Json.write(problem.body()));
    }

    /**
     * Reads and drops what is left of the request body, up to {@link #DRAIN_LIMIT} bytes, before
     * an error answer. Answered while its body was still arriving, a request's connection was
     * closed on the unread bytes, the kernel reset it, and the reset dropped the answer the
     * client had not read yet: a client sending a body too large, of the wrong type or with a bad
     * token now and then saw a reset connection instead of the 413, 415 or 401, most often on a
     * busy machine. A body declared larger is not read (that would be work for whoever sends
     * one): its sender may see the reset. A body already read costs one read that finds its end.
     */
    private static void dropUnreadBody(Context ctx) {
        try {
            if (ctx.req().getContentLengthLong() > DRAIN_LIMIT) {
                return;
            }
            InputStream in = ctx.req().getInputStream();
            byte[] dropped = new byte[8192];
            long left = DRAIN_LIMIT;
            int n;
            while (left > 0 && (n = in.read(dropped, 0, (int) Math.min(dropped.length, left))) != -1) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, its body broke or timed out: the answer stands, the connection closes
        }
    }

    static String newErrorId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Map<String, Object> debugDetails(Exception exception) {
        StringWriter trace = new StringWriter();
        exception.printStackTrace(new PrintWriter(trace));
        return Map.of("exception", exception.getClass().getName(),
                "message", String.valueOf(exception.getMessage()),
                "stack_trace", trace.toString());
    }
}
