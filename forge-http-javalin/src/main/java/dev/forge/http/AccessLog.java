package dev.forge.http;

import dev.forge.security.LogText;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
    private final ConcurrentMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    AccessLog(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Javalin request logger. */
    void log(Context ctx, Float millis) {
        requests.increment();
        int status = ctx.statusCode();
        // Jetty only admits token characters here; escaped anyway, as every caller-chosen text in a log
        String method = LogText.escape(ctx.req().getMethod());
        double ms = millis == null || millis < 0 ? 0 : millis;
        timer(knownMethod(method), route(ctx, status), status).record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
        if (!LOG.isInfoEnabled()) {
            return;
        }
        String path = ErrorMapper.safePath(ctx);
        double rounded = Math.round(ms * 10) / 10.0;
        RequestContext.restoreMdc(ctx);
        try {
            // the line "{method} {path} {status} {ms} ms" built directly: the same text as a
            // "{} {} {} {} ms" pattern, without the formatter's parse and its argument array
            String message = new StringBuilder(method.length() + path.length() + 20).append(method)
                    .append(' ').append(path).append(' ').append(status).append(' ').append(rounded)
                    .append(" ms").toString();
            LOG.atInfo()
                    .addKeyValue("method", method)
                    .addKeyValue("path", path)
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", rounded)
                    .log(message);
        } finally {
            RequestContext.clearMdc();
        }
    }

    /**
     * The timer of one method, route template and status, built once: registering a meter per
     * request (builder, tag sorting, registry lookup) cost more than recording it. The keys are
     * bounded as the tags are: known methods, route templates, three-digit statuses.
     */
    private Timer timer(String method, String route, int status) {
        TimerKey key = new TimerKey(method, route, status);
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                    .description("HTTP requests by method, route template and status")
                    .tag("method", k.method())
                    .tag("uri", k.route())
                    .tag("status", Integer.toString(k.status()))
                    .register(registry));
        }
        return timer;
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

    /**
     * A timer's key. equals and hashCode written out: a record's generated ones go through an
     * invokedynamic bootstrap that showed in the request profile (one lookup per request).
     */
    private record TimerKey(String method, String route, int status) {

        @Override
        public boolean equals(Object other) {
            return other instanceof TimerKey key && status == key.status
                    && method.equals(key.method) && route.equals(key.route);
        }

        @Override
        public int hashCode() {
            return (method.hashCode() * 31 + route.hashCode()) * 31 + status;
        }
    }
}
