package dev.forge.http;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the HTTP front end behaves: body limit, CORS origins, trusted hosts, debug mode and
 * whether {@code /metrics} needs an admin token. Immutable; build one with {@link #builder()}
 * or take {@link #defaults()}.
 */
public final class HttpConfig {

    /** Default largest request body: 1 MiB. */
    public static final long DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
    /** Hosts trusted when none are configured: the loopback names. */
    public static final Set<String> DEFAULT_TRUSTED_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");
    /** Default pause after which an idle event stream gets a keep-alive comment. */
    public static final Duration DEFAULT_SSE_KEEP_ALIVE = Duration.ofSeconds(15);

    /** Default buffer of one event-stream client (SSE or WebSocket): 1 MiB. */
    public static final int DEFAULT_STREAM_BUFFER_BYTES = 1024 * 1024;
    /** Default time one write to an event-stream client may take before the client is dropped. */
    public static final Duration DEFAULT_STREAM_WRITE_DEADLINE = Duration.ofSeconds(20);

    /** Default cap on open connections in total. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1_000;
    /** Default cap on open connections from one client address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 100;
    /** Default time a request's headers may take to arrive, from their first byte. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** Default time a request's body may take to arrive, from the end of its headers. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** Default time a connection may stay silent (no byte either way) before it is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern HOST = Pattern.compile(
            "\\*|(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
                    + "|\\[[0-9a-f:.]+\\]");

    private final long bodyLimitBytes;
    private final Set<String> corsOrigins;
    private final Set<String> trustedHosts;
    private final boolean debug;
    private final boolean metricsRequireAdmin;
    private final Duration sseKeepAlive;
    private final int streamBufferBytes;
    private final Duration streamWriteDeadline;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final Duration idleTimeout;

    private HttpConfig(Builder builder) {
        this.bodyLimitBytes = builder.bodyLimitBytes;
        this.corsOrigins = Set.copyOf(builder.corsOrigins);
        Set<String> hosts = new LinkedHashSet<>(DEFAULT_TRUSTED_HOSTS);
        hosts.addAll(builder.trustedHosts);
        this.trustedHosts = Set.copyOf(hosts);
        this.debug = builder.debug;
        this.metricsRequireAdmin = builder.metricsRequireAdmin;
        this.sseKeepAlive = builder.sseKeepAlive;
        this.streamBufferBytes = builder.streamBufferBytes;
        this.streamWriteDeadline = builder.streamWriteDeadline;
        this.maxConnections = builder.maxConnections;
        this.maxConnectionsPerAddress = builder.maxConnectionsPerAddress;
        this.headerTimeout = builder.headerTimeout;
        this.bodyTimeout = builder.bodyTimeout;
        this.idleTimeout = builder.idleTimeout;
    }

    /** The defaults: 1 MiB bodies, no CORS, loopback hosts only, no debug, admin-only metrics. */
    public static HttpConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Largest accepted request body in bytes; larger bodies get 413. */
    public long bodyLimitBytes() {
        return bodyLimitBytes;
    }

    /** Origins allowed to call the API from a browser, e.g. {@code https://app.example.com}. */
    public Set<String> corsOrigins() {
        return corsOrigins;
    }

    /**
     * Host names accepted in the {@code Host} header (lower case, without port): the loopback
     * names plus the configured ones. {@code *.example.com} matches sub-domains; {@code *}
     * turns the check off.
     */
    public Set<String> trustedHosts() {
        return trustedHosts;
    }

    /** When true, 500 responses carry the exception; never turn this on in production. */
    public boolean debug() {
        return debug;
    }

    /** When true, {@code GET /metrics} needs an admin token. */
    public boolean metricsRequireAdmin() {
        return metricsRequireAdmin;
    }

    /** How long an event stream may stay silent before a keep-alive comment is sent. */
    public Duration sseKeepAlive() {
        return sseKeepAlive;
    }

    /**
     * How much an event-stream client (SSE or WebSocket) may have waiting to be sent (counted in
     * characters, bytes for ASCII). When it is full the stream stops queueing and reads on from
     * the store once the client has taken half, so a slow reader costs at most about this much.
     */
    public int streamBufferBytes() {
        return streamBufferBytes;
    }

    /**
     * How long one write to an event-stream client may take; a client that has not taken it by
     * then has stopped reading and is disconnected (it can reconnect with its last event id and
     * resume from the store).
     */
    public Duration streamWriteDeadline() {
        return streamWriteDeadline;
    }

    /** Most connections {@link ForgeServer} keeps open at once; more are closed as they open. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Most connections {@link ForgeServer} keeps open from one client address. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** How long a request's headers may take from their first byte; then the connection is closed. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** How long a request's body may take after its headers; then the connection is closed. */
    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    /** How long a connection may stay silent before {@link ForgeServer} closes it. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** True when {@code host} (lower case, no port) is trusted. */
    boolean isTrustedHost(String host) {
        if (trustedHosts.contains("*") || trustedHosts.contains(host)) {
            return true;
        }
        for (String trusted : trustedHosts) {
            if (trusted.startsWith("*.") && host.endsWith(trusted.substring(1))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "HttpConfig[bodyLimitBytes=" + bodyLimitBytes + ", corsOrigins=" + corsOrigins
                + ", trustedHosts=" + trustedHosts + ", debug=" + debug
                + ", metricsRequireAdmin=" + metricsRequireAdmin + ", sseKeepAlive=" + sseKeepAlive
                + ", streamBufferBytes=" + streamBufferBytes + ", streamWriteDeadline=" + streamWriteDeadline
                + ", maxConnections=" + maxConnections + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress
                + ", headerTimeout=" + headerTimeout + ", bodyTimeout=" + bodyTimeout + ", idleTimeout=" + idleTimeout + "]";
    }

    /** Builds an {@link HttpConfig}; every setter rejects a bad value at once, naming it. */
    public static final class Builder {

        private long bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
        private final Set<String> corsOrigins = new LinkedHashSet<>();
        private final Set<String> trustedHosts = new LinkedHashSet<>();
        private boolean debug;
        private boolean metricsRequireAdmin = true;
        private Duration sseKeepAlive = DEFAULT_SSE_KEEP_ALIVE;
        private int streamBufferBytes = DEFAULT_STREAM_BUFFER_BYTES;
        private Duration streamWriteDeadline = DEFAULT_STREAM_WRITE_DEADLINE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

        private Builder() {
        }

        /**
         * Largest accepted request body.
         *
         * @throws IllegalArgumentException unless 1 byte to 64 MiB
         */
        public Builder bodyLimitBytes(long bytes) {
            if (bytes < 1 || bytes > 64L * 1024 * 1024) {
                throw new IllegalArgumentException("bodyLimitBytes must be 1 to 67108864, was " + bytes);
            }
            this.bodyLimitBytes = bytes;
            return this;
        }

        /**
         * Adds origins allowed by CORS, each {@code scheme://host[:port]} without a path.
         *
         * @throws IllegalArgumentException for anything else, naming the origin
         */
        public Builder corsOrigins(Collection<String> origins) {
            for (String origin : Objects.requireNonNull(origins, "origins")) {
                corsOrigins.add(checkOrigin(origin));
            }
            return this;
        }

        /**
         * Adds trusted host names (without port) to the loopback defaults: exact names,
         * {@code *.example.com}, bracketed IPv6 literals, or {@code *} to accept any host.
         *
         * @throws IllegalArgumentException for a malformed name, naming it
         */
        public Builder trustedHosts(Collection<String> hosts) {
            for (String host : Objects.requireNonNull(hosts, "hosts")) {
                String normalised = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
                if (!HOST.matcher(normalised).matches()) {
                    throw new IllegalArgumentException("trusted host '" + host + "' is not a host name");
                }
                trustedHosts.add(normalised);
            }
            return this;
        }

        /** Debug mode: 500 responses show the exception. Off by default. */
        public Builder debug(boolean on) {
            this.debug = on;
            return this;
        }

        /**
         * Whether {@code /metrics} needs an admin token. On by default: the meters tell an
         * outsider the load, users' activity and error rates. Turn it off only where the port
         * is reachable by the scraper alone.
         */
        public Builder metricsRequireAdmin(boolean on) {
            this.metricsRequireAdmin = on;
            return this;
        }

        /**
         * Keep-alive interval of event streams.
         *
         * @throws IllegalArgumentException unless 10 ms to 5 minutes
         */
        public Builder sseKeepAlive(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() < 10 || interval.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("sseKeepAlive must be 10ms to 5min, was " + interval);
            }
            this.sseKeepAlive = interval;
            return this;
        }

        /**
         * Buffer and write deadline of each event-stream client (SSE and WebSocket).
         *
         * @throws IllegalArgumentException unless the buffer is 4 KiB to 64 MiB and the deadline
         *                                  100 ms to 10 minutes
         */
        public Builder streamLimits(int bufferBytes, Duration writeDeadline) {
            if (bufferBytes < 4096 || bufferBytes > 64 * 1024 * 1024) {
                throw new IllegalArgumentException("streamBufferBytes must be 4096 to 67108864, was " + bufferBytes);
            }
            this.streamWriteDeadline = checkTimeout(writeDeadline, "streamWriteDeadline");
            this.streamBufferBytes = bufferBytes;
            return this;
        }

        /**
         * Cap on open connections of {@link ForgeServer}, in total and from one client address
         * (behind a reverse proxy every client has the proxy's address: raise the second cap).
         *
         * @throws IllegalArgumentException unless {@code 1 <= perAddress <= total <= 1,000,000}
         */
        public Builder maxConnections(int total, int perAddress) {
            if (total < 1 || total > 1_000_000) {
                throw new IllegalArgumentException("maxConnections must be 1 to 1000000, was " + total);
            }
            if (perAddress < 1 || perAddress > total) {
                throw new IllegalArgumentException("maxConnectionsPerAddress must be 1 to maxConnections ("
                        + total + "), was " + perAddress);
            }
            this.maxConnections = total;
            this.maxConnectionsPerAddress = perAddress;
            return this;
        }

        /**
         * Deadlines of {@link ForgeServer} for a request's headers (from their first byte) and
         * its body (from the end of the headers).
         *
         * @throws IllegalArgumentException unless each is 100 ms to 10 minutes
         */
        public Builder requestTimeouts(Duration headers, Duration body) {
            this.headerTimeout = checkTimeout(headers, "headerTimeout");
            this.bodyTimeout = checkTimeout(body, "bodyTimeout");
            return this;
        }

        /**
         * How long a connection of {@link ForgeServer} may stay silent; must be longer than
         * {@link #sseKeepAlive}, or idle event streams would be cut.
         *
         * @throws IllegalArgumentException unless 100 ms to 10 minutes
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = checkTimeout(timeout, "idleTimeout");
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalArgumentException if the idle timeout is not longer than the SSE keep-alive
         */
        public HttpConfig build() {
            if (idleTimeout.compareTo(sseKeepAlive) <= 0) {
                throw new IllegalArgumentException("idleTimeout (" + idleTimeout
                        + ") must be longer than sseKeepAlive (" + sseKeepAlive + ")");
            }
            return new HttpConfig(this);
        }

        private static Duration checkTimeout(Duration value, String name) {
            java.util.Objects.requireNonNull(value, name);
            if (value.toMillis() < 100 || value.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException(name + " must be 100ms to 10min, was " + value);
            }
            return value;
        }

        private static String checkOrigin(String origin) {
            String bad = "CORS origin '" + origin + "' must look like https://host[:port]";
            if (origin == null || origin.isBlank()) {
                throw new IllegalArgumentException(bad);
            }
            URI uri;
            try {
                uri = new URI(origin.trim());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException(bad, e);
            }
            boolean webScheme = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
            boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null;
            if (!webScheme || uri.getHost() == null || !bare) {
                throw new IllegalArgumentException(bad);
            }
            return origin.trim().toLowerCase(Locale.ROOT);
        }
    }
}
