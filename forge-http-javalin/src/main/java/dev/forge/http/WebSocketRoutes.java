package dev.forge.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.InfrastructureException;
import dev.forge.Outcome;
import dev.forge.events.EventBus;
import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.AuthResult;
import dev.forge.security.Authenticator;
import dev.forge.security.Principal;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import org.eclipse.jetty.websocket.api.Callback;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/build/{task_id}/ws} and {@code /api/analysis/{analysis_id}/ws}: a task's events
 * over a WebSocket, the same frames as the server-sent events ({@link TaskEventFeed}), as text
 * messages {@code {"type": "status"|"progress"|"log"|"done", "id": "<version>-<line>",
 * "data": {...}}}. A client that reconnects resumes after the last {@code id} it received, given
 * as the upgrade's {@code Last-Event-ID} header, a {@code last_event_id} query parameter or a
 * {@code "last_event_id"} field of the auth message; a finished task with nothing new then
 * closes at once with 1000. Writes are asynchronous through a bounded {@link Outbox}: a client
 * that takes no message within the write deadline is disconnected ({@link StreamLimits}).
 *
 * <p>The caller authenticates with the upgrade request's {@code Authorization: Bearer} header
 * or, since browsers cannot set headers on a WebSocket, with a first message
 * {@code {"type":"auth","token":"..."}} within {@link #AUTH_TIMEOUT}; a token is never read
 * from the URL. Refusals close the connection with the codes below, after the upgrade (a
 * browser cannot read an HTTP status of a refused upgrade). Protocol pings keep idle
 * connections open; a client may also send {@code {"type":"ping"}} and gets
 * {@code {"type":"pong"}}.
 */
final class WebSocketRoutes {

    /** No token, a bad token, or no auth message in time. */
    static final int UNAUTHENTICATED = 4401;
    /** Another user's task. */
    static final int FORBIDDEN = 4403;
    /** No such task (or an id that cannot exist). */
    static final int NOT_FOUND = 4404;
    /** Over the per-user connection bound, or the request rate limit. */
    static final int TOO_MANY = 4429;
    /** The store or authenticator is down; try again later (RFC 6455 1013). */
    static final int TRY_AGAIN_LATER = 1013;
    /** How long an unauthenticated connection may stay open waiting for its auth message. */
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(5);
    /** Open task sockets per user; one more is closed with {@link #TOO_MANY}. */
    static final int MAX_PER_USER = 8;

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketRoutes.class);
    private static final int MAX_MESSAGE_CHARS = 16_384;
    private static final String PONG = Json.write(Map.of("type", "pong"));

    private final Authenticator authenticator;
    private final RateLimiter rateLimiter;
    private final EventBus events;
    private final TaskStore store;
    private final StreamLimits limits;
    private final ScheduledExecutorService scheduler;
    private final Duration ping;
    private final HostCheck hostCheck;
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();

    WebSocketRoutes(Authenticator authenticator, RateLimiter rateLimiter, EventBus events, TaskStore store,
            ScheduledExecutorService scheduler, Duration ping, HostCheck hostCheck, StreamLimits limits) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.events = events;
        this.store = store;
        this.limits = limits;
        this.scheduler = scheduler;
        this.ping = ping;
        this.hostCheck = hostCheck;
    }

    /**
     * Registers one task socket.
     *
     * @param path   e.g. {@code /api/build/{task_id}/ws}
     * @param param  the path parameter holding the id
     * @param lookup the service's access-checked read
     * @param wire   the finished task's JSON, sent with {@code done}
     */
    void register(JavalinConfig config, String path, String param,
            BiFunction<Principal, TaskId, Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire) {
        // HTTP before-filters do not run for upgrades; the host check must, or a rebinding
        // page could open sockets to a server on a private address.
        config.routes.wsBeforeUpgrade(path, this::beforeUpgrade);
        config.routes.ws(path, ws -> configure(ws, param, lookup, wire));
    }

    private void beforeUpgrade(Context ctx) {
        RequestContext.begin(ctx);
        hostCheck.check(ctx);
    }

    private void configure(WsConfig ws, String param, BiFunction<Principal, TaskId, Outcome<TaskRecord>> lookup,
            Function<TaskRecord, Map<String, Object>> wire) {
        ws.onConnect(ctx -> {
            Connection connection = new Connection(ctx, ctx.pathParam(param), lookup, wire);
            connections.put(ctx.sessionId(), connection);
            limits.watch(connection.outbox);
            String resume = ctx.header("Last-Event-ID");
            connection.resume = StreamPosition.parse(resume != null ? resume : ctx.queryParam("last_event_id"));
            ctx.enableAutomaticPings(ping.toMillis(), TimeUnit.MILLISECONDS);
            String header = ctx.header("Authorization");
            if (header != null && !header.isBlank()) {
                connection.authenticate(bearer(header));
            } else {
                connection.authTimeout = scheduler.schedule(() -> connection.refuse(UNAUTHENTICATED,
                        "no auth message within " + AUTH_TIMEOUT.toSeconds() + " s"),
                        AUTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        ws.onMessage(this::onMessage);
        ws.onClose(this::onClose);
        ws.onError(ctx -> {
            Connection connection = connections.get(ctx.sessionId());
            if (connection != null) {
                connection.end();
            }
        });
    }

    private void onMessage(WsMessageContext ctx) {
        Connection connection = connections.get(ctx.sessionId());
        if (connection == null) {
            return;
        }
        String text = ctx.message();
        JsonNode message = null;
        if (text.length() <= MAX_MESSAGE_CHARS) {
            try {
                message = Json.parse(text.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                message = null; // not JSON: treated as an unknown message below
            }
        }
        String type = message != null && message.path("type").isTextual() ? message.path("type").asText() : "";
        if (type.equals("ping")) {
            connection.outbox.add(PONG);
        } else if (!connection.isAuthenticated()) {
            // The first message of an unauthenticated socket must be the auth message.
            String token = type.equals("auth") && message.path("token").isTextual()
                    ? message.path("token").asText() : "";
            if (type.equals("auth") && message.path("last_event_id").isTextual()) {
                connection.resume = StreamPosition.parse(message.path("last_event_id").asText());
            }
            connection.authenticate(token);
        }
        // Other messages of an authenticated socket are ignored: the stream is one-way.
    }

    private void onClose(WsCloseContext ctx) {
        Connection connection = connections.remove(ctx.sessionId());
        if (connection != null) {
            connection.end();
        }
    }

    private static String bearer(String header) {
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return "";
        }
        return header.substring(space + 1).trim();
    }

    /** One socket: waiting for auth, then following a task (its feed writes to the outbox) until it ends. */
    private final class Connection {

        private final WsContext ctx;
        private final WsOutbox outbox;
        /** Where the client asked to resume: the upgrade's Last-Event-ID or the auth message's. */
        private volatile StreamPosition resume;
        private final String rawId;
        private final BiFunction<Principal, TaskId, Outcome<TaskRecord>> lookup;
        private final Function<TaskRecord, Map<String, Object>> wire;
        private volatile ScheduledFuture<?> authTimeout;
        private Principal principal;
        private boolean counted;
        private TaskEventFeed feed;
        private boolean ended;

        Connection(WsContext ctx, String rawId, BiFunction<Principal, TaskId, Outcome<TaskRecord>> lookup,
                Function<TaskRecord, Map<String, Object>> wire) {
            this.ctx = ctx;
            this.rawId = rawId;
            this.lookup = lookup;
            this.wire = wire;
            this.outbox = new WsOutbox(this);
        }

        synchronized boolean isAuthenticated() {
            return principal != null;
        }

        void authenticate(String token) {
            ScheduledFuture<?> timeout = authTimeout;
            if (timeout != null) {
                timeout.cancel(false);
            }
            Principal caller;
            try {
                caller = token.isEmpty() ? null : principalOf(token);
            } catch (InfrastructureException e) {
                LOG.warn("authenticator unavailable for a WebSocket", e);
                refuse(TRY_AGAIN_LATER, "authentication is unavailable; try again later");
                return;
            }
            if (caller == null) {
                refuse(UNAUTHENTICATED, "a valid bearer token is required");
                return;
            }
            RateLimitDecision decision = rateLimiter.tryAcquire(caller.userId(), RateLimiter.REQUEST);
            if (!decision.allowed()) {
                refuse(TOO_MANY, "rate limited");
                return;
            }
            synchronized (this) {
                if (ended || principal != null) {
                    return;
                }
                principal = caller;
                AtomicInteger count = perUser.computeIfAbsent(caller.userId(), u -> new AtomicInteger());
                if (count.incrementAndGet() > MAX_PER_USER) {
                    count.decrementAndGet();
                } else {
                    counted = true;
                }
            }
            if (!counted) {
                refuse(TOO_MANY, "too many open sockets for this user (at most " + MAX_PER_USER + ")");
                return;
            }
            follow(caller);
        }

        private void follow(Principal caller) {
            TaskId id = TaskId.parseOrNull(rawId);
            Outcome<TaskRecord> found;
            try {
                found = id == null ? new Outcome.NotFound<>("task") : lookup.apply(caller, id);
            } catch (InfrastructureException e) {
                LOG.warn("task store unavailable for a WebSocket", e);
                refuse(TRY_AGAIN_LATER, "the task store is unavailable; try again later");
                return;
            }
            if (found instanceof Outcome.Forbidden<TaskRecord>) {
                refuse(FORBIDDEN, "this task belongs to another user");
            } else if (!(found instanceof Outcome.Ok<TaskRecord>)) {
                refuse(NOT_FOUND, "no task with that id is visible to you");
            } else {
                TaskEventFeed.Resume from = TaskEventFeed.resume(store, ((Outcome.Ok<TaskRecord>) found).value(), resume);
                if (from == TaskEventFeed.Resume.UP_TO_DATE) {
                    close(1000, "done"); // finished and nothing new since the client's position
                    return;
                }
                TaskEventFeed opened = TaskEventFeed.open(events, store, id, () -> lookup.apply(caller, id), wire,
                        outbox, TaskEventFeed.FrameFormat.WEBSOCKET, from.from(), limits.refills());
                boolean close;
                synchronized (this) {
                    feed = opened;
                    close = ended;
                }
                if (close) {
                    opened.close();
                }
            }
        }

        private Principal principalOf(String token) {
            AuthResult result;
            try {
                result = authenticator.authenticate(token);
            } catch (InfrastructureException e) {
                throw e;
            } catch (RuntimeException e) {
                // An authenticator must reject, not throw; treat a throw as a rejection.
                LOG.warn("authenticator threw; rejecting the WebSocket's token", e);
                return null;
            }
            return result instanceof AuthResult.Authenticated ok ? ok.principal() : null;
        }

        void refuse(int code, String reason) {
            LOG.debug("WebSocket of task {} refused: {} {}", rawId, code, reason);
            close(code, reason);
        }

        private void close(int code, String reason) {
            try {
                ctx.closeSession(code, reason);
            } catch (RuntimeException e) {
                LOG.debug("closing a WebSocket failed; it is gone already", e);
            }
            end();
        }

        /** Releases the subscription and the per-user slot; idempotent. */
        void end() {
            TaskEventFeed toClose;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                toClose = feed;
                if (counted) {
                    perUser.computeIfPresent(principal.userId(), (u, n) -> n.decrementAndGet() <= 0 ? null : n);
                }
            }
            ScheduledFuture<?> timeout = authTimeout;
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (toClose != null) {
                toClose.close();
            }
            limits.forget(outbox);
            outbox.end(Outbox.End.CLOSED);
        }
    }

    /**
     * The outbox of one socket: one text message in flight at a time, through Jetty's
     * asynchronous send, the next one started by the completion of the last.
     */
    private final class WsOutbox extends Outbox {

        private final Connection connection;

        WsOutbox(Connection connection) {
            super(limits.bufferChars(), limits.deadlineMillis(), System::nanoTime);
            this.connection = connection;
        }

        @Override
        int maxChunkChars() {
            return 0; // every frame is its own message
        }

        @Override
        boolean startWrite(String chunk) {
            connection.ctx.session.sendText(chunk, Callback.from(this::written, this::failed));
            return false;
        }

        @Override
        void close(End why) {
            switch (why) {
                case DRAINED -> connection.close(1000, "done");
                case TOO_SLOW -> {
                    limits.dropped("websocket");
                    // no close handshake: the client reads nothing, so it would not arrive
                    try {
                        connection.ctx.session.disconnect();
                    } catch (RuntimeException e) {
                        LOG.debug("disconnecting a slow WebSocket failed", e);
                    }
                    connection.end();
                }
                default -> connection.end();
            }
        }

        @Override
        public String toString() {
            return "WebSocket of task " + connection.rawId;
        }
    }
}
