package dev.forge.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forge.InfrastructureException;
import dev.forge.store.JsonTree;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Task records as one JSON value each. Instants are ISO-8601 strings (nanoseconds kept); results
 * go through {@link JsonTree#snapshot} both ways, so they are refused and normalised exactly as
 * in memory and come back in the canonical types.
 */
final class TaskCodec {

    private final ObjectMapper mapper;

    TaskCodec(ObjectMapper mapper) {
        this.mapper = mapper.copy().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    String write(TaskRecord r) {
        ObjectNode node = mapper.createObjectNode();
        node.put("id", r.id().value());
        node.put("kind", r.kind().name());
        node.put("owner", r.owner());
        node.put("project", r.projectName());
        node.put("goal", r.goal());
        node.set("params", mapper.valueToTree(r.parameters()));
        node.set("types", mapper.valueToTree(r.analysisTypes()));
        node.put("status", r.status().name());
        node.put("progress", r.progress());
        if (r.currentStep() != null) {
            node.put("step", r.currentStep());
        }
        node.put("attempt", r.attempt());
        node.put("maxAttempts", r.maxAttempts());
        // refuses what JSON cannot hold, with the in-memory store's message, before writing
        node.set("results", mapper.valueToTree(JsonTree.snapshot(r.results())));
        if (r.error() != null) {
            ObjectNode error = node.putObject("error");
            error.put("code", r.error().code());
            error.put("message", r.error().message());
        }
        node.put("createdAt", r.createdAt().toString());
        node.put("updatedAt", r.updatedAt().toString());
        if (r.startedAt() != null) {
            node.put("startedAt", r.startedAt().toString());
        }
        if (r.completedAt() != null) {
            node.put("completedAt", r.completedAt().toString());
        }
        node.put("version", r.version());
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("task " + r.id() + " cannot be written as JSON", e);
        }
    }

    TaskRecord read(String json) {
        try {
            JsonNode n = mapper.readTree(json);
            Map<String, String> params = new LinkedHashMap<>();
            n.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            List<String> types = new ArrayList<>();
            n.path("types").forEach(t -> types.add(t.asText()));
            @SuppressWarnings("unchecked")
            Map<String, Object> results = n.hasNonNull("results")
                    ? JsonTree.snapshot(mapper.convertValue(n.get("results"), LinkedHashMap.class)) : Map.of();
            TaskError error = n.hasNonNull("error")
                    ? new TaskError(n.get("error").path("code").asText(), n.get("error").path("message").asText())
                    : null;
            return new TaskRecord(TaskId.of(n.get("id").asText()), TaskKind.valueOf(n.get("kind").asText()),
                    n.get("owner").asText(), n.get("project").asText(), n.path("goal").asText(""),
                    params, types, TaskStatus.valueOf(n.get("status").asText()), n.path("progress").asInt(),
                    text(n, "step"), n.path("attempt").asInt(), n.path("maxAttempts").asInt(1), results, error,
                    instant(n, "createdAt"), instant(n, "updatedAt"), instant(n, "startedAt"),
                    instant(n, "completedAt"), n.path("version").asLong());
        } catch (JsonProcessingException | RuntimeException e) {
            // a record this code did not write (or a corrupted one) is an infrastructure fault
            throw new InfrastructureException("a stored task record could not be read", e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Instant instant(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instants.parse(n.get(field).asText()) : null;
    }
}
