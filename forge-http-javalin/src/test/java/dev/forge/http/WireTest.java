package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireTest {

    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void analysis_putsTheReportAtTopLevel_withoutLettingItReplaceTaskFields() {
        Map<String, Object> json = Wire.analysis(completed(Map.of("coverage_percent", 42.5, "status", "forged",
                "analysis_id", "forged", "extra_measure", 7)));

        assertThat(json.get("coverage_percent")).isEqualTo(42.5);
        assertThat(json.get("extra_measure")).isEqualTo(7);
        assertThat(json.get("status")).isEqualTo("completed");
        assertThat(json.get("analysis_id")).isEqualTo("a1");
        assertThat(json).containsKey("quality_score").containsEntry("quality_score", null);
        assertThat(json.get("completed_at")).isEqualTo("2026-01-02T03:04:05Z");
    }

    private static TaskRecord completed(Map<String, Object> results) {
        TaskRecord created = TaskRecord.create(TaskId.of("a1"), TaskKind.ANALYSIS, "alice", "hello", "", Map.of(),
                List.of("quality"), 2, NOW);
        return created.start(NOW).transitionTo(TaskStatus.COMPLETED, results, null, NOW);
    }
}
