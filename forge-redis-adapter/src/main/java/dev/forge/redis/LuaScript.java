package dev.forge.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script from this package's resources, with its SHA-1. Scripts run by EVALSHA; the
 * caller reloads them after {@code NOSCRIPT} (a Redis restarted or flushed), see
 * {@link RedisCommands#eval}.
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    /**
     * Loads {@code name}.lua from this package's resources, with the text of each of
     * {@code libraries} (their .lua files) in front of it: Redis runs one script text, so code two
     * scripts share is joined to each rather than written twice.
     */
    static LuaScript load(String name, String... libraries) {
        StringBuilder source = new StringBuilder();
        for (String library : libraries) {
            source.append(read(library)).append('\n');
        }
        return new LuaScript(name, source.append(read(name)).toString());
    }

    private static String read(String name) {
        String resource = name + ".lua";
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + resource, e);
        }
    }

    String name() {
        return name;
    }

    String source() {
        return source;
    }

    String sha() {
        return sha;
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }
}
