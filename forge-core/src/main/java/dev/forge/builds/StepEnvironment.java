package dev.forge.builds;

import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskRecord;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The environment of a build step, built from nothing: the allowlisted variables of forge's own
 * environment, then the project's {@code env}, then {@code FORGE_PARAM_<KEY>} for each task
 * parameter and {@code FORGE_TASK_ID}. Later entries win, so a project cannot fake forge's own
 * variables. Nothing else of forge's environment (its secrets) reaches a build.
 */
final class StepEnvironment {

    static final String PARAM_PREFIX = "FORGE_PARAM_";
    static final String TASK_ID = "FORGE_TASK_ID";

    /** The request validator's shape for parameter keys; rechecked here as a second line. */
    private static final Pattern PARAM_KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private StepEnvironment() {
    }

    /**
     * Builds the environment.
     *
     * @param parent    forge's own environment (System.getenv() in production)
     * @param inherited names to copy from {@code parent} when set
     * @param warn      told about each parameter that cannot be passed
     */
    static Map<String, String> of(Map<String, String> parent, Collection<String> inherited,
            ProjectSpec project, TaskRecord task, Consumer<String> warn) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : inherited) {
            String value = parent.get(key);
            if (value != null && !key.startsWith("FORGE_")) {
                env.put(key, value);
            }
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(project.env()).entrySet()) {
            if (!entry.getKey().startsWith("FORGE_") && usable(entry.getKey(), entry.getValue())) {
                env.put(entry.getKey(), entry.getValue());
            }
        }
        for (Map.Entry<String, String> entry : new TreeMap<>(task.parameters()).entrySet()) {
            String key = entry.getKey();
            if (!PARAM_KEY.matcher(key).matches()) {
                warn.accept("[forge] parameter ignored: its name is not [a-z][a-z0-9_]{0,31}");
            } else if (entry.getValue() == null || entry.getValue().indexOf('\0') >= 0) {
                warn.accept("[forge] parameter '" + key + "' ignored: its value holds a NUL character");
            } else {
                env.put(PARAM_PREFIX + key.toUpperCase(Locale.ROOT), entry.getValue());
            }
        }
        env.put(TASK_ID, task.id().value());
        return env;
    }

    private static boolean usable(String key, String value) {
        return !key.isEmpty() && key.indexOf('=') < 0 && key.indexOf('\0') < 0
                && value != null && value.indexOf('\0') < 0;
    }
}
