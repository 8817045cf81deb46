package dev.forge.postgres;

import dev.forge.lock.ClusterLock;
import dev.forge.lock.ClusterLockContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster lock contract against PostgreSQL lease rows, in a schema of its own. */
class PostgresClusterLockTest extends ClusterLockContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    @Override
    protected ClusterLock createLock() {
        DATABASE.get().clean();
        return new PostgresClusterLock(DATABASE.get().sql());
    }

    @Override
    protected ClusterLock sameBackendLock() {
        return new PostgresClusterLock(DATABASE.get().secondNode().sql());
    }
}
