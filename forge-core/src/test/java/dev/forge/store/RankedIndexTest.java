package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RankedIndexTest {

    @Test
    void add_duplicate_returnsFalseAndKeepsSize() {
        RankedIndex<Integer> index = new RankedIndex<>(Comparator.naturalOrder());

        assertThat(index.add(3)).isTrue();
        assertThat(index.add(3)).isFalse();
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void remove_absent_returnsFalse() {
        RankedIndex<Integer> index = new RankedIndex<>(Comparator.naturalOrder());
        index.add(1);

        assertThat(index.remove(2)).isFalse();
        assertThat(index.remove(1)).isTrue();
        assertThat(index.isEmpty()).isTrue();
    }

    @Test
    void slice_negativeArguments_fail() {
        RankedIndex<Integer> index = new RankedIndex<>(Comparator.naturalOrder());

        assertThatThrownBy(() -> index.slice(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.slice(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void height_staysLogarithmicForSortedInsertsAndRemovals() {
        RankedIndex<Integer> index = new RankedIndex<>(Comparator.naturalOrder());
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            index.add(i); // sorted input: the worst case for an unbalanced tree
        }
        for (int i = 0; i < n; i += 2) {
            index.remove(i);
        }

        // AVL bound: height < 1.45 log2(n + 2)
        assertThat(index.height()).isLessThanOrEqualTo((int) (1.45 * (Math.log(n + 2) / Math.log(2))));
        assertThat(index.slice(1_000, 3)).containsExactly(2_001, 2_003, 2_005);
    }

    /** Random adds and removes agree with a TreeSet, and every slice with the sorted list. */
    @Property(tries = 300)
    void anyOperations_matchASortedSetModel(
            @ForAll @Size(max = 300) List<@IntRange(min = -200, max = 200) Integer> operations,
            @ForAll @IntRange(min = 0, max = 400) int offset,
            @ForAll @IntRange(min = 0, max = 120) int limit) {
        RankedIndex<Integer> index = new RankedIndex<>(Comparator.reverseOrder());
        TreeSet<Integer> model = new TreeSet<>(Comparator.reverseOrder());
        for (int op : operations) {
            // even values are added, odd ones remove their neighbour below
            if (op % 2 == 0) {
                assertThat(index.add(op)).isEqualTo(model.add(op));
            } else {
                assertThat(index.remove(op - 1)).isEqualTo(model.remove(op - 1));
            }
            assertThat(index.size()).isEqualTo(model.size());
        }
        List<Integer> sorted = new ArrayList<>(model);
        List<Integer> expected = offset >= sorted.size() ? List.of()
                : sorted.subList(offset, Math.min(sorted.size(), offset + limit));

        assertThat(index.slice(offset, limit)).isEqualTo(expected);
        assertThat(index.slice(0, sorted.size() + 1)).isEqualTo(sorted);
    }
}
