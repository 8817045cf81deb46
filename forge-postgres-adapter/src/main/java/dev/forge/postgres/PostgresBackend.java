package dev.forge.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.forge.Forge;
import dev.forge.InfrastructureException;
import dev.forge.events.EventBus;
import dev.forge.lock.ClusterLock;
import dev.forge.queue.JobQueue;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.store.BoundedLog;
import dev.forge.store.LeasedRecords;
import dev.forge.store.TaskStore;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Every forge port on one PostgreSQL database: builds the schema (Flyway, in forge's own schema
 * so its tables sit beside the application's), and makes the task store, job queue, event bus,
 * rate limiter and cluster lock over one pool and one LISTEN connection.
 *
 * <pre>{@code
 * try (PostgresBackend pg = PostgresBackend.builder().jdbcUrl("jdbc:postgresql://db/app").build();
 *      Forge forge = pg.configure(Forge.builder()).build().start()) { ... }
 * }</pre>
 *
 * <p>With {@link Builder#dataSource} forge uses the application's pool, and holds one of its
 * connections for LISTEN; with {@link Builder#jdbcUrl} forge makes a HikariCP pool and a
 * separate LISTEN connection, and closes both in {@link #close()}. Ports handed to a Forge
 * builder are not closed by Forge: close the backend after Forge.
 */
public final class PostgresBackend implements AutoCloseable {

    /** Default schema. */
    public static final String DEFAULT_SCHEMA = "forge";
    /** Default statement timeout. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(5);
    /** Default size of the pool forge makes for a JDBC URL. */
    public static final int DEFAULT_POOL_SIZE = 10;

    /** Lower-case identifiers only, short enough to prefix NOTIFY channel names (63 bytes). */
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,49}");
    private static final String MIGRATIONS = "classpath:dev/forge/postgres/migration";

    private final HikariDataSource ownPool;
    private final Sql sql;
    private final PgListener listener;
    private final PostgresTaskStore taskStore;
    private final PostgresJobQueue jobQueue;
    private final PostgresEventBus eventBus;
    private final PostgresRateLimiter rateLimiter;
    private final PostgresClusterLock clusterLock;

    private PostgresBackend(Builder b) {
        HikariDataSource pool = null;
        DataSource dataSource = b.dataSource;
        PgListener.ConnectionSource listen;
        if (dataSource == null) {
            pool = pool(b);
            dataSource = pool;
            Properties properties = credentials(b);
            if (pgjdbcCanLoad(NotifySocketFactory.class)) {
                // the LISTEN connection's sockets let pgjdbc see at once that nothing more is pending
                properties.setProperty("socketFactory", NotifySocketFactory.class.getName());
            }
            String url = b.jdbcUrl;
            listen = () -> DriverManager.getConnection(url, properties);
        } else {
            DataSource given = dataSource;
            listen = given::getConnection;
        }
        this.ownPool = pool;
        try {
            this.sql = new Sql(dataSource, b.schema, b.statementTimeout);
            if (b.migrate) {
                migrate(dataSource, b.schema);
            }
            this.listener = new PgListener(sql, listen);
            LeasedRecords leased = new LeasedRecords();
            this.taskStore = new PostgresTaskStore(sql, b.maxLogBytes, leased);
            this.jobQueue = new PostgresJobQueue(sql, listener, b.asyncLeaseCommit, leased);
            this.eventBus = new PostgresEventBus(sql, listener);
            this.rateLimiter = new PostgresRateLimiter(sql, b.rateLimits);
            this.clusterLock = new PostgresClusterLock(sql);
            listener.start();
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw e;
        }
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static HikariDataSource pool(Builder b) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(b.jdbcUrl);
        if (b.username != null) {
            config.setUsername(b.username);
        }
        if (b.password != null) {
            config.setPassword(b.password);
        }
        config.setMaximumPoolSize(b.poolSize);
        config.setPoolName("forge-postgres");
        // a database that is down fails a health probe within seconds instead of hanging it
        config.setConnectionTimeout(Math.max(250, b.statementTimeout.toMillis()));
        // start without the server: the pool connects on demand, so a node can boot while the
        // database restarts and report not-ready until it answers
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /**
     * True when pgjdbc, which makes a socket factory by its class name, finds {@code type} under
     * that name (not so when pgjdbc sits in a parent class loader of forge's, as in some
     * application servers: the connection would then fail).
     */
    private static boolean pgjdbcCanLoad(Class<?> type) {
        try {
            return Class.forName(type.getName(), false, org.postgresql.Driver.class.getClassLoader()) == type;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static Properties credentials(Builder b) {
        Properties properties = new Properties();
        if (b.username != null) {
            properties.setProperty("user", b.username);
        }
        if (b.password != null) {
            properties.setProperty("password", b.password);
        }
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "5");
        return properties;
    }

    private static void migrate(DataSource dataSource, String schema) {
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .table("forge_schema_history")
                    .locations(MIGRATIONS)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new InfrastructureException("PostgreSQL: migrating schema " + schema + " failed", e);
        }
    }

    /** The task store. */
    public TaskStore taskStore() {
        return taskStore;
    }

    /** The job queue. */
    public JobQueue jobQueue() {
        return jobQueue;
    }

    /** The event bus. */
    public EventBus eventBus() {
        return eventBus;
    }

    /** The rate limiter. */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** The cluster lock. */
    public ClusterLock clusterLock() {
        return clusterLock;
    }

    /** The schema forge's tables live in. */
    public String schema() {
        return sql.schema();
    }

    /**
     * Sets the task store, job queue, event bus, rate limiter and cluster lock of {@code builder}
     * to this backend's, so every node on the database shares them (maintenance included: one
     * node per interval runs it); returns the builder.
     */
    public Forge.Builder configure(Forge.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        return builder.taskStore(taskStore).jobQueue(jobQueue).eventBus(eventBus)
                .rateLimiter(rateLimiter).clusterLock(clusterLock);
    }

    Sql sql() {
        return sql;
    }

    PgListener listener() {
        return listener;
    }

    /** Closes the adapters, the LISTEN connection and the pool forge made (never a given one). */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable part : new AutoCloseable[] {eventBus, jobQueue, listener}) {
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new InfrastructureException("closing the PostgreSQL backend failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (ownPool != null) {
            ownPool.close();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Builds a {@link PostgresBackend}; every bad value fails fast, naming it. */
    public static final class Builder {
        private DataSource dataSource;
        private String jdbcUrl;
        private String username;
        private String password;
        private int poolSize = DEFAULT_POOL_SIZE;
        private String schema = DEFAULT_SCHEMA;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private int maxLogBytes = BoundedLog.DEFAULT_MAX_BYTES;
        private RateLimitConfig rateLimits = RateLimitConfig.ofDefaults();
        private boolean migrate = true;
        private boolean asyncLeaseCommit;

        private Builder() {
        }

        /** Use the application's pool (forge holds one of its connections for LISTEN). */
        public Builder dataSource(DataSource value) {
            this.dataSource = Objects.requireNonNull(value, "dataSource");
            return this;
        }

        /** Let forge pool connections to this {@code jdbc:postgresql:} URL itself. */
        public Builder jdbcUrl(String value) {
            Objects.requireNonNull(value, "jdbcUrl");
            if (!value.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql:, was '"
                        + value + "'");
            }
            this.jdbcUrl = value;
            return this;
        }

        /** The user for {@link #jdbcUrl}; default: the driver's (URL parameter or OS user). */
        public Builder username(String value) {
            this.username = value;
            return this;
        }

        /** The password for {@link #jdbcUrl}; default none. */
        public Builder password(String value) {
            this.password = value;
            return this;
        }

        /** Connections in the pool forge makes for {@link #jdbcUrl}, 1-1000 (default 10). */
        public Builder poolSize(int value) {
            if (value < 1 || value > 1000) {
                throw new IllegalArgumentException("poolSize must be 1-1000, was " + value);
            }
            this.poolSize = value;
            return this;
        }

        /** The schema for forge's tables, {@code [a-z_][a-z0-9_]{0,49}} (default {@code forge}). */
        public Builder schema(String value) {
            Objects.requireNonNull(value, "schema");
            if (!SCHEMA.matcher(value).matches()) {
                throw new IllegalArgumentException("schema must match " + SCHEMA.pattern() + ", was '"
                        + value + "'");
            }
            this.schema = value;
            return this;
        }

        /** The longest a statement may run, at least one second (default 5 s). */
        public Builder statementTimeout(Duration value) {
            Objects.requireNonNull(value, "statementTimeout");
            if (value.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("statementTimeout must be >= 1s, was " + value);
            }
            this.statementTimeout = value;
            return this;
        }

        /** The cap on each task's log in UTF-8 bytes (default 5 MiB). */
        public Builder maxLogBytes(int value) {
            if (value < BoundedLog.MIN_MAX_BYTES) {
                throw new IllegalArgumentException("maxLogBytes must be >= " + BoundedLog.MIN_MAX_BYTES
                        + ", was " + value);
            }
            this.maxLogBytes = value;
            return this;
        }

        /** The rate limiter's rules (default {@link RateLimitConfig#ofDefaults()}). */
        public Builder rateLimits(RateLimitConfig value) {
            this.rateLimits = Objects.requireNonNull(value, "rateLimits");
            return this;
        }

        /** Whether to create and upgrade the schema on start (default true). */
        public Builder migrate(boolean value) {
            this.migrate = value;
            return this;
        }

        /**
         * Whether a lease's transaction commits without waiting for its WAL flush (default false:
         * every commit waits, as the server is configured). Enqueues, acks and every other write
         * still wait. A lease lost in a server crash is then a lease that lapsed: the job is
         * delivered again and the lost holder's ack, extend or release is refused, which the queue
         * allows anyway (at least once); in exchange a lease neither waits for the disk nor holds
         * the queue's lock while it does. See docs/postgres.md for the measured difference.
         */
        public Builder asyncLeaseCommit(boolean value) {
            this.asyncLeaseCommit = value;
            return this;
        }

        /**
         * Migrates the schema (unless switched off) and makes the adapters.
         *
         * @throws IllegalStateException   if neither or both of a data source and a URL are set
         * @throws InfrastructureException if the migration fails
         */
        public PostgresBackend build() {
            if ((dataSource == null) == (jdbcUrl == null)) {
                throw new IllegalStateException("set exactly one of dataSource and jdbcUrl");
            }
            return new PostgresBackend(this);
        }
    }
}
