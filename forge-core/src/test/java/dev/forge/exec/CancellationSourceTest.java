package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.exec.CancellationToken.Reason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancellationSourceTest {

    @Test
    void aNewSource_isNotCancelled() {
        CancellationSource source = new CancellationSource();

        assertThat(source.isCancelled()).isFalse();
        assertThat(source.reason()).isEmpty();
        assertThat(source.wasRequested(Reason.USER)).isFalse();
    }

    @Test
    void eachReason_isHeardOnce_inTheOrderRequested_andTheFirstStaysTheReason() {
        CancellationSource source = new CancellationSource();
        List<Reason> heard = new ArrayList<>();
        source.onCancel(heard::add);

        assertThat(source.cancel(Reason.LEASE_LOST)).isTrue();
        assertThat(source.cancel(Reason.USER)).isTrue();
        assertThat(source.cancel(Reason.LEASE_LOST)).isFalse();

        assertThat(heard).containsExactly(Reason.LEASE_LOST, Reason.USER);
        assertThat(source.reason()).contains(Reason.LEASE_LOST);
        assertThat(source.isCancelled()).isTrue();
        assertThat(source.wasRequested(Reason.USER)).isTrue();
        assertThat(source.wasRequested(Reason.SOFT_TIMEOUT)).isFalse();
    }

    @Test
    void aLateCallback_hearsTheEarlierReasonsInOrder_thenTheNewOnes() {
        CancellationSource source = new CancellationSource();
        source.cancel(Reason.HARD_TIMEOUT);
        source.cancel(Reason.SOFT_TIMEOUT);
        List<Reason> early = new ArrayList<>();
        List<Reason> late = new ArrayList<>();
        source.onCancel(early::add);
        source.onCancel(late::add);

        source.cancel(Reason.SHUTDOWN);

        assertThat(early).containsExactly(Reason.HARD_TIMEOUT, Reason.SOFT_TIMEOUT, Reason.SHUTDOWN);
        assertThat(late).containsExactly(Reason.HARD_TIMEOUT, Reason.SOFT_TIMEOUT, Reason.SHUTDOWN);
    }
}
