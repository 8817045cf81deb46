package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.security.Principal;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.ScriptedRunner;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker keeps its lease alive from the moment it holds it: while the attempt is still being
 * begun and its project looked up (slow on a cold JVM or a loaded machine), heartbeats already
 * renew the lease, so a short lease is not lost before the build even starts.
 */
class LeaseHeartbeatTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void leaseIsRenewedWhileTheProjectLookupIsStillRunning() throws Exception {
        CountDownLatch lookupStarted = new CountDownLatch(1);
        CountDownLatch lookupMayReturn = new CountDownLatch(1);
        ProjectCatalog slowCatalog = new ProjectCatalog() {
            @Override
            public Optional<ProjectSpec> find(String name) {
                // the API's check at creation passes; the worker's lookup is the slow one
                if (Thread.currentThread().getName().startsWith("forge-worker-")) {
                    lookupStarted.countDown();
                    try {
                        lookupMayReturn.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Optional.of(ProjectSpec.builder(name).localSource(Path.of(".")).build());
            }

            @Override
            public List<String> names() {
                return List.of("demo");
            }
        };
        AtomicInteger extends_ = new AtomicInteger();
        JobQueue queue = countingExtends(new InMemoryJobQueue(), extends_);
        ExecutorConfig config = ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(100))
                .leaseVisibility(Duration.ofSeconds(60)).heartbeatInterval(Duration.ofMillis(50))
                .cancelCheckInterval(Duration.ofSeconds(50)).build();
        ScriptedRunner runner = new ScriptedRunner();
        try (Forge forge = Forge.builder().projectCatalog(slowCatalog).jobQueue(queue).buildRunner(runner)
                .analysisRunner(runner).executorConfig(config).build().start()) {
            try {
                TaskRecord task = forge.builds().create(Principal.user("alice"),
                        new BuildRequest("demo", "build it", Map.of())).orElseThrow();
                assertThat(lookupStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the lookup started").isTrue();

                Await.until(() -> extends_.get() >= 2, WAIT, "heartbeats while the project lookup blocks");
                assertThat(lookupMayReturn.getCount()).as("the lookup is still blocked").isEqualTo(1);

                lookupMayReturn.countDown();
                Await.until(() -> forge.store().find(task.id()).orElseThrow().status() == TaskStatus.COMPLETED,
                        WAIT, "the build to complete");
                assertThat(forge.store().find(task.id()).orElseThrow().attempt()).as("never redelivered")
                        .isEqualTo(1);
                assertThat(runner.calls()).hasSize(1);
            } finally {
                lookupMayReturn.countDown(); // before forge closes, which waits for its workers
            }
        }
    }

    /** {@code queue}, counting its successful extends; a proxy, so it follows any change of the port. */
    private static JobQueue countingExtends(JobQueue queue, AtomicInteger extends_) {
        return (JobQueue) Proxy.newProxyInstance(JobQueue.class.getClassLoader(), new Class<?>[] {JobQueue.class},
                (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(queue, args);
                        if (method.getName().equals("extend") && Boolean.TRUE.equals(result)) {
                            extends_.incrementAndGet();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
