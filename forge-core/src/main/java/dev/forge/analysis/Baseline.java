package dev.forge.analysis;

import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * New and fixed findings against a baseline: an earlier completed analysis of the same project
 * (and git ref), whose types cover this one's, made by this version of forge (its findings carry
 * fingerprints). Findings are matched by fingerprint ({@link Fingerprints}) as multisets: if the
 * baseline had a fingerprint twice and now it occurs three times, one occurrence is new.
 */
final class Baseline {

    /** Results key every report with fingerprints has; earlier reports cannot be compared with. */
    static final String MARKER = "new_findings";
    /** Results key holding the project's git ref, when it has one. */
    static final String REF = "source_ref";

    /**
     * The comparison.
     *
     * @param states   "new" or "unchanged", one per current finding, in order
     * @param newCount how many are new
     * @param fixed    the baseline's findings that are gone, as stored there
     * @param baseline {@code analysis_id}, {@code created_at}, {@code complete} of the baseline
     */
    record Comparison(List<String> states, int newCount, List<Map<String, Object>> fixed,
            Map<String, Object> baseline) {
    }

    private Baseline() {
    }

    /** True when {@code candidate} can serve as the baseline of an analysis of these. */
    static boolean comparable(TaskRecord candidate, String project, String ref, Set<AnalysisType> types) {
        if (candidate.status() != TaskStatus.COMPLETED || !candidate.projectName().equals(project)) {
            return false;
        }
        Map<String, Object> results = candidate.results();
        if (!results.containsKey(MARKER) || !Objects.equals(results.get(REF), ref)) {
            return false;
        }
        if (!(results.get("analysis_types") instanceof List<?> theirs)) {
            return false;
        }
        return types.stream().allMatch(t -> theirs.contains(t.wireName()));
    }

    /** Compares the current findings (with their fingerprints, in order) with the baseline's. */
    static Comparison compare(List<Finding> current, List<String> fingerprints, TaskRecord baseline,
            Set<AnalysisType> types) {
        List<Map<String, Object>> previous = new ArrayList<>();
        if (baseline.results().get("findings") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map && map.get("fingerprint") instanceof String
                        && AnalysisType.fromWire(String.valueOf(map.get("category")))
                                .filter(types::contains).isPresent()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> finding = (Map<String, Object>) map;
                    previous.add(finding);
                }
            }
        }
        Map<String, Integer> remaining = new HashMap<>();
        for (Map<String, Object> finding : previous) {
            remaining.merge((String) finding.get("fingerprint"), 1, Integer::sum);
        }
        List<String> states = new ArrayList<>(current.size());
        int newCount = 0;
        for (String fingerprint : fingerprints) {
            Integer left = remaining.get(fingerprint);
            if (left != null && left > 0) {
                remaining.put(fingerprint, left - 1);
                states.add("unchanged");
            } else {
                states.add("new");
                newCount++;
            }
        }
        List<Map<String, Object>> fixed = new ArrayList<>();
        for (Map<String, Object> finding : previous) {
            String fingerprint = (String) finding.get("fingerprint");
            int left = remaining.getOrDefault(fingerprint, 0);
            if (left > 0) {
                remaining.put(fingerprint, left - 1);
                Map<String, Object> gone = new LinkedHashMap<>(finding);
                gone.remove("baseline_state");
                gone.put("baseline_state", "absent");
                fixed.add(gone);
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("analysis_id", baseline.id().value());
        info.put("created_at", baseline.createdAt().toString());
        Object total = baseline.results().get("findings_total");
        // a baseline whose findings list was capped cannot tell about what it left out
        info.put("complete", !(total instanceof Number n) || n.intValue() <= sizeOf(baseline));
        return new Comparison(List.copyOf(states), newCount, fixed, info);
    }

    private static int sizeOf(TaskRecord baseline) {
        return baseline.results().get("findings") instanceof List<?> list ? list.size() : 0;
    }
}
