package dev.forge.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable settings of a {@link RedisBackend}: where Redis is, the key prefix, timeouts and the
 * pool size. Defaults live here, once; every bad value fails fast with a message naming it.
 */
public final class RedisSettings {

    /** The default server: the local Redis, database 0. */
    public static final URI DEFAULT_URI = URI.create("redis://127.0.0.1:6379/0");
    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "forge:";
    /** Default TCP connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(1000);
    /**
     * Default time a command may take before it fails. Short enough that an API request answers
     * 503 within about 2 s when Redis hangs; long enough for a 500-line log batch.
     */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(1500);
    /** Default pooled connections (the subscriber connection is extra). */
    public static final int DEFAULT_POOL_SIZE = 32;
    /** Default cap on each task's stored log, in UTF-8 bytes: 5 MiB, as in memory. */
    public static final int DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;
    /**
     * Default longest a waiting lease sleeps without a wake-up before asking Redis again; the
     * backstop for a wake-up lost while the subscriber connection was down.
     */
    public static final Duration DEFAULT_IDLE_POLL = Duration.ofSeconds(1);

    // prefixes end up in SCAN patterns and key names: keep them plain
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:{}-]{1,64}");

    private final URI uri;
    private final String keyPrefix;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final int poolSize;
    private final int maxLogBytes;
    private final Duration idlePoll;

    private RedisSettings(Builder b) {
        this.uri = b.uri;
        this.keyPrefix = b.keyPrefix;
        this.connectTimeout = b.connectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.poolSize = b.poolSize;
        this.maxLogBytes = b.maxLogBytes;
        this.idlePoll = b.idlePoll;
    }

    /** The defaults: local Redis, prefix {@code forge:}, 1 s connect, 1.5 s commands, 32 connections. */
    public static RedisSettings ofDefaults() {
        return custom().build();
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** The server, e.g. {@code redis://:password@host:6379/0} ({@code rediss://} for TLS). */
    public URI uri() {
        return uri;
    }

    /** Put in front of every key and channel, so several installations can share one Redis. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** TCP connect timeout. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long a command may take before it fails with an {@code InfrastructureException}. */
    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** Pooled connections shared by every adapter of one backend. */
    public int poolSize() {
        return poolSize;
    }

    /** The cap on each task's stored log, in UTF-8 bytes. */
    public int maxLogBytes() {
        return maxLogBytes;
    }

    /** Longest a waiting lease sleeps before asking Redis again without a wake-up. */
    public Duration idlePoll() {
        return idlePoll;
    }

    @Override
    public String toString() {
        // never print a password
        return "RedisSettings[uri=" + uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort()
                + uri.getPath() + ", keyPrefix=" + keyPrefix + ", connectTimeout=" + connectTimeout
                + ", commandTimeout=" + commandTimeout + ", poolSize=" + poolSize + "]";
    }

    /** Builds {@link RedisSettings}; every setter fails fast on a bad value. */
    public static final class Builder {
        private URI uri = DEFAULT_URI;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private int poolSize = DEFAULT_POOL_SIZE;
        private int maxLogBytes = DEFAULT_MAX_LOG_BYTES;
        private Duration idlePoll = DEFAULT_IDLE_POLL;

        private Builder() {
        }

        /**
         * The server as a {@code redis://} or {@code rediss://} URL, e.g.
         * {@code redis://127.0.0.1:6379/0}.
         *
         * @throws IllegalArgumentException if it is not such a URL with a host
         */
        public Builder uri(String value) {
            Objects.requireNonNull(value, "uri");
            try {
                return uri(new URI(value.trim()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Redis URL is not a URL: " + e.getReason());
            }
        }

        /** The server; see {@link #uri(String)}. */
        public Builder uri(URI value) {
            Objects.requireNonNull(value, "uri");
            String scheme = value.getScheme();
            if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
                throw new IllegalArgumentException("Redis URL must start with redis:// or rediss://, was "
                        + (scheme == null ? "no scheme" : scheme + "://"));
            }
            if (value.getHost() == null || value.getHost().isEmpty()) {
                throw new IllegalArgumentException("Redis URL has no host");
            }
            String path = value.getPath();
            if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,2}")) {
                throw new IllegalArgumentException("Redis URL path must be a database number like /0, was "
                        + path);
            }
            this.uri = value;
            return this;
        }

        /**
         * The key prefix, 1-64 characters of {@code [A-Za-z0-9_.:{}-]}; default {@code forge:}.
         */
        public Builder keyPrefix(String value) {
            Objects.requireNonNull(value, "keyPrefix");
            if (!PREFIX.matcher(value).matches()) {
                throw new IllegalArgumentException("keyPrefix must match " + PREFIX.pattern() + ", was '"
                        + value + "'");
            }
            this.keyPrefix = value;
            return this;
        }

        /** TCP connect timeout, 1 ms to 1 min. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = millis(value, "connectTimeout");
            return this;
        }

        /** Command timeout, 1 ms to 1 min. */
        public Builder commandTimeout(Duration value) {
            this.commandTimeout = millis(value, "commandTimeout");
            return this;
        }

        /** Pooled connections, 2 to 1024. */
        public Builder poolSize(int value) {
            if (value < 2 || value > 1024) {
                throw new IllegalArgumentException("poolSize must be 2-1024, was " + value);
            }
            this.poolSize = value;
            return this;
        }

        /** The per-task log cap in bytes, at least 16. */
        public Builder maxLogBytes(int value) {
            if (value < 16) {
                throw new IllegalArgumentException("maxLogBytes must be >= 16, was " + value);
            }
            this.maxLogBytes = value;
            return this;
        }

        /** The idle poll of waiting leases, 10 ms to 1 min. */
        public Builder idlePoll(Duration value) {
            Duration d = millis(value, "idlePoll");
            if (d.toMillis() < 10) {
                throw new IllegalArgumentException("idlePoll must be >= 10 ms, was " + value);
            }
            this.idlePoll = d;
            return this;
        }

        /** The settings. */
        public RedisSettings build() {
            return new RedisSettings(this);
        }

        private static Duration millis(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.toMillis() < 1 || value.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException(name + " must be 1 ms to 1 min, was " + value);
            }
            return value;
        }
    }
}
