package dev.forge.project;

import java.util.regex.Pattern;

/** The one shape of a project name, shared by the catalogs (and the HTTP validator's rule). */
final class ProjectNames {

    /** Letters, digits, '_' and '-', 1 to 100 of them: never a path separator or a dot. */
    static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private ProjectNames() {
    }

    static boolean isValid(String name) {
        return name != null && SHAPE.matcher(name).matches();
    }
}
