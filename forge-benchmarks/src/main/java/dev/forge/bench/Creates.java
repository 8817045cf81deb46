package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** How the end-to-end drivers create their N no-op builds: in batches, or one by one. */
final class Creates {

    /** Tasks per createAll call in bulk mode, as the peer harnesses' bulk adds. */
    static final int BATCH = 1000;

    private Creates() {
    }

    /** Batches of {@value #BATCH} through {@code BuildService.createAll}, one after the other. */
    static void inBatches(Forge api, Principal caller, int n) {
        List<BuildRequest> batch = new ArrayList<>(BATCH);
        for (int created = 0; created < n; created += batch.size()) {
            batch.clear();
            for (int i = created; i < Math.min(n, created + BATCH); i++) {
                batch.add(new BuildRequest("noop", "throughput", Map.of()));
            }
            for (var outcome : api.builds().createAll(caller, batch)) {
                outcome.orElseThrow();
            }
        }
    }

    /** One {@code BuildService.create} per task, from 8 threads (as an API node's requests). */
    static void oneByOne(Forge api, Principal caller, int n) throws InterruptedException {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < 8; c++) {
            creators.execute(() -> {
                while (next.getAndIncrement() < n) {
                    api.builds().create(caller, new BuildRequest("noop", "throughput", Map.of())).orElseThrow();
                }
            });
        }
        creators.shutdown();
        creators.awaitTermination(10, TimeUnit.MINUTES);
    }
}
