package dev.forge.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Example;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Task ids: the shape check and the random generator's hand-written encoding. */
class TaskIdsProperties {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    @Property
    void shapeCheck_acceptsExactlyTheDocumentedPattern(@ForAll("idLike") String text) {
        assertThat(TaskId.hasShape(text)).isEqualTo(SHAPE.matcher(text).matches());
        assertThat(TaskId.parseOrNull(text) != null).isEqualTo(SHAPE.matcher(text).matches());
    }

    @Property
    void randomIdEncoding_isUrlSafeBase64WithoutPadding(@ForAll @Size(16) byte[] bytes) {
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        assertThat(RandomIds.encode(padded, 7))
                .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    @Example
    void randomIds_areDistinctWellFormedAndSpanManyBuffers() {
        IdGenerator ids = IdGenerator.random();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) { // 39 refills of the 256-id buffer
            String id = ids.next().value();
            assertThat(id).hasSize(22).matches(SHAPE);
            assertThat(seen.add(id)).as("id %s repeated", id).isTrue();
        }
    }

    @Example
    void randomIds_fromTwoThreads_neverCollide() throws InterruptedException {
        IdGenerator ids = IdGenerator.random();
        Set<String> a = new HashSet<>();
        Set<String> b = new HashSet<>();
        Thread other = new Thread(() -> {
            for (int i = 0; i < 2_000; i++) {
                a.add(ids.next().value());
            }
        });
        other.start();
        for (int i = 0; i < 2_000; i++) {
            b.add(ids.next().value());
        }
        other.join();
        assertThat(a).hasSize(2_000).doesNotContainAnyElementsOf(b);
        assertThat(b).hasSize(2_000);
    }

    @Provide
    Arbitrary<String> idLike() {
        return Arbitraries.strings().withChars("aZ09_-./ é\u0000").ofMinLength(0).ofMaxLength(70)
                .injectDuplicates(0.0).edgeCases(e -> e.add("a".repeat(64)).add("a".repeat(65)));
    }

}
