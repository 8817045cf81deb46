package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTreeTest {

    @Test
    void itemsOf_keepsTheItemsOfTheAskedTypeInOrder_andSkipsTheRest() {
        List<Object> mixed = Arrays.asList(Map.of("a", 1), "text", null, 3, Map.of("b", 2));

        assertThat(JsonTree.itemsOf(mixed, Map.class)).containsExactly(Map.of("a", 1), Map.of("b", 2));
        assertThat(JsonTree.itemsOf(mixed, String.class)).containsExactly("text");
        assertThat(JsonTree.itemsOf(Map.of("not", "a list"), Map.class)).isEmpty();
        assertThat(JsonTree.itemsOf(null, String.class)).isEmpty();
    }

    @Test
    void snapshot_normalisesNumbersAndRefusesWhatJsonCannotHold() {
        Map<String, Object> copy = JsonTree.snapshot(Map.of("n", 5L, "f", 0.1f, "list", List.of((short) 2)));

        assertThat(copy).containsEntry("n", 5).containsEntry("f", 0.1).containsEntry("list", List.of(2));
        assertThatThrownBy(() -> JsonTree.snapshot(Map.of("x", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("results.x");
    }
}
