package dev.forge.postgres;

import dev.forge.events.EventBus;
import dev.forge.events.EventBusContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The event bus contract against PostgreSQL LISTEN/NOTIFY, in a schema of its own. */
class PostgresEventBusTest extends EventBusContract {

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
    protected EventBus createBus() {
        db.clean();
        return new PostgresEventBus(db.sql(), db.backend().listener());
    }

    @Override
    protected EventBus sameBackendBus() {
        PostgresBackend node = db.secondNode();
        return new PostgresEventBus(node.sql(), node.listener());
    }
}
