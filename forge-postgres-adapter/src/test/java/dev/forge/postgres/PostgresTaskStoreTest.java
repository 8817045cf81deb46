package dev.forge.postgres;

import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The task store contract against PostgreSQL, in a schema of its own. */
class PostgresTaskStoreTest extends TaskStoreContract {

    private static PostgresTestDatabase db;

    @BeforeAll
    static void openDatabase() {
        db = PostgresTestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @Override
    protected TaskStore createStore() {
        db.clean();
        return new PostgresTaskStore(db.sql(), DEFAULT_LOG_CAP);
    }

    @Override
    protected TaskStore sameBackendStore() {
        return new PostgresTaskStore(db.secondNode().sql(), DEFAULT_LOG_CAP);
    }
}
