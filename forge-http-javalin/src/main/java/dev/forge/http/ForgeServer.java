package dev.forge.http;

import dev.forge.Forge;
import io.javalin.Javalin;
import java.util.Objects;

/**
 * forge's HTTP API as a standalone server: a Javalin app holding only {@link ForgeHttp}.
 * Closing the server stops HTTP (open event streams end); the {@link Forge} it serves belongs to
 * the caller, who closes it afterwards.
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

    private final Javalin app;
    private final String host;

    private ForgeServer(Javalin app, String host) {
        this.app = app;
        this.host = host;
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
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            ForgeHttp.install(config, forge, httpConfig);
        });
        app.start(host, port);
        return new ForgeServer(app, host);
    }

    /** The port the server listens on (the chosen one when started with port 0). */
    public int port() {
        return app.port();
    }

    /** The host the server is bound to. */
    public String host() {
        return host;
    }

    /** Stops the HTTP server; idempotent. Does not close the {@link Forge}. */
    @Override
    public void close() {
        app.stop();
    }
}
