package dev.forge.http;

import dev.forge.security.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Javalin request logger: one access-log line per request, the {@code http_server_requests}
 * timer (by method, route template and status - never the raw path, which callers control),
 * and the request count shown by the status endpoint.
 */
final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("dev.forge.http.access");

    private final MeterRegistry registry;
    private final LongAdder requests = new LongAdder();

    AccessLog(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Javalin request logger. */
    void log(Context ctx, Float millis) {
        requests.increment();
        int status = ctx.statusCode();
        String route = route(ctx, status);
        // Jetty only admits token characters here; escaped anyway, as every caller-chosen text in a log
        String method = LogText.escape(ctx.req().getMethod());
        double ms = millis == null || millis < 0 ? 0 : millis;
        Timer.builder("http.server.requests")
                .description("HTTP requests by method, route template and status")
                .tag("method", knownMethod(method))
                .tag("uri", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
        RequestContext.restoreMdc(ctx);
        try {
            LOG.atInfo()
                    .addKeyValue("method", method)
                    .addKeyValue("path", ErrorMapper.safePath(ctx))
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", Math.round(ms * 10) / 10.0)
                    .log("{} {} {} {} ms", method, ErrorMapper.safePath(ctx), status, Math.round(ms * 10) / 10.0);
        } finally {
            RequestContext.clearMdc();
        }
    }

    /** Requests served since start. */
    long requests() {
        return requests.sum();
    }

    private static String route(Context ctx, int status) {
        if (status == 404) {
            return "NOT_FOUND";
        }
        try {
            Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? "UNMATCHED" : endpoint.path;
        } catch (RuntimeException e) {
            return "UNMATCHED";
        }
    }

    private static String knownMethod(String method) {
        switch (method) {
            case "GET": case "POST": case "PUT": case "DELETE": case "PATCH": case "HEAD": case "OPTIONS":
                return method;
            default:
                return "OTHER";
        }
    }
}
