package dev.forge.examples;

import dev.forge.Forge;
import dev.forge.builds.BuildRunnerConfig;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.exec.ExecutorConfig;
import dev.forge.examples.logging.Logging;
import dev.forge.http.ForgeHttp;
import dev.forge.http.ForgeServer;
import dev.forge.postgres.PostgresBackend;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.redis.RedisBackend;
import dev.forge.redis.RedisSettings;
import dev.forge.sandbox.Enforcement;
import dev.forge.sandbox.Sandbox;
import dev.forge.security.DevTokens;
import dev.forge.security.JwtAuthenticator;
import dev.forge.security.Role;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The runnable forge server: the HTTP API over an in-memory forge, with sample projects, ready
 * with no configuration at all ({@code java -jar forge-server.jar}). Settings come from
 * {@code FORGE_*} environment variables or the matching {@code --flags} (see {@code --help});
 * a bad value stops start-up with one line naming it and exit code 2.
 *
 * <pre>
 * java -jar forge-server.jar                        # serve on 127.0.0.1:8080
 * java -jar forge-server.jar --port=8081 --log-format=text
 * java -jar forge-server.jar token --user alice --role admin   # mint a dev token
 * </pre>
 */
public final class ExampleServer {

    /** How long the tokens printed at start stay valid. */
    static final Duration PRINTED_TOKEN_TTL = Duration.ofHours(24);

    private ExampleServer() {
    }

    /** Starts the server (or runs the {@code token} command); exits 2 on a bad setting. */
    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err);
        if (code != 0) {
            Logging.stop();
            System.exit(code);
        }
        // exit code 0 with a running server: Jetty's threads keep the JVM alive until SIGTERM
    }

    /**
     * Runs a command line; a started server keeps running after this returns and stops on JVM
     * shutdown (SIGTERM, Ctrl-C).
     *
     * @return 0 when started (or a command succeeded), 1 when start-up failed, 2 for bad settings
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> arguments = List.of(args);
        if (!arguments.isEmpty() && arguments.get(0).equals("token")) {
            return TokenCommand.run(arguments.subList(1, arguments.size()), env, out, err);
        }
        if (arguments.contains("--help") || arguments.contains("-h")) {
            usage(out);
            return 0;
        }
        ServerSettings settings;
        try {
            settings = ServerSettings.parse(env, arguments);
            requireSupported(settings);
        } catch (SettingsException e) {
            err.println("forge: " + e.getMessage());
            return 2;
        }
        return serve(settings, err);
    }

    /**
     * Starts the server for {@code settings}, which keeps running after this returns and stops on
     * JVM shutdown (SIGTERM, Ctrl-C).
     *
     * @return 0 when started, 1 when start-up failed
     */
    static int serve(ServerSettings settings, PrintStream err) {
        useLogFormat(settings.logFormat());
        Running running;
        try {
            // the banner is for the person at the terminal: stderr, so stdout carries log lines only
            running = start(settings, err);
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(ExampleServer.class).error("start-up failed", e);
            err.println("forge: could not start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            Logging.stop();
        }, "forge-shutdown"));
        return 0;
    }

    /** Starts forge and its HTTP server, and prints where to reach it (and tokens, if generated). */
    static Running start(ServerSettings settings, PrintStream out) {
        List<Path> temporary = new ArrayList<>();
        Path projects = settings.projectsDir();
        if (projects == null) {
            projects = SampleProjects.extract();
            temporary.add(projects);
        }
        Path workspace = settings.workspaceDir();
        try {
            if (workspace == null) {
                workspace = Files.createTempDirectory("forge-workspaces-");
                temporary.add(workspace);
                // build users pass through to their own workspace, but cannot list the others
                Files.setPosixFilePermissions(workspace, java.nio.file.attribute.PosixFilePermissions
                        .fromString("rwx--x--x"));
            } else {
                Files.createDirectories(workspace);
            }
        } catch (IOException e) {
            temporary.forEach(SampleProjects::deleteTree);
            throw new UncheckedIOException("cannot create the workspace folder " + workspace, e);
        }
        boolean generated = settings.jwtSecret() == null;
        String secret = generated ? randomSecret() : settings.jwtSecret();

        RateLimitConfig limits = RateLimitConfig.custom()
                .rule(RateLimiter.BUILD_CREATE, RateLimitRule.perMinute(settings.buildsPerMinute()))
                .rule(RateLimiter.ANALYSIS_CREATE, RateLimitRule.perMinute(settings.buildsPerMinute()))
                .rule(RateLimiter.REQUEST, RateLimitRule.perMinute(settings.requestsPerMinute()))
                .build();
        ProcessBuildRunner runner = new ProcessBuildRunner(BuildRunnerConfig.builder().workspaceRoot(workspace)
                .enforcement(enforcement(settings, generated)).sandboxPolicy(settings.sandboxPolicy()).build());
        RedisBackend redis = connectRedis(settings);
        PostgresBackend postgres = postgres(settings, limits);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AutoCloseable jvmMetrics = JvmMetrics.bindTo(prometheus);
        Forge.Builder builder = Forge.builder()
                .buildRunner(runner)
                // the token command mints up to 720 h; the server must accept what its own tool makes
                .authenticator(JwtAuthenticator.builder().hs256Secret(secret).maxTokenLifetime(Duration.ofHours(720)).build())
                .rateLimiter(new InMemoryRateLimiter(limits, Clock.systemUTC()))
                .admission(settings.admission());
        useRedis(builder, redis, limits);
        usePostgres(builder, postgres, redis != null);
        builder
                .projectCatalog(new DirectoryProjectCatalog(projects))
                .workspaceRoot(workspace)
                .executorConfig(ExecutorConfig.custom().workers(settings.workers())
                        .leaseVisibility(settings.queueVisibility()).build())
                .meterRegistry(prometheus);
        Forge forge;
        try {
            forge = builder.build();
        } catch (RuntimeException e) {
            closeQuietly(redis, e);
            closeQuietly(postgres, e);
            throw e;
        }
        Running running;
        try {
            running = startRole(settings, forge, redis, temporary, generated ? secret : null);
        } catch (RuntimeException e) {
            forge.close();
            closeQuietly(redis, e);
            closeQuietly(postgres, e);
            temporary.forEach(SampleProjects::deleteTree);
            throw e;
        }
        running.closeAfterForge(postgres);
        running.closeAfterForge(jvmMetrics);
        banner(out, settings, running, projects, forge);
        LoggerFactory.getLogger(ExampleServer.class).atInfo()
                .addKeyValue("url", running.url())
                .addKeyValue("projects", projects.toString())
                .log("forge listening on {}", running.url());
        // once, at start: analyses without an optional analyzer module say so in every report too
        forge.analysisPipeline().ifPresent(pipeline -> pipeline.missingAnalyzers()
                .forEach(missing -> LoggerFactory.getLogger(ExampleServer.class).warn(missing)));
        return running;
    }

    /** A started server; closing it stops HTTP, then forge, then removes temporary folders. */
    static final class Running implements AutoCloseable {
        private final Forge forge;
        private final ForgeServer server;
        private final List<Path> temporary;
        private final String generatedSecret;
        /** A worker node's health-only server instead of {@link #server}, or null. */
        private WorkerHealthServer workerHealth;
        /** The Redis backend forge runs on, closed after forge; or null (in memory). */
        private RedisBackend redis;
        /** Other backends forge runs on (PostgreSQL), closed after forge. */
        private final List<AutoCloseable> afterForge = new ArrayList<>();
        private String host;
        private boolean closed;

        Running(Forge forge, ForgeServer server, List<Path> temporary, String generatedSecret) {
            this.forge = forge;
            this.server = server;
            this.temporary = List.copyOf(temporary);
            this.generatedSecret = generatedSecret;
        }

        int port() {
            return server != null ? server.port() : workerHealth.port();
        }

        String url() {
            String bound = server != null ? server.host() : host;
            String shown = bound.contains(":") ? "[" + bound + "]" : bound;
            return "http://" + shown + ":" + port();
        }

        Forge forge() {
            return forge;
        }

        /** Closes {@code backend} (when not null) after forge, which does not close ports it was given. */
        void closeAfterForge(AutoCloseable backend) {
            if (backend != null) {
                afterForge.add(backend);
            }
        }

        /** The secret generated for this run, or null when one was configured. */
        String generatedSecret() {
            return generatedSecret;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            var log = LoggerFactory.getLogger(ExampleServer.class);
            log.info("forge shutting down: stopping HTTP, then the workers");
            if (server != null) {
                server.close();
            }
            if (workerHealth != null) {
                workerHealth.close();
            }
            forge.close();
            if (redis != null) {
                redis.close();
            }
            afterForge.forEach(backend -> closeQuietly(backend, null));
            temporary.forEach(SampleProjects::deleteTree);
            log.info("forge stopped");
        }
    }

    private static void banner(PrintStream out, ServerSettings settings, Running running, Path projects,
            Forge forge) {
        String url = running.url();
        out.println("forge " + ForgeHttp.version() + " is listening on " + url);
        out.println("  dashboard: " + url + "/dashboard   (sign in with a bearer token)");
        out.println("  API docs:  " + url + "/docs   (OpenAPI: " + url + "/openapi.json)");
        out.println("  projects:  " + projects + " " + forge.catalog().names());
        out.println("  workers:   " + workersLine(settings));
        sandboxBanner(out, settings, forge);
        if (!isLoopback(settings.host())) {
            out.println("  note: requests must name a trusted host; add yours with FORGE_TRUSTED_HOSTS");
        }
        if (running.generatedSecret() != null) {
            DevTokens tokens = DevTokens.hs256(running.generatedSecret());
            out.println("FORGE_JWT_SECRET is not set, so this run uses a generated secret. Tokens, valid "
                    + PRINTED_TOKEN_TTL.toHours() + " h:");
            out.println("  user token (alice):  " + tokens.mint("alice", "Alice", EnumSet.of(Role.USER),
                    PRINTED_TOKEN_TTL));
            out.println("  admin token (admin): " + tokens.mint("admin", "Admin", EnumSet.of(Role.ADMIN),
                    PRINTED_TOKEN_TTL));
            out.println("  try: curl -H \"Authorization: Bearer <user token>\" " + url + "/api/build/");
        }
        out.flush();
    }

    /**
     * {@code auto}: strict once a secret is configured (production: a build that cannot be
     * confined is refused), best effort for the zero-config server (its samples still run, and
     * the banner warns).
     */
    static Enforcement enforcement(ServerSettings settings, boolean generatedSecret) {
        return switch (settings.sandbox()) {
            case "off" -> Enforcement.OFF;
            case "strict" -> Enforcement.STRICT;
            default -> generatedSecret ? Enforcement.BEST_EFFORT : Enforcement.STRICT;
        };
    }

    private static void sandboxBanner(PrintStream out, ServerSettings settings, Forge forge) {
        Sandbox sandbox = forge.sandbox().orElse(Sandbox.none());
        out.println("  sandbox:   " + sandbox.description());
        java.util.List<String> gaps = sandbox.gaps(settings.sandboxPolicy());
        String enforcement = String.valueOf(forge.health().components().get("sandbox").details().get("enforcement"));
        out.println("             enforcement " + enforcement + ", network " + (settings.sandboxPolicy().network()
                ? "on" : "off") + ", memory " + settings.sandboxPolicy().memoryMb() + " MiB, processes "
                + settings.sandboxPolicy().processes());
        if (enforcement.equals("off")) {
            out.println("WARNING: FORGE_SANDBOX=off: builds run unconfined, as forge's own user, and can read "
                    + "its secrets and stop it");
        } else if (!gaps.isEmpty()) {
            out.println("WARNING: builds are not fully isolated here" + (enforcement.equals("strict")
                    ? " and will be refused" : "") + ": " + String.join("; ", gaps));
        }
    }

    /**
     * With FORGE_DATABASE_URL, every port forge can share lives in PostgreSQL (schema
     * {@code forge}, migrated at start); otherwise null and everything stays in memory.
     */
    private static PostgresBackend postgres(ServerSettings settings, RateLimitConfig limits) {
        if (settings.databaseUrl() == null) {
            return null;
        }
        return PostgresBackend.builder().jdbcUrl(settings.databaseUrl()).rateLimits(limits).build();
    }

    /**
     * Every port on PostgreSQL; with Redis as well, only the task store (tasks, logs, history)
     * stays there, and Redis takes the queue, events, locks and limits.
     */
    private static void usePostgres(Forge.Builder builder, PostgresBackend postgres, boolean withRedis) {
        if (postgres == null) {
            return;
        }
        if (withRedis) {
            builder.taskStore(postgres.taskStore());
        } else {
            postgres.configure(builder);
        }
    }

    private static void closeQuietly(AutoCloseable resource, Exception failure) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                LoggerFactory.getLogger(ExampleServer.class).warn("closing {} failed", resource, e);
            }
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.equals("[::1]");
    }

    private static void requireSupported(ServerSettings settings) {
        if (!settings.role().equals("all") && settings.redisUrl() == null && settings.databaseUrl() == null) {
            throw new SettingsException("FORGE_ROLE: '" + settings.role() + "' needs a store shared "
                    + "with the other nodes: set FORGE_REDIS_URL or FORGE_DATABASE_URL, or use 'all'");
        }
    }

    // ---- Redis and roles: every port on Redis when FORGE_REDIS_URL is set (docs/operations.md)

    /** The Redis backend for {@code FORGE_REDIS_URL}, or null to run in memory. */
    private static RedisBackend connectRedis(ServerSettings settings) {
        if (settings.redisUrl() == null) {
            return null;
        }
        java.net.URI url = settings.redisUrl();
        RedisSettings.Builder redis = RedisSettings.custom();
        // "?key_prefix=..." lets installations (and tests) share one Redis; the rest is the server
        String query = url.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("key_prefix=")) {
                    redis.keyPrefix(java.net.URLDecoder.decode(pair.substring("key_prefix=".length()),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        String plain = url.toString();
        int question = plain.indexOf('?');
        return RedisBackend.connect(redis.uri(question < 0 ? plain : plain.substring(0, question)).build());
    }

    /** Puts every shared port of {@code builder} on {@code redis}; nothing when null. */
    private static void useRedis(Forge.Builder builder, RedisBackend redis, RateLimitConfig limits) {
        if (redis != null) {
            redis.configure(builder).rateLimiter(redis.rateLimiter(limits));
        }
    }

    /**
     * Starts what the node's role runs: {@code all} workers and the API, {@code api} the API only
     * (tasks run on worker nodes), {@code worker} the workers and a health-only server.
     */
    private static Running startRole(ServerSettings settings, Forge forge, RedisBackend redis,
            List<Path> temporary, String generatedSecret) {
        String role = settings.role();
        if (!role.equals("api")) {
            forge.start();
        }
        Running running;
        if (role.equals("worker")) {
            running = new Running(forge, null, temporary, generatedSecret);
            running.workerHealth = WorkerHealthServer.start(settings.host(), settings.port(), forge::health);
            running.host = settings.host();
        } else {
            running = new Running(forge, ForgeServer.start(forge, settings.httpConfig(), settings.host(),
                    settings.port()), temporary, generatedSecret);
        }
        running.redis = redis;
        return running;
    }

    private static String workersLine(ServerSettings settings) {
        String redis = settings.redisUrl() == null ? null
                : "Redis at " + settings.redisUrl().getHost() + ":" + settings.redisUrl().getPort();
        String where;
        if (settings.databaseUrl() != null) {
            where = redis == null ? "every port on PostgreSQL"
                    : "tasks and logs on PostgreSQL, queue, events and limits on " + redis;
        } else {
            where = redis == null ? "everything in memory" : "every port on " + redis;
        }
        if (redis != null || settings.databaseUrl() != null) {
            where += " (role " + settings.role() + ")";
        }
        return (settings.role().equals("api") ? "none (API node)" : String.valueOf(settings.workers())) + ", " + where;
    }

    /** Picks the logback configuration before the first logger is made. */
    private static void useLogFormat(String format) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile",
                    format.equals("text") ? "forge-logback-text.xml" : "forge-logback-json.xml");
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[48];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar forge-server.jar [--option=value ...]");
        out.println("       java -jar forge-server.jar token --user <id> [--role user|admin] [--ttl-hours 24]");
        out.println();
        out.println("Every option is also an environment variable; the option wins.");
        for (String variable : ServerSettings.ORDER) {
            out.printf("  %-40s %s%n", ServerSettings.flagOf(variable) + " / " + variable,
                    ServerSettings.VARIABLES.get(variable));
        }
    }
}
