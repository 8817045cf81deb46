package dev.forge.project;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forge.sandbox.SandboxPolicy;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The {@code "sandbox"} object of forge.json: changes to the server's default policy. */
final class SandboxJson {

    private static final Set<String> FIELDS = Set.of("network", "memory_mb", "processes", "cpu_seconds",
            "file_size_mb", "writable", "readable");
    private static final int MAX_PATHS = 32;

    private SandboxJson() {
    }

    static SandboxPolicy.Overrides parse(JsonNode node) {
        if (node == null) {
            return SandboxPolicy.Overrides.none();
        }
        if (!node.isObject()) {
            throw ForgeJsonParser.fail("sandbox must be an object");
        }
        ForgeJsonParser.onlyFields(node, FIELDS, "sandbox.");
        Boolean network = null;
        if (node.has("network")) {
            if (!node.get("network").isBoolean()) {
                throw ForgeJsonParser.fail("sandbox.network must be true or false");
            }
            network = node.get("network").booleanValue();
        }
        SandboxPolicy.Overrides overrides = new SandboxPolicy.Overrides(network,
                number(node, "memory_mb"), number(node, "processes"), number(node, "cpu_seconds"),
                number(node, "file_size_mb"), paths(node, "writable"), paths(node, "readable"));
        try {
            overrides.applyTo(SandboxPolicy.defaults());
        } catch (IllegalArgumentException e) {
            throw ForgeJsonParser.fail(e.getMessage().replace("sandbox ", "sandbox."));
        }
        return overrides;
    }

    private static Long number(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw ForgeJsonParser.fail("sandbox." + field + " must be a whole number, 0 for no limit");
        }
        return node.longValue();
    }

    private static List<Path> paths(JsonNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null) {
            return null;
        }
        String problem = "sandbox." + field + " must be an array of at most " + MAX_PATHS
                + " absolute, normalised paths other than '/'";
        if (!node.isArray() || node.size() > MAX_PATHS) {
            throw ForgeJsonParser.fail(problem);
        }
        List<Path> paths = new ArrayList<>();
        for (JsonNode entry : node) {
            if (!entry.isTextual() || entry.textValue().indexOf('\0') >= 0 || entry.textValue().length() > 4096) {
                throw ForgeJsonParser.fail(problem);
            }
            try {
                Path path = Path.of(entry.textValue());
                if (!path.isAbsolute() || !path.normalize().equals(path) || path.getNameCount() == 0
                        || entry.textValue().contains("..")) {
                    throw ForgeJsonParser.fail(problem);
                }
                paths.add(path);
            } catch (InvalidPathException e) {
                throw ForgeJsonParser.fail(problem);
            }
        }
        return paths;
    }
}
