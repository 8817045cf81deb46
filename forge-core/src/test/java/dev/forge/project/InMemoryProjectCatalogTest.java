package dev.forge.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InMemoryProjectCatalogTest {

    private static ProjectSpec spec(String name) {
        return ProjectSpec.builder(name).localSource(Path.of("/src", name)).step("build", "make").build();
    }

    @Test
    void of_findsEachSpecByName_andListsNamesSorted() {
        ProjectSpec b = spec("b");
        ProjectSpec a = spec("a");

        ProjectCatalog catalog = ProjectCatalog.of(b, a);

        assertThat(catalog.find("a")).containsSame(a);
        assertThat(catalog.find("b")).containsSame(b);
        assertThat(catalog.find("c")).isEmpty();
        assertThat(catalog.find(null)).isEmpty();
        assertThat(catalog.names()).containsExactly("a", "b");
    }

    @Test
    void of_sameNameTwice_failsFast() {
        assertThatThrownBy(() -> ProjectCatalog.of(spec("a"), spec("a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a' is defined twice");
    }

    @Test
    void of_nameThatCouldNeverBeRequested_failsFast() {
        assertThatThrownBy(() -> ProjectCatalog.of(spec("../a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'../a'");
    }
}
