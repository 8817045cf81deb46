package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.ratelimit.RateLimitDecision;
import dev.forge.validation.ValidationFailure;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void map_andFlatMap_changeAnOkAndLeaveARefusalAsItIs() {
        Outcome<Integer> ok = Outcome.ok(20);
        Outcome<Integer> missing = new Outcome.NotFound<>("project", "hello");

        assertThat(ok.map(n -> n + 1)).isEqualTo(Outcome.ok(21));
        assertThat(ok.flatMap(n -> new Outcome.Conflict<String>("too big: " + n)))
                .isEqualTo(new Outcome.Conflict<>("too big: 20"));
        assertThat(missing.map(n -> n + 1)).isEqualTo(new Outcome.NotFound<>("project", "hello"));
        assertThat(missing.flatMap(n -> Outcome.ok("never"))).isSameAs(missing);
    }

    @Test
    void orElseThrow_saysWhatWasRefused() {
        assertThatThrownBy(() -> new Outcome.NotFound<>("project", "hello").orElseThrow())
                .isInstanceOf(RefusedException.class).hasMessage("project 'hello' not found");
        assertThatThrownBy(() -> new Outcome.NotFound<>("build").orElseThrow()).hasMessage("build not found");
        assertThatThrownBy(() -> new Outcome.Invalid<>(ValidationFailure.schema("goal", "must not be blank"))
                .orElseThrow()).hasMessage("invalid request: goal must not be blank");
        assertThatThrownBy(() -> new Outcome.Conflict<>("build b-1 already completed").orElseThrow())
                .hasMessage("conflict: build b-1 already completed");
        assertThatThrownBy(() -> new Outcome.RateLimited<>(new RateLimitDecision(false, 10, 0,
                Duration.ofSeconds(6), Duration.ofMillis(5500))).orElseThrow())
                .hasMessage("rate limited: retry in 5500 ms");
        assertThatThrownBy(() -> new Outcome.Refused<>(Outcome.Refused.Limit.ACTIVE_TASKS_PER_USER, 50,
                Duration.ofSeconds(30)).orElseThrow())
                .hasMessage("refused: at most 50 active tasks per user, retry in 30 s");
        Outcome<String> forbidden = new Outcome.Forbidden<>();
        assertThatThrownBy(forbidden::orElseThrow).isInstanceOfSatisfying(RefusedException.class,
                e -> assertThat(e.outcome()).isSameAs(forbidden));
        assertThat(Outcome.ok("v").orElseThrow()).isEqualTo("v");
    }

    @Test
    void orElseThrow_withAFunction_throwsWhatItMakes() {
        Outcome<String> missing = new Outcome.NotFound<>("project", "x");

        assertThatThrownBy(() -> missing.orElseThrow(refusal -> new IllegalArgumentException(refusal.describe())))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("project 'x' not found");
        assertThat(Outcome.ok("v").orElseThrow(refusal -> new AssertionError())).isEqualTo("v");
    }
}
