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

    private static final Pattern HOST = Pattern.compile(
            "\\*|(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
                    + "|\\[[0-9a-f:.]+\\]");

    private final long bodyLimitBytes;
    private final Set<String> corsOrigins;
    private final Set<String> trustedHosts;
    private final boolean debug;
    private final boolean metricsRequireAdmin;
    private final Duration sseKeepAlive;

    private HttpConfig(Builder builder) {
        this.bodyLimitBytes = builder.bodyLimitBytes;
        this.corsOrigins = Set.copyOf(builder.corsOrigins);
        Set<String> hosts = new LinkedHashSet<>(DEFAULT_TRUSTED_HOSTS);
        hosts.addAll(builder.trustedHosts);
        this.trustedHosts = Set.copyOf(hosts);
        this.debug = builder.debug;
        this.metricsRequireAdmin = builder.metricsRequireAdmin;
        this.sseKeepAlive = builder.sseKeepAlive;
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
                + ", metricsRequireAdmin=" + metricsRequireAdmin + ", sseKeepAlive=" + sseKeepAlive + "]";
    }

    /** Builds an {@link HttpConfig}; every setter rejects a bad value at once, naming it. */
    public static final class Builder {

        private long bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
        private final Set<String> corsOrigins = new LinkedHashSet<>();
        private final Set<String> trustedHosts = new LinkedHashSet<>();
        private boolean debug;
        private boolean metricsRequireAdmin = true;
        private Duration sseKeepAlive = DEFAULT_SSE_KEEP_ALIVE;

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

        /** The config. */
        public HttpConfig build() {
            return new HttpConfig(this);
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
