package dev.forge.postgres;

import dev.forge.queue.JobQueue;
import dev.forge.queue.JobQueueContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job queue contract against PostgreSQL with leases committed without waiting for the flush. */
class PostgresJobQueueAsyncLeaseTest extends JobQueueContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    @Override
    protected JobQueue createQueue() {
        DATABASE.get().clean();
        return new PostgresJobQueue(DATABASE.get().sql(), DATABASE.get().backend().listener(), true);
    }

    @Override
    protected JobQueue sameBackendQueue() {
        PostgresBackend node = DATABASE.get().secondNode();
        return new PostgresJobQueue(node.sql(), node.listener(), true);
    }
}
