package dev.forge.http;

import dev.forge.Forge;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.JwtAuthenticator;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.time.Clock;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs forge's HTTP API into a Javalin application:
 *
 * <pre>{@code
 * Javalin app = Javalin.create(config -> ForgeHttp.install(config, forge, HttpConfig.defaults()));
 * }</pre>
 *
 * <p>Besides the routes ({@code /api/build}, {@code /api/analysis}, {@code /api/health},
 * {@code /api/projects}, {@code /metrics}, {@code /openapi.json}, {@code /docs}, the task
 * WebSockets and the {@code /dashboard} page) it installs, for forge's paths only (those
 * prefixes, see {@code docs/http.md}): the request-id, security-header, trusted-host, CORS and
 * HEAD-refusal filters; problem+json for every error, 405 with {@code Allow} for a wrong method;
 * and the access log. The host application's own routes keep their behaviour: no forge headers,
 * Javalin's own error responses, HEAD answered as Javalin answers it. Authentication and rate
 * limiting apply only to forge's routes; the rate limits are on even when the {@link Forge} has
 * no limiter of its own (see {@code Forge.Builder.rateLimiter}). {@link ForgeServer}, where forge
 * is the whole application, applies all of it to every path.
 */
public final class ForgeHttp {

    private static final Logger LOG = LoggerFactory.getLogger(ForgeHttp.class);

    private ForgeHttp() {
    }

    /**
     * Registers forge's routes, filters and error handling in {@code config}.
     *
     * @param config     the Javalin configuration being built
     * @param forge      the engine the routes call
     * @param httpConfig body limit, CORS, trusted hosts, debug, metrics access
     */
    public static void install(JavalinConfig config, Forge forge, HttpConfig httpConfig) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(forge, "forge");
        Objects.requireNonNull(httpConfig, "httpConfig");
        new Installer(config, forge, httpConfig, ForgePaths.embedded()).install();
    }

    /** As {@link #install}, for an application that is forge alone: every path is forge's. */
    static void installAsWholeApplication(JavalinConfig config, Forge forge, HttpConfig httpConfig) {
        new Installer(config, forge, httpConfig, ForgePaths.wholeApplication()).install();
    }

    /** The library version, as shown by the health routes and the OpenAPI document. */
    public static String version() {
        Properties properties = new Properties();
        try (InputStream in = ForgeHttp.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            LOG.debug("cannot read version.properties", e);
        }
        return properties.getProperty("version", "unknown");
    }

    private static final class Installer {

        private final JavalinConfig config;
        private final Forge forge;
        private final HttpConfig httpConfig;
        private final ForgePaths paths;
        private ErrorMapper errors;

        Installer(JavalinConfig config, Forge forge, HttpConfig httpConfig, ForgePaths paths) {
            this.config = config;
            this.forge = forge;
            this.httpConfig = httpConfig;
            this.paths = paths;
        }

        /**
         * The HTTP API limits users whether or not the embedding application configured a
         * limiter: forge's own when there is one (shared between nodes, custom limits), else the
         * default limits in this process, closed with the server.
         */
        private static RateLimiter rateLimiter(Forge forge, JavalinConfig config) {
            if (forge.rateLimiter().isPresent()) {
                return forge.rateLimiter().get();
            }
            RateLimiter own = new InMemoryRateLimiter(RateLimitConfig.ofDefaults(), forge.clock());
            config.events.serverStopped(own::close);
            return own;
        }

        void install() {
            String version = version();
            MeterRegistry registry = forge.metrics().registry();
            errors = new ErrorMapper(httpConfig, paths);
            AccessLog accessLog = new AccessLog(registry);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "forge-http-sse");
                thread.setDaemon(true);
                return thread;
            });
            // The timer only queues keep-alives and checks deadlines; no write ever waits on it.
            StreamLimits limits = new StreamLimits(httpConfig, scheduler, registry);
            EventStreams streams = new EventStreams(forge.events(), forge.store(), scheduler,
                    httpConfig.sseKeepAlive(), limits);
            RateLimiter limiter = rateLimiter(forge, config);
            Authentication auth = new Authentication(forge.authenticator(), limiter);
            BuildRoutes builds = new BuildRoutes(forge.builds().limitedBy(limiter), streams, httpConfig);
            AnalysisRoutes analyses = new AnalysisRoutes(forge.analyses().limitedBy(limiter), streams, httpConfig);
            HealthRoutes health = new HealthRoutes(forge::health, accessLog::requests, forge.clock(), version,
                    securityDetails(forge, httpConfig));
            DocsRoutes docs = new DocsRoutes(version);
            ProjectRoutes projects = new ProjectRoutes(forge.catalog());
            DashboardRoutes dashboard = new DashboardRoutes();
            HostCheck hostCheck = new HostCheck(httpConfig);
            WebSocketRoutes sockets = new WebSocketRoutes(forge.authenticator(), limiter, forge.events(),
                    forge.store(), scheduler, httpConfig.sseKeepAlive(), hostCheck, limits);

            // no prefer405over404: it is app-wide; forge answers 405 on its own paths (ErrorMapper)
            config.requestLogger.http((ctx, millis) -> {
                if (paths.owns(ctx)) {
                    accessLog.log(ctx, millis);
                }
            });
            if (paths.owns("/")) {
                // java.lang.Error handling is app-wide and sees no request: only when forge is the app
                config.router.javaLangErrorHandler(errors::handleError);
            }
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors.ServerHandler(paths)));
            config.jetty.modifyServletContextHandler(
                    handler -> handler.setErrorHandler(new JettyErrors.ContextHandler(paths)));
            config.events.serverStopping(streams::close);
            config.events.serverStopped(limits::close);
            config.events.serverStopped(scheduler::shutdownNow);

            var routes = config.routes;
            routes.exception(Exception.class, errors::handle);
            routes.exception(HttpResponseException.class, errors::handle);
            // One filter, not four: Javalin matches each before filter's path on every request,
            // and each would ask paths.owns again. Same order and the same effect as four filters:
            // a throw ends the chain, and a CORS preflight answered here skips the rest.
            Cors cors = new Cors(httpConfig);
            routes.before(onForgePaths(ctx -> {
                RequestContext.begin(ctx);
                hostCheck.check(ctx);
                if (cors.apply(ctx)) {
                    return;
                }
                refuseHeadOutsideHealth(ctx);
            }));
            routes.beforeMatched(auth::check);

            String build = BuildRoutes.BASE;
            route(HandlerType.POST, build, builds::create, Access.USER);
            route(HandlerType.GET, build, builds::history, Access.USER);
            route(HandlerType.GET, build + "/{task_id}", builds::status, Access.USER);

            // Javalin tries a method's routes in the order they were added, one regex each, until
            // one matches: the most frequent requests (build status and history, the health
            // probes) come first. No two forge routes match the same path, so the order changes
            // nothing else.
            String healthBase = HealthRoutes.BASE;
            route(HandlerType.GET, healthBase, health::summary, Access.ANYONE);
            route(HandlerType.GET, healthBase + "/ready", health::ready, Access.ANYONE);
            route(HandlerType.GET, healthBase + "/live", health::live, Access.ANYONE);
            route(HandlerType.GET, healthBase + "/status", health::status, Access.OPTIONAL);

            route(HandlerType.DELETE, build + "/{task_id}", builds::cancel, Access.USER);
            route(HandlerType.GET, build + "/{task_id}/logs", builds::logs, Access.USER);
            route(HandlerType.GET, build + "/{task_id}/events", builds::events, Access.USER);

            String analysis = AnalysisRoutes.BASE;
            route(HandlerType.POST, analysis, analyses::create, Access.USER);
            route(HandlerType.GET, analysis, analyses::history, Access.USER);
            route(HandlerType.GET, analysis + "/{analysis_id}", analyses::result, Access.USER);
            route(HandlerType.DELETE, analysis + "/{analysis_id}", analyses::cancel, Access.USER);
            route(HandlerType.GET, analysis + "/{analysis_id}/sarif", analyses::sarif, Access.USER);
            route(HandlerType.GET, analysis + "/{analysis_id}/logs", analyses::logs, Access.USER);
            route(HandlerType.GET, analysis + "/{analysis_id}/events", analyses::events, Access.USER);

            PrometheusMeterRegistry prometheus = prometheus(registry);
            if (prometheus != null) {
                route(HandlerType.GET, MetricsRoute.PATH, new MetricsRoute(prometheus)::scrape,
                        httpConfig.metricsRequireAdmin() ? Access.ADMIN : Access.ANYONE);
            } else {
                LOG.info("forge's meter registry holds no PrometheusMeterRegistry; /metrics is not served");
            }
            route(HandlerType.GET, DocsRoutes.OPENAPI_PATH, docs::openApi, Access.ANYONE);
            route(HandlerType.GET, DocsRoutes.DOCS_PATH, docs::docs, Access.ANYONE);

            route(HandlerType.GET, ProjectRoutes.PATH, projects::list, Access.USER);
            route(HandlerType.GET, DashboardRoutes.PATH, dashboard::page, Access.ANYONE);
            route(HandlerType.GET, DashboardRoutes.ASSET_PATH, dashboard::asset, Access.ANYONE);
            sockets.register(config, build + "/{task_id}/ws", "task_id", forge.builds()::status, Wire::build);
            sockets.register(config, analysis + "/{analysis_id}/ws", "analysis_id", forge.analyses()::status,
                    Wire::analysis);
        }

        /** Registers the route with and, when the router does not ignore them, without a trailing slash. */
        private void route(HandlerType method, String path, Handler handler, Access access) {
            paths.add(method, path);
            Handler guarded = guarded(handler);
            config.routes.addHttpHandler(method, path, guarded, access);
            if (!config.router.ignoreTrailingSlashes) {
                config.routes.addHttpHandler(method, path + "/", guarded, access);
            }
        }

        /** A filter that runs only for forge's paths, leaving the host's routes alone. */
        private Handler onForgePaths(Handler filter) {
            return ctx -> {
                if (paths.owns(ctx)) {
                    filter.handle(ctx);
                }
            };
        }

        /**
         * Maps a forge route's exceptions itself, so that an exception handler the host registers
         * for its own routes (say for {@code Exception}) cannot turn forge's problems into its pages.
         */
        private Handler guarded(Handler handler) {
            return ctx -> {
                try {
                    handler.handle(ctx);
                } catch (Exception e) {
                    errors.handle(e, ctx);
                }
            };
        }

        private static Map<String, Object> securityDetails(Forge forge, HttpConfig httpConfig) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("authenticator", forge.authenticator().getClass().getSimpleName());
            if (forge.authenticator() instanceof JwtAuthenticator jwt) {
                details.put("algorithm", jwt.algorithm());
            }
            details.put("trusted_hosts", new TreeSet<>(httpConfig.trustedHosts()));
            details.put("cors_origins", new TreeSet<>(httpConfig.corsOrigins()));
            details.put("body_limit_bytes", httpConfig.bodyLimitBytes());
            return details;
        }

        private static PrometheusMeterRegistry prometheus(MeterRegistry registry) {
            if (registry instanceof PrometheusMeterRegistry prometheus) {
                return prometheus;
            }
            if (registry instanceof CompositeMeterRegistry composite) {
                for (MeterRegistry member : composite.getRegistries()) {
                    PrometheusMeterRegistry found = prometheus(member);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }
    }

    /**
     * Javalin answers HEAD for every GET route by itself, before matched-route filters run, so
     * HEAD would skip authentication and tell which routes exist. Only the public health probes
     * take HEAD; everything else answers 405.
     */
    private static void refuseHeadOutsideHealth(Context ctx) {
        if (ctx.method() == HandlerType.HEAD && !ctx.path().contains(HealthRoutes.BASE)) {
            throw new ProblemException(Problem.methodNotAllowed("GET"));
        }
    }
}
