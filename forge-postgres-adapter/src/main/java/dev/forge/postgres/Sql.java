package dev.forge.postgres;

import dev.forge.InfrastructureException;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * What every adapter shares: the pool, the schema its names are qualified with, the statement
 * timeout, and the one place a {@link SQLException} becomes a forge exception.
 */
final class Sql {

    /** SQLState of a unique-key violation. */
    static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final String schema;
    private final int timeoutSeconds;

    Sql(DataSource dataSource, String schema, Duration statementTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.schema = Objects.requireNonNull(schema, "schema");
        // JDBC's timeout is in whole seconds; round up so a short setting never means "none"
        this.timeoutSeconds = (int) Math.max(1, (statementTimeout.toMillis() + 999) / 1000);
    }

    /** The schema-qualified name of one of forge's tables. */
    String table(String name) {
        return '"' + schema + "\"." + name;
    }

    /** The NOTIFY channel {@code name} of this schema, so two schemas never hear each other. */
    String channel(String name) {
        return schema + "_" + name;
    }

    String schema() {
        return schema;
    }

    /** Whether {@code other} reaches the same tables: one pool, one schema. */
    boolean sameTables(Sql other) {
        return dataSource == other.dataSource && schema.equals(other.schema);
    }

    int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** Prepares {@code sql} with the statement timeout set. */
    PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(timeoutSeconds);
        return statement;
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode. */
    <T> T run(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    /** Runs {@code work} in one transaction, rolled back when it throws. */
    <T> T inTransaction(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * The forge exception for a failed statement: bad data the database refused (SQLState class
     * 22) is the caller's misuse; everything else - the server down, a timeout, a lost
     * connection - is infrastructure, which the executor retries and health reports. A JDBC
     * batch's failure is reported by the database's error, not pgjdbc's account of the entry.
     */
    static RuntimeException translate(String what, SQLException failure) {
        // pgjdbc's BatchUpdateException spells out the failed entry with every bound value (a
        // task's parameters and results); the server's own error, chained to it, says the same
        // without them
        SQLException e = failure instanceof BatchUpdateException && failure.getNextException() != null
                ? failure.getNextException() : failure;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("22")) {
            return new IllegalArgumentException("PostgreSQL refused the data for " + what
                    + " (SQLState " + state + ")", e);
        }
        return new InfrastructureException("PostgreSQL: " + what + " failed"
                + (state.isEmpty() ? "" : " (SQLState " + state + ")"), e);
    }

    /** Work on a connection. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }
}
