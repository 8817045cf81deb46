package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The hand-written name check accepts exactly what the documented pattern does. */
class KeysTest {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @Property(tries = 2000)
    void checkedName_acceptsExactlyThePattern(@ForAll("names") String name) {
        boolean expected = NAME.matcher(name).matches();
        if (expected) {
            assertThat(Keys.checkedName(name, "queue")).isEqualTo(name);
        } else {
            assertThatThrownBy(() -> Keys.checkedName(name, "queue"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("queue must match");
        }
    }

    @Test
    void checkedName_null_refused() {
        assertThatThrownBy(() -> Keys.checkedName(null, "lock name")).hasMessageContaining("lock name must match");
    }

    /** Mostly near-valid names: the allowed characters, a few others, lengths around the bound. */
    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("azAZ09_-:* .\u00e9\u0000").ofMinLength(0).ofMaxLength(70);
    }
}
