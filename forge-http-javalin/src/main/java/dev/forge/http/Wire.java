package dev.forge.http;

import dev.forge.task.Page;
import dev.forge.task.TaskError;
import dev.forge.task.TaskRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Task records as the API's snake_case JSON objects. */
final class Wire {

    /** A history page: {@code {<items>: [...], total, limit, offset}}, each task as {@code item} gives it. */
    static Map<String, Object> page(String items, Page<TaskRecord> page,
            Function<TaskRecord, Map<String, Object>> item) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put(items, page.items().stream().map(item).toList());
        json.put("total", page.total());
        json.put("limit", page.limit());
        json.put("offset", page.offset());
        return json;
    }

    /** Result keys an analysis response always has, null until the analysis completes. */
    static final List<String> ANALYSIS_RESULT_KEYS = List.of("quality_score", "quality_score_max", "security_issues",
            "code_smells", "type_errors", "coverage_percent", "recommendations", "findings", "measures");

    private Wire() {
    }

    static Map<String, Object> build(TaskRecord task) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("task_id", task.id().value());
        json.put("project_name", task.projectName());
        json.put("goal", task.goal());
        json.put("parameters", task.parameters());
        lifecycle(task, json);
        json.put("results", task.results());
        return json;
    }

    /**
     * An analysis as JSON. Its report is safe to show as stored: the pipeline keeps exception
     * details of failed analyzers in the server log, not in the results.
     */
    static Map<String, Object> analysis(TaskRecord task) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("analysis_id", task.id().value());
        json.put("project_name", task.projectName());
        json.put("analysis_types", task.analysisTypes());
        String buildId = task.parameters().get("build_id");
        json.put("build_id", buildId);
        lifecycle(task, json);
        for (String key : ANALYSIS_RESULT_KEYS) {
            json.put(key, null);
        }
        // the scale is known before any result: say it from the start
        json.put("quality_score_max", 10);
        // The report's own keys sit at top level; they never replace the task's fields.
        task.results().forEach((key, value) -> {
            if (ANALYSIS_RESULT_KEYS.contains(key) || !json.containsKey(key)) {
                json.put(key, value);
            }
        });
        return json;
    }

    static Map<String, Object> error(TaskError error) {
        if (error == null) {
            return null;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("code", error.code());
        json.put("message", error.message());
        return json;
    }

    /** The fields every task shows: who, where in its lifecycle, and when. */
    private static void lifecycle(TaskRecord task, Map<String, Object> json) {
        json.put("owner", task.owner());
        json.put("status", task.status().wireName());
        json.put("progress", task.progress());
        json.put("current_step", task.currentStep());
        json.put("attempt", task.attempt());
        json.put("max_attempts", task.maxAttempts());
        json.put("error", error(task.error()));
        json.put("created_at", Json.time(task.createdAt()));
        json.put("updated_at", Json.time(task.updatedAt()));
        json.put("started_at", Json.time(task.startedAt()));
        json.put("completed_at", Json.time(task.completedAt()));
    }
}
