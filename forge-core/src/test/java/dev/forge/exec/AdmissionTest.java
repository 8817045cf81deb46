package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.Outcome;
import dev.forge.Outcome.Refused.Limit;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.queue.Queues;
import dev.forge.task.TaskKind;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admission limits, counted in a queue. */
class AdmissionTest {

    private final InMemoryJobQueue queue = new InMemoryJobQueue();

    @AfterEach
    void close() {
        queue.close();
    }

    @Test
    void theUsersLimit_countsTheirJobsOfEveryKind_queuedOrRunning() throws Exception {
        Admission admission = new Admission(AdmissionConfig.ofDefaults().withActiveTasksPerUser(3), queue);
        queue.enqueue(Queues.BUILD, "b1", null, "alice");
        queue.enqueue(Queues.ANALYSIS, "a1", null, "alice");
        queue.enqueue(Queues.BUILD, "other", null, "bob");
        Lease running = queue.lease(Queues.BUILD, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
        assertThat(admission.check("alice", TaskKind.ANALYSIS)).as("2 of 3").isEmpty();

        queue.enqueue(Queues.ANALYSIS, "a2", null, "alice");

        assertThat(admission.<Void>check("alice", TaskKind.BUILD)).contains(
                new Outcome.Refused<>(Limit.ACTIVE_TASKS_PER_USER, 3, Duration.ofSeconds(10)));
        assertThat(admission.check("bob", TaskKind.BUILD)).isEmpty();
        assertThat(queue.ack(running)).isTrue();
        assertThat(admission.check("alice", TaskKind.BUILD)).as("a task ended").isEmpty();
    }

    @Test
    void theQueuesLimit_countsEveryonesJobsInTheKindsQueueOnly() {
        Admission admission = new Admission(AdmissionConfig.ofDefaults().withQueuedTasksPerQueue(2), queue);
        queue.enqueue(Queues.BUILD, "b1", null, "alice");
        queue.enqueue(Queues.BUILD, "b2", Duration.ofMinutes(5), "bob");

        assertThat(admission.<Void>check("carol", TaskKind.BUILD)).contains(
                new Outcome.Refused<>(Limit.QUEUED_TASKS, 2, Duration.ofSeconds(30)));
        assertThat(admission.check("carol", TaskKind.ANALYSIS)).isEmpty();
    }

    @Test
    void aBatch_admitsWhatFitsUnderTheTighterLimit_inOrder_andRefusesTheRestByThatLimit() {
        queue.enqueue(Queues.BUILD, "b1", null, "alice");
        queue.enqueue(Queues.BUILD, "b2", null, "bob");
        Admission userBound = new Admission(AdmissionConfig.ofDefaults().withActiveTasksPerUser(3)
                .withQueuedTasksPerQueue(10), queue);
        Admission queueBound = new Admission(AdmissionConfig.ofDefaults().withActiveTasksPerUser(3)
                .withQueuedTasksPerQueue(3), queue);

        Admission.Admitted<Void> byUser = userBound.checkAll("alice", TaskKind.BUILD, 5);
        Admission.Admitted<Void> byQueue = queueBound.checkAll("alice", TaskKind.BUILD, 5);

        assertThat(byUser).isEqualTo(new Admission.Admitted<Void>(2,
                new Outcome.Refused<>(Limit.ACTIVE_TASKS_PER_USER, 3, Duration.ofSeconds(10))));
        assertThat(byQueue).isEqualTo(new Admission.Admitted<Void>(1,
                new Outcome.Refused<>(Limit.QUEUED_TASKS, 3, Duration.ofSeconds(30))));
        assertThat(userBound.<Void>checkAll("alice", TaskKind.BUILD, 2))
                .isEqualTo(new Admission.Admitted<Void>(2, null));
    }

    @Test
    void noLimits_askTheQueueNothing() {
        JobQueue mustNotBeAsked = (JobQueue) Proxy.newProxyInstance(JobQueue.class.getClassLoader(),
                new Class<?>[] {JobQueue.class}, (proxy, method, args) -> {
                    throw new AssertionError("asked the queue: " + method.getName());
                });
        Admission admission = new Admission(AdmissionConfig.unlimited(), mustNotBeAsked);

        Optional<Outcome<Void>> decision = admission.check("alice", TaskKind.BUILD);

        assertThat(decision).isEmpty();
    }
}
