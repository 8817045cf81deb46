package dev.forge.http;

import io.javalin.http.Context;
import dev.forge.security.LogText;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The first filter of every request: a request id (the caller's {@code X-Request-Id} when it is
 * a safe token, else a new one), echoed in the response and put in the SLF4J MDC with the
 * other per-request keys, and the security headers.
 */
final class RequestContext {

    /** MDC key and response header value of the request id. */
    static final String REQUEST_ID = "request_id";
    /** MDC key of the authenticated user id. */
    static final String USER = "user";
    /** MDC key of the task a request is about. */
    static final String TASK_ID = "task_id";
    /** MDC key of the project a request is about. */
    static final String PROJECT = "project";
    /** The request id header. */
    static final String HEADER = "X-Request-Id";

    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final String[] KEYS = {REQUEST_ID, USER, TASK_ID, PROJECT};
    private static final int USER_INDEX = 1;
    private static final int TASK_INDEX = 2;
    private static final int PROJECT_INDEX = 3;
    /**
     * The request's values of {@link #KEYS}, in that order, as one request attribute: four
     * attributes were four map writes and, for the access log, four map reads per request.
     */
    private static final String VALUES = "forge.log-keys";

    private RequestContext() {
    }

    /** Javalin before handler. */
    static void begin(Context ctx) {
        clearMdc();
        String incoming = ctx.header(HEADER);
        String id = incoming != null && SAFE_ID.matcher(incoming).matches()
                ? incoming
                : newId();
        String[] values = new String[KEYS.length];
        values[0] = id;
        ctx.attribute(VALUES, values);
        MDC.put(REQUEST_ID, id);
        ctx.header(HEADER, id);
        SecurityHeaders.apply(ctx.res());
    }

    /**
     * A random version-4 UUID from the thread's own generator. A request id correlates log lines
     * and is no secret, so it need not come from {@code SecureRandom}, whose one shared instance
     * every request thread would otherwise queue on ({@code UUID.randomUUID()}).
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong() & ~0xF000L | 0x4000L;
        long low = random.nextLong() & ~(0xC000_0000_0000_0000L) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    /** Records the authenticated user, for logs. */
    static void user(Context ctx, String userId) {
        put(ctx, USER_INDEX, userId);
    }

    /** Records the task a request is about, for logs. */
    static void task(Context ctx, String taskId) {
        put(ctx, TASK_INDEX, taskId);
    }

    /** Records the project a request is about, for logs. */
    static void project(Context ctx, String project) {
        put(ctx, PROJECT_INDEX, project);
    }

    /**
     * The one place caller-controlled text enters the MDC: escaped, so a user id or project name
     * cannot break a line of a text log format, whatever the authenticator or validator let in.
     */
    private static void put(Context ctx, int index, String value) {
        String safe = LogText.escape(value);
        String[] values = ctx.attribute(VALUES);
        if (values == null) {
            values = new String[KEYS.length];
            ctx.attribute(VALUES, values);
        }
        values[index] = safe;
        MDC.put(KEYS[index], safe);
    }

    /** Puts the request's keys (kept as attributes) into the MDC of the current thread. */
    static void restoreMdc(Context ctx) {
        String[] values = ctx.attribute(VALUES);
        if (values == null) {
            return;
        }
        for (int i = 0; i < KEYS.length; i++) {
            if (values[i] != null) {
                MDC.put(KEYS[i], values[i]);
            }
        }
    }

    /** Removes forge's per-request keys from the current thread's MDC. */
    static void clearMdc() {
        for (String key : KEYS) {
            MDC.remove(key);
        }
    }
}
