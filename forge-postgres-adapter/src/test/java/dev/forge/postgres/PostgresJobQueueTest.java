package dev.forge.postgres;

import dev.forge.queue.JobQueue;
import dev.forge.queue.JobQueueContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The job queue contract against PostgreSQL, in a schema of its own. */
class PostgresJobQueueTest extends JobQueueContract {

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
    protected JobQueue createQueue() {
        db.clean();
        return new PostgresJobQueue(db.sql(), db.backend().listener());
    }

    @Override
    protected JobQueue sameBackendQueue() {
        PostgresBackend node = db.secondNode();
        return new PostgresJobQueue(node.sql(), node.listener());
    }
}
