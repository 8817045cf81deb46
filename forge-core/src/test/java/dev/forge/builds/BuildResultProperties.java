package dev.forge.builds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.store.JsonTree;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The typed build result and its JSON form are one: whatever a store gives back of
 * {@link BuildResult#toMap()} (numbers normalised as a JSON round trip leaves them) reads back as
 * an equal result.
 */
class BuildResultProperties {

    @Property(tries = 500)
    void toMap_thenAStoreRoundTrip_thenFromMap_isTheSameResult(@ForAll("results") BuildResult result) {
        Map<String, Object> stored = JsonTree.snapshot(result.toMap());

        assertThat(BuildResult.fromMap(stored)).isEqualTo(result);
        assertThat(stored).containsOnlyKeys("steps", "tests", "failures", "artifacts");
    }

    @Example
    void fromMap_ofTheEmptyResultsOfABuildThatNeverRan_isEmpty() {
        assertThat(BuildResult.fromMap(Map.of())).isEqualTo(BuildResult.EMPTY);
    }

    @Provide
    Arbitrary<BuildResult> results() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(30);
        Arbitrary<BuildResult.Step> step = Combinators.combine(text, Arbitraries.integers().between(-1, 255),
                Arbitraries.longs().between(0, Long.MAX_VALUE)).as(BuildResult.Step::new);
        Arbitrary<BuildResult.Tests> tests = Combinators.combine(Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.longs().greaterOrEqual(0)).as(BuildResult.Tests::new);
        Arbitrary<BuildResult.TestFailure> failure = Combinators.combine(text, text).as(BuildResult.TestFailure::new);
        Arbitrary<List<String>> artifacts = text.list().ofMaxSize(5);
        return Combinators.combine(step.list().ofMaxSize(5), tests, failure.list().ofMaxSize(5), artifacts)
                .as(BuildResult::new);
    }
}
