package dev.forge.postgres;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class its own {@link PostgresTestDatabase} (a schema of its own) for all its tests
 * and drops it afterwards. Register it as {@code @RegisterExtension static final}.
 */
final class OneDatabasePerClass implements BeforeAllCallback, AfterAllCallback {

    private PostgresTestDatabase database;

    @Override
    public void beforeAll(ExtensionContext context) {
        database = PostgresTestDatabase.create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (database != null) {
            database.close();
            database = null;
        }
    }

    /** The class's database; only between its first and last test. */
    PostgresTestDatabase get() {
        if (database == null) {
            throw new IllegalStateException("the database exists only while the test class runs");
        }
        return database;
    }
}
