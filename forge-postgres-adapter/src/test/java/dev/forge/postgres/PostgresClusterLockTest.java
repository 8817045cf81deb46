package dev.forge.postgres;

import dev.forge.lock.ClusterLock;
import dev.forge.lock.ClusterLockContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The cluster lock contract against PostgreSQL lease rows, in a schema of its own. */
class PostgresClusterLockTest extends ClusterLockContract {

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
    protected ClusterLock createLock() {
        db.clean();
        return new PostgresClusterLock(db.sql());
    }

    @Override
    protected ClusterLock sameBackendLock() {
        return new PostgresClusterLock(db.secondNode().sql());
    }
}
