package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.task.Page;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Pagination of {@link InMemoryTaskStore#listByOwner} agrees with a sorted model list. */
class TaskStorePaginationProperties {

    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    /** Newest first: creation time descending, then id descending. */
    private static final Comparator<TaskRecord> NEWEST_FIRST = Comparator
            .comparing(TaskRecord::createdAt).thenComparing(r -> r.id().value()).reversed();

    /** One generated task: owner 0-4, kind, and a creation second (few, so ties happen). */
    record Spec(int owner, TaskKind kind, int createdSecond) {
    }

    @Provide
    Arbitrary<List<Spec>> specs() {
        Arbitrary<Spec> spec = Combinators.combine(
                Arbitraries.integers().between(0, 4),
                Arbitraries.of(TaskKind.class),
                Arbitraries.integers().between(0, 60)).as(Spec::new);
        return spec.list().ofMaxSize(600);
    }

    @Property(tries = 200)
    void listByOwner_pageIsTheModelSublistAndTotalIsRight(
            @ForAll("specs") List<Spec> specs,
            @ForAll @IntRange(min = 1, max = 5) int owners,
            @ForAll @IntRange(min = 0, max = 4) int ownerPick,
            @ForAll TaskKind kind,
            @ForAll @IntRange(min = 1, max = 100) int limit,
            @ForAll @IntRange(min = 0, max = 300) int offset) {
        InMemoryTaskStore store = new InMemoryTaskStore();
        List<TaskRecord> all = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec spec = specs.get(i);
            TaskRecord record = TaskRecord.create(TaskId.of("task-" + i), spec.kind(),
                    "user" + spec.owner() % owners, "demo", "", Map.of(), List.of(), 1,
                    EPOCH.plusSeconds(spec.createdSecond()));
            store.create(record);
            all.add(record);
        }
        String owner = "user" + ownerPick % owners;
        List<TaskRecord> model = all.stream()
                .filter(r -> r.owner().equals(owner) && r.kind() == kind)
                .sorted(NEWEST_FIRST).toList();

        Page<TaskRecord> page = store.listByOwner(owner, kind, limit, offset);

        List<TaskRecord> expected = offset >= model.size() ? List.of()
                : model.subList(offset, Math.min(model.size(), offset + limit));
        assertThat(page.items()).isEqualTo(expected);
        assertThat(page.total()).isEqualTo(model.size());
        assertThat(page.limit()).isEqualTo(limit);
        assertThat(page.offset()).isEqualTo(offset);
    }
}
