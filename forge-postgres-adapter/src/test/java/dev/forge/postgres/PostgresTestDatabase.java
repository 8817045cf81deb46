package dev.forge.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The local PostgreSQL the tests run against: 127.0.0.1:5432, database {@code test}, trust
 * authentication as {@code postgres} or {@code root}. Each test class gets its own schema
 * {@code forge_test_<random>}, emptied before each test and dropped at the end. Without a server
 * the tests are skipped with a message, unless {@code FORGE_REQUIRE_POSTGRES=1}, which makes
 * them fail (CI sets it after starting the server).
 */
final class PostgresTestDatabase implements AutoCloseable {

    static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final List<String> USERS = List.of("postgres", "root");
    private static final List<String> TABLES = List.of("tasks", "log_lines", "log_meta", "jobs",
            "rate_buckets", "locks", "event_spill", "queue_clocks", "queue_groups");
    private static String user;

    private final String schema;
    private final PostgresBackend backend;
    private PostgresBackend secondNode;

    private PostgresTestDatabase(String schema, PostgresBackend backend) {
        this.schema = schema;
        this.backend = backend;
    }

    /** A fresh schema with forge's tables, or the test is skipped (or fails) without a server. */
    static PostgresTestDatabase create() {
        String who = user();
        String schema = "forge_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PostgresBackend backend = PostgresBackend.builder().jdbcUrl(URL).username(who).poolSize(8)
                .schema(schema).build();
        return new PostgresTestDatabase(schema, backend);
    }

    /** The user that connects, found once; skips or fails when none does. */
    static synchronized String user() {
        if (user != null) {
            return user;
        }
        SQLException last = null;
        for (String candidate : USERS) {
            Properties properties = new Properties();
            properties.setProperty("user", candidate);
            properties.setProperty("connectTimeout", "3");
            try (Connection connection = DriverManager.getConnection(URL, properties)) {
                user = candidate;
                return user;
            } catch (SQLException e) {
                last = e;
            }
        }
        String message = "PostgreSQL is not answering at 127.0.0.1:5432 (database test, user postgres"
                + " or root, trust auth): " + (last == null ? "" : last.getMessage())
                + "; PostgreSQL adapter tests skipped (set FORGE_REQUIRE_POSTGRES=1 to fail instead)";
        if ("1".equals(System.getenv("FORGE_REQUIRE_POSTGRES"))) {
            throw new IllegalStateException(message, last);
        }
        Assumptions.abort(message);
        return null; // not reached
    }

    /** A plain connection as the test user (not from the backend's pool). */
    static Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        return DriverManager.getConnection(URL, properties);
    }

    PostgresBackend backend() {
        return backend;
    }

    Sql sql() {
        return backend.sql();
    }

    /**
     * A second backend over the same schema, with its own pool and LISTEN connection: what
     * another node sees. Made on first use, closed with this database.
     */
    synchronized PostgresBackend secondNode() {
        if (secondNode == null) {
            secondNode = PostgresBackend.builder().jdbcUrl(URL).username(user()).poolSize(4)
                    .schema(schema).build();
        }
        return secondNode;
    }

    String schema() {
        return schema;
    }

    /** Deletes every row, so each test starts on an empty backend. */
    void clean() {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String table : TABLES) {
                statement.execute("DELETE FROM \"" + schema + "\"." + table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cleaning schema " + schema + " failed", e);
        }
    }

    /** Closes the backend and drops the schema. */
    @Override
    public void close() {
        if (secondNode != null) {
            secondNode.close();
        }
        backend.close();
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("dropping schema " + schema + " failed", e);
        }
    }
}
