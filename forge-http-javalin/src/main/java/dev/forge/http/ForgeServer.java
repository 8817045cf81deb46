package dev.forge.http;

import dev.forge.Forge;
import io.javalin.Javalin;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * forge's HTTP API as a standalone server: a Javalin app holding only {@link ForgeHttp}.
 * Closing the server stops HTTP (open event streams end); the {@link Forge} it serves belongs to
 * the caller, who closes it afterwards.
 *
 * <p>Besides the API it keeps its connections in check (see {@link HttpConfig}): caps on open
 * connections in total and per client address, deadlines for request headers and bodies, an
 * idle timeout. At start it logs the process's file-descriptor budget and lowers the total
 * cap, with a WARN, when the budget could not hold it.
 *
 * <pre>{@code
 * try (Forge forge = Forge.builder().build();
 *      ForgeServer server = ForgeServer.start(forge, HttpConfig.defaults(), "127.0.0.1", 8080)) {
 *     forge.start();
 *     ...
 * }
 * }</pre>
 */
public final class ForgeServer implements AutoCloseable {

    /** File descriptors left for everything but client connections: builds, logs, jars, stores. */
    static final long FD_RESERVE = 256;

    private static final Logger LOG = LoggerFactory.getLogger(ForgeServer.class);
    /** How long {@link #close} waits for the HTTP server to stop. */
    static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Javalin app;
    private final String host;
    private final ConnectionGuard guard;

    private ForgeServer(Javalin app, String host, ConnectionGuard guard) {
        this.app = app;
        this.host = host;
        this.guard = guard;
    }

    /**
     * Starts serving {@code forge} on {@code host:port}.
     *
     * @param port the TCP port, or 0 for any free port (see {@link #port()})
     * @throws IllegalArgumentException for a port outside 0-65535
     */
    public static ForgeServer start(Forge forge, HttpConfig httpConfig, String host, int port) {
        Objects.requireNonNull(forge, "forge");
        Objects.requireNonNull(httpConfig, "httpConfig");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0-65535, was " + port);
        }
        int cap = connectionCap(httpConfig.maxConnections());
        ConnectionGuard guard = new ConnectionGuard(cap, Math.min(cap, httpConfig.maxConnectionsPerAddress()),
                httpConfig.headerTimeout(), httpConfig.bodyTimeout());
        try {
            Javalin app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                config.startup.showOldJavalinVersionWarning = false;
                ForgeHttp.installAsWholeApplication(config, forge, httpConfig);
                // connectors exist once Jetty starts, not while Javalin is being configured
                config.jetty.modifyServer(server -> server.addEventListener(guardOnStart(server, guard, httpConfig)));
            });
            app.start(host, port);
            return new ForgeServer(app, host, guard);
        } catch (RuntimeException e) {
            guard.close();
            throw e;
        }
    }

    private static LifeCycle.Listener guardOnStart(org.eclipse.jetty.server.Server server, ConnectionGuard guard,
            HttpConfig httpConfig) {
        return new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector connector : server.getConnectors()) {
                    connector.addBean(guard);
                    if (connector instanceof ServerConnector network) {
                        network.setIdleTimeout(httpConfig.idleTimeout().toMillis());
                    }
                }
            }
        };
    }

    /**
     * The total connection cap the process's file descriptors can hold: each connection is one
     * descriptor, and running out makes Jetty fail every accept with a stack trace.
     */
    static int connectionCap(int configured) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof com.sun.management.UnixOperatingSystemMXBean unix)) {
            LOG.info("file-descriptor budget unknown on this system; connection cap {}", configured);
            return configured;
        }
        long limit = unix.getMaxFileDescriptorCount();
        long inUse = unix.getOpenFileDescriptorCount();
        long room = limit - inUse - FD_RESERVE;
        if (room < configured) {
            int lowered = (int) Math.max(1, room);
            LOG.warn("file descriptors: {} in use of a limit of {} (ulimit -n); the connection cap of {} would not"
                    + " fit with {} kept in reserve, so it is lowered to {}; raise the limit to allow more",
                    inUse, limit, configured, FD_RESERVE, lowered);
            return lowered;
        }
        LOG.info("file descriptors: {} in use of a limit of {} (ulimit -n); connection cap {}",
                inUse, limit, configured);
        return configured;
    }

    /** The port the server listens on (the chosen one when started with port 0). */
    public int port() {
        return app.port();
    }

    /** The host the server is bound to. */
    public String host() {
        return host;
    }

    /** Connections open now (refused ones not yet closed included); for tests. */
    int openConnections() {
        return guard.openConnections();
    }

    /** Connections closed so far: over the total cap, over the per-address cap, slow headers, slow bodies. */
    long[] guardCounts() {
        return guard.counts();
    }

    /**
     * Stops the HTTP server; idempotent. Does not close the {@link Forge}. Returns within
     * {@link #STOP_WAIT} even if Jetty's stop does not: Jetty 12 can block its own stop for good
     * when it closes a connection whose response is stuck writing to a client that reads nothing
     * (seen once in 500 such streams); the stop then goes on in the background and a warning says so.
     */
    @Override
    public void close() {
        Thread stopper = new Thread(() -> {
            try {
                app.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping the HTTP server failed", e);
            }
        }, "forge-http-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(STOP_WAIT.toMillis());
            if (stopper.isAlive()) {
                LOG.warn("the HTTP server did not stop within {}; its stop goes on in the background", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            guard.close();
        }
    }
}
