package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.events.EventBus;
import dev.forge.events.EventBusContract;
import dev.forge.events.TaskEvent;
import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

    @Test
    void equalEventsInOneTransaction_areEachDelivered_notFoldedIntoOne() {
        TaskId task = TaskId.of("twice");
        Recorder recorder = new Recorder();
        secondNode().subscribe(task, recorder);
        TaskEvent progress = progress(task, 40, "compile");
        TaskEvent lines = TaskEvent.logs(task, List.of("same line"), 3, AT);

        // one batch is one transaction, where PostgreSQL folds equal (channel, payload) pairs
        publisher().send(List.of(progress, progress, lines, lines, progress));

        recorder.awaitCount(5);
        assertThat(recorder.events).containsExactly(progress, progress, lines, lines, progress);
    }

    @Test
    void spilledAndSmallEventsInOneBatch_arriveInPublishOrder() {
        TaskId task = TaskId.of("mixed");
        Recorder recorder = new Recorder();
        secondNode().subscribe(task, recorder);
        List<TaskEvent> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // every third event is a log batch too big for a NOTIFY, sent twice the same
            batch.add(i % 3 == 1 ? big(task) : progress(task, i, "step " + i));
        }

        publisher().send(batch);

        recorder.awaitCount(batch.size());
        assertThat(recorder.events).containsExactlyElementsOf(batch);
    }

    @Test
    void eventsPackedUpToThePayloadLimit_inUtf8Bytes_allArriveInOrder() {
        TaskId task = TaskId.of("packed");
        Recorder recorder = new Recorder();
        secondNode().subscribe(task, recorder);
        Random random = new Random(7);
        List<TaskEvent> batch = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            // 1-3 bytes a character: a packer that counted characters would overrun 8,000 bytes
            String unit = new String[] {"a", "\u00e9", "\u20ac"}[random.nextInt(3)];
            batch.add(TaskEvent.logs(task, List.of(unit.repeat(50 + random.nextInt(2_500))), i + 1, AT));
        }

        publisher().send(batch);

        recorder.awaitCount(batch.size());
        assertThat(recorder.events).containsExactlyElementsOf(batch);
    }

    @Test
    void publish_manyEvents_arriveInOrderAcrossBatches() {
        TaskId task = TaskId.of("many");
        Recorder recorder = new Recorder();
        secondNode().subscribe(task, recorder);
        List<TaskEvent> expected = new ArrayList<>();
        for (int i = 0; i < 3 * EventPublisher.BATCH; i++) {
            TaskEvent event = i % 100 == 50 ? big(task) : TaskEvent.logs(task, List.of("line " + i), i + 1, AT);
            expected.add(event);
            bus.publish(event);
        }

        recorder.awaitCount(expected.size());
        assertThat(recorder.events).containsExactlyElementsOf(expected);
    }

    @Test
    @Timeout(60)
    void publish_whileTheDatabaseHangs_neverWaits_andCloseReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Sql hanging = new Sql(new HangingDataSource(release), "forge_never", Duration.ofSeconds(1));
        EventPublisher publisher = new EventPublisher(hanging, "forge_never_events", "SELECT 1");
        try {
            TaskEvent event = new TaskEvent(TaskId.of("t"), TaskEvent.Type.STATUS, 1, TaskStatus.RUNNING, 0,
                    null, List.of(), 0, AT);
            // more than the queue holds, while the publisher thread is stuck in getConnection:
            // the oldest are dropped and no call waits (the test's timeout would fail it)
            for (int i = 0; i < EventPublisher.CAPACITY + 1_000; i++) {
                publisher.publish(event);
            }
        } finally {
            release.countDown();
            publisher.close();
        }
    }

    private EventPublisher publisher() {
        return ((PostgresEventBus) bus).publisher();
    }

    private static TaskEvent big(TaskId task) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            lines.add("a long log line that makes this event too big for one notification " + i);
        }
        return TaskEvent.logs(task, lines, 200, AT);
    }

    /** A pool whose getConnection hangs until released, then fails: a database that does not answer. */
    private static final class HangingDataSource implements DataSource {
        private final CountDownLatch release;

        HangingDataSource(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public Connection getConnection() throws SQLException {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new SQLException("no database", "08001");
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
