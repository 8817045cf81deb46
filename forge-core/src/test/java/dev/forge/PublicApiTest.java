package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * forge-core's public surface, checked in as {@code src/test/resources/public-api.txt}: every
 * exported package (one with a public type) and its public types, nested ones included, those
 * marked {@link Internal} (public only for wiring between forge's packages) flagged as such. A change
 * to the surface fails here until the file is updated, so it shows up as a diff in review rather
 * than as a surprise for embedders. To accept a change, run this test with
 * {@code -Dforge.publicApi.update=true} and commit the file.
 */
class PublicApiTest {

    private static final Path CHECKED_IN = Path.of("src", "test", "resources", "public-api.txt");

    @Test
    void publicSurface_isTheCheckedInOne() throws IOException, URISyntaxException {
        String current = describe(publicTypes());
        if (Boolean.getBoolean("forge.publicApi.update")) {
            Files.writeString(CHECKED_IN, current, StandardCharsets.UTF_8);
        }

        assertThat(current)
                .as("forge-core's public API changed; if intended, rerun with -Dforge.publicApi.update=true"
                        + " and commit %s", CHECKED_IN)
                .isEqualTo(Files.readString(CHECKED_IN, StandardCharsets.UTF_8));
    }

    @Test
    void supportedApi_neverHandsOutAnInternalType() throws IOException, URISyntaxException {
        List<String> leaks = new ArrayList<>();
        for (Class<?> type : exportedTypes()) {
            if (isInternal(type)) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isPublic(method.getModifiers()) && !method.isSynthetic()
                        && !method.isAnnotationPresent(Internal.class)) {
                    List<Class<?>> used = new ArrayList<>(List.of(method.getParameterTypes()));
                    used.add(method.getReturnType());
                    used.stream().filter(PublicApiTest::isInternal)
                            .forEach(t -> leaks.add(type.getName() + "." + method.getName() + " uses " + t.getName()));
                }
            }
            for (Constructor<?> constructor : type.getConstructors()) {
                if (!constructor.isAnnotationPresent(Internal.class)) {
                    Stream.of(constructor.getParameterTypes()).filter(PublicApiTest::isInternal)
                            .forEach(t -> leaks.add(type.getName() + ".<init> uses " + t.getName()));
                }
            }
        }

        assertThat(leaks).as("a supported method or constructor takes or returns an @Internal type; mark it"
                + " @Internal too, or make the type supported").isEmpty();
    }

    /** Public types by package, from forge-core's compiled classes. */
    static Map<String, TreeSet<String>> publicTypes() throws IOException, URISyntaxException {
        Map<String, TreeSet<String>> byPackage = new TreeMap<>();
        for (Class<?> type : exportedTypes()) {
            byPackage.computeIfAbsent(type.getPackageName(), k -> new TreeSet<>())
                    .add(kind(type) + " " + type.getName().substring(type.getPackageName().length() + 1)
                            .replace('$', '.') + (isInternal(type) ? " (internal)" : ""));
        }
        return byPackage;
    }

    /** forge-core's exported types: public, and inside public types when nested. */
    private static List<Class<?>> exportedTypes() throws IOException, URISyntaxException {
        Path classes = Path.of(Forge.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        List<Class<?>> exported = new ArrayList<>();
        for (Path file : files) {
            String name = classes.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
            name = name.substring(0, name.length() - ".class".length());
            if (name.endsWith("package-info") || name.endsWith("module-info")) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new AssertionError("cannot load " + name, e);
            }
            if (!type.isAnonymousClass() && !type.isLocalClass() && !type.isSynthetic() && isExported(type)) {
                exported.add(type);
            }
        }
        return exported;
    }

    private static boolean isExported(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** Marked {@link Internal} itself or inside a type that is. */
    private static boolean isInternal(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (t.isAnnotationPresent(Internal.class)) {
                return true;
            }
        }
        return false;
    }

    private static String kind(Class<?> type) {
        if (type.isAnnotation()) {
            return "@interface";
        }
        if (type.isRecord()) {
            return "record";
        }
        if (type.isEnum()) {
            return "enum";
        }
        if (type.isInterface()) {
            return "interface";
        }
        return "class";
    }

    private static String describe(Map<String, TreeSet<String>> byPackage) {
        List<String> lines = new ArrayList<>();
        lines.add("# forge-core public API: exported packages and their public types.");
        lines.add("# Checked by PublicApiTest; update with -Dforge.publicApi.update=true.");
        int total = 0;
        for (Map.Entry<String, TreeSet<String>> entry : byPackage.entrySet()) {
            lines.add("");
            lines.add("package " + entry.getKey());
            for (String type : entry.getValue()) {
                lines.add("  " + type);
            }
            total += entry.getValue().size();
        }
        lines.add("");
        lines.add("# " + byPackage.size() + " packages, " + total + " public types");
        return String.join("\n", lines) + "\n";
    }
}
