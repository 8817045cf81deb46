package dev.forge.postgres;

import dev.forge.events.EventBus;
import dev.forge.events.EventBusContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The event bus contract against PostgreSQL LISTEN/NOTIFY, in a schema of its own. */
class PostgresEventBusTest extends EventBusContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    @Override
    protected EventBus createBus() {
        DATABASE.get().clean();
        return new PostgresEventBus(DATABASE.get().sql(), DATABASE.get().backend().listener());
    }

    @Override
    protected EventBus sameBackendBus() {
        PostgresBackend node = DATABASE.get().secondNode();
        return new PostgresEventBus(node.sql(), node.listener());
    }
}
