package dev.forge.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.Forge;
import dev.forge.InfrastructureException;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.store.LeasedRecords;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Every forge port on one Redis: one connection pool and one subscriber connection, shared by
 * the adapters it makes. Give it to the Forge builder with {@link #configure(Forge.Builder)}:
 *
 * <pre>{@code
 * try (RedisBackend redis = RedisBackend.connect(RedisSettings.custom()
 *             .uri("redis://127.0.0.1:6379/0").build());
 *      Forge forge = redis.configure(Forge.builder()).projectCatalog(catalog).build().start()) {
 *     ...
 * }
 * }</pre>
 *
 * Forge does not close ports it did not make: close the backend after forge, which closes every
 * adapter it made, the subscriber and the pool. Thread-safe.
 */
public final class RedisBackend implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBackend.class);

    private final RedisSettings settings;
    private final RedisClient client;
    private final RedisCommands commands;
    private final RedisSubscriber subscriber;
    private final ObjectMapper mapper = new ObjectMapper();
    /** Shared by every store and queue made here: the queues' leases put, the stores' finds take. */
    private final LeasedRecords leased;
    private final List<AutoCloseable> made = new ArrayList<>();
    private volatile boolean closed;

    private RedisBackend(RedisSettings settings, LeasedRecords leased) {
        this.settings = settings;
        this.leased = leased;
        URI uri = settings.uri();
        HostAndPort address = JedisURIHelper.getHostAndPort(uri);
        JedisClientConfig config = clientConfig(settings);
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMinIdle(0);
        // a request thread never queues behind the pool for longer than a command may take
        pool.setMaxWait(settings.commandTimeout());
        pool.setTestWhileIdle(true);
        this.client = RedisClient.builder().hostAndPort(address).clientConfig(config).poolConfig(pool).build();
        Keys keys = new Keys(settings.keyPrefix());
        this.commands = new RedisCommands(client, keys);
        this.subscriber = new RedisSubscriber(address, config, keys.cancelChannel(), settings.commandTimeout());
    }

    /**
     * Opens the pool and the subscriber connection, and checks the server: logs a warning when
     * neither AOF nor RDB snapshots are on (tasks would not survive a Redis restart). A Redis that
     * is down does not fail this call - forge starts, reports not ready, and recovers when Redis
     * comes back. The check runs again whenever Redis answers after it could not be reached (it
     * was down at start, or restarted - perhaps empty, or with other settings).
     */
    public static RedisBackend connect(RedisSettings settings) {
        return connect(settings, new LeasedRecords());
    }

    /** As {@link #connect(RedisSettings)}, its leases' records aged by {@code leased} (tests). */
    static RedisBackend connect(RedisSettings settings, LeasedRecords leased) {
        Objects.requireNonNull(settings, "settings");
        RedisBackend backend = new RedisBackend(settings, Objects.requireNonNull(leased, "leased"));
        backend.commands.onReachableAgain(backend::checkPersistenceSoon);
        backend.checkPersistence();
        return backend;
    }

    /** The settings this backend runs with. */
    public RedisSettings settings() {
        return settings;
    }

    /**
     * Sets every port of {@code builder} to a new adapter on this backend: task store, job queue,
     * event bus, cluster lock (so one node per interval runs maintenance) and a rate limiter with
     * the default rules (call
     * {@code builder.rateLimiter(backend.rateLimiter(config))} afterwards for others).
     */
    public Forge.Builder configure(Forge.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        return builder.taskStore(taskStore())
                .jobQueue(jobQueue())
                .eventBus(eventBus())
                .rateLimiter(rateLimiter(RateLimitConfig.ofDefaults()))
                .clusterLock(clusterLock());
    }

    /** A task store on this backend. */
    public RedisTaskStore taskStore() {
        return remember(new RedisTaskStore(commands, new TaskCodec(mapper), settings.maxLogBytes(), leased));
    }

    /** A job queue on this backend. */
    public RedisJobQueue jobQueue() {
        return remember(new RedisJobQueue(commands, subscriber, settings.idlePoll(), leased, new TaskCodec(mapper)));
    }

    /** An event bus on this backend. */
    public RedisEventBus eventBus() {
        return remember(new RedisEventBus(commands, subscriber, new EventCodec(mapper)));
    }

    /** A rate limiter for {@code config}'s rules on this backend. */
    public RedisRateLimiter rateLimiter(RateLimitConfig config) {
        return remember(new RedisRateLimiter(commands, config));
    }

    /** A cluster lock on this backend. */
    public RedisClusterLock clusterLock() {
        return remember(new RedisClusterLock(commands));
    }

    /** True when Redis answers a PING within the command timeout. */
    public boolean ping() {
        try {
            return "PONG".equalsIgnoreCase(commands.run("ping", c -> c.ping()));
        } catch (InfrastructureException e) {
            return false;
        }
    }

    /** Closes every adapter this backend made, the subscriber connection and the pool. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (made) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(made);
            made.clear();
        }
        RuntimeException first = null;
        for (AutoCloseable c : toClose) {
            first = closeQuietly(c, first);
        }
        first = closeQuietly(subscriber, first);
        first = closeQuietly(client, first);
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException closeQuietly(AutoCloseable c, RuntimeException first) {
        try {
            c.close();
        } catch (Exception e) {
            RuntimeException wrapped = e instanceof RuntimeException r ? r
                    : new InfrastructureException("closing " + c.getClass().getSimpleName() + " failed", e);
            if (first == null) {
                return wrapped;
            }
            first.addSuppressed(wrapped);
        }
        return first;
    }

    private <T extends AutoCloseable> T remember(T adapter) {
        synchronized (made) {
            if (closed) {
                throw new IllegalStateException("Redis backend is closed");
            }
            made.add(adapter);
        }
        return adapter;
    }

    private void checkPersistence() {
        try {
            Map<String, String> config = client.configGet("appendonly", "save");
            boolean aof = "yes".equalsIgnoreCase(config.getOrDefault("appendonly", "no"));
            boolean rdb = !config.getOrDefault("save", "").isBlank();
            if (!aof && !rdb) {
                LOG.warn("Redis at {} has neither AOF (appendonly) nor RDB snapshots (save) on: tasks and "
                        + "queued jobs are lost if Redis restarts; see docs/operations.md", settings.uri().getHost());
            }
        } catch (JedisDataException e) {
            // CONFIG may be renamed or forbidden (managed Redis): say so and go on
            LOG.info("could not read Redis persistence settings: {}", e.getMessage());
        } catch (JedisException e) {
            // Redis is down: checked again when it answers
            commands.markUnreachable();
            LOG.info("could not read Redis persistence settings: {}", e.getMessage());
        }
    }

    /** Checks on a thread of its own: the caller is a command that just succeeded, maybe a request's. */
    private void checkPersistenceSoon() {
        if (closed) {
            return;
        }
        Thread check = new Thread(this::checkPersistence, "forge-redis-persistence-check");
        check.setDaemon(true);
        check.start();
    }

    private static JedisClientConfig clientConfig(RedisSettings settings) {
        URI uri = settings.uri();
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
                .socketTimeoutMillis((int) settings.commandTimeout().toMillis())
                .database(JedisURIHelper.hasDbIndex(uri) ? JedisURIHelper.getDBIndex(uri) : 0)
                .ssl(JedisURIHelper.isRedisSSLScheme(uri))
                .clientName("forge");
        String user = JedisURIHelper.getUser(uri);
        String password = JedisURIHelper.getPassword(uri);
        if (user != null && !user.isEmpty()) {
            b.user(user);
        }
        if (password != null && !password.isEmpty()) {
            b.password(password);
        }
        return b.build();
    }
}
