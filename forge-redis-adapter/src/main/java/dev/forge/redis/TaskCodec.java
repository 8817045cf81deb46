package dev.forge.redis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.InfrastructureException;
import dev.forge.store.JsonTree;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.io.IOException;
import java.io.StringWriter;
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

    /** Streams the fields (no intermediate tree): this runs for every create and compare-and-set. */
    String write(TaskRecord r) {
        // refuses what JSON cannot hold, with the in-memory store's message, before writing
        Map<String, Object> results = JsonTree.snapshot(r.results());
        StringWriter out = new StringWriter(512); // a record without results fits
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", r.id().value());
            g.writeStringField("kind", r.kind().name());
            g.writeStringField("owner", r.owner());
            g.writeStringField("project", r.projectName());
            g.writeStringField("goal", r.goal());
            g.writeObjectFieldStart("params");
            for (Map.Entry<String, String> e : r.parameters().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("types");
            for (String type : r.analysisTypes()) {
                g.writeString(type);
            }
            g.writeEndArray();
            g.writeStringField("status", r.status().name());
            g.writeNumberField("progress", r.progress());
            if (r.currentStep() != null) {
                g.writeStringField("step", r.currentStep());
            }
            g.writeNumberField("attempt", r.attempt());
            g.writeNumberField("maxAttempts", r.maxAttempts());
            g.writeFieldName("results");
            if (results.isEmpty()) {
                // every record before its job completes: no serializer lookup for nothing
                g.writeStartObject();
                g.writeEndObject();
            } else {
                mapper.writeValue(g, results);
            }
            if (r.error() != null) {
                g.writeObjectFieldStart("error");
                g.writeStringField("code", r.error().code());
                g.writeStringField("message", r.error().message());
                g.writeEndObject();
            }
            g.writeStringField("createdAt", Instants.format(r.createdAt()));
            g.writeStringField("updatedAt", Instants.format(r.updatedAt()));
            if (r.startedAt() != null) {
                g.writeStringField("startedAt", Instants.format(r.startedAt()));
            }
            if (r.completedAt() != null) {
                g.writeStringField("completedAt", Instants.format(r.completedAt()));
            }
            g.writeNumberField("version", r.version());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("task " + r.id() + " cannot be written as JSON", e);
        }
        return out.toString();
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
