package dev.forge.http;

import io.javalin.http.Context;
import java.util.Locale;

/**
 * CORS for the configured origins only. Other origins get no CORS headers (so browsers block
 * them) and their preflight requests are refused with 403.
 */
final class Cors {

    static final String ALLOWED_METHODS = "GET, POST, DELETE";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Accept, X-Request-Id, Last-Event-ID";
    static final String EXPOSED_HEADERS =
            "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id";

    private final HttpConfig config;

    Cors(HttpConfig config) {
        this.config = config;
    }

    /**
     * Javalin before handler.
     *
     * @return true when this answered a preflight request (204) and skipped the remaining handlers
     */
    boolean apply(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return false;
        }
        boolean allowed = config.corsOrigins().contains(origin.toLowerCase(Locale.ROOT));
        boolean preflight = "OPTIONS".equals(ctx.req().getMethod())
                && ctx.header("Access-Control-Request-Method") != null;
        ctx.header("Vary", "Origin");
        if (!allowed) {
            if (preflight) {
                throw new ProblemException(Problem.forbidden("Cross-origin requests from this origin are not allowed."));
            }
            return false;
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        if (preflight) {
            ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
            ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            ctx.header("Access-Control-Max-Age", "600");
            ctx.status(204);
            ctx.skipRemainingHandlers();
            return true;
        }
        return false;
    }
}
