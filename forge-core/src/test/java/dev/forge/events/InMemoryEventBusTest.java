package dev.forge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.task.TaskId;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The in-memory bus against the shared contract (two nodes: buses made by
 * {@link InMemoryEventBus#sharing}), plus its executor, capacity and closing.
 */
class InMemoryEventBusTest extends EventBusContract {

    private static final TaskId TASK = TaskId.of("t1");
    private InMemoryEventBus last;

    @Override
    protected EventBus createBus() {
        last = new InMemoryEventBus();
        return last;
    }

    @Override
    protected EventBus sameBackendBus() {
        return InMemoryEventBus.sharing(last);
    }

    /** An executor that runs submitted drains only when the test says so. */
    private static final class ManualExecutor implements Executor {
        final Queue<Runnable> submitted = new ArrayDeque<>();
        boolean rejecting;

        @Override
        public void execute(Runnable command) {
            if (rejecting) {
                throw new RejectedExecutionException("test rejects");
            }
            submitted.add(command);
        }

        int runAll() {
            int runs = 0;
            for (Runnable next = submitted.poll(); next != null; next = submitted.poll()) {
                next.run();
                runs++;
            }
            return runs;
        }
    }

    @Test
    void directExecutor_deliversBeforePublishReturns() {
        try (InMemoryEventBus sync = new InMemoryEventBus(Runnable::run)) {
            Recorder recorder = new Recorder();
            sync.subscribe(TASK, recorder);

            TaskEvent event = line(TASK, "now");
            sync.publish(event);

            assertThat(recorder.events).containsExactly(event);
        }
    }

    @Test
    void subscriberFallingBehind_losesItsOldestEvents() {
        ManualExecutor executor = new ManualExecutor();
        InMemoryEventBus small = new InMemoryEventBus(executor, 3);
        Recorder recorder = new Recorder();
        small.subscribe(recorder);

        for (int i = 0; i < 5; i++) {
            small.publish(line(TASK, "line " + i));
        }
        executor.runAll();

        assertThat(recorder.events).extracting(EventBusContract::text).containsExactly("line 2", "line 3", "line 4");
    }

    @Test
    void manyPendingEvents_areDeliveredInBatchesAndInOrder() {
        ManualExecutor executor = new ManualExecutor();
        InMemoryEventBus bus = new InMemoryEventBus(executor);
        Recorder recorder = new Recorder();
        bus.subscribe(recorder);
        int count = InMemoryEventBus.DRAIN_BATCH * 2 + 10;

        for (int i = 0; i < count; i++) {
            bus.publish(line(TASK, Integer.toString(i)));
        }
        assertThat(executor.submitted).as("one drain per subscriber at a time").hasSize(1);
        int runs = executor.runAll();

        assertThat(runs).isEqualTo(3);
        assertThat(recorder.events).extracting(e -> Integer.parseInt(text(e)))
                .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
    }

    @Test
    void closingASubscription_dropsItsPendingEvents() {
        ManualExecutor executor = new ManualExecutor();
        InMemoryEventBus bus = new InMemoryEventBus(executor);
        Recorder recorder = new Recorder();
        EventBus.Subscription subscription = bus.subscribe(TASK, recorder);
        bus.publish(line(TASK, "pending"));

        subscription.close();
        executor.runAll();

        assertThat(recorder.events).isEmpty();
        assertThat(bus.subscriberCount()).isZero();
    }

    @Test
    void closingTheBus_stopsEverything() {
        ManualExecutor executor = new ManualExecutor();
        InMemoryEventBus bus = new InMemoryEventBus(executor);
        Recorder forAll = new Recorder();
        Recorder forTask = new Recorder();
        bus.subscribe(forAll);
        bus.subscribe(TASK, forTask);
        bus.publish(line(TASK, "pending"));

        bus.close();
        bus.publish(line(TASK, "after close"));
        executor.runAll();

        assertThat(forAll.events).isEmpty();
        assertThat(forTask.events).isEmpty();
        assertThat(bus.subscriberCount()).isZero();
        assertThatThrownBy(() -> bus.subscribe(new Recorder())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectedDelivery_isRetriedWithTheNextPublish() {
        ManualExecutor executor = new ManualExecutor();
        InMemoryEventBus bus = new InMemoryEventBus(executor);
        Recorder recorder = new Recorder();
        bus.subscribe(recorder);
        executor.rejecting = true;

        bus.publish(line(TASK, "first")); // must not throw to the publisher
        executor.rejecting = false;
        bus.publish(line(TASK, "second"));
        executor.runAll();

        assertThat(recorder.events).extracting(EventBusContract::text).containsExactly("first", "second");
    }

    @Test
    void lastSubscriberOfATask_leavesNoEntryBehind() {
        InMemoryEventBus bus = new InMemoryEventBus(Runnable::run);
        List<EventBus.Subscription> subscriptions = IntStream.range(0, 3)
                .mapToObj(i -> bus.subscribe(TaskId.of("task" + i), new Recorder())).toList();
        assertThat(bus.subscriberCount()).isEqualTo(3);

        subscriptions.forEach(EventBus.Subscription::close);

        assertThat(bus.subscriberCount()).isZero();
    }

    @Test
    void constructor_badCapacity_fails() {
        assertThatThrownBy(() -> new InMemoryEventBus(Runnable::run, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity");
    }

    @Test
    void defaultPool_fiveHundredSlowSubscribers_shareAFixedNumberOfThreads() throws Exception {
        InMemoryEventBus bus = new InMemoryEventBus();
        TaskId task = TaskId.of("crowded");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
        try {
            for (int i = 0; i < 500; i++) {
                // each listener holds its delivery thread until released, the worst a stream could do
                bus.subscribe(task, event -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    delivered.incrementAndGet();
                });
            }
            bus.publish(line(task, "to everyone"));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (deliveryThreads() < InMemoryEventBus.DELIVERY_THREADS) {
                assertThat(System.nanoTime()).as("the pool fills up").isLessThan(deadline);
                Thread.sleep(10); // waiting for the pool to start its threads
            }
            int most = deliveryThreads();
            release.countDown();
            while (delivered.get() < 500) {
                assertThat(System.nanoTime()).as("every subscriber served").isLessThan(deadline);
                most = Math.max(most, deliveryThreads());
                Thread.sleep(10); // sampling the thread count while the queue drains
            }

            assertThat(most).as("delivery threads for 500 blocked subscribers")
                    .isEqualTo(InMemoryEventBus.DELIVERY_THREADS);
        } finally {
            release.countDown();
            bus.close();
        }
    }

    private static int deliveryThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("forge-events-")).count();
    }
}
