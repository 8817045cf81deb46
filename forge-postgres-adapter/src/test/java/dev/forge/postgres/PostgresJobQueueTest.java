package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.queue.JobQueue;
import dev.forge.queue.JobQueueContract;
import dev.forge.queue.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job queue contract against PostgreSQL, in a schema of its own. */
class PostgresJobQueueTest extends JobQueueContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    @Override
    protected JobQueue createQueue() {
        DATABASE.get().clean();
        return new PostgresJobQueue(DATABASE.get().sql(), DATABASE.get().backend().listener());
    }

    @Override
    protected JobQueue sameBackendQueue() {
        PostgresBackend node = DATABASE.get().secondNode();
        return new PostgresJobQueue(node.sql(), node.listener());
    }

    @Test
    void leaseSeveral_takesTheWholeBatchInOneCall_andSingleLeasesContinueTheSameFairOrder() throws Exception {
        for (int i = 1; i <= 4; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
            queue.enqueue("build", "b" + i, null, "bob");
        }

        List<Lease> batch = queue.lease(List.of("build"), 5, VISIBILITY, Duration.ZERO);
        // a newcomer joins at the rank of the batch's last job (the virtual time), as after five single
        // leases: behind the job of that rank enqueued before it, ahead of the next rank
        queue.enqueue("build", "c1", null, "carol");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rest.add(queue.lease("build", VISIBILITY, Duration.ZERO).orElseThrow().payload());
        }

        assertThat(batch).extracting(Lease::payload).containsExactly("a1", "b1", "a2", "b2", "a3");
        assertThat(batch).extracting(Lease::deliveries).containsOnly(1);
        assertThat(rest).containsExactly("b3", "c1", "a4", "b4");
    }

    @Test
    void leaseSeveral_fromSeveralQueues_fillsTheBatchFromTheNextQueue() throws Exception {
        queue.enqueue("build", "b1");
        queue.enqueue("analysis", "x1");
        queue.enqueue("analysis", "x2");

        List<Lease> batch = queue.lease(List.of("build", "analysis"), 2, VISIBILITY, Duration.ZERO);

        assertThat(batch).extracting(Lease::payload).containsExactly("b1", "x1");
        assertThat(batch).extracting(Lease::queue).containsExactly("build", "analysis");
    }
}
